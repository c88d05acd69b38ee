"""The review queue behind ``marathon review``: shown posts nobody has featured or hidden yet, newest first.

Each post says why it may need a look (``FLAG_RULES``). The listings of the featured and hidden posts
say when a curation entry names a post the store does not have. Rows come out as a rich table (on a
terminal), tab-separated lines (piped) or JSON lines (``--format jsonl``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Iterator

import sqlite_utils
from rich.table import Table
from rich.text import Text

from marathon.curation import Curation, Featured, Hidden
from marathon.errors import StoreError
from marathon.model import Post
from marathon.store import default_db_path, iter_posts, open_store, posts_by_id

DEFAULT_LIMIT = 50
HEAD_CHARS = 80
MANY_LINKS = 3  # a post with this many links in its text reads like a link dump or an ad
LINK = re.compile(r"https?://\S+")
# Mastodon hashtag timelines take posts from anyone on the fediverse, not from the source's organization.
OPEN_SEARCH = re.compile(r"/timelines/tag/")
FLAG_RULES = {
    "no campaign": "tagged with no campaign: maybe off-topic",
    "no language": "no language detected: too short, or an unexpected script",
    "N links": f"{MANY_LINKS} or more links in the text: link dumps and ads look like this",
    "posted N times by the source": "the same story repeated by one source (its copies are grouped)",
    "open hashtag search": "from a hashtag timeline anyone can post to, not the organization's own account",
}
# The row keys of each listing, in output order (the JSON keys too).
QUEUE_COLUMNS = ("id", "date", "source", "lang", "country", "campaigns", "flags", "text")
FEATURED_COLUMNS = ("rank", "id", "date", "source", "caption", "note", "text")
HIDDEN_COLUMNS = ("id", "date", "source", "reason", "note", "text")


@dataclass(frozen=True)
class ReviewItem:
    """One post of the queue: what an organizer needs to decide, and why it was flagged."""

    post: Post
    flags: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()  # ids of its cross-posts: featuring or hiding the post covers them

    def row(self) -> dict[str, str]:
        return {"id": self.post.id, "date": _date(self.post), "source": self.post.source_id,
                "lang": self.post.lang or "", "country": self.post.country or "",
                "campaigns": ", ".join(self.post.campaigns), "flags": "\n".join(self.flags), "text": head(self.post)}

    def to_json(self) -> dict:
        post = self.post
        return {"id": post.id, "published": post.published.isoformat(), "source_id": post.source_id,
                "platform": post.platform, "url": post.url, "lang": post.lang, "country": post.country,
                "campaigns": post.campaigns, "flags": list(self.flags), "copies": list(self.copies),
                "text": head(post, 200)}


@dataclass(frozen=True)
class ReviewQueue:
    items: list[ReviewItem]
    total: int  # posts matching the filters, before --limit


@dataclass(frozen=True)
class CurationEntry:
    """A featured or hidden entry of the curation file, with its post when the store has it."""

    kind: str  # "featured" or "hidden"
    post_id: str
    post: Post | None
    rank: int | None = None
    caption: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    notes: tuple[str, ...] = ()

    def row(self) -> dict[str, str]:
        post = self.post
        row = {"rank": str(self.rank or ""), "id": self.post_id, "date": _date(post) if post else "",
               "source": post.source_id if post else "", "note": "\n".join(self.notes),
               "text": head(post) if post else ""}
        if self.kind == "featured":
            row["caption"] = "\n".join(f"{locale}: {text}" for locale, text in self.caption.items())
        else:
            row["reason"] = self.reason
        return row

    def to_json(self) -> dict:
        data = {"kind": self.kind, "id": self.post_id, "in_store": self.post is not None}
        if self.kind == "featured":
            data.update(rank=self.rank, caption=self.caption)
        else:
            data["reason"] = self.reason
        if self.post:
            data.update({"published": self.post.published.isoformat(), "source_id": self.post.source_id,
                         "url": self.post.url, "text": head(self.post, 200)})
        data["notes"] = list(self.notes)
        return data


def existing_store(path: str | Path | None = None) -> sqlite_utils.Database:
    """Open a store that must already exist (review never creates an empty one); raises StoreError."""
    path = Path(path) if path else default_db_path()
    if not path.exists():
        raise StoreError(f"{path}: no store here; run `marathon crawl` or `marathon import` first, "
                         "or give the store with --db")
    return open_store(path)


def curation_from_store(db: sqlite_utils.Database) -> Curation:
    """The curation last applied to the store (for a checkout without a curation file)."""
    featured = [Featured(post=row["id"], caption=json.loads(row["featured_caption"] or "{}"))
                for row in db["posts"].rows_where("featured_rank IS NOT NULL", select="id, featured_caption",
                                                  order_by="featured_rank")]
    hidden = [Hidden(post=post.id, reason=post.hidden_reason or "")
              for post in iter_posts(db, where="hidden_reason IS NOT NULL", include_hidden=True)]
    return Curation(featured=tuple(featured), hidden=tuple(hidden), path="the store")


def review_queue(db: sqlite_utils.Database, curation: Curation | None = None, since: date | None = None,
                 days: int | None = None, source: str | None = None, country: str | None = None,
                 lang: str | None = None, campaign: str | None = None, flagged: bool = False,
                 limit: int | None = DEFAULT_LIMIT) -> ReviewQueue:
    """Shown posts that neither ``curation`` nor the store features or hides, newest first.

    ``since`` is a post's own publication date; ``days`` means since that many days before today.
    ``flagged`` keeps only flagged posts; ``limit`` None or 0 lists all.
    """
    if days is not None and since is None:
        since = date.today() - timedelta(days=days)
    decided = _decided_ids(db, curation)
    ids = [post_id for post_id in _candidate_ids(db, since, source, country, lang, campaign) if post_id not in decided]
    copies = _copies(db)
    open_sources = _open_search_sources(db)
    if not flagged:  # the count needs no post loaded: only the page is
        return ReviewQueue(items=list(_review_items(db, ids[:limit or None], copies, open_sources)), total=len(ids))
    items = [item for start in range(0, len(ids), 500)
             for item in _review_items(db, ids[start:start + 500], copies, open_sources) if item.flags]
    return ReviewQueue(items=items[:limit or None], total=len(items))


def _candidate_ids(db: sqlite_utils.Database, since: date | None, source: str | None, country: str | None,
                   lang: str | None, campaign: str | None) -> list[str]:
    """Ids of the shown posts matching the filters, newest first. Only posts no other stands for are shown,
    so a hidden post's copies need no check of their own (they are copies)."""
    where, params = _filters(since, source, country, lang, campaign)
    rows = db["posts"].rows_where(where, params, select="id", order_by="published_utc DESC, id")
    return [row["id"] for row in rows]


def _filters(since: date | None, source: str | None, country: str | None, lang: str | None,
             campaign: str | None) -> tuple[str, list]:
    clauses, params = ["duplicate_of IS NULL", "hidden_reason IS NULL", "featured_rank IS NULL"], []
    if since:
        clauses.append("substr(published, 1, 10) >= ?")  # the post's own local date, as shown in the queue
        params.append(since.isoformat())
    if source:
        clauses.append("source_id = ?")
        params.append(source)
    if country:  # the main country or any other the post is tagged with
        clauses.append("(country = ? OR EXISTS (SELECT 1 FROM json_each(countries) WHERE value = ?))")
        params += [country.upper()] * 2
    if lang:  # posts mix languages: a Kazakh reviewer also wants Russian posts with Kazakh in them
        clauses.append("(lang = ? OR EXISTS (SELECT 1 FROM json_each(also_langs) WHERE value = ?))")
        params += [lang.lower()] * 2
    if campaign:
        clauses.append("EXISTS (SELECT 1 FROM json_each(campaigns) WHERE value = ?)")
        params.append(campaign)
    return " AND ".join(clauses), params


def _decided_ids(db: sqlite_utils.Database, curation: Curation | None) -> set[str]:
    """Ids featured or hidden by the file or the store, and the posts shown in place of featured cross-posts
    (a hidden cross-post leaves the post shown in its place undecided)."""
    stored = curation_from_store(db)
    featured = {f.post for f in stored.featured} | ({f.post for f in curation.featured} if curation else set())
    leaders = {post.duplicate_of for post in posts_by_id(db, featured).values() if post.duplicate_of}
    return stored.post_ids() | (curation.post_ids() if curation else set()) | leaders


def _open_search_sources(db: sqlite_utils.Database) -> set[str]:
    return {row["id"] for row in db["sources"].rows if OPEN_SEARCH.search(row["url"] or "")}


def _review_items(db: sqlite_utils.Database, ids: list[str], copies: dict[str, list[tuple[str, str]]],
                  open_sources: set[str]) -> Iterator[ReviewItem]:
    posts = posts_by_id(db, ids)
    for post_id in ids:
        post, own = posts[post_id], copies.get(post_id, [])
        yield ReviewItem(post=post, flags=tuple(post_flags(post, [source for _, source in own], open_sources)),
                         copies=tuple(copy_id for copy_id, _ in own))


def _copies(db: sqlite_utils.Database, post_id: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """Shown post id -> (id, source id) of each of its cross-posts (of one post, or of all in one scan)."""
    where, params = ("duplicate_of = ?", [post_id]) if post_id else ("duplicate_of IS NOT NULL", [])
    result: dict[str, list[tuple[str, str]]] = {}
    for row in db["posts"].rows_where(where, params, select="id, source_id, duplicate_of", order_by="id"):
        result.setdefault(row["duplicate_of"], []).append((row["id"], row["source_id"]))
    return result


def post_flags(post: Post, copy_sources: Iterable[str] = (), open_sources: Iterable[str] = ()) -> list[str]:
    """Why a post may need a look before it stays on the site (see FLAG_RULES); empty if nothing stands out."""
    flags = []
    if not post.campaigns:
        flags.append("no campaign")
    if not post.lang:
        flags.append("no language")
    links = len(set(LINK.findall(post.text)))
    if links >= MANY_LINKS:
        flags.append(f"{links} links")
    repeats = 1 + sum(source == post.source_id for source in copy_sources)
    if repeats > 1:
        flags.append(f"posted {repeats} times by the source")
    if post.source_id in set(open_sources):
        flags.append("open hashtag search")
    return flags


def curation_entries(db: sqlite_utils.Database, curation: Curation, kind: str) -> list[CurationEntry]:
    """The featured (in order, with captions) or hidden (with reasons) entries of ``curation``, each with
    its post and notes: not in the store, a cross-post shown in another's place, both featured and hidden."""
    entries = curation.featured if kind == "featured" else curation.hidden
    posts = posts_by_id(db, [e.post for e in entries])
    hidden = {h.post for h in curation.hidden}
    result = []
    for rank, entry in enumerate(entries, 1):
        post = posts.get(entry.post)
        notes = _entry_notes(db, entry, post, kind, where=curation.path)
        if kind == "featured" and entry.post in hidden:
            notes.append("also hidden, so not shown")
        if kind == "featured":
            result.append(CurationEntry(kind, entry.post, post, rank=rank, caption=entry.caption, notes=tuple(notes)))
        else:
            result.append(CurationEntry(kind, entry.post, post, reason=entry.reason, notes=tuple(notes)))
    return result


def _entry_notes(db: sqlite_utils.Database, entry: Featured | Hidden, post: Post | None, kind: str,
                 where: str) -> list[str]:
    place = f"{where}:{entry.line}" if entry.line else where
    if post is None:
        return [f"not in the store (not crawled yet, or a typo? {place})"]
    if post.duplicate_of and kind == "featured":
        return [f"a cross-post: {post.duplicate_of} is featured in its place"]
    if post.duplicate_of:
        return [f"a cross-post: {post.duplicate_of} stays on the site"]
    copies = len(_copies(db, post.id).get(post.id, []))
    if copies and kind == "hidden":
        return [f"its {copies} cross-post(s) are hidden with it"]
    return []


# Output: the CLI picks one of these. Row values hold one item a line (flags, notes, captions by locale).

def head(post: Post, chars: int = HEAD_CHARS) -> str:
    """The start of a post (title, then text) on one line, cut at ``chars`` with an ellipsis."""
    text = " ".join(f"{post.title}\n{post.text}".split())
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def _date(post: Post) -> str:
    return post.published.strftime("%Y-%m-%d %H:%M")


def plain_lines(rows: Iterable[dict[str, str]], columns: tuple[str, ...]) -> Iterator[str]:
    """Tab-separated lines under a header line, one per row (items joined by "; ", "-" when empty):
    stable for grep, cut and diff."""
    yield "\t".join(columns) + "\n"
    for row in rows:
        yield "\t".join(_plain(row.get(c, "")) for c in columns) + "\n"


def _plain(value: str) -> str:
    return "; ".join(" ".join(item.split()) for item in value.splitlines() if item.strip()) or "-"


def jsonl_lines(objects: Iterable[dict]) -> Iterator[str]:
    for obj in objects:
        yield json.dumps(obj, ensure_ascii=False) + "\n"


def rich_table(rows: Iterable[dict[str, str]], columns: tuple[str, ...], title: str, warn: str) -> Table:
    """A terminal table; rows whose ``warn`` column is not empty are yellow. Cells are Text, not markup:
    a post's "[...]" must print as written."""
    table = Table(title=Text(title), title_justify="left")
    for column in columns:
        if column == "text":
            table.add_column(column, ratio=1)
        elif column in ("caption", "flags", "note", "reason"):
            table.add_column(column, max_width=40)
        else:  # ids, dates and codes are copied from here into `marathon feature`: never wrapped
            table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*(Text(row.get(c, "")) for c in columns), style="yellow" if row.get(warn) else None)
    return table
