"""VK walls (``wall.get``) through the VK JSON API with a service token."""

from __future__ import annotations

import asyncio
import os
import re
import time
from datetime import datetime, timezone
from html import escape
from typing import Any

import httpx

from crawler.items import RawPost
from crawler.urls import with_query
from marathon.errors import CrawlError
from marathon.model import Source
from marathon.text import html_to_text

TOKEN_ENV = "MARATHON_VK_TOKEN"
TOO_MANY_REQUESTS = 6
RATE_LIMIT_REACHED = 29
TOO_MANY_REQUESTS_DELAY = 1.0  # seconds before the one retry after error 6
MIN_INTERVAL = 0.34  # VK allows 3 requests a second per token; shared by every VK source of a run
PHOTO_SIZES = "smxopqryzw"  # VK's size letters, small to large: the tie-break when widths are missing
WEB = "https://vk.com"  # display links only: nothing is fetched from it

MARKUP = re.compile(
    r"\[(?P<target>(?:id|club|public|event)\d+|https?://[^|\]\s]+)\|(?P<label>[^\]\n]+)\]"
    r"|(?P<url>https?://[^\s<>\"]*[^\s<>\".,;:!?)\]'»])")
HASHTAG = re.compile(r"(?<![\w&/#])#(\w+)")

_next_slot = 0.0  # monotonic time before which no VK request may start


class VkTokenMissing(CrawlError):
    """No VK service token in MARATHON_VK_TOKEN: the source is skipped, not failed."""


class VkApiError(CrawlError):
    """VK answered with an API error (e.g. 29, the daily quota): the source stops for this run.

    ``posts`` and ``stats`` hold what earlier pages of the same source returned.
    """

    def __init__(self, message: str, code: int | None, posts: list[RawPost], stats: dict):
        super().__init__(message)
        self.code, self.posts, self.stats = code, posts, stats


def _render(text: str) -> str:
    """VK text as HTML: ``[club1|name]`` mentions and bare URLs become links, the rest is escaped."""
    pieces, cursor = [], 0
    for match in MARKUP.finditer(text):
        pieces.append(escape(text[cursor:match.start()]))
        if match.group("url"):
            href, label = match.group("url"), match.group("url")
        else:
            target = match.group("target")
            href, label = (target if target.startswith("http") else f"{WEB}/{target}"), match.group("label")
        pieces.append(f'<a href="{escape(href)}">{escape(label)}</a>')
        cursor = match.end()
    pieces.append(escape(text[cursor:]))
    blocks = [b.replace("\n", "<br>") for b in re.split(r"\n\s*\n", "".join(pieces).strip()) if b.strip()]
    return "".join(f"<p>{b}</p>" for b in blocks)


def largest_photo(photo: dict[str, Any]) -> dict[str, Any] | None:
    """The biggest of a photo's ``sizes`` (by area, then by VK's size letter), or None."""
    sizes = [s for s in photo.get("sizes") or [] if isinstance(s, dict) and s.get("url")]
    if not sizes:
        return None
    return max(sizes, key=lambda s: ((s.get("width") or 0) * (s.get("height") or 0),
                                     PHOTO_SIZES.find(str(s.get("type") or "")[:1])))


def _attachments(post: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    media, links = [], ""
    for attachment in post.get("attachments") or []:
        kind = attachment.get("type") if isinstance(attachment, dict) else None
        body = attachment.get(kind) if kind else None
        if not isinstance(body, dict):
            continue
        if kind == "photo" and (size := largest_photo(body)):
            media.append({"type": "image", "url": size["url"], "alt": body.get("text") or "",
                          "width": size.get("width") or None, "height": size.get("height") or None})
        elif kind == "video" and body.get("id") is not None and body.get("owner_id") is not None:
            # The player URL comes only with some tokens; otherwise the video's own page.
            preview = largest_photo({"sizes": body.get("image")}) or {}
            media.append({"type": "video", "alt": body.get("title") or "",
                          "url": body.get("player") or f"{WEB}/video{body.get('owner_id')}_{body['id']}",
                          "width": preview.get("width") or None, "height": preview.get("height") or None})
        elif kind == "link" and str(body.get("url", "")).startswith(("http://", "https://")):
            links += f'<p><a href="{escape(body["url"])}">{escape(body.get("title") or body["url"])}</a></p>'
    return media, links


def _names(body: dict[str, Any]) -> dict[int, str]:
    """Owner id -> display name from an ``extended=1`` answer (groups have negative owner ids)."""
    names = {-g["id"]: g.get("name") or "" for g in body.get("groups") or []
             if isinstance(g, dict) and isinstance(g.get("id"), int)}
    for p in body.get("profiles") or []:
        if isinstance(p, dict) and isinstance(p.get("id"), int):
            names[p["id"]] = " ".join(filter(None, (p.get("first_name"), p.get("last_name"))))
    return names


def parse_wall(body: dict[str, Any], source_id: str) -> list[RawPost]:
    """The ``response`` of ``wall.get`` as raw posts.

    A repost keeps the reposter's own words first; each post of ``copy_history`` follows as a
    ``<blockquote>`` opened by "↪ <link to the original on vk.com> · <its author>", then the
    original's text. Its media and hashtags are added to the post's.
    """
    names = _names(body)
    posts: list[RawPost] = []
    for item in body.get("items") or []:
        if not isinstance(item, dict):
            continue
        post_id, owner, date = item.get("id"), item.get("owner_id"), item.get("date")
        if not (isinstance(post_id, int) and isinstance(owner, int) and isinstance(date, (int, float))
                and 0 <= date < 32503680000):  # before the year 3000: fromtimestamp overflows on nonsense
            continue
        text = str(item.get("text") or "")
        media, links = _attachments(item)
        html = _render(text) + links
        for original in item.get("copy_history") or []:
            if not (isinstance(original, dict) and isinstance(original.get("id"), int)
                    and isinstance(original.get("owner_id"), int)):
                continue
            wall = f"wall{original['owner_id']}_{original['id']}"
            credit = names.get(original.get("from_id") or original["owner_id"], "")
            note = f'↪ <a href="{WEB}/{wall}">vk.com/{wall}</a>' + (f" · {escape(credit)}" if credit else "")
            more, more_links = _attachments(original)
            html += f"<blockquote><p>{note}</p>{_render(str(original.get('text') or ''))}{more_links}</blockquote>"
            text += "\n" + str(original.get("text") or "")
            media += more
        plain = html_to_text(html)
        tags = [t for t in HASHTAG.findall(MARKUP.sub(" ", text)) if any(c.isalpha() for c in t)]
        posts.append(RawPost(
            source_id=source_id, native_id=f"{owner}_{post_id}", url=f"{WEB}/wall{owner}_{post_id}",
            published=datetime.fromtimestamp(date, timezone.utc), title="", html=html, text=plain,
            author=names.get(item.get("from_id") or owner, ""), hashtags=list(dict.fromkeys(tags)),
            media=media, lang_hint=None,
        ))
    return posts


async def _pace() -> None:
    # Sources run concurrently on one token: spacing calls here avoids error 6 rather than retrying it.
    global _next_slot
    now = time.monotonic()
    wait, _next_slot = _next_slot - now, max(now, _next_slot) + MIN_INTERVAL
    if wait > 0:
        await asyncio.sleep(wait)


async def _get(client: httpx.AsyncClient, url: str, shown: str, token: str, stats: dict) -> httpx.Response:
    """GET ``url``; errors name ``shown``, the same URL with the token masked, and never the token."""
    await _pace()
    safe = httpx.Request("GET", shown)
    try:
        response = await client.get(url)
    except httpx.RequestError as exc:
        raise type(exc)(str(exc).replace(token, "***"), request=safe) from None
    stats["requests"] += 1
    stats["bytes"] += len(response.content)
    stats["http_status"] = response.status_code
    if response.is_error:
        raise httpx.HTTPStatusError(f"HTTP {response.status_code} for {safe.url}", request=safe, response=response)
    return response


def _error(body: Any) -> dict[str, Any]:
    """The ``error`` object of a VK answer; also for an answer without a ``response`` object."""
    if isinstance(body, dict) and isinstance(body.get("response"), dict) and "error" not in body:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) and error else {"error_msg": "the answer holds no 'response' object"}


async def fetch_vk(client: httpx.AsyncClient, source: Source, known_ids: set[str],
                   token: str | None = None) -> tuple[list[RawPost], dict]:
    """Page back with ``offset`` until stored posts, the end of the wall or the page cap.

    ``token`` defaults to $MARATHON_VK_TOKEN. Raises VkTokenMissing without one, VkApiError when
    VK answers with an error (error 6 is retried once after a pause), httpx.HTTPStatusError for HTTP errors.
    """
    token = (os.environ.get(TOKEN_ENV, "") if token is None else token).strip()
    if not token:
        raise VkTokenMissing(f"VK source {source.id} skipped: set {TOKEN_ENV} to a VK service token")
    posts: list[RawPost] = []
    stats = {"requests": 0, "bytes": 0, "http_status": None}
    offset = int(httpx.URL(source.url).params.get("offset") or 0)
    for _ in range(source.max_pages):
        url = with_query(source.url, offset=str(offset), access_token=token)
        shown = with_query(source.url, offset=str(offset), access_token="***")
        body = (await _get(client, url, shown, token, stats)).json()
        if _error(body).get("error_code") == TOO_MANY_REQUESTS:
            await asyncio.sleep(TOO_MANY_REQUESTS_DELAY)
            body = (await _get(client, url, shown, token, stats)).json()
        if error := _error(body):
            code, detail = error.get("error_code"), str(error.get("error_msg") or "")
            hint = " (VK's request quota is used up: try again tomorrow)" if code == RATE_LIMIT_REACHED else ""
            what = f"API error {code}" if code is not None else "unexpected answer"
            raise VkApiError(f"VK source {source.id}: {what}: {detail}{hint}; stopped for this run"
                             .replace(token, "***").splitlines()[0], code, posts, stats)
        answer = body["response"]
        items = [i for i in answer.get("items") or [] if isinstance(i, dict)]
        # A pinned post heads the wall however old it is: it must not end the walk back in time.
        page = parse_wall({**answer, "items": [i for i in items if not i.get("is_pinned")]}, source.id)
        pinned = parse_wall({**answer, "items": [i for i in items if i.get("is_pinned")]}, source.id)
        fresh = [p for p in page if p["native_id"] not in known_ids]
        taken = {p["native_id"] for p in posts}
        posts.extend(p for p in pinned + fresh if p["native_id"] not in known_ids and p["native_id"] not in taken)
        offset += len(items)
        total = answer.get("count")
        if len(fresh) < len(page) or not items or (isinstance(total, int) and offset >= total):
            break
    return posts, stats
