"""RSS and Atom feeds, parsed with feedparser."""

from __future__ import annotations

from typing import Iterator

import feedparser

from crawler.encoding import utf8_xml
from crawler.items import RawPost, parse_date
from crawler.spiders import SourceSpider
from marathon.text import html_to_text


def _media(entry) -> list[dict]:
    found: dict[str, dict] = {}
    for item in entry.get("media_content", []) or []:
        if item.get("url"):
            found[item["url"]] = {"type": "video" if item.get("medium") == "video" else "image", "url": item["url"],
                                  "width": _int(item.get("width")), "height": _int(item.get("height"))}
    for item in entry.get("media_thumbnail", []) or []:
        if item.get("url") and item["url"] not in found:
            found[item["url"]] = {"type": "image", "url": item["url"]}
    for link in entry.get("links", []) or []:
        if link.get("rel") == "enclosure" and link.get("href") and link["href"] not in found:
            kind = "video" if str(link.get("type", "")).startswith("video") else "image"
            found[link["href"]] = {"type": kind, "url": link["href"], "alt": link.get("title", "")}
    descriptions = [d.get("content", "") for d in entry.get("media_description", [])] if "media_description" in entry else []
    if entry.get("media_description") and isinstance(entry["media_description"], str):
        descriptions = [entry["media_description"]]
    items = list(found.values())
    if items and descriptions and not items[0].get("alt"):
        items[0]["alt"] = descriptions[0]
    return items


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class UnsafeFeed(ValueError):
    """A feed declaring XML entities: refused, as entity expansion and external entities are attacks."""


def check_feed_is_safe(body: bytes) -> None:
    """Raise UnsafeFeed for DTD entity declarations or external references (parsed with defusedxml)."""
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    if b"<!ENTITY" not in body and b"<!DOCTYPE" not in body:
        return
    try:
        defusedxml.ElementTree.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as exc:
        raise UnsafeFeed(f"feed refused: it declares XML entities ({type(exc).__name__})") from None
    except ParseError:
        if b"<!ENTITY" in body:
            raise UnsafeFeed("feed refused: it declares XML entities") from None


def parse_feed(body: bytes, source_id: str, url: str = "") -> list[RawPost]:
    """Every entry of an RSS or Atom feed as a raw post; a broken feed yields what could be read.

    Raises UnsafeFeed for feeds declaring XML entities.
    """
    body = utf8_xml(body)
    check_feed_is_safe(body)
    feed = feedparser.parse(body, response_headers={"content-location": url} if url else None)
    language = feed.feed.get("language") or None
    posts: list[RawPost] = []
    for entry in feed.entries:
        published = parse_date(entry.get("published") or entry.get("updated") or entry.get("created"))
        link = entry.get("link") or ""
        native_id = entry.get("id") or link
        if not (published and link and native_id):
            continue
        html = entry["content"][0].get("value", "") if entry.get("content") else entry.get("summary", "")
        content_lang = entry["content"][0].get("language") if entry.get("content") else None
        posts.append(RawPost(
            source_id=source_id, native_id=native_id, url=link, published=published,
            title=html_to_text(entry.get("title", "")), html=html, text=html_to_text(html),
            author=entry.get("author", "") or "",
            hashtags=[t.get("term", "").lstrip("#") for t in entry.get("tags", []) if t.get("term")],
            media=_media(entry), lang_hint=content_lang or language,
        ))
    return posts


class FeedSpider(SourceSpider):
    platform = "rss"

    def parse(self, response) -> Iterator[RawPost]:
        self.turn_page()
        try:
            yield from parse_feed(response.body, self.source.id, response.url)
        except UnsafeFeed as exc:
            self.failures.append((response.status, f"{exc} at {response.url}"))
