"""Scrapy's downloader, holding each host to its concurrency again (``CONCURRENT_REQUESTS_PER_DOMAIN``).

In Scrapy 2.19 with the asyncio reactor, ``Downloader._process_queue`` starts the queued requests
of a host while ``slot.free_transfer_slots()`` is positive, but each download is an asyncio task
that marks itself as transferring only when it first runs, on a later turn of the loop. So the
loop empties the whole queue: when a listing page yields ten articles, all ten are asked at once
(the crawl benchmark saw nine requests at once to a host allowed two). Marking the request as
transferring when its task is created closes the hole; ``_download`` adds it again (a set: no
change) and removes it when the response is in, as before.
"""

from __future__ import annotations

from scrapy.core.downloader import Downloader


class PoliteDownloader(Downloader):
    def _wait_for_download(self, slot, request, *args, **kwargs):
        slot.transferring.add(request)  # counted now, in _process_queue's loop, not when the task starts
        return super()._wait_for_download(slot, request, *args, **kwargs)
