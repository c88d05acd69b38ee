"""robots.txt is obeyed even for requests queued while robots.txt is still downloading."""

from __future__ import annotations

import subprocess
import sys
import time

from marathon.demo.recorded import Recorded, RecordedServer

# A spider with many start requests, run with marathon's own Scrapy settings in a child process
# (a Twisted reactor runs once per process).
SPIDER = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess
from crawler.settings import scrapy_settings
from marathon.config import CrawlSettings

BASE = sys.argv[1]

class ManyStarts(scrapy.Spider):
    name = "many-starts"
    async def start(self):
        for i in range(6):
            yield scrapy.Request(f"{BASE}/private/{i}", errback=lambda failure: None)
            yield scrapy.Request(f"{BASE}/public/{i}", errback=lambda failure: None)
    def parse(self, response):
        pass

settings = scrapy_settings(CrawlSettings(contact_url="http://127.0.0.1/contact"))
settings["ITEM_PIPELINES"] = {}
process = CrawlerProcess(settings)
process.crawl(ManyStarts)
process.start()
"""


def test_no_disallowed_url_is_fetched_while_robots_txt_is_slow_to_arrive():
    def slow_robots(handler):
        time.sleep(0.5)
        return Recorded(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")

    routes = {"/robots.txt": slow_robots}
    for i in range(6):
        routes[f"/private/{i}"] = Recorded(200, b"<html>not for crawlers</html>")
        routes[f"/public/{i}"] = Recorded(200, b"<html>ok</html>")
    with RecordedServer(routes) as server:
        subprocess.run([sys.executable, "-c", SPIDER, server.base_url], check=True, timeout=120)
    assert [p for p in server.requests if p.startswith("/private/")] == []
    assert sorted(p for p in server.requests if p.startswith("/public/")) == [f"/public/{i}" for i in range(6)]


def test_requests_carry_marathons_user_agent_with_the_contact_url():
    routes = {"/robots.txt": Recorded(200, b"User-agent: *\nAllow: /\n", "text/plain"),
              "/public/0": Recorded(200, b"<html>ok</html>")}
    for i in range(1, 6):
        routes[f"/public/{i}"] = routes["/public/0"]
    with RecordedServer(routes) as server:
        subprocess.run([sys.executable, "-c", SPIDER, server.base_url], check=True, timeout=120)
    agents = {h.get("User-Agent") for h in server.request_headers}
    (agent,) = agents
    assert agent.startswith("marathon/") and agent.endswith("(+http://127.0.0.1/contact)")
