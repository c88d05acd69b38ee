"""Bluesky public author feeds (``app.bsky.feed.getAuthorFeed``) through the XRPC JSON API."""

from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import quote

import httpx

from crawler.urls import with_query
from crawler.items import RawPost, parse_date
from marathon.model import Source
from marathon.text import html_to_text

REPOST = "app.bsky.feed.defs#reasonRepost"
PIN = "app.bsky.feed.defs#reasonPin"
LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"
MENTION = "app.bsky.richtext.facet#mention"
# The self-label of accounts that asked apps not to show them to logged-out visitors (like Mastodon's noindex).
NO_UNAUTHENTICATED = "!no-unauthenticated"
# Display links only: nothing is ever fetched from this host.
WEB = "https://bsky.app"


def _on_boundary(data: bytes, offset: int) -> bool:
    # A UTF-8 continuation byte is 0b10xxxxxx: an offset pointing at one splits a character.
    return offset == len(data) or (0 <= offset < len(data) and data[offset] & 0xC0 != 0x80)


def _paragraphs(html: str) -> str:
    blocks = [b.replace("\n", "<br>") for b in re.split(r"\n\s*\n", html.strip()) if b.strip()]
    return "".join(f"<p>{b}</p>" for b in blocks)


def render_facets(text: str, facets: list[dict[str, Any]] | None) -> tuple[str, list[str]]:
    """HTML of ``text`` with link, tag and mention facets (UTF-8 byte ranges) as links, plus the tags.

    Facets that overlap, fall outside the text or split a character are left as plain text.
    """
    data = text.encode("utf-8")
    spans = []
    for facet in facets or []:
        index = facet.get("index") if isinstance(facet, dict) else None
        start, end = (index.get("byteStart"), index.get("byteEnd")) if isinstance(index, dict) else (None, None)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data)):
            continue
        if _on_boundary(data, start) and _on_boundary(data, end):
            spans.append((start, end, facet.get("features") or []))
    pieces, tags, cursor = [], [], 0
    for start, end, features in sorted(spans, key=lambda s: s[0]):
        if start < cursor:
            continue  # overlaps the previous facet
        label = data[start:end].decode("utf-8")
        href = None
        for feature in features:
            kind = feature.get("$type") if isinstance(feature, dict) else None
            if kind == LINK and str(feature.get("uri", "")).startswith(("http://", "https://")):
                href = feature["uri"]
            elif kind == TAG and feature.get("tag"):
                tag = str(feature["tag"]).lstrip("#")
                tags.append(tag)
                href = f"{WEB}/hashtag/{quote(tag)}"
            elif kind == MENTION and feature.get("did"):
                href = f"{WEB}/profile/{quote(str(feature['did']), safe=':')}"
            if href:
                break
        pieces.append(escape(data[cursor:start].decode("utf-8")))
        label_html = escape(label).replace("\n", "<br>")
        pieces.append(f'<a href="{escape(href)}">{label_html}</a>' if href else label_html)
        cursor = end
    pieces.append(escape(data[cursor:].decode("utf-8")))
    return _paragraphs("".join(pieces)), tags


def _media(embed: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not isinstance(embed, dict):
        return []
    kind = embed.get("$type", "")
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _media(embed.get("media"))
    if kind == "app.bsky.embed.images#view":
        media = []
        for image in embed.get("images") or []:
            if not isinstance(image, dict):
                continue
            ratio = image.get("aspectRatio") or {}
            media.append({"type": "image", "url": image.get("fullsize") or image.get("thumb"),
                          "alt": image.get("alt") or "", "width": ratio.get("width"), "height": ratio.get("height")})
        return [m for m in media if m["url"]]
    if kind == "app.bsky.embed.video#view" and (embed.get("playlist") or embed.get("thumbnail")):
        ratio = embed.get("aspectRatio") or {}
        return [{"type": "video", "url": embed.get("playlist") or embed["thumbnail"], "alt": embed.get("alt") or "",
                 "width": ratio.get("width"), "height": ratio.get("height")}]
    return []


def parse_feed(feed: list[dict[str, Any]], source_id: str) -> list[RawPost]:
    """The author's own posts as raw posts.

    Reposts (``reason`` = ``reasonRepost``) are skipped: they are someone else's words and are
    stored, if at all, from their author's own source. Posts of accounts labelled
    ``!no-unauthenticated`` (asked not to be shown to logged-out visitors) are dropped too.
    """
    posts: list[RawPost] = []
    for item in feed:
        if not isinstance(item, dict) or (item.get("reason") or {}).get("$type") == REPOST:
            continue
        post = item.get("post") or {}
        record, author = post.get("record") or {}, post.get("author") or {}
        labels = [label.get("val") for label in author.get("labels") or [] if isinstance(label, dict)]
        if NO_UNAUTHENTICATED in labels:
            continue
        uri = post.get("uri") or ""
        published = parse_date(record.get("createdAt")) or parse_date(post.get("indexedAt"))
        if not (uri.startswith("at://") and published):
            continue
        handle = author.get("handle")
        profile = handle if handle and handle != "handle.invalid" else author.get("did") or uri.split("/")[2]
        html, tags = render_facets(str(record.get("text") or ""), record.get("facets"))
        tags += [str(t).lstrip("#") for t in record.get("tags") or [] if str(t).strip("#")]
        langs = record.get("langs") or []
        posts.append(RawPost(
            source_id=source_id, native_id=uri, url=f"{WEB}/profile/{profile}/post/{uri.rsplit('/', 1)[-1]}",
            published=published, title="", html=html, text=html_to_text(html),
            author=author.get("displayName") or handle or "", hashtags=list(dict.fromkeys(tags)),
            media=_media(post.get("embed")), lang_hint=langs[0] if langs else None,
        ))
    return posts


def _is_pinned(item: Any) -> bool:
    return isinstance(item, dict) and (item.get("reason") or {}).get("$type") == PIN


async def fetch_bluesky(client: httpx.AsyncClient, source: Source, known_ids: set[str]) -> tuple[list[RawPost], dict]:
    """Follow ``cursor`` pages until stored posts or the page cap; returns posts and stats.

    Raises ``httpx.HTTPStatusError`` for an HTTP error (XRPC errors such as an unknown actor are HTTP 400).
    """
    url = source.url
    posts: list[RawPost] = []
    seen_cursors: set[str] = set()
    taken: set[str] = set()
    stats = {"requests": 0, "bytes": 0, "http_status": None}
    for _ in range(source.max_pages):
        response = await client.get(url)
        stats["requests"] += 1
        stats["bytes"] += len(response.content)
        stats["http_status"] = response.status_code
        response.raise_for_status()
        body = response.json()
        feed = (body.get("feed") or []) if isinstance(body, dict) else []
        # A pinned post can be old and already stored: it must not end the walk back in time.
        page = parse_feed([i for i in feed if not _is_pinned(i)], source.id)
        pinned = parse_feed([i for i in feed if _is_pinned(i)], source.id)
        fresh = [p for p in page if p["native_id"] not in known_ids]
        for post in pinned + fresh:  # a pinned post may come round again in time order
            if post["native_id"] not in known_ids and post["native_id"] not in taken:
                taken.add(post["native_id"])
                posts.append(post)
        cursor = body.get("cursor") if isinstance(body, dict) else None
        if len(fresh) < len(page) or not feed or not cursor or cursor in seen_cursors:
            break
        seen_cursors.add(cursor)
        url = with_query(source.url, cursor=cursor)
    return posts, stats
