"""A re-crawl revalidates instead of re-downloading: ETags for pages, since_id for Mastodon."""

from __future__ import annotations

import pytest

from crawler.run import crawl
from marathon.demo.server import start_demo_network
from marathon.store import iter_posts, open_store


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("cond") / "store.db"
    figures = []
    with start_demo_network() as network:
        for _ in range(2):
            bytes_before, requests_before = network.server.bytes_sent, network.server.requests
            report = crawl(network.sources, db_path)
            figures.append((report, network.server.bytes_sent - bytes_before, network.server.requests - requests_before))
    return db_path, figures


def test_an_immediate_recrawl_stores_nothing_new_and_duplicates_nothing(two_crawls):
    db_path, ((first, _, _), (second, _, _)) = two_crawls
    assert first.posts_new >= 150
    assert (second.posts_new, second.posts_updated) == (0, 0)
    assert len(list(iter_posts(open_store(db_path)))) == first.posts_new


def test_an_immediate_recrawl_transfers_under_five_percent_of_the_first(two_crawls):
    _, ((_, first_bytes, _), (_, second_bytes, second_requests)) = two_crawls
    assert second_requests > 0
    assert second_bytes <= 0.05 * first_bytes
