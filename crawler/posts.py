"""Raw posts into the store, for the Scrapy pipeline and the API clients alike (no Scrapy here:
the parent process, crawling the APIs, never imports it)."""

from __future__ import annotations

import sqlite_utils

from crawler.items import RawPost
from marathon.model import Media, Post, Source, make_post_id, utcnow
from marathon.store import open_store


def open_crawl_store(path: str) -> sqlite_utils.Database:
    """The store, for a crawl's writes: commits without waiting for the disk.

    In WAL mode ``synchronous = NORMAL`` keeps the database consistent and the commits in order;
    a power cut may lose the last ones, which the next crawl fetches again (validators are saved
    after the posts they cover, so they are lost with them). FULL waited for an fsync at every
    commit, about a millisecond each with the event loop stopped, several hundred times a crawl.
    """
    db = open_store(path)
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def source_status(failed: bool, seen: int, had_posts: bool, url: str) -> tuple[str, str]:
    """The status of one source's run (ok, partial, failed or empty) and the error line for empty.

    Empty is a 200 with nothing readable from a source that never gave posts: a moved feed or a
    redesigned page, worth a look.
    """
    if failed:
        return ("partial" if seen else "failed"), ""
    if not seen and not had_posts:
        return "empty", f"no posts found at {url}"
    return "ok", ""


def raw_to_post(raw: RawPost, source: Source) -> Post:
    """Turn a spider's raw post into a Post of ``source``; raises ValueError if it is unusable."""
    if not raw.get("url") or not raw.get("published") or not raw.get("native_id"):
        raise ValueError("post without url, date or id")
    if not (raw.get("text") or raw.get("title") or raw.get("media")):
        raise ValueError(f"empty post {raw['url']}")
    media = [Media(type=m.get("type", "image"), url=m["url"], alt=m.get("alt") or "",
                   width=m.get("width"), height=m.get("height")) for m in raw.get("media") or [] if m.get("url")]
    return Post(id=make_post_id(source.id, raw["native_id"]), source_id=source.id, platform=source.platform,
                url=raw["url"], published=raw["published"], native_id=raw["native_id"],
                text=raw.get("text") or "", title=raw.get("title") or "", html=raw.get("html") or "",
                author=raw.get("author") or "", hashtags=list(dict.fromkeys(raw.get("hashtags") or [])),
                lang_hint=raw.get("lang_hint"), organization=source.organization, media=media,
                fetched=utcnow(), views=raw.get("views"), forwarded_from=raw.get("forwarded_from") or "",
                edited=bool(raw.get("edited")))
