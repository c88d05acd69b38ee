"""Mastodon public timelines (account statuses, hashtag timelines) through the JSON API."""

from __future__ import annotations

import re
from typing import Any

import httpx

from crawler.api import Politeness, fetch
from crawler.items import RawPost, parse_date
from crawler.urls import with_query
from marathon.config import CrawlSettings
from marathon.model import Source
from marathon.text import html_to_text

LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def parse_statuses(statuses: list[dict[str, Any]], source_id: str) -> list[RawPost]:
    """Public statuses as raw posts; non-public ones and opted-out accounts are dropped."""
    posts: list[RawPost] = []
    for status in statuses:
        if not isinstance(status, dict):
            continue
        status = status.get("reblog") or status
        account = status.get("account") or {}
        if status.get("visibility") not in ("public", None) or account.get("noindex"):
            continue
        published = parse_date(status.get("created_at"))
        if not (published and status.get("id") and (status.get("url") or status.get("uri"))):
            continue
        media = []
        for item in status.get("media_attachments") or []:
            original = (item.get("meta") or {}).get("original") or {}
            kind = "video" if item.get("type") in ("video", "gifv") else "image"
            media.append({"type": kind, "url": item.get("url") or item.get("preview_url"),
                          "alt": item.get("description") or "", "width": original.get("width"),
                          "height": original.get("height")})
        html = status.get("content") or ""
        posts.append(RawPost(
            source_id=source_id, native_id=str(status["id"]), url=status.get("url") or status["uri"],
            published=published, title="", html=html, text=html_to_text(html),
            author=account.get("display_name") or account.get("acct") or "",
            hashtags=[t["name"] for t in status.get("tags") or [] if t.get("name")],
            media=[m for m in media if m["url"]], lang_hint=status.get("language"),
        ))
    return posts


async def fetch_mastodon(client: httpx.AsyncClient, source: Source, known_ids: set[str],
                         politeness: Politeness | None = None) -> tuple[list[RawPost], dict]:
    """Follow ``Link: rel=next`` pages until stored posts or the page cap; returns posts and stats."""
    url: str | None = source.url
    numeric = [int(i) for i in known_ids if i.isdigit()]
    if numeric:  # resume: ask only for statuses newer than the newest stored
        url = with_query(source.url, since_id=str(max(numeric)))
    posts: list[RawPost] = []
    stats = {"requests": 0, "bytes": 0, "http_status": None}
    politeness = politeness or Politeness(CrawlSettings())
    for _ in range(source.max_pages):
        if not url:
            break
        response = await fetch(client, url, politeness, stats)
        response.raise_for_status()
        statuses = response.json()
        if not isinstance(statuses, list):
            raise ValueError(f"expected a JSON list of statuses from {url}")
        page = parse_statuses(statuses, source.id)
        fresh = [p for p in page if p["native_id"] not in known_ids]
        posts.extend(fresh)
        # Stop at stored posts or an empty answer; a page of only non-public replies goes on.
        if len(fresh) < len(page) or not statuses:
            break
        match = LINK_NEXT.search(response.headers.get("link", ""))
        url = match.group(1) if match else None
    return posts, stats
