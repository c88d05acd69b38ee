"""Downloader middlewares of our own: each fixes one thing the built-ins get wrong for us."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet.defer import Deferred


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, minus a hole: requests queued while robots.txt downloads.

    In Scrapy 2.19 every request waiting on the same robots.txt awaits one shared Deferred, whose
    result reaches only the first waiter; the others get None and are let through, so disallowed
    URLs were fetched. The parser is stored before the Deferred fires, so read it from there.
    """

    async def robot_parser(self, request):
        result = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc)
        return result if isinstance(stored, Deferred) else stored


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, spaced out: ``Retry-After`` honoured (up to a cap), else exponential backoff.

    Scrapy retries at once; a server answering 429 or 503 asks us to wait, and hammering it
    again would get the crawler banned. A wait longer than the cap gives up for this run.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("MARATHON_RETRY_BACKOFF", 1.0)
        self.max_wait = settings.getfloat("MARATHON_MAX_RETRY_AFTER", 60.0)

    def _delay(self, request, response=None) -> float | None:
        header = response.headers.get(b"Retry-After") if response is not None else None
        if header:
            wait = retry_after_seconds(header.decode("latin-1"))
            if wait is not None:
                return wait if wait <= self.max_wait else None
        return self.backoff * (2 ** request.meta.get("retry_times", 0))

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request, response)
        if delay is None:
            return response  # told to wait longer than we will: the source fails for this run
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await _sleep(delay)
        return retry

    async def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await _sleep(self._delay(request) or 0)
        return retry


def retry_after_seconds(value: str) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class NotModified(IgnoreRequest):
    """The server answered 304: nothing changed since the validators we sent."""


class ConditionalRequestsMiddleware:
    """Sends the ETag / Last-Modified remembered per URL; a 304 ends that branch of the crawl.

    Validators are saved by the pipeline only once a source finished well, so a crawl that died
    half-way never hides pages whose posts were not stored.
    """

    def __init__(self, db_path: str):
        self.db_path = db_path
        self.validators: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler.settings.get("MARATHON_DB"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        middleware.crawler = crawler
        return middleware

    def spider_opened(self, spider=None) -> None:
        from marathon.store import load_validators, open_store

        crawls = getattr(self.crawler.spider, "crawls", {})
        if self.db_path and crawls:
            self.validators = load_validators(open_store(self.db_path), crawls)

    def process_request(self, request, spider=None):
        etag, modified = self.validators.get(request.url, ("", ""))
        if etag:
            request.headers.setdefault(b"If-None-Match", etag)
        if modified:
            request.headers.setdefault(b"If-Modified-Since", modified)
        return None

    def process_response(self, request, response, spider=None):
        if response.status == 304:
            raise NotModified(f"not modified: {request.url}")
        if response.status == 200:
            crawl = self.crawler.spider.crawl_of(request) if hasattr(self.crawler.spider, "crawl_of") else None
            etag = (response.headers.get(b"ETag") or b"").decode("latin-1")
            modified = (response.headers.get(b"Last-Modified") or b"").decode("latin-1")
            if crawl is not None and (etag or modified):
                crawl.validators[request.url] = (etag, modified)
        return response
