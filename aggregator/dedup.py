"""Duplicates: one story published on several platforms is shown once, the other copies appear as "also on".

Three rules link two posts, and linked posts form a group (union-find):
- the same canonical URL, at any time;
- the same words (``text_key``: links, hashtags and emoji ignored), published within a week;
- near duplicates (``aggregator.similarity``): a cross-post from another source within a week,
  trimmed, reworded or re-hashtagged, whose content words are mostly in the other post and
  whose numbers do not contradict it. Posts under six words are never near-grouped.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aggregator.language import clean_text
from aggregator.similarity import WINDOW_SECONDS, near_duplicate_pairs

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


def _seconds(published_utc: str) -> float:
    return datetime.fromisoformat(published_utc).timestamp()


class _Groups:
    """Union-find over row indices."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[b] = a


def group_duplicates(posts: Iterable[dict]) -> dict[str, str]:
    """Map each duplicate post id to the id of the post shown in its place.

    ``posts`` are dicts with id, url, text, platform, published_utc and, optionally, source_id
    (posts of one source are never near duplicates of each other). The shown post of a group is
    the earliest by day, preferring websites and feeds over social copies on the same day.
    """
    rows = list(posts)
    groups = _Groups(len(rows))
    seconds = [_seconds(row["published_utc"]) for row in rows]

    first_by_url: dict[str, int] = {}
    by_text: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        other = first_by_url.setdefault(canonical_url(row["url"]), i)
        if other != i:
            groups.join(other, i)
        key = text_key(row.get("text") or "")
        if key is not None:
            by_text.setdefault(key, []).append(i)
    for members in by_text.values():
        members.sort(key=seconds.__getitem__)
        for before, after in zip(members, members[1:]):
            if seconds[after] - seconds[before] <= WINDOW_SECONDS:
                groups.join(before, after)

    texts = [row.get("text") or "" for row in rows]
    sources = [row.get("source_id") for row in rows]
    for i, j in near_duplicate_pairs(texts, seconds, sources):
        groups.join(i, j)

    members_of: dict[int, list[int]] = {}
    for i in range(len(rows)):
        members_of.setdefault(groups.find(i), []).append(i)
    result: dict[str, str] = {}
    for members in members_of.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: (rows[i]["published_utc"][:10], PLATFORM_RANK.get(rows[i]["platform"], 9), rows[i]["id"]))
        shown = rows[members[0]]["id"]
        for i in members[1:]:
            if rows[i]["id"] != shown:
                result[rows[i]["id"]] = shown
    return result
