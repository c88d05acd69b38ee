"""Item pipeline: raw post -> Post, validated, stored; counts kept per source."""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.items import RawPost
from marathon.model import CrawlRun, Media, Post, Source, make_post_id, utcnow
from marathon.store import open_store, record_crawl_run, upsert_posts


BATCH = 100


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
    """Stores each item as it comes; on spider close records the source's crawl run."""

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
        return pipeline

    def on_spider_error(self, failure, response, spider=None) -> None:
        """A parser that raised: recorded against the source, the crawl goes on."""
        message = f"{failure.type.__name__} while parsing {response.url}: {failure.getErrorMessage()}"
        self.crawler.spider.failures.append((response.status, message.splitlines()[0][:300]))

    def process_item(self, item: RawPost, spider=None):
        source = self.crawler.spider.source
        tally = self.tallies.setdefault(source.id, SourceTally())
        tally.seen += 1
        try:
            post = raw_to_post(item, source)
        except ValueError as exc:
            tally.dropped.append(str(exc))
            raise DropItem(str(exc)) from None
        # Stored in batches: one transaction per hundred posts instead of one each.
        self.pending.setdefault(source.id, []).append(post)
        if len(self.pending[source.id]) >= BATCH:
            self.flush(source.id)
        return item

    def flush(self, source_id: str) -> None:
        posts = self.pending.pop(source_id, [])
        if posts:
            tally = self.tallies.setdefault(source_id, SourceTally())
            new, updated = upsert_posts(self.db, posts)
            tally.new += new
            tally.updated += updated

    def close_spider(self, spider=None) -> None:
        spider = self.crawler.spider
        source = spider.source
        self.flush(source.id)
        tally = self.tallies.get(source.id, SourceTally())
        stats = spider.crawler.stats
        failures = spider.failures
        status, error = "ok", ""
        if failures and tally.seen == 0:
            status = "failed"
        elif failures:
            status = "partial"
        elif tally.seen == 0 and not spider.known_ids:
            # 200 but nothing we can read: a moved feed or a redesigned page, worth a look.
            status, error = "empty", f"no posts found at {source.url}"
        run = CrawlRun(source_id=source.id, started=self.started, finished=utcnow(), status=status,
                       http_status=failures[0][0] if failures else 200,
                       error=failures[0][1] if failures else error,
                       requests=stats.get_value("downloader/request_count", 0),
                       posts_seen=tally.seen, posts_new=tally.new, posts_updated=tally.updated,
                       bytes=stats.get_value("downloader/response_bytes", 0))
        record_crawl_run(self.db, self.run, run)

