"""crawl(sources, db) -> CrawlReport: Scrapy spiders in a child process, API clients alongside."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from typing import TYPE_CHECKING, Awaitable, Callable

from crawler.settings import scrapy_settings, user_agent
from marathon.config import CrawlSettings
from marathon.model import CrawlRun, Source, utcnow
from marathon.store import crawl_runs, known_native_ids, open_store, record_crawl_run, save_sources, upsert_posts

if TYPE_CHECKING:
    import httpx

SCRAPY_PLATFORMS = {"rss": "crawler.spiders.rss.FeedCrawl", "youtube": "crawler.spiders.rss.FeedCrawl",
                    "website": "crawler.spiders.website.WebsiteCrawl",
                    "telegram": "crawler.spiders.telegram.TelegramCrawl"}
API_PLATFORMS = {"mastodon": "crawler.api.mastodon.fetch_mastodon", "bluesky": "crawler.api.bluesky.fetch_bluesky",
                 "vk": "crawler.api.vk.fetch_vk"}


@dataclass
class CrawlReport:
    run: str
    runs: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> list[dict]:
        return [r for r in self.runs if r["status"] in ("ok", "partial")]

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.runs if r["status"] in ("failed", "skipped", "empty")]

    @property
    def posts_new(self) -> int:
        return sum(r["posts_new"] or 0 for r in self.runs)

    @property
    def posts_updated(self) -> int:
        return sum(r["posts_updated"] or 0 for r in self.runs)


def _import(path: str):
    module, name = path.rsplit(".", 1)
    return getattr(__import__(module, fromlist=[name]), name)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def run_scrapy(sources: list[Source], db_path: str, run: str, settings: CrawlSettings) -> None:
    """Child-process entry: every source in one spider of one CrawlerProcess (a reactor runs once per process)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders import MarathonSpider

    scrapy = scrapy_settings(settings)
    scrapy.update({"MARATHON_DB": db_path, "MARATHON_RUN": run, "LOG_INSTALL_ROOT_HANDLER": True})
    process = CrawlerProcess(scrapy)
    # Scrapy filters by LOG_LEVEL in its root handler, so its loggers still build a record for
    # every debug line ("Crawled", "Scraped from": one per response and per item) only to drop it.
    logging.getLogger("scrapy").setLevel(scrapy["LOG_LEVEL"])
    db = open_store(db_path)
    crawls = [_import(SCRAPY_PLATFORMS[s.platform])(s, known_native_ids(db, s.id)) for s in sources]
    db.close()
    process.crawl(MarathonSpider, crawls=crawls)
    process.start()


async def _crawl_api_source(client: httpx.AsyncClient, politeness, source: Source, db, run: str) -> None:
    import httpx  # here, not at the top: the Scrapy child imports this module and needs no httpx

    from crawler.posts import raw_to_post, source_status

    record = CrawlRun(source_id=source.id, started=utcnow())
    fetcher: Callable[..., Awaitable] = _import(API_PLATFORMS[source.platform])
    from crawler.api.vk import VkApiError, VkTokenMissing

    known = known_native_ids(db, source.id)
    try:
        if source.platform == "mastodon":
            raws, stats = await fetcher(client, source, known, politeness)
        elif source.platform == "vk":
            raws, stats = await fetcher(client, source, known, token=politeness.settings.vk_token or None)
        else:
            raws, stats = await fetcher(client, source, known)
        record.requests, record.bytes, record.http_status = stats["requests"], stats["bytes"], stats["http_status"]
        posts, dropped = [], 0
        for raw in raws:
            try:
                posts.append(raw_to_post(raw, source))
            except ValueError:
                dropped += 1
        record.posts_seen = len(raws)
        record.posts_new, record.posts_updated = upsert_posts(db, posts)
        record.status, record.error = source_status(False, len(raws), bool(known), source.url)
    except VkTokenMissing as exc:
        record.status, record.error = "skipped", str(exc)[:300]
    except VkApiError as exc:
        # Quota or rate errors: keep what earlier pages gave, fail the source for this run, no retry loop.
        record.requests, record.bytes, record.http_status = (exc.stats.get("requests", 0), exc.stats.get("bytes", 0),
                                                             exc.stats.get("http_status"))
        record.posts_seen = len(exc.posts)
        record.posts_new, record.posts_updated = upsert_posts(db, [raw_to_post(r, source) for r in exc.posts
                                                                   if r.get("text") or r.get("media")])
        record.status, record.error = "failed", str(exc)[:300]
    except httpx.HTTPStatusError as exc:
        record.status, record.http_status = "failed", exc.response.status_code
        record.error = f"HTTP {exc.response.status_code} for {exc.request.url}"
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        # Each source is a boundary: a network fault or a malformed answer fails this source only.
        record.status, record.error = "failed", _one_line(exc)
    record.finished = utcnow()
    record_crawl_run(db, run, record)


async def _run_api(sources: list[Source], db_path: str, run: str, settings: CrawlSettings) -> None:
    from crawler.api import Politeness, make_client
    from crawler.posts import open_crawl_store

    politeness = Politeness(settings)
    db = open_crawl_store(db_path)  # one connection: the sources' writes never interleave (no await inside)
    async with make_client(settings, user_agent(settings.contact_url)) as client:
        await asyncio.gather(*(_crawl_api_source(client, politeness, s, db, run) for s in sources))


# Platforms whose crawl is a long chain of requests, each cheap to parse: a website's listing pages
# come one after another, with an article request for every post. Feeds and Telegram pages are
# one or a few responses that each take long to parse (a feed of 50 entries, about 20 ms).
CHAIN_PLATFORMS = {"website"}
# CPU per source, measured on the bench (docs/benchmarks.md, "Crawl"): a website of 50 posts costs
# about three times a feed or a Telegram channel of 50.
CHAIN_WEIGHT = 3


def split_by_host(sources: list[Source], workers: int) -> list[list[Source]]:
    """Up to ``workers`` groups of sources; all sources of one host stay in one group, so
    per-host politeness holds across processes.

    Websites get groups of their own when there are two workers or more: in a process shared with
    feeds, each feed's parse held up the next request of every website chain waiting behind it,
    and those chains set the crawl's length. The workers are shared between the two kinds in
    proportion to their estimated CPU (CHAIN_WEIGHT).
    """
    workers = max(1, workers)
    chain = [s for s in sources if s.platform in CHAIN_PLATFORMS]
    cost = CHAIN_WEIGHT * len(chain) + len(sources) - len(chain)
    chain_groups = 0
    if chain and len(chain) < len(sources) and workers > 1:
        chain_groups = min(workers - 1, max(1, round(workers * CHAIN_WEIGHT * len(chain) / cost)))
    groups: list[list[Source]] = [[] for _ in range(workers)]
    hosts: dict[str, int] = {}

    def load(i: int, platform: str) -> tuple[int, int]:
        return sum(s.platform == platform for s in groups[i]), len(groups[i])

    for source in sources:
        host = urlsplit(source.url).netloc
        if host not in hosts:
            # A host's first source decides its kind. Among the groups of that kind, the host goes to
            # the one with the fewest sources of its platform, then the fewest sources.
            if not chain_groups:
                candidates = range(workers)
            elif source.platform in CHAIN_PLATFORMS:
                candidates = range(chain_groups)
            else:
                candidates = range(chain_groups, workers)
            hosts[host] = min(candidates, key=lambda i: load(i, source.platform))
        groups[hosts[host]].append(source)
    return [group for group in groups if group]


def runs_in_background(group: list[Source], groups: list[list[Source]]) -> bool:
    """True for a group without websites in a crawl that has some: its work can wait, so its process
    yields the CPU to the website chains (crawler/child.py lowers its priority)."""
    return (not any(s.platform in CHAIN_PLATFORMS for s in group)
            and any(s.platform in CHAIN_PLATFORMS for other in groups for s in other))


def _spawn_child(platforms: set[str]) -> subprocess.Popen:
    """A crawl child for sources of ``platforms``, started before its job is known (``_send_job``).

    A fresh interpreter: Twisted's reactor cannot restart within one process (scrapy#4826). Its
    start-up and Scrapy's imports take most of a second, spent while the parent opens the store.
    """
    return subprocess.Popen([sys.executable, "-m", "crawler.child", ",".join(sorted(platforms))],
                            stdin=subprocess.PIPE, text=True)


def _send_job(child: subprocess.Popen, sources: list[Source], db_path: str, run: str, settings: CrawlSettings,
              workers: int = 1) -> None:
    job = json.dumps({"sources": [asdict(s) for s in sources], "db": db_path, "run": run,
                      "settings": asdict(settings), "workers": workers})
    try:
        child.stdin.write(job)
        child.stdin.close()
    except BrokenPipeError:  # the child died starting up: its sources are recorded as failed below
        pass


def crawl(sources: list[Source], db_path: str | Path, settings: CrawlSettings | None = None,
          progress: Callable[[int, int], None] | None = None) -> CrawlReport:
    """Crawl every source into the store; a failing source is recorded in crawl_runs, never fatal."""
    settings = settings or CrawlSettings()
    started = time.perf_counter()
    db_path = str(db_path)
    scrapy_sources = [s for s in sources if s.platform in SCRAPY_PLATFORMS]
    api_sources = [s for s in sources if s.platform in API_PLATFORMS]
    if not scrapy_sources:
        groups = []
    elif hasattr(os, "fork"):  # one child imports Scrapy once and forks its workers (crawler/child.py)
        groups = [scrapy_sources]
    else:
        groups = split_by_host(scrapy_sources, settings.workers)
    # Children first: each waits for its job on stdin, importing Scrapy meanwhile, and gets it once
    # the store exists and knows the sources.
    children = [_spawn_child({s.platform for s in group}) for group in groups]
    try:
        db = open_store(db_path)
        save_sources(db, sources)
        run = datetime.now().strftime("%Y%m%dT%H%M%S.%f")
        for child, group in zip(children, groups):
            _send_job(child, group, db_path, run, settings, settings.workers if len(groups) == 1 else 1)
    except BaseException:
        for child in children:  # an empty job: the child ends without crawling
            if not child.stdin.closed:
                child.stdin.close()
            child.wait()
        raise
    if api_sources:
        asyncio.run(_run_api(api_sources, db_path, run, settings))
    for child in children:
        while True:
            if progress:
                progress(len(crawl_runs(db, run)), len(sources))
            try:
                child.wait(timeout=0.2)  # returns as soon as the child ends, not at the next tick
                break
            except subprocess.TimeoutExpired:
                continue
    done = {r["source_id"] for r in crawl_runs(db, run)}
    for source in sources:
        if source.id not in done:  # the child died before recording this source
            record_crawl_run(db, run, CrawlRun(source_id=source.id, started=utcnow(), finished=utcnow(),
                                               status="failed", error="crawler process ended before this source finished"))
    if progress:
        progress(len(sources), len(sources))
    return CrawlReport(run=run, runs=crawl_runs(db, run), seconds=time.perf_counter() - started)
