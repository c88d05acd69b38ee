"""JSON API clients (httpx): platforms whose public data comes as JSON rather than pages.

``fetch`` is the one way they make a request: per-host concurrency, a size cap, retries
with backoff that honour Retry-After, the same politeness as the Scrapy spiders.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from urllib.parse import urlsplit

import httpx

from marathon.config import CrawlSettings

RETRY_STATUSES = {429, 500, 502, 503, 504}


class ResponseTooLarge(httpx.RequestError):
    """The body went over the size cap; the rest was not downloaded."""


class Politeness:
    """Per-host semaphores and counters shared by every API source of one crawl."""

    def __init__(self, settings: CrawlSettings):
        self.settings = settings
        self.hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(settings.per_host))


def retry_wait(response: httpx.Response | None, attempt: int, settings: CrawlSettings) -> float | None:
    """Seconds to wait before the next attempt; None when the server asks for longer than we wait."""
    from crawler.middlewares import retry_after_seconds

    header = response.headers.get("retry-after") if response is not None else None
    if header:
        wait = retry_after_seconds(header)
        if wait is not None:
            return wait if wait <= settings.max_retry_after else None
    wait = rate_limit_reset(response)
    if wait is not None:
        return wait if wait <= settings.max_retry_after else None
    return settings.backoff * (2 ** attempt)


def rate_limit_reset(response: httpx.Response | None) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` (Mastodon sends an ISO 8601 time), if the server sent one."""
    from datetime import datetime, timezone

    value = response.headers.get("x-ratelimit-reset") if response is not None else None
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


async def fetch(client: httpx.AsyncClient, url: str, politeness: Politeness, stats: dict) -> httpx.Response:
    """GET ``url`` politely; counts requests and bytes into ``stats``. Raises httpx errors."""
    settings = politeness.settings
    host = urlsplit(url).netloc
    for attempt in range(settings.retries + 1):
        async with politeness.hosts[host]:
            try:
                response = await _get_capped(client, url, settings.max_bytes)
            except (httpx.TimeoutException, httpx.NetworkError):
                stats["requests"] = stats.get("requests", 0) + 1
                if attempt == settings.retries:
                    raise
                await asyncio.sleep(retry_wait(None, attempt, settings) or 0)
                continue
            if settings.delay:
                await asyncio.sleep(settings.delay)
        stats["requests"] = stats.get("requests", 0) + 1
        stats["bytes"] = stats.get("bytes", 0) + len(response.content)
        stats["http_status"] = response.status_code
        if response.status_code in RETRY_STATUSES and attempt < settings.retries:
            wait = retry_wait(response, attempt, settings)
            if wait is not None:
                await asyncio.sleep(wait)
                continue
        if response.headers.get("x-ratelimit-remaining") == "0":
            # The quota is spent: wait for its reset before this host's next request, if we will.
            wait = rate_limit_reset(response)
            if wait is not None and wait <= settings.max_retry_after:
                async with politeness.hosts[host]:
                    await asyncio.sleep(wait)
        return response
    return response


async def _get_capped(client: httpx.AsyncClient, url: str, max_bytes: int) -> httpx.Response:
    async with client.stream("GET", url) as response:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise ResponseTooLarge(f"response of {declared} bytes is over the {max_bytes}-byte cap", request=response.request)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise ResponseTooLarge(f"response over the {max_bytes}-byte cap", request=response.request)
    # The body is already decoded: drop the headers that would make httpx decode it again.
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")]
    return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=response.request)


def make_client(settings: CrawlSettings, user_agent: str) -> httpx.AsyncClient:
    timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
    return httpx.AsyncClient(headers={"User-Agent": user_agent, "Accept": "application/json"}, timeout=timeout,
                             follow_redirects=True, max_redirects=settings.max_redirects, trust_env=False,
                             http2=_http2_available())


def _http2_available() -> bool:
    try:
        import h2  # noqa: F401
    except ImportError:
        return False
    return True
