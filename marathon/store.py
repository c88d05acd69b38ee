"""The store: all SQL lives here. SQLite through sqlite-utils, WAL mode, versioned schema."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

import sqlite_utils

from marathon.errors import StoreError
from marathon.migrations import migrate
from marathon.model import CrawlRun, Media, Post, Source, content_hash, parse_datetime, utcnow

if TYPE_CHECKING:
    from marathon.curation import Curation

DEFAULT_DB = Path(".marathon") / "marathon.db"
JSON_FIELDS = ("hashtags", "also_langs", "countries", "campaigns", "media", "manual_tags")
RAW_FIELDS = ("source_id", "platform", "native_id", "url", "published", "published_utc", "fetched",
              "author", "title", "text", "html", "hashtags", "lang_hint", "media", "content_hash", "organization",
              "views", "forwarded_from", "edited")


def default_db_path() -> Path:
    """The documented default store: $MARATHON_DB, else ./.marathon/marathon.db."""
    return Path(os.environ.get("MARATHON_DB") or DEFAULT_DB)


def open_store(path: str | Path | None = None) -> sqlite_utils.Database:
    """Open (creating and migrating if needed) the store at ``path``."""
    path = Path(path) if path else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA busy_timeout = 30000")
        db.enable_wal()
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open the store: {exc}") from None
    return db


def _utc(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


POST_FIELDS = tuple(f.name for f in fields(Post))


def _post_row(post: Post) -> dict:
    row = {name: getattr(post, name) for name in POST_FIELDS}  # shallow: asdict's deep copy was 4x slower
    row["media"] = [asdict(m) for m in post.media]
    row["published"] = post.published.isoformat()
    row["published_utc"] = _utc(post.published)
    row["fetched"] = post.fetched.isoformat() if post.fetched else None
    row["content_hash"] = post.content_hash or content_hash(post.title + "\n" + post.text)
    row.pop("hidden_reason")  # curation comes from the curation file only (apply_curation)
    for key in JSON_FIELDS:
        if key in row:
            row[key] = json.dumps(row[key], ensure_ascii=False)
    return row


def row_to_post(row: dict) -> Post:
    data = dict(row)
    for key in JSON_FIELDS:
        data[key] = json.loads(data.get(key) or "[]")
    media = [Media(**m) for m in data.pop("media")]
    keep = {k: data[k] for k in Post.__dataclass_fields__ if k in data and k != "media"}
    keep["published"] = parse_datetime(keep["published"])
    keep["fetched"] = parse_datetime(keep["fetched"]) if keep.get("fetched") else None
    for key in ("author", "title", "html", "organization", "native_id", "content_hash", "forwarded_from"):
        keep[key] = keep.get(key) or ""
    keep["edited"] = bool(keep.get("edited"))
    return Post(media=media, **keep)


def save_sources(db: sqlite_utils.Database, sources: Iterable[Source]) -> None:
    """Record the sources and their organizations (upsert; never deletes)."""
    from marathon.text import slugify

    with db.conn:
        for source in sources:
            org_id = slugify(source.organization)
            db["organizations"].upsert({"id": org_id, "name": source.organization, "country": source.country}, pk="id")
            db["sources"].upsert({"id": source.id, "name": source.name, "organization_id": org_id,
                                  "country": source.country, "platform": source.platform, "url": source.url,
                                  "country_from_content": int(source.country_from_content)}, pk="id")


def _update(db: sqlite_utils.Database, post_id: str, changes: dict) -> None:
    columns = ", ".join(f"[{k}] = ?" for k in changes)
    db.execute(f"UPDATE posts SET {columns} WHERE id = ?", [*changes.values(), post_id])


def upsert_posts(db: sqlite_utils.Database, posts: Iterable[Post], manual_tags: bool = False) -> tuple[int, int]:
    """Insert new posts and update changed ones in place, keeping the previous text.

    Never replaces stored text with an empty one. Returns (new, updated).
    With ``manual_tags`` the given lang/country/campaigns are kept by the tagger (import).
    """
    posts = list(posts)
    new = updated = 0
    now = utcnow().isoformat()
    existing: dict[str, dict] = {}
    ids = list({p.id for p in posts})
    for start in range(0, len(ids), 500):  # SQLite caps the number of bound parameters
        chunk = ids[start:start + 500]
        existing.update({r["id"]: r for r in db.query(
            f"SELECT id, url, content_hash, title, text, html FROM posts WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk)})
    inserts: dict[str, dict] = {}
    with db.conn:
        for post in posts:
            row = _post_row(post)
            if manual_tags:
                row["manual_tags"] = json.dumps([k for k in ("lang", "country", "campaigns") if getattr(post, k)])
            old = existing.get(post.id)
            if old is None:
                row["first_seen"] = row["updated"] = now
                if not manual_tags:
                    for key in ("lang", "country", "campaigns", "countries", "also_langs", "duplicate_of"):
                        row.pop(key, None)
                new += post.id not in inserts
                inserts[post.id] = row  # the same post twice in one batch: the last copy wins
                continue
            if old["content_hash"] == row["content_hash"] and old["url"] == row["url"]:
                # Same story: refresh counters only (views grow; they are not an edit).
                fresh = {k: row[k] for k in ("fetched", "views") if row.get(k) is not None}
                if fresh:
                    _update(db, post.id, fresh)
                continue
            if not post.text.strip() and (old["text"] or "").strip():
                continue  # a worse copy of a stored post (e.g. a truncated page): keep what we have
            db.execute("INSERT INTO post_versions (post_id, replaced, title, text, html) VALUES (?, ?, ?, ?, ?)",
                       [post.id, now, old["title"], old["text"], old["html"]])
            changes = {k: row[k] for k in RAW_FIELDS if k in row}
            if manual_tags:
                changes.update({k: row[k] for k in ("lang", "country", "campaigns", "manual_tags")})
            changes["updated"] = now
            _update(db, post.id, changes)
            updated += 1
        if inserts:
            db["posts"].insert_all(inserts.values(), pk="id", batch_size=200)
    return new, updated


def iter_posts(db: sqlite_utils.Database, include_duplicates: bool = True, where: str = "",
               params: Iterable = (), include_hidden: bool = False) -> Iterator[Post]:
    """Every stored post, newest first; posts hidden by curation, and copies of them, only with ``include_hidden``."""
    clauses = [f"({where})"] if where else []
    if not include_duplicates:
        clauses.append("duplicate_of IS NULL")
    if not include_hidden:
        clauses.append("hidden_reason IS NULL AND (duplicate_of IS NULL OR duplicate_of NOT IN "
                       "(SELECT id FROM posts WHERE hidden_reason IS NOT NULL))")
    sql = "SELECT * FROM posts" + (" WHERE " + " AND ".join(clauses) if clauses else "")
    for row in db.query(sql + " ORDER BY published_utc DESC, id", list(params)):
        yield row_to_post(row)


def rows_in(db: sqlite_utils.Database, sql: str, keys: Iterable[str]) -> Iterator[tuple]:
    """Rows of ``sql`` (with ``IN ({marks})`` for the keys) for many keys, 500 at a time (SQLite's
    limit on parameters is not ours to meet)."""
    keys = list(dict.fromkeys(keys))
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        yield from db.execute(sql.format(marks=", ".join("?" * len(chunk))), chunk).fetchall()


def posts_by_id(db: sqlite_utils.Database, ids: Iterable[str]) -> dict[str, Post]:
    """Full posts for the given ids (hidden ones too: callers chose the ids)."""
    cursor = db.execute("SELECT * FROM posts LIMIT 0")
    columns = [c[0] for c in cursor.description]
    rows = rows_in(db, "SELECT * FROM posts WHERE id IN ({marks})", ids)
    return {post.id: post for post in (row_to_post(dict(zip(columns, row))) for row in rows)}


def media_directory(db: sqlite_utils.Database) -> Path:
    """The media cache beside the store: ``.marathon/media`` for ``.marathon/marathon.db``."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2] or ".").parent / "media"


def media_to_fetch(db: sqlite_utils.Database) -> list[str]:
    """Image URLs of shown posts that the media cache has not tried yet."""
    sql = ("SELECT DISTINCT json_extract(j.value, '$.url') AS url FROM posts, json_each(posts.media) j "
           "WHERE json_extract(j.value, '$.type') = 'image' AND posts.hidden_reason IS NULL "
           "AND json_extract(j.value, '$.url') NOT IN (SELECT url FROM media_files)")
    return [row[0] for row in db.execute(sql).fetchall() if row[0]]


def media_to_render(db: sqlite_utils.Database) -> list[tuple[str, str, str]]:
    """(url, file, content_type) of raster images cached before renditions (no recorded width):
    their files are originals as fetched, to be rendered once."""
    sql = ("SELECT url, file, content_type FROM media_files WHERE status = 'ok' AND file IS NOT NULL "
           "AND width IS NULL AND content_type != 'image/svg+xml'")
    return [tuple(row) for row in db.execute(sql).fetchall()]


def record_media(db: sqlite_utils.Database, rows: Iterable[dict]) -> None:
    """Rows of the media cache: url, file (None when it failed), content_type, bytes, status, error,
    and for a rendition its width, height and source_bytes (what was fetched)."""
    with db.conn:
        db["media_files"].upsert_all([dict(row, fetched=utcnow().isoformat()) for row in rows], pk="url")


def media_files_in_use(db: sqlite_utils.Database, names: Iterable[str]) -> set[str]:
    """Those of the cached file names that some media_files row still names."""
    return {row[0] for row in rows_in(db, "SELECT DISTINCT file FROM media_files WHERE file IN ({marks})", names)}


class CachedFile(str):
    """A cached file name that also knows its pixel size (None when not recorded: an SVG without one,
    or a cache from before renditions). Used as a plain str everywhere else."""

    width: int | None
    height: int | None

    def __new__(cls, name: str, width: int | None = None, height: int | None = None) -> CachedFile:
        value = super().__new__(cls, name)
        value.width, value.height = width, height
        return value

    def __reduce__(self):  # pickled as itself, size included (page workers)
        return CachedFile, (str(self), self.width, self.height)


def cached_media(db: sqlite_utils.Database, urls: Iterable[str]) -> dict[str, CachedFile]:
    """url -> cached file name, for the URLs the cache holds; each name carries ``.width`` and ``.height``."""
    rows = rows_in(db, "SELECT url, file, width, height FROM media_files WHERE file IS NOT NULL AND url IN ({marks})",
                    urls)
    return {url: CachedFile(file, width, height) for url, file, width, height in rows}


def has_post(db: sqlite_utils.Database, post_id: str) -> bool:
    return db.execute("SELECT 1 FROM posts WHERE id = ?", [post_id]).fetchone() is not None


def apply_curation(db: sqlite_utils.Database, curation: Curation) -> list[str]:
    """Make the store's featured and hidden posts exactly those of ``curation``.

    Entries the file no longer has are cleared. Returns the ids the file names that are not in the
    store (not crawled yet, or mistyped): they are applied once the post arrives.
    """
    missing = []
    with db.conn:
        db.execute("UPDATE posts SET featured_rank = NULL, featured_caption = NULL, hidden_reason = NULL "
                   "WHERE featured_rank IS NOT NULL OR hidden_reason IS NOT NULL")
        for rank, featured in enumerate(curation.featured, 1):
            caption = json.dumps(featured.caption, ensure_ascii=False)
            cursor = db.execute("UPDATE posts SET featured_rank = ?, featured_caption = ? WHERE id = ?",
                                [rank, caption, featured.post])
            if not cursor.rowcount:
                missing.append(featured.post)
        for hidden in curation.hidden:
            cursor = db.execute("UPDATE posts SET hidden_reason = ? WHERE id = ?", [hidden.reason, hidden.post])
            if not cursor.rowcount and hidden.post not in missing:
                missing.append(hidden.post)
    return missing


def featured_posts(db: sqlite_utils.Database) -> list[tuple[Post, dict[str, str]]]:
    """Featured posts in rank order with their captions by UI locale.

    A featured cross-post stands for the post shown in its place (its ``duplicate_of``); hidden
    posts are left out, and a post comes once, at its first rank.
    """
    result: list[tuple[Post, dict[str, str]]] = []
    seen: set[str] = set()
    for row in db.query("SELECT * FROM posts WHERE featured_rank IS NOT NULL ORDER BY featured_rank"):
        caption = json.loads(row["featured_caption"] or "{}")
        if row["duplicate_of"]:
            row = next(db.query("SELECT * FROM posts WHERE id = ?", [row["duplicate_of"]]), None)
        if row is None or row["hidden_reason"] is not None or row["id"] in seen:
            continue
        seen.add(row["id"])
        result.append((row_to_post(row), caption))
    return result


def post_versions(db: sqlite_utils.Database, post_id: str) -> list[dict]:
    return list(db.query("SELECT * FROM post_versions WHERE post_id = ? ORDER BY rowid", [post_id]))


def save_tags(db: sqlite_utils.Database, tags: Iterable[dict]) -> int:
    """Write tagger output: dicts with ``id`` and the tag columns. Returns rows written."""
    count = 0
    with db.conn:
        for item in tags:
            item = dict(item)
            for key in JSON_FIELDS:
                if key in item:
                    item[key] = json.dumps(item[key], ensure_ascii=False)
            db["posts"].update(item.pop("id"), item)
            count += 1
    return count


def record_crawl_run(db: sqlite_utils.Database, run: str, crawl: CrawlRun) -> None:
    row = asdict(crawl)
    row["started"] = crawl.started.isoformat()
    row["finished"] = crawl.finished.isoformat() if crawl.finished else None
    row["run"] = run
    with db.conn:
        db["crawl_runs"].insert(row, alter=True)


def crawl_runs(db: sqlite_utils.Database, run: str | None = None) -> list[dict]:
    if run:
        return list(db.query("SELECT * FROM crawl_runs WHERE run = ? ORDER BY id", [run]))
    return list(db.query("SELECT * FROM crawl_runs ORDER BY id"))


def known_native_ids(db: sqlite_utils.Database, source_id: str) -> set[str]:
    """Native ids already stored for a source: crawlers stop paging when they reach them."""
    return {r["native_id"] for r in db.query("SELECT native_id FROM posts WHERE source_id = ?", [source_id])}


def load_validators(db: sqlite_utils.Database, source_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """ETag and Last-Modified remembered per URL for these sources: url -> (etag, last_modified)."""
    ids = list(source_ids)
    if not ids:
        return {}
    rows = db.query(f"SELECT url, etag, last_modified FROM http_validators WHERE source_id IN ({', '.join('?' * len(ids))})",
                    ids)
    return {r["url"]: (r["etag"] or "", r["last_modified"] or "") for r in rows}


def save_validators(db: sqlite_utils.Database, source_id: str, validators: dict[str, tuple[str, str]]) -> None:
    now = utcnow().isoformat()
    with db.conn:
        db["http_validators"].upsert_all(
            ({"url": url, "source_id": source_id, "etag": etag, "last_modified": modified, "updated": now}
             for url, (etag, modified) in validators.items()), pk="url")
