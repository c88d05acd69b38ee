"""crawler/downloader.py: a host never gets more requests at once than [crawl] per_host allows."""

from __future__ import annotations

import threading
import time

import pytest

from crawler.run import crawl
from marathon.config import CrawlSettings
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.model import Source
from marathon.store import crawl_runs, open_store
from tests.conftest import RESPONSES

ARTICLES = 10
ALLOW_ALL = Recorded(200, b"User-agent: *\nAllow: /\n", "text/plain")


class InFlight:
    """Route callables that answer after a pause and note the most requests served at once."""

    def __init__(self, pause: float = 0.05):
        self.pause = pause
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, answer: Recorded):
        def route(handler):
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            time.sleep(self.pause)
            with self.lock:
                self.now -= 1
            return answer
        return route


@pytest.mark.parametrize("per_host", [1, 2])
def test_a_listing_of_ten_articles_is_fetched_at_most_per_host_at_a_time(tmp_path, per_host):
    # Scrapy 2.19 with the asyncio reactor started every queued request of a host at once.
    in_flight = InFlight()
    article = (RESPONSES / "website/toshkentda-qon-topshirish-aksiyasi.html").read_bytes()
    listing = "".join(f'<article><h2 class="entry-title"><a href="/news/a{n}/">Yangilik {n}</a></h2></article>'
                      for n in range(ARTICLES))
    routes = {"/robots.txt": ALLOW_ALL,
              "/news/": in_flight(Recorded(200, f"<html><body><main>{listing}</main></body></html>".encode())),
              **{f"/news/a{n}/": in_flight(Recorded(200, article)) for n in range(ARTICLES)}}
    with RecordedServer(routes) as server:
        source = Source(id="web", name="Web", organization="Org", country="UZ", platform="website",
                        url=f"{server.base_url}/news/")
        report = crawl([source], tmp_path / "store.db", CrawlSettings(per_host=per_host))
        asked = len(server.requests)
    runs = crawl_runs(open_store(tmp_path / "store.db"), report.run)
    assert (runs[0]["status"], runs[0]["posts_seen"], asked) == ("ok", ARTICLES, ARTICLES + 2)
    assert in_flight.peak == per_host
