"""Scrapy settings built from marathon's config: politeness, limits, identity. One place."""

from __future__ import annotations

from typing import Any

from marathon import __version__
from marathon.config import CrawlSettings


def user_agent(contact_url: str) -> str:
    return f"marathon/{__version__} (+{contact_url})"


def scrapy_settings(crawl: CrawlSettings) -> dict[str, Any]:
    """Polite defaults: robots.txt, per-host concurrency, size and time limits, backoff retries,
    and conditional requests from the ETag / Last-Modified remembered per URL."""
    return {
        "BOT_NAME": "marathon",
        "USER_AGENT": user_agent(crawl.contact_url),
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.per_host,
        "DOWNLOAD_DELAY": crawl.delay,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "MARATHON_RETRY_BACKOFF": crawl.backoff,
        "MARATHON_MAX_RETRY_AFTER": crawl.max_retry_after,
        "REDIRECT_MAX_TIMES": crawl.max_redirects,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "DOWNLOADER": "crawler.downloader.PoliteDownloader",  # per-host concurrency actually held
        "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": 500},
        # Every component is listed here and the *_BASE lists are emptied: Scrapy imports each class a
        # _BASE list names, disabled or not (the remote-control extension alone imports aiohttp, a
        # seventh of a crawl process's start-up). Left out, besides what COOKIES_ENABLED and
        # TELNETCONSOLE_ENABLED turn off: offsite filtering (no allowed_domains), HTTP auth, the HTTP
        # cache (validators live in the store), stats and their collectors, depth tracking, memory
        # watching, feed exports, spider state, AutoThrottle (per-host concurrency does the pacing).
        "DOWNLOADER_MIDDLEWARES_BASE": {},
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.StrictRobotsTxtMiddleware": 100,
            "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
            "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
            "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": 580,
            "crawler.middlewares.ConditionalRequestsMiddleware": 580,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
        },
        "SPIDER_MIDDLEWARES_BASE": {},
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
            "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
            "scrapy.spidermiddlewares.referer.RefererMiddleware": 700,
            "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": 800,
        },
        "EXTENSIONS_BASE": {},
        "EXTENSIONS": {},
        "DOWNLOAD_HANDLERS_BASE": {"http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
                                   "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"},
        "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
        # Items are stored synchronously, so processing a response's items 100 at a time (the default)
        # only adds 100 asyncio tasks per response; the generator check parses each callback's source.
        "CONCURRENT_ITEMS": 1,
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
    }
