"""Downloader middlewares of our own: each fixes one thing the built-ins get wrong for us."""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
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
