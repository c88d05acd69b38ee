"""What the site builder reads from the store: light summaries and counts it plans a big site from
without touching the posts' texts, and the parts of posts its pages show (cards, archive rows, the
words the search index holds). The store's own API, writes included, is marathon/store.py."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator, NamedTuple

import sqlite_utils

from marathon.migrations import POST_MONTH, SHOWN_GROUPS, SHOWN_POSTS
from marathon.model import parse_datetime
from marathon.store import rows_in


SUMMARY_COLUMNS = ("id", "published", "published_utc", "lang", "country", "countries", "campaigns", "organization",
                   "duplicate_of", "content_hash", "tagged_hash", "updated", "views", "featured_rank",
                   "featured_caption")  # all in the index idx_posts_summary (migration 8), with hidden_reason and media


def _codes(text: str | None) -> list[str]:
    """A JSON list of codes or slugs, as json.dumps wrote it; plain ones split without a JSON parser
    (two json.loads a post were a fifth of planning a 100,000-post site)."""
    if not text or text == "[]":
        return []
    if "\\" in text or not (text.startswith('["') and text.endswith('"]')):
        return json.loads(text)
    return text[2:-2].split('", "')


class PostSummary(NamedTuple):
    """What the site builder plans a post's pages from (see ``post_summaries``)."""

    id: str
    published: str  # ISO 8601 with the post's own offset
    lang: str | None
    country: str | None
    countries: list[str]  # shared between posts with the same ones: never mutated
    campaigns: list[str]  # likewise
    organization: str | None
    duplicate_of: str | None
    version: str
    media_files: list[str]
    head: str | None


def post_summaries(db: sqlite_utils.Database) -> Iterator[PostSummary]:
    """A light row per shown post (hidden ones left out, cross-posts kept), newest first: what the site
    builder needs to plan pages without loading texts. ``head`` is the first 120 characters of an Uzbek
    post's text, enough to tell its script (None for other languages); ``media_files`` its images in the
    media cache; ``version`` changes whenever anything shown of the post does."""
    # Read from the covering index; SQLite seeks a row in the table (with its text) only for
    # the head of an Uzbek post. What the version digests is serialized by SQLite (json_array: a
    # third of the cost of the same in Python or with || in SQL).
    shown = f"json_array({', '.join(SUMMARY_COLUMNS[1:] + ('media',))})"
    sql = ("SELECT id, published, lang, country, countries, campaigns, organization, duplicate_of, "
           "CASE WHEN media != '[]' THEN media END, "
           f"CASE WHEN lang = 'uz' THEN substr(title || ' ' || text, 1, 120) END, {shown} "
           "FROM posts INDEXED BY idx_posts_summary WHERE hidden_reason IS NULL ORDER BY published_utc DESC, id")
    hidden = {row[0] for row in db.execute("SELECT id FROM posts INDEXED BY idx_posts_hidden "
                                           "WHERE hidden_reason IS NOT NULL")}
    # Which images are cached is part of what a post shows (an image appears once it is fetched).
    cached = dict(db.execute("SELECT url, file FROM media_files WHERE file IS NOT NULL").fetchall())
    codes: dict[str | None, list[str]] = {}  # the few distinct lists of countries or campaigns, parsed once
    digest = hashlib.blake2b
    no_files: list[str] = []  # shared by every post without cached images: never mutated
    for (post_id, published, lang, country, countries, campaigns, organization, duplicate_of, media, head,
         shown_values) in db.execute(sql):
        if hidden and duplicate_of in hidden:
            continue  # a copy of a post hidden by curation
        if media is not None and cached:
            files = [cached.get(m.get("url"), "") for m in json.loads(media) if m.get("type") == "image"]
            version = digest(f"{shown_values}\x1e{','.join(files)}".encode(), digest_size=8).hexdigest()
            files = [name for name in files if name]
        else:
            files = no_files
            version = digest(f"{shown_values}\x1e".encode(), digest_size=8).hexdigest()
        country_list = codes.get(countries)
        if country_list is None:
            country_list = codes[countries] = _codes(countries)
        campaign_list = codes.get(campaigns)
        if campaign_list is None:
            campaign_list = codes[campaigns] = _codes(campaigns)
        yield PostSummary(post_id, published, lang, country, country_list, campaign_list, organization,
                          duplicate_of, version, files, head)


class ShownGroup(NamedTuple):
    """Shown posts (neither hidden nor a cross-post) that share a month, language, country,
    countries, campaigns and organization, and how many there are."""

    month: str | None  # the start of the post's own ISO date, as post_summaries gives it (None if not ISO)
    lang: str | None
    country: str | None
    countries: list[str]
    campaigns: list[str]
    organization: str | None
    count: int


def shown_post_groups(db: sqlite_utils.Database) -> list[ShownGroup]:
    """Every ``ShownGroup``: a few thousand rows that count 100,000 posts, from which the site plan
    fixes its page budget and every listing's size before it reads a post."""
    rows = db.execute(f"SELECT {POST_MONTH}, lang, country, countries, campaigns, organization, count(*) "
                      f"FROM posts INDEXED BY idx_posts_shown_groups WHERE {SHOWN_POSTS} "
                      f"GROUP BY {SHOWN_GROUPS}").fetchall()
    codes: dict[str | None, list[str]] = {}
    return [ShownGroup(month, lang, country, codes.get(countries) or codes.setdefault(countries, _codes(countries)),
                       codes.get(campaigns) or codes.setdefault(campaigns, _codes(campaigns)), organization, count)
            for month, lang, country, countries, campaigns, organization, count in rows]


def copies_per_post(db: sqlite_utils.Database) -> dict[str, int]:
    """How many cross-posts each post has that ``post_summaries`` yields (those not hidden)."""
    return dict(db.execute("SELECT duplicate_of, count(*) FROM posts INDEXED BY idx_posts_summary "
                           "WHERE duplicate_of IS NOT NULL AND duplicate_of != '' AND hidden_reason IS NULL "
                           "GROUP BY duplicate_of").fetchall())


@contextmanager
def read_snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """One read transaction: every query inside sees the store as it was at the first, even while a
    crawl writes to it (WAL), so counts read first agree with the rows read after them."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")


@dataclass(slots=True)
class PostHead:
    """What a compact listing row shows of a post: its title, the start of its text (76 characters:
    enough for a 70-character cut with Jinja's truncate leeway of 5), language and date."""

    id: str
    title: str
    text: str
    lang: str | None
    published: datetime


@dataclass(slots=True)
class PostCard:
    """What a listing's card shows of a post: the start of its text (226 characters: a 220-character
    cut with Jinja's truncate leeway of 5 needs one more to know it must cut), its date, origin and
    language: read without the post's body and JSON fields."""

    id: str
    title: str
    text: str
    lang: str | None
    published: datetime
    organization: str
    country: str | None


def post_cards(db: sqlite_utils.Database, ids: Iterable[str]) -> dict[str, PostCard]:
    rows = rows_in(db, "SELECT id, title, substr(text, 1, 226), lang, published, organization, country "
                        "FROM posts WHERE id IN ({marks})", ids)
    return {row[0]: PostCard(row[0], row[1] or "", row[2] or "", row[3], parse_datetime(row[4]), row[5] or "", row[6])
            for row in rows}


def post_heads(db: sqlite_utils.Database, ids: Iterable[str]) -> dict[str, PostHead]:
    """Post heads for the given ids: a fifth of the cost of ``posts_by_id`` (no JSON, no body)."""
    rows = rows_in(db, "SELECT id, title, substr(text, 1, 76), lang, published FROM posts WHERE id IN ({marks})", ids)
    return {row[0]: PostHead(row[0], row[1] or "", row[2] or "", row[3], parse_datetime(row[4])) for row in rows}


@dataclass(slots=True)
class PostWords:
    """The words a search index reads from a post, and its date."""

    id: str
    title: str
    text: str
    hashtags: list[str]
    published: datetime


def post_words(db: sqlite_utils.Database, ids: Iterable[str]) -> dict[str, PostWords]:
    """Titles, texts, hashtags and dates for the given ids (the search index's reading)."""
    rows = rows_in(db, "SELECT id, title, text, hashtags, published FROM posts WHERE id IN ({marks})", ids)
    return {row[0]: PostWords(row[0], row[1] or "", row[2] or "", json.loads(row[3] or "[]"), parse_datetime(row[4]))
            for row in rows}
