"""Scrapy settings built from marathon's config: politeness, limits, identity. One place."""

from __future__ import annotations

from typing import Any

from marathon import __version__

DEFAULT_MAXSIZE = 5 * 1024 * 1024
CONCURRENCY_PER_HOST = 2
TIMEOUT_SECONDS = 30


def user_agent(contact_url: str) -> str:
    return f"marathon/{__version__} (+{contact_url})"


def scrapy_settings(contact_url: str, cache_dir: str | None = None) -> dict[str, Any]:
    """Polite defaults: robots.txt, two requests at once per host, size and time limits.

    With ``cache_dir``, Scrapy's HTTP cache with the RFC 2616 policy remembers ETag and
    Last-Modified per URL; ``max-age=0`` makes every request a conditional revalidation, so an
    unchanged page costs a 304 instead of its body.
    """
    cache = {
        "HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": cache_dir, "HTTPCACHE_EXPIRATION_SECS": 0,
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
        "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
        "DEFAULT_REQUEST_HEADERS": {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                                    "Accept-Language": "*", "Cache-Control": "max-age=0"},
    } if cache_dir else {}
    return cache | {
        "BOT_NAME": "marathon",
        "USER_AGENT": user_agent(contact_url),
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY_PER_HOST,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_TIMEOUT": TIMEOUT_SECONDS,
        "DOWNLOAD_MAXSIZE": DEFAULT_MAXSIZE,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": 500},
        "DOWNLOADER_MIDDLEWARES": {"scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                                   "crawler.middlewares.StrictRobotsTxtMiddleware": 100},
        "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
    }
