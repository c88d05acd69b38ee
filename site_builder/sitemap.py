"""Sitemaps: an index and one file per group of pages, each page with its translations as
xhtml:link alternates (Google's hreflang form), and robots.txt.

Groups stay small and stable — post pages by month, monthly archives by year, other kinds by
kind — so a rebuild rewrites only the groups whose pages changed, and no file nears the sitemap
limit of 50,000 addresses.
"""

from __future__ import annotations

import hashlib
import io
from xml.sax.saxutils import XMLGenerator

from site_builder.pages import PageSpec
from site_builder.plan import SitePlan

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


def sitemap_groups(specs: list[PageSpec], plan: SitePlan) -> dict[str, list[PageSpec]]:
    groups: dict[str, list[PageSpec]] = {}
    for spec in specs:
        if spec.kind == "post":
            name = f"posts-{plan.by_id[spec.key].month}"
        elif spec.kind == "month":
            name = f"archive-{spec.key[:4]}"
        else:
            name = spec.kind
        groups.setdefault(name, []).append(spec)
    return groups


def group_signature(specs: list[PageSpec], base_url: str) -> str:
    blob = "\n".join(f"{s.path} {sorted(s.translations.items())}" for s in specs)
    return hashlib.blake2b(f"{base_url}\n{blob}".encode(), digest_size=12).hexdigest()


def sitemap(specs: list[PageSpec], base_url: str) -> bytes:
    """One <url> per page, each listing all its translations."""
    base = base_url.rstrip("/")
    buffer = io.StringIO()
    xml = XMLGenerator(buffer, "utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("urlset", {"xmlns": SITEMAP, "xmlns:xhtml": XHTML})
    for spec in specs:
        xml.startElement("url", {})
        xml.startElement("loc", {})
        xml.characters(base + spec.path)
        xml.endElement("loc")
        for locale, path in spec.translations.items():
            xml.startElement("xhtml:link", {"rel": "alternate", "hreflang": locale, "href": base + path})
            xml.endElement("xhtml:link")
        xml.endElement("url")
    xml.endElement("urlset")
    xml.endDocument()
    return buffer.getvalue().encode("utf-8")


def sitemap_index(paths: list[str], base_url: str) -> bytes:
    base = base_url.rstrip("/")
    buffer = io.StringIO()
    xml = XMLGenerator(buffer, "utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("sitemapindex", {"xmlns": SITEMAP})
    for path in paths:
        xml.startElement("sitemap", {})
        xml.startElement("loc", {})
        xml.characters(base + path)
        xml.endElement("loc")
        xml.endElement("sitemap")
    xml.endElement("sitemapindex")
    xml.endDocument()
    return buffer.getvalue().encode("utf-8")


def robots_txt(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url.rstrip('/')}/sitemap.xml\n".encode()
