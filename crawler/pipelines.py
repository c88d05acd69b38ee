"""Item pipeline: raw post -> Post, validated, stored; counts kept per source."""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.items import RawPost
from marathon.model import CrawlRun, Media, Post, Source, make_post_id, utcnow
from marathon.store import open_store, record_crawl_run, save_validators, upsert_posts


BATCH = 100


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
        self.db = open_store(db_path)
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

    def process_item(self, item: RawPost, spider=None):
        crawl = self.crawler.spider.crawls[item["source_id"]]
        tally = self.tallies.setdefault(crawl.source.id, SourceTally())
        tally.seen += 1
        try:
            post = raw_to_post(item, crawl.source)
        except ValueError as exc:
            tally.dropped.append(str(exc))
            raise DropItem(str(exc)) from None
        else:
            # Stored in batches: one transaction per hundred posts instead of one each.
            self.pending.setdefault(crawl.source.id, []).append(post)
            if len(self.pending[crawl.source.id]) >= BATCH:
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
