"""The httpx side is as polite as the spiders: rate limits waited out, size cap, retries."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from crawler.api import Politeness, ResponseTooLarge, fetch
from crawler.api.mastodon import fetch_mastodon
from marathon.config import CrawlSettings
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.model import Source

STATUS = {"id": "1", "created_at": "2020-05-14T09:00:00.000Z", "visibility": "public", "language": "en",
          "url": "http://127.0.0.1/@rsm/1", "content": "<p>We are together! #WeAreTogether</p>",
          "account": {"acct": "rsm", "display_name": "RSM"}, "media_attachments": [], "tags": []}


def run(coroutine):
    return asyncio.run(coroutine)


class RateLimited:
    """429 with X-RateLimit-Reset one second ahead, then the statuses."""

    def __init__(self):
        self.times: list[float] = []

    def __call__(self, handler):
        self.times.append(time.monotonic())
        if len(self.times) == 1:
            reset = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat()
            return Recorded(429, b"{}", "application/json", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
        return Recorded(200, json.dumps([STATUS]).encode(), "application/json")


def test_mastodon_waits_for_the_rate_limit_reset_then_reads_the_page():
    answer = RateLimited()
    with RecordedServer({"/api/v1/accounts/1/statuses": answer}) as server:
        source = Source(id="m", name="m", organization="o", country="RU", platform="mastodon",
                        url=server.base_url + "/api/v1/accounts/1/statuses")

        async def go():
            async with httpx.AsyncClient(trust_env=False) as client:
                return await fetch_mastodon(client, source, set(), Politeness(CrawlSettings(backoff=0.01)))

        posts, stats = run(go())
    assert [p["native_id"] for p in posts] == ["1"]
    assert answer.times[1] - answer.times[0] >= 0.9


def test_a_reset_further_away_than_the_cap_gives_up_instead_of_waiting():
    reset = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    routes = {"/x": Recorded(429, b"{}", "application/json", {"X-RateLimit-Reset": reset})}
    with RecordedServer(routes) as server:
        async def go():
            async with httpx.AsyncClient(trust_env=False) as client:
                stats: dict = {}
                response = await fetch(client, server.base_url + "/x", Politeness(CrawlSettings()), stats)
                return response, stats

        response, stats = run(go())
    assert response.status_code == 429
    assert stats["requests"] == 1


def test_a_json_answer_over_the_size_cap_is_abandoned():
    with RecordedServer({"/big": Recorded(200, b"[" + b"0," * 100_000 + b"0]", "application/json")}) as server:
        async def go():
            async with httpx.AsyncClient(trust_env=False) as client:
                await fetch(client, server.base_url + "/big", Politeness(CrawlSettings(max_bytes=10_000)), {})

        with pytest.raises(ResponseTooLarge):
            run(go())


def test_server_errors_are_retried_with_backoff_until_an_answer():
    calls = []

    def flaky(handler):
        calls.append(time.monotonic())
        return Recorded(503, b"down") if len(calls) < 3 else Recorded(200, b"[]", "application/json")

    with RecordedServer({"/flaky": flaky}) as server:
        async def go():
            async with httpx.AsyncClient(trust_env=False) as client:
                return await fetch(client, server.base_url + "/flaky",
                                   Politeness(CrawlSettings(retries=2, backoff=0.05)), {})

        response = run(go())
    assert response.status_code == 200 and len(calls) == 3
    assert calls[2] - calls[1] >= calls[1] - calls[0] >= 0.04  # the second wait is the longer one
