"""Scrapy spiders: one crawl object per source says what to fetch and how to parse it.

All sources run in one Scrapy spider (``MarathonSpider``) so they share one crawler: one
robots.txt cache, one HTTP cache, per-host slots, and no per-crawler start-up cost. Each
source's requests carry its id; the source is done when none of its requests is pending
and every batch of posts it yielded went through the pipeline.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

import scrapy

from crawler.items import PostBatch, RawPost
from marathon.model import Source


class SourceCrawl:
    """The crawl of one source. ``known_ids`` are native ids already stored: paging stops there."""

    platform = ""

    def __init__(self, source: Source, known_ids: set[str] | None = None):
        self.source = source
        self.known_ids = set(known_ids or ())
        self.pages = 0
        self.failures: list[tuple[int | None, str]] = []
        self.pending = 0      # requests sent and not yet answered
        self.yielded = 0      # batches of posts handed to the pipeline
        self.handled = 0      # batches the pipeline has stored
        self.requests = 0
        self.bytes = 0
        self.finished = False
        self.validators: dict[str, tuple[str, str]] = {}  # url -> (ETag, Last-Modified) seen this run
        self.not_modified = 0
        self.on_finish: Callable[["SourceCrawl"], None] = lambda crawl: None
        self._asked: set[str] = set()

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield self.follow(self.source.url, self.parse)

    def parse(self, response) -> Iterable:
        raise NotImplementedError

    def follow(self, url: str, callback: Callable, **kwargs: Any) -> scrapy.Request | None:
        """A request of this source, counted until answered; each URL at most once per run."""
        if url in self._asked:
            return None
        self._asked.add(url)
        self.pending += 1
        return scrapy.Request(url, callback=self._counted(callback), errback=self._failed, dont_filter=True,
                              meta={"source_id": self.source.id}, **kwargs)

    def _counted(self, method: Callable) -> Callable:
        """``method`` as a Scrapy callback: its requests pass on at once, its raw posts go to the
        pipeline together as one PostBatch after them (also when the parser fails half-way)."""
        def callback(response):
            try:
                posts: list[RawPost] = []
                error = None
                try:
                    for output in method(response) or ():
                        if isinstance(output, scrapy.Request):
                            yield output
                        elif output is not None:
                            posts.append(output)
                except Exception as exc:  # noqa: BLE001 (re-raised below, after the posts read so far)
                    error = exc
                if posts:
                    self.yielded += 1
                    yield PostBatch(source_id=self.source.id, posts=posts)
                if error is not None:
                    raise error
            finally:
                self.pending -= 1
                self.check_done()
        return callback

    def _failed(self, failure) -> None:
        from crawler.middlewares import NotModified

        if failure.check(NotModified):
            self.not_modified += 1  # unchanged since last time: not a failure
        else:
            self.on_error(failure)
        self.pending -= 1
        self.check_done()

    def on_error(self, failure) -> None:
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        message = failure.getErrorMessage().splitlines()[0] if failure.getErrorMessage() else failure.type.__name__
        if status:
            message = f"HTTP {status} for {failure.request.url}"
        self.failures.append((status, message[:300]))

    def check_done(self) -> None:
        if not self.finished and self.pending == 0 and self.handled >= self.yielded:
            self.finished = True
            self.on_finish(self)

    def turn_page(self) -> bool:
        """Count a page; False once the source's page cap is reached."""
        self.pages += 1
        return self.pages < self.source.max_pages


class MarathonSpider(scrapy.Spider):
    """Runs every source's crawl in one Scrapy crawler."""

    name = "marathon"

    def __init__(self, crawls: list[SourceCrawl], **kwargs: Any):
        super().__init__(**kwargs)
        self.crawls = {crawl.source.id: crawl for crawl in crawls}

    async def start(self):
        for crawl in self.crawls.values():
            for request in crawl.start_requests():
                if request is not None:
                    yield request

    def crawl_of(self, request_or_response) -> SourceCrawl | None:
        return self.crawls.get((request_or_response.meta or {}).get("source_id"))
