"""Sitemaps: an index and one file per group of pages, each page with its translations as
xhtml:link alternates (Google's hreflang form), and robots.txt.

Groups stay small and stable — post pages by month, monthly archives by year, other kinds by
kind — so a rebuild rewrites only the groups whose pages changed, and no file nears the sitemap
limit of 50,000 addresses.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Callable
from xml.sax.saxutils import XMLGenerator, escape, quoteattr

from site_builder.pages import PageSpec
from site_builder.plan import PostRef, SitePlan

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


Entry = tuple[str, dict[str, str]]  # a page's path and its translations (locale -> path)


@dataclass
class SitemapGroup:
    """One sitemap file: a signature of its addresses, and the addresses, made only when written."""

    signature: str
    entries: Callable[[], list[Entry]]


def _signature(base_url: str, blob: str) -> str:
    return hashlib.blake2b(f"{base_url}\n{blob}".encode(), digest_size=12).hexdigest()


def _post_entries(plan: SitePlan, refs: list[PostRef]) -> list[Entry]:
    entries = []
    for ref in refs:
        translations = plan.post_pages(ref)
        entries += [(path, translations) for path in translations.values()]
    return entries


def sitemap_groups(specs: list[PageSpec], plan: SitePlan, base_url: str) -> dict[str, SitemapGroup]:
    """Post pages by month (from the plan: posts have no specs until they are rendered), the
    other pages by kind, monthly archives by year."""
    groups: dict[str, SitemapGroup] = {}
    for month, refs in plan.months.items():
        blob = plan.all_locales + "\n" + "\n".join(f"{ref.segment} {ref.only_path}" for ref in refs)
        groups[f"posts-{month}"] = SitemapGroup(_signature(base_url, blob),
                                                lambda refs=refs: _post_entries(plan, refs))
    by_name: dict[str, list[PageSpec]] = {}
    for spec in specs:
        by_name.setdefault(f"archive-{spec.key[:4]}" if spec.kind == "month" else spec.kind, []).append(spec)
    for name, members in by_name.items():
        blob = "\n".join(f"{s.path} {sorted(s.translations.items())}" for s in members)
        groups[name] = SitemapGroup(_signature(base_url, blob),
                                    lambda members=members: [(s.path, s.translations) for s in members])
    return groups


def sitemap(entries: list[Entry], base_url: str) -> bytes:
    """One <url> per page, each listing all its translations. Written as strings rather than with
    an XML writer: a month's post pages at 100,000 posts are 130,000 elements, and a post's nine
    pages share one list of alternates, made once."""
    base = base_url.rstrip("/")
    alternates: dict[int, str] = {}  # id of a translations dict -> its <xhtml:link> elements
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n', f'<urlset xmlns="{SITEMAP}" xmlns:xhtml="{XHTML}">']
    for path, translations in entries:
        links = alternates.get(id(translations))
        if links is None:
            links = alternates[id(translations)] = "".join(
                f'<xhtml:link rel="alternate" hreflang={quoteattr(locale)} href={quoteattr(base + alternate)}/>'
                for locale, alternate in translations.items())
        parts.append(f"<url><loc>{escape(base + path)}</loc>{links}</url>")
    parts.append("</urlset>")
    return "".join(parts).encode("utf-8")


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
