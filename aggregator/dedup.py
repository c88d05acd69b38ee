"""Duplicates: posts with the same canonical URL or the same folded text are one story."""

from __future__ import annotations

import hashlib
import re
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aggregator.language import clean_text

TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|ref|ref_src)$")
PLATFORM_RANK = {"website": 0, "rss": 1, "youtube": 2, "telegram": 3, "vk": 4, "mastodon": 5, "bluesky": 6}


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, tracking parameters and fragments dropped, no trailing slash."""
    parts = urlsplit(url.strip())
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower().removeprefix("www."), path, query, ""))


def text_key(text: str) -> str | None:
    """Hash of the words of a post without links, hashtags and emoji; None for very short text."""
    words = clean_text(text).casefold().split()
    if len(words) < 6:
        return None
    return hashlib.sha1(" ".join(words).encode()).hexdigest()


def group_exact_duplicates(posts: Iterable[dict]) -> dict[str, str]:
    """Map each duplicate post id to the id of the post shown in its place.

    ``posts`` are dicts with id, url, text, platform, published_utc. The shown post is the
    earliest, preferring websites and feeds over social copies on the same day.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    first_by_key: dict[str, str] = {}
    info: dict[str, dict] = {}
    for post in posts:
        info[post["id"]] = post
        parent.setdefault(post["id"], post["id"])
        for key in (("url", canonical_url(post["url"])), ("text", text_key(post.get("text") or ""))):
            if key[1] is None:
                continue
            other = first_by_key.setdefault(f"{key[0]}:{key[1]}", post["id"])
            if other != post["id"]:
                a, b = find(other), find(post["id"])
                if a != b:
                    parent[b] = a
    groups: dict[str, list[str]] = {}
    for post_id in info:
        groups.setdefault(find(post_id), []).append(post_id)
    result: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: (info[i]["published_utc"][:10], PLATFORM_RANK.get(info[i]["platform"], 9), i))
        for member in members[1:]:
            result[member] = members[0]
    return result
