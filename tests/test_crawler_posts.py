"""crawler/posts.py: the crawl's store connection, and no Scrapy in the process crawling the APIs."""

from __future__ import annotations

import subprocess
import sys

from crawler.posts import open_crawl_store


def test_the_crawls_store_connection_is_in_wal_mode_and_does_not_sync_each_commit(tmp_path):
    db = open_crawl_store(str(tmp_path / "store.db"))
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_the_api_side_of_a_crawl_does_not_import_scrapy():
    code = ("import sys, crawler.run, crawler.posts, crawler.api.mastodon, crawler.api.bluesky, crawler.api.vk; "
            "print('scrapy' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
