"""The store: re-crawls never duplicate, edits keep history, worse copies never overwrite."""

from __future__ import annotations

from datetime import datetime, timezone

from marathon.migrations import SCHEMA_VERSION
from marathon.model import Post, make_post_id
from marathon.store import iter_posts, open_store, post_versions, upsert_posts


def post(text: str = "Волонтёры доставили продукты пожилым людям. #МыВместе", native_id: str = "101") -> Post:
    return Post(id=make_post_id("ru-tg", native_id), source_id="ru-tg", platform="telegram",
                url=f"http://127.0.0.1/ru/{native_id}", native_id=native_id, text=text,
                published=datetime(2020, 5, 14, 9, 0, tzinfo=timezone.utc))


def test_a_new_store_is_in_wal_mode_at_the_current_schema_version(db_path):
    db = open_store(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"organizations", "sources", "posts", "crawl_runs", "post_versions"} <= set(db.table_names())


def test_storing_the_same_post_twice_keeps_one_copy(db_path):
    db = open_store(db_path)
    assert upsert_posts(db, [post()]) == (1, 0)
    assert upsert_posts(db, [post()]) == (0, 0)
    assert len(list(iter_posts(db))) == 1


def test_an_edited_post_is_updated_in_place_and_keeps_its_previous_text(db_path):
    db = open_store(db_path)
    upsert_posts(db, [post()])
    assert upsert_posts(db, [post("Волонтёры доставили продукты и лекарства пожилым людям. #МыВместе")]) == (0, 1)
    (stored,) = iter_posts(db)
    assert "лекарства" in stored.text
    assert [v["text"] for v in post_versions(db, stored.id)] == [post().text]


def test_an_empty_copy_never_replaces_stored_text(db_path):
    db = open_store(db_path)
    upsert_posts(db, [post()])
    assert upsert_posts(db, [post("")]) == (0, 0)
    (stored,) = iter_posts(db)
    assert stored.text == post().text


def test_a_store_from_a_newer_marathon_is_refused(db_path):
    import pytest

    from marathon.errors import StoreError

    db = open_store(db_path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this marathon understands"):
        open_store(db_path)
