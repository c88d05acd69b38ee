"""Item pipeline: raw posts -> Posts, validated, stored in batches; counts kept per source."""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy import signals

from crawler.items import PostBatch
from crawler.posts import open_crawl_store, raw_to_post, source_status
from marathon.model import CrawlRun, Post, utcnow
from marathon.store import record_crawl_run, save_validators, upsert_posts


BATCH = 100


@dataclass
class SourceTally:
    seen: int = 0
    new: int = 0
    updated: int = 0
    dropped: list[str] = field(default_factory=list)


class StorePipeline:
    """Stores items in batches; records each source's crawl run as soon as that source is done."""

    def __init__(self, crawler, db_path: str, run: str):
        self.crawler = crawler
        self.db = open_crawl_store(db_path)
        self.run = run
        self.tallies: dict[str, SourceTally] = {}
        self.pending: dict[str, list[Post]] = {}
        self.started = utcnow()

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler, crawler.settings.get("MARATHON_DB"), crawler.settings.get("MARATHON_RUN"))
        crawler.signals.connect(pipeline.on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(pipeline.on_response, signal=signals.response_received)
        return pipeline

    def open_spider(self, spider=None) -> None:
        for crawl in self.crawler.spider.crawls.values():
            crawl.on_finish = self.finish

    def on_response(self, response, request, spider=None) -> None:
        crawl = self.crawler.spider.crawl_of(request)
        if crawl is not None:
            crawl.requests += 1
            crawl.bytes += len(response.body)

    def on_spider_error(self, failure, response, spider=None) -> None:
        """A parser that raised: recorded against the source, the crawl goes on."""
        crawl = self.crawler.spider.crawl_of(response)
        if crawl is not None:
            message = f"{failure.type.__name__} while parsing {response.url}: {failure.getErrorMessage()}"
            crawl.failures.append((response.status, message.splitlines()[0][:300]))

    def process_item(self, item: PostBatch, spider=None):
        """One response's raw posts: the usable ones wait in the source's batch, the others are counted."""
        crawl = self.crawler.spider.crawls[item["source_id"]]
        tally = self.tallies.setdefault(crawl.source.id, SourceTally())
        pending = self.pending.setdefault(crawl.source.id, [])
        try:
            for raw in item["posts"]:
                tally.seen += 1
                try:
                    pending.append(raw_to_post(raw, crawl.source))
                except ValueError as exc:
                    tally.dropped.append(str(exc))
            # Stored in batches: one transaction per hundred posts or per source, not one each.
            if len(pending) >= BATCH:
                self.flush(crawl.source.id)
            return item
        finally:
            crawl.handled += 1
            crawl.check_done()

    def flush(self, source_id: str) -> None:
        posts = self.pending.pop(source_id, [])
        if posts:
            tally = self.tallies.setdefault(source_id, SourceTally())
            new, updated = upsert_posts(self.db, posts)
            tally.new += new
            tally.updated += updated

    def finish(self, crawl) -> None:
        """Store what is left of a source and record its crawl run."""
        source = crawl.source
        self.flush(source.id)
        tally = self.tallies.get(source.id, SourceTally())
        failures = crawl.failures
        status, error = source_status(bool(failures), tally.seen, bool(crawl.known_ids or crawl.not_modified),
                                      source.url)
        run = CrawlRun(source_id=source.id, started=self.started, finished=utcnow(), status=status,
                       http_status=failures[0][0] if failures else 200,
                       error=failures[0][1] if failures else error, requests=crawl.requests,
                       posts_seen=tally.seen, posts_new=tally.new, posts_updated=tally.updated, bytes=crawl.bytes)
        record_crawl_run(self.db, self.run, run)
        if status == "ok" and crawl.validators:
            save_validators(self.db, source.id, crawl.validators)

    def close_spider(self, spider=None) -> None:
        for crawl in self.crawler.spider.crawls.values():
            if not crawl.finished:  # requests dropped without an answer (e.g. at shutdown)
                crawl.finished = True
                self.finish(crawl)
