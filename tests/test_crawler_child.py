"""crawler/child.py and split_by_host: one child imports Scrapy once and forks a worker per group of hosts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import crawler.run
from crawler.run import crawl, runs_in_background, split_by_host
from marathon.config import CrawlSettings
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.errors import StoreError
from marathon.model import Source
from marathon.store import crawl_runs, iter_posts, open_store
from tests.conftest import RESPONSES

RSS = "application/rss+xml; charset=utf-8"
ALLOW_ALL = Recorded(200, b"User-agent: *\nAllow: /\n", "text/plain")


def _source(id: str, platform: str, url: str) -> Source:
    return Source(id=id, name=id, organization=f"Org {id}", country="KZ", platform=platform, url=url)


def test_split_by_host_keeps_every_source_of_a_host_in_one_group():
    sources = [_source(f"s{i}", "rss", f"http://host{i % 3}.example/feed{i}.xml") for i in range(9)]
    groups = split_by_host(sources, 2)
    hosts = [{s.url.split("/")[2] for s in group} for group in groups]
    assert sum(len(h) for h in hosts) == 3 and not hosts[0] & hosts[1]
    assert sorted(s.id for group in groups for s in group) == sorted(s.id for s in sources)


def test_split_by_host_keeps_websites_apart_from_feeds_and_telegram():
    # Platforms alternate as in the demo: a feed's long parse must not hold up a website's chain.
    platforms = ["telegram", "website", "rss", "rss"]
    sources = [_source(f"s{i}", platforms[i % 4], f"http://host{i}.example/x") for i in range(40)]
    groups = split_by_host(sources, 2)
    assert [{s.platform for s in group} for group in groups] == [{"website"}, {"telegram", "rss"}]
    assert [runs_in_background(group, groups) for group in groups] == [False, True]


def test_split_by_host_shares_workers_between_websites_and_the_rest_by_their_cost():
    platforms = ["telegram", "website", "rss", "rss"]
    sources = [_source(f"s{i}", platforms[i % 4], f"http://host{i}.example/x") for i in range(40)]
    groups = split_by_host(sources, 4)
    assert [{s.platform for s in group} for group in groups] == [{"website"}, {"website"}, {"telegram", "rss"},
                                                                 {"telegram", "rss"}]
    assert sorted(len(group) for group in groups) == [5, 5, 15, 15]


def test_split_by_host_spreads_sources_of_one_kind_over_every_worker():
    platforms = ["telegram", "rss"]
    sources = [_source(f"s{i}", platforms[i % 2], f"http://host{i}.example/x") for i in range(20)]
    groups = split_by_host(sources, 2)
    for platform in platforms:
        assert [sum(s.platform == platform for s in group) for group in groups] == [5, 5]
    assert not any(runs_in_background(group, groups) for group in groups)


def test_a_hosts_feed_stays_with_its_website_in_one_group():
    sources = [_source("news", "website", "http://one.example/news/"), _source("feed", "rss", "http://one.example/feed"),
               _source("other", "rss", "http://two.example/feed")]
    groups = split_by_host(sources, 2)
    assert [[s.id for s in group] for group in groups] == [["news", "feed"], ["other"]]


def test_split_by_host_never_makes_empty_groups():
    assert split_by_host([_source("a", "rss", "http://one.example/feed.xml")], 4) == [
        [_source("a", "rss", "http://one.example/feed.xml")]]
    assert split_by_host([], 3) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked where the platform can fork")
def test_sources_on_two_hosts_are_crawled_by_two_forked_workers(tmp_path):
    feed = (RESPONSES / "rss/volunteers-ru.xml").read_bytes()
    routes = {"/robots.txt": ALLOW_ALL, "/feed.xml": Recorded(200, feed, RSS)}
    with RecordedServer(dict(routes)) as one, RecordedServer(dict(routes)) as two:
        sources = [_source("one-rss", "rss", f"{one.base_url}/feed.xml"),
                   _source("two-rss", "rss", f"{two.base_url}/feed.xml")]
        assert len(split_by_host(sources, 2)) == 2
        report = crawl(sources, tmp_path / "store.db", CrawlSettings(workers=2, backoff=0.01))
        assert one.requests == ["/robots.txt", "/feed.xml"] and two.requests == ["/robots.txt", "/feed.xml"]
    db = open_store(tmp_path / "store.db")
    runs = {r["source_id"]: r for r in crawl_runs(db, report.run)}
    assert {k: (r["status"], r["posts_new"]) for k, r in runs.items()} == {"one-rss": ("ok", 5), "two-rss": ("ok", 5)}
    assert sorted({p.source_id for p in iter_posts(db)}) == ["one-rss", "two-rss"]



def test_a_child_that_dies_starting_up_fails_its_sources_and_the_crawl_goes_on(tmp_path, monkeypatch):
    def dying_child(platforms):
        return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], stdin=subprocess.PIPE, text=True)

    monkeypatch.setattr(crawler.run, "_spawn_child", dying_child)
    report = crawl([_source("feed", "rss", "http://127.0.0.1:9/feed.xml")], tmp_path / "store.db")
    assert [(r["source_id"], r["status"]) for r in report.runs] == [("feed", "failed")]
    assert "ended before this source finished" in report.runs[0]["error"]


def test_a_store_that_cannot_open_ends_the_child_waiting_for_its_job(tmp_path, monkeypatch):
    children = []
    spawn = crawler.run._spawn_child

    def spawn_and_keep(platforms):
        children.append(spawn(platforms))
        return children[-1]

    def broken_store(path):
        raise StoreError(f"{path}: cannot open the store")

    monkeypatch.setattr(crawler.run, "_spawn_child", spawn_and_keep)
    monkeypatch.setattr(crawler.run, "open_store", broken_store)
    with pytest.raises(StoreError):
        crawl([_source("feed", "rss", "http://127.0.0.1:9/feed.xml")], tmp_path / "store.db")
    assert len(children) == 1 and children[0].returncode == 0  # it read an empty job and ended
