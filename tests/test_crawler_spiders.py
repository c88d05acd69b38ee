"""crawler/spiders/__init__.py: a source's callbacks hand on requests at once and posts as one batch."""

from __future__ import annotations

import pytest
import scrapy
from scrapy.http import HtmlResponse

from crawler.spiders import SourceCrawl
from marathon.model import Source


class TwoPostsThenFails(SourceCrawl):
    def parse(self, response):
        yield {"native_id": "1"}
        yield self.follow("http://example.org/page2", self.parse)
        yield None
        yield {"native_id": "2"}
        raise ValueError("broken page")


def _crawl() -> TwoPostsThenFails:
    return TwoPostsThenFails(Source(id="s", name="s", organization="o", country="KZ", platform="website",
                                    url="http://example.org/"))


def test_a_callback_hands_on_its_requests_first_and_its_posts_as_one_batch_even_when_it_fails():
    crawl = _crawl()
    request = next(crawl.start_requests())
    outputs = []
    with pytest.raises(ValueError, match="broken page"):
        for output in request.callback(HtmlResponse(request.url, body=b"<html></html>", request=request)):
            outputs.append(output)
    assert isinstance(outputs[0], scrapy.Request) and outputs[0].url == "http://example.org/page2"
    assert outputs[1] == {"source_id": "s", "posts": [{"native_id": "1"}, {"native_id": "2"}]}
    assert len(outputs) == 2 and crawl.yielded == 1 and crawl.pending == 1  # the second page is still asked


def test_a_source_is_done_once_its_last_batch_is_handled():
    crawl = _crawl()
    crawl.parse = lambda response: iter([{"native_id": "1"}])
    finished = []
    crawl.on_finish = finished.append
    request = next(crawl.start_requests())
    batch = list(request.callback(HtmlResponse(request.url, body=b"", request=request)))
    assert len(batch) == 1 and crawl.pending == 0 and not finished  # the pipeline has not stored it yet
    crawl.handled += 1
    crawl.check_done()
    assert finished == [crawl]
