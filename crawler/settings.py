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
        "DOWNLOADER_MIDDLEWARES": {"scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                                   "crawler.middlewares.StrictRobotsTxtMiddleware": 100,
                                   "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
                                   "crawler.middlewares.BackoffRetryMiddleware": 550,
                                   "crawler.middlewares.ConditionalRequestsMiddleware": 580,
                                   "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
                                   "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
                                   "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
                                   "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
                                   "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None},
        # What we do not use costs per request or at start-up (see docs/benchmarks.md, "Crawl"):
        # items are stored synchronously, so processing them 100 at a time only adds asyncio tasks
        # (100 per response); the generator check parses each callback's source; stats are not read.
        "CONCURRENT_ITEMS": 1,
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
        "DOWNLOAD_HANDLERS": {"s3": None, "ftp": None, "file": None, "data": None},
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                               "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None},
        "EXTENSIONS": {name: None for name in (
            "scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.corestats.CoreStats",
            "scrapy.extensions.memusage.MemoryUsage", "scrapy.extensions.memdebug.MemoryDebugger",
            "scrapy.extensions.closespider.CloseSpider", "scrapy.extensions.feedexport.FeedExporter",
            "scrapy.extensions.logstats.LogStats", "scrapy.extensions.spiderstate.SpiderState",
            "scrapy.extensions.throttle.AutoThrottle", "scrapy.extensions.remote_control.RemoteControl")},
    }
