"""Scrapy settings built from marathon's config: politeness, limits, identity. One place."""

from __future__ import annotations

from typing import Any

from marathon import __version__

DEFAULT_MAXSIZE = 5 * 1024 * 1024
CONCURRENCY_PER_HOST = 2
TIMEOUT_SECONDS = 30


def user_agent(contact_url: str) -> str:
    return f"marathon/{__version__} (+{contact_url})"


def scrapy_settings(contact_url: str) -> dict[str, Any]:
    """Polite defaults: robots.txt, two requests at once per host, size and time limits."""
    return {
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
        "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
    }
