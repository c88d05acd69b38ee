"""Atom feeds per locale, written with the standard library's XML writer (escaping done right)."""

from __future__ import annotations

from datetime import datetime, timezone
from xml.sax.saxutils import XMLGenerator

from marathon.model import Post

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(title: str, feed_url: str, site_url: str, posts: list[Post], post_url, locale: str) -> bytes:
    """An Atom 1.0 document of ``posts`` (newest first); ``post_url(post)`` gives each entry's link."""
    import io

    buffer = io.StringIO()
    xml = XMLGenerator(buffer, "utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("feed", {"xmlns": ATOM, "xml:lang": locale})

    def element(name: str, text: str, attrs: dict | None = None) -> None:
        xml.startElement(name, attrs or {})
        xml.characters(text)
        xml.endElement(name)

    updated = max((p.published for p in posts), default=datetime(2020, 1, 1, tzinfo=timezone.utc))
    element("title", title)
    element("id", feed_url)
    element("updated", updated.isoformat())
    xml.startElement("link", {"rel": "self", "href": feed_url}); xml.endElement("link")
    xml.startElement("link", {"rel": "alternate", "href": site_url}); xml.endElement("link")
    for post in posts:
        xml.startElement("entry", {})
        link = post_url(post)
        element("id", link)
        element("title", post.title or post.text[:90])
        xml.startElement("link", {"rel": "alternate", "href": link}); xml.endElement("link")
        element("published", post.published.isoformat())
        element("updated", post.published.isoformat())
        xml.startElement("author", {})
        element("name", post.author or post.organization or post.source_id)
        xml.endElement("author")
        for tag in post.hashtags:
            xml.startElement("category", {"term": tag}); xml.endElement("category")
        element("content", post.html or post.text, {"type": "html" if post.html else "text"})
        xml.endElement("entry")
    xml.endElement("feed")
    xml.endDocument()
    return buffer.getvalue().encode("utf-8")
