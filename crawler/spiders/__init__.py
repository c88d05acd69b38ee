"""Scrapy spiders, one per platform: each says what to fetch and how to parse it."""

from __future__ import annotations

from typing import Any

import scrapy

from marathon.model import Source


class SourceSpider(scrapy.Spider):
    """A spider for one source. ``known_ids`` are native ids already stored: paging stops there."""

    platform = ""

    def __init__(self, source: Source, known_ids: set[str] | None = None, **kwargs: Any):
        super().__init__(name=f"{self.platform}:{source.id}", **kwargs)
        self.source = source
        self.known_ids = set(known_ids or ())
        self.pages = 0
        self.failures: list[tuple[int | None, str]] = []

    async def start(self):
        yield scrapy.Request(self.source.url, callback=self.parse, errback=self.on_error, dont_filter=True)

    def on_error(self, failure) -> None:
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        message = failure.getErrorMessage().splitlines()[0] if failure.getErrorMessage() else failure.type.__name__
        if status:
            message = f"HTTP {status} for {failure.request.url}"
        self.failures.append((status, message[:300]))
        self.logger.warning("%s: %s", self.source.id, message)

    def turn_page(self) -> bool:
        """Count a page; False once the source's page cap is reached."""
        self.pages += 1
        return self.pages < self.source.max_pages
