"""sitemap.xml with every page's translations as xhtml:link alternates, and robots.txt."""

from __future__ import annotations

import io
from xml.sax.saxutils import XMLGenerator

from site_builder.pages import Page

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


def sitemap(pages: list[Page], base_url: str) -> bytes:
    """One <url> per page and locale, each listing all its translations (Google's hreflang form)."""
    base = base_url.rstrip("/")
    buffer = io.StringIO()
    xml = XMLGenerator(buffer, "utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("urlset", {"xmlns": SITEMAP, "xmlns:xhtml": XHTML})
    for page in pages:
        xml.startElement("url", {})
        xml.startElement("loc", {})
        xml.characters(base + page.path)
        xml.endElement("loc")
        for locale, path in page.translations.items():
            xml.startElement("xhtml:link", {"rel": "alternate", "hreflang": locale, "href": base + path})
            xml.endElement("xhtml:link")
        xml.endElement("url")
    xml.endElement("urlset")
    xml.endDocument()
    return buffer.getvalue().encode("utf-8")


def robots_txt(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url.rstrip('/')}/sitemap.xml\n".encode()
