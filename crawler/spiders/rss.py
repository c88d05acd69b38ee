"""RSS and Atom feeds, parsed with feedparser."""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urljoin

import feedparser

from crawler.encoding import utf8_xml
from crawler.items import RawPost, parse_date
from crawler.spiders import SourceCrawl
from marathon.text import html_to_text


def _media(entry, caption: str = "", captions: dict[str, str] | None = None) -> list[dict]:
    """Images and videos of an entry from media:content, media:thumbnail and enclosures."""
    found: dict[str, dict] = {}
    for item in entry.get("media_content", []) or []:
        if item.get("url"):
            # medium= is optional in Media RSS: the MIME type tells a video too.
            is_video = item.get("medium") == "video" or str(item.get("type", "")).startswith("video")
            found[item["url"]] = {"type": "video" if is_video else "image", "url": item["url"],
                                  "width": _int(item.get("width")), "height": _int(item.get("height"))}
    for item in entry.get("media_thumbnail", []) or []:
        if item.get("url") and item["url"] not in found:
            found[item["url"]] = {"type": "image", "url": item["url"]}
    for link in entry.get("links", []) or []:
        if link.get("rel") == "enclosure" and link.get("href") and link["href"] not in found:
            kind = "video" if str(link.get("type", "")).startswith("video") else "image"
            found[link["href"]] = {"type": kind, "url": link["href"], "alt": link.get("title", "")}
    items = list(found.values())
    for item in items:
        if not item.get("alt") and captions and item["url"] in captions:
            item["alt"] = captions[item["url"]]
    if items and caption and not items[0].get("alt"):
        items[0]["alt"] = caption
    return items


MEDIA_RSS = "{http://search.yahoo.com/mrss/}"


def media_captions(body: bytes) -> dict[str, str]:
    """media:description of each media:content URL (feedparser 6 loses them), read with defusedxml."""
    import defusedxml.ElementTree

    try:
        root = defusedxml.ElementTree.fromstring(body)
    except Exception:  # malformed XML: feedparser still reads what it can, captions are a bonus
        return {}
    captions = {}
    for node in root.iter(f"{MEDIA_RSS}content"):
        description = node.find(f"{MEDIA_RSS}description")
        if node.get("url") and description is not None and (description.text or "").strip():
            captions[node.get("url")] = description.text.strip()
    return captions


def _youtube_media(entry) -> list[dict]:
    """A YouTube channel feed entry: the video itself and its thumbnail (the flash embed is useless)."""
    media = [{"type": "video", "url": entry.get("link", ""), "alt": entry.get("title", "")}]
    for thumb in entry.get("media_thumbnail", []) or []:
        if thumb.get("url"):
            media.append({"type": "image", "url": thumb["url"], "alt": entry.get("title", ""),
                          "width": _int(thumb.get("width")), "height": _int(thumb.get("height"))})
            break
    return media


def _body_and_caption(entry) -> tuple[str, str]:
    """The entry's HTML body, with its links made absolute, and its media caption.

    feedparser 6 files <media:description> under ``content`` as text/plain when no
    content:encoded came first, so only HTML content counts as the body.
    """
    contents = entry.get("content") or []
    html = next((c for c in contents if c.get("type") in ("text/html", "application/xhtml+xml")), None)
    plain = [c.get("value", "") for c in contents if c.get("type") == "text/plain"]
    summary = entry.get("summary_detail") or {}
    if html is not None and html.get("value"):
        body, base = html["value"], html.get("base", "")
    elif entry.get("summary"):
        body, base = entry["summary"], summary.get("base", "")
    else:
        body, base = (plain[0] if plain else ""), ""
    caption = next((p for p in plain if p and p != body and p != entry.get("summary")), "")
    return absolute_links(body, base), caption


# Attributes holding a URL in post HTML (feedparser's list, less what no post body carries).
URL_ATTRIBUTE = re.compile(r"""(\s(?:href|src|poster|cite|longdesc|data)\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.I)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def absolute_links(html: str, base: str) -> str:
    """``html`` with relative URLs in its tags resolved against ``base`` (the entry's xml:base or the feed URL).

    feedparser can do this itself (``resolve_relative_uris``), but through a second pass of its
    SGML parser over every entry; this touches only tags with a relative URL. Dangerous markup is
    not our job here: the aggregator sanitizes every post's HTML with nh3.
    """
    if not base or ("href" not in html and "src" not in html and "=" not in html):
        return html

    def attribute(match: re.Match) -> str:
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if not value.strip() or HAS_SCHEME.match(value.strip()):
            return match.group(0)
        quote = '"' if match.group(2) is not None else "'"
        return f"{match.group(1)}{quote}{urljoin(base, value.strip())}{quote}"

    return TAG.sub(lambda tag: URL_ATTRIBUTE.sub(attribute, tag.group(0)), html)


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
    # Bytes, so feedparser reads the XML declaration's encoding itself. No sanitizing or URL
    # resolving inside feedparser: each is a second SGML pass over every entry's HTML. The
    # aggregator sanitizes with nh3, and absolute_links() resolves the body's URLs.
    feed = feedparser.parse(body, response_headers={"content-location": url} if url else None,
                            sanitize_html=False, resolve_relative_uris=False)
    captions = media_captions(body) if b"media:description" in body or b"mrss" in body else {}
    language = feed.feed.get("language") or None
    posts: list[RawPost] = []
    for entry in feed.entries:
        published = parse_date(entry.get("published") or entry.get("updated") or entry.get("created"))
        link = entry.get("link") or ""
        native_id = entry.get("id") or link
        if not (published and link and native_id):
            continue
        html, caption = _body_and_caption(entry)
        media = _youtube_media(entry) if entry.get("yt_videoid") else _media(entry, caption, captions)
        views = _int((entry.get("media_statistics") or {}).get("views"))
        content_lang = entry["content"][0].get("language") if entry.get("content") else None
        posts.append(RawPost(
            source_id=source_id, native_id=native_id, url=link, published=published,
            title=html_to_text(entry.get("title", "")), html=html, text=html_to_text(html),
            author=entry.get("author", "") or "",
            hashtags=[t.get("term", "").lstrip("#") for t in entry.get("tags", []) if t.get("term")],
            media=media, lang_hint=content_lang or language, views=views,
        ))
    return posts


class FeedCrawl(SourceCrawl):
    platform = "rss"

    def parse(self, response) -> Iterator[RawPost]:
        self.turn_page()
        try:
            yield from parse_feed(response.body, self.source.id, response.url)
        except UnsafeFeed as exc:
            self.failures.append((response.status, f"{exc} at {response.url}"))
