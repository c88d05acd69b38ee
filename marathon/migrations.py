"""Schema versions of the store, applied in order inside a transaction each."""

from __future__ import annotations

from typing import Callable

import sqlite_utils

from marathon.errors import StoreError


def _v1_initial(db: sqlite_utils.Database) -> None:
    db["organizations"].create({"id": str, "name": str, "country": str}, pk="id")
    db["sources"].create({"id": str, "name": str, "organization_id": str, "country": str,
                          "platform": str, "url": str}, pk="id")
    db["posts"].create({
        "id": str, "source_id": str, "platform": str, "native_id": str, "url": str,
        "published": str, "published_utc": str, "fetched": str, "first_seen": str,
        "author": str, "title": str, "text": str, "html": str, "hashtags": str,
        "lang": str, "also_langs": str, "lang_hint": str, "country": str, "countries": str,
        "campaigns": str, "organization": str, "media": str, "content_hash": str,
        "duplicate_of": str, "tagged_hash": str, "manual_tags": str, "updated": str,
    }, pk="id", not_null={"source_id", "url", "published"})
    db["posts"].create_index(["published_utc"])
    db["posts"].create_index(["source_id", "native_id"])
    db["posts"].create_index(["content_hash"])
    db["post_versions"].create({"post_id": str, "replaced": str, "title": str, "text": str, "html": str},
                               foreign_keys=[("post_id", "posts", "id")])
    db["crawl_runs"].create({
        "id": int, "run": str, "source_id": str, "started": str, "finished": str, "status": str,
        "http_status": int, "error": str, "requests": int, "posts_seen": int, "posts_new": int,
        "posts_updated": int, "bytes": int,
    }, pk="id")
    db["crawl_runs"].create_index(["source_id", "started"])


def _v2_platform_details(db: sqlite_utils.Database) -> None:
    db["posts"].add_column("views", int)
    db["posts"].add_column("forwarded_from", str)
    db["posts"].add_column("edited", int)


def _v3_http_validators(db: sqlite_utils.Database) -> None:
    db["http_validators"].create({"url": str, "source_id": str, "etag": str, "last_modified": str, "updated": str},
                                 pk="url")
    db["http_validators"].create_index(["source_id"])


def _v4_multi_country_sources(db: sqlite_utils.Database) -> None:
    db["sources"].add_column("country_from_content", int)


def _v5_curation(db: sqlite_utils.Database) -> None:
    # Written only by store.apply_curation from the curation file, never by crawls or imports.
    db["posts"].add_column("featured_rank", int)
    db["posts"].add_column("featured_caption", str)
    db["posts"].add_column("hidden_reason", str)
    db["posts"].create_index(["featured_rank"])


def _v6_media_files(db: sqlite_utils.Database) -> None:
    # Post images fetched once into the media cache, so the site serves them itself.
    db["media_files"].create({"url": str, "file": str, "content_type": str, "bytes": int, "status": str,
                              "error": str, "fetched": str}, pk="url")


def _v7_media_renditions(db: sqlite_utils.Database) -> None:
    # The cache holds a web-sized rendition (crawler/images.py): its true pixel size, for the site's
    # <img width height>, and the size of what was fetched. Rows from before have NULL width.
    db["media_files"].add_column("width", int)
    db["media_files"].add_column("height", int)
    db["media_files"].add_column("source_bytes", int)


def _v8_summary_index(db: sqlite_utils.Database) -> None:
    # Everything site_reads.post_summaries reads, newest first: the site builder plans a big site from
    # this index instead of the table with its texts (0.52 -> 0.29 s at 100,000 posts).
    db.execute("CREATE INDEX idx_posts_summary ON posts (published_utc DESC, id, published, lang, country, "
               "countries, campaigns, organization, duplicate_of, content_hash, tagged_hash, updated, views, "
               "featured_rank, featured_caption, hidden_reason, media)")
    db.execute("CREATE INDEX idx_posts_hidden ON posts (id) WHERE hidden_reason IS NOT NULL")


# Posts a site shows (neither hidden by curation nor a cross-post), and a post's month as its own
# calendar has it (the start of its ISO date): shared with site_reads.shown_post_groups, whose GROUP BY
# must match the index below term for term to walk it instead of sorting.
SHOWN_POSTS = "hidden_reason IS NULL AND (duplicate_of IS NULL OR duplicate_of = '')"
POST_MONTH = "CASE WHEN substr(published, 5, 1) = '-' THEN substr(published, 1, 7) END"
SHOWN_GROUPS = f"lang, country, countries, campaigns, organization, {POST_MONTH}"


def _v9_shown_groups_index(db: sqlite_utils.Database) -> None:
    # The site plan counts shown posts by month and tags before it reads them (the page budget and
    # every listing's size): walking this index instead of sorting 100,000 rows, 0.10 -> 0.02 s.
    db.execute(f"CREATE INDEX idx_posts_shown_groups ON posts ({SHOWN_GROUPS}, published) WHERE {SHOWN_POSTS}")


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("initial", _v1_initial),
    ("platform details: views, forwarded_from, edited", _v2_platform_details),
    ("HTTP validators (ETag, Last-Modified) per URL for conditional requests", _v3_http_validators),
    ("sources speaking for several countries", _v4_multi_country_sources),
    ("curation: featured rank and captions, hidden reason", _v5_curation),
    ("media cache: post images fetched once, served by the site", _v6_media_files),
    ("media cache: web-sized renditions with their pixel size", _v7_media_renditions),
    ("an index holding what the site builder plans from", _v8_summary_index),
    ("an index counting shown posts by month and tags", _v9_shown_groups_index),
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the store to SCHEMA_VERSION; refuse a store written by a newer marathon."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(f"{db.conn!r}: store schema version {version} is newer than this marathon "
                         f"understands ({SCHEMA_VERSION}); upgrade marathon")
    for number, (_name, step) in enumerate(MIGRATIONS[version:], version + 1):
        with db.conn:
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
    return SCHEMA_VERSION
