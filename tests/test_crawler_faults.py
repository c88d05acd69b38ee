"""A bad source never hurts the others, and nothing stored is lost.

One crawl runs a good Telegram channel next to a source for each fault; each test reads
what that crawl recorded. A second crawl then finds the good channel's posts gone or edited.
"""

from __future__ import annotations

import time

import pytest

from crawler.run import crawl
from marathon.config import CrawlSettings
from marathon.demo.recorded import HANDLED, Recorded, RecordedServer
from marathon.model import Source
from marathon.store import crawl_runs, iter_posts, open_store, post_versions

SETTINGS = CrawlSettings(contact_url="http://127.0.0.1/contact", timeout=2.0, connect_timeout=1.0, max_bytes=50_000,
                         retries=1, backoff=0.05, max_retry_after=1.0, max_redirects=3)
ROBOTS = Recorded(200, b"User-agent: *\nAllow: /\n", "text/plain")


def channel_page(messages: list[tuple[int, str]]) -> bytes:
    items = "".join(
        f'<div class="tgme_widget_message js-widget_message" data-post="kursk/{i}">'
        f'<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>'
        f'<div class="tgme_widget_message_footer"><span class="tgme_widget_message_meta">'
        f'<a class="tgme_widget_message_date" href="/kursk/{i}"><time datetime="2020-05-1{i % 10}T09:00:00+00:00">09:00</time>'
        f'</a></span></div></div>' for i, text in messages)
    return f'<html><body><section class="tgme_channel_history">{items}</section></body></html>'.encode()


GOOD = [(1, "Волонтёры доставили лекарства пожилым людям Курска. #МыВместе"),
        (2, "Горячая линия приняла 300 звонков за выходные. Спасибо всем! #МыВместе")]


def stall(handler):
    """Headers and half a body, then silence: the read timeout must end it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>half')
    handler.wfile.flush()
    time.sleep(5)
    return HANDLED


class Flaky:
    """429 with Retry-After the first time, then the page."""

    def __init__(self, page: bytes):
        self.page, self.calls = page, []

    def __call__(self, handler):
        self.calls.append(time.monotonic())
        if len(self.calls) == 1:
            return Recorded(429, b"slow down", "text/plain", {"Retry-After": "1"})
        return Recorded(200, self.page)


def source(server, sid: str, platform: str, path: str) -> Source:
    return Source(id=sid, name=sid, organization="Test org", country="RU", platform=platform,
                  url=server.base_url + path)


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("faults") / "store.db"
    cp1251 = ('<html><head><meta charset="utf-8"></head><body><section>'
              + channel_page([(7, "Волонтёры провели субботник в Рыльске. #МыВместе")]).decode()
              + "</section></body></html>").encode("cp1251")
    flaky = Flaky(channel_page([(5, "Студенты-медики помогли в пунктах вакцинации. #МыВместе")]))
    routes = {
        "/robots.txt": ROBOTS,
        "/s/kursk": Recorded(200, channel_page(GOOD)),
        "/s/flaky": flaky,
        "/s/cp1251": Recorded(200, cp1251, "text/html; charset=utf-8"),
        "/s/hidden": Recorded(302, b"", headers={"Location": "/hidden"}),
        "/hidden": Recorded(200, b"<html><body>Channel preview is not available</body></html>"),
        "/feed/stall.xml": stall,
        "/feed/huge.xml": Recorded(200, b"<rss>" + b"x" * 200_000 + b"</rss>", "application/rss+xml"),
        "/feed/invalid.xml": Recorded(200, b"<rss><channel><item><title>unclosed", "application/rss+xml"),
        "/feed/gone.xml": Recorded(404, b"not found", "text/plain"),
        "/feed/broken.xml": Recorded(503, b"down", "text/plain"),
        "/loop/a": Recorded(302, b"", headers={"Location": "/loop/b"}),
        "/loop/b": Recorded(302, b"", headers={"Location": "/loop/a"}),
        "/news/": Recorded(200, b"<html><body><div><p>unclosed <b>tags <article><h2><a href='/news/x/'>"),
    }
    with RecordedServer(routes) as server:
        sources = [source(server, "good", "telegram", "/s/kursk"), source(server, "flaky", "telegram", "/s/flaky"),
                   source(server, "cp1251", "telegram", "/s/cp1251"), source(server, "hidden", "telegram", "/s/hidden"),
                   source(server, "stall", "rss", "/feed/stall.xml"), source(server, "huge", "rss", "/feed/huge.xml"),
                   source(server, "invalid", "rss", "/feed/invalid.xml"), source(server, "gone", "rss", "/feed/gone.xml"),
                   source(server, "broken", "rss", "/feed/broken.xml"), source(server, "loop", "rss", "/loop/a"),
                   source(server, "malformed", "website", "/news/")]
        first = crawl(sources, db_path, SETTINGS)
        # Second run: the good channel's first post was edited and its second one disappeared.
        routes["/s/kursk"] = Recorded(200, channel_page([(1, GOOD[0][1] + " Фото в комментариях.")]))
        second = crawl(sources[:1], db_path, SETTINGS)
        flaky_calls = flaky.calls
    runs = {r["source_id"]: r for r in first.runs}
    return db_path, runs, second, flaky_calls


def test_the_good_source_is_stored_whatever_the_others_do(faulty_crawl):
    _, runs, _, _ = faulty_crawl
    assert (runs["good"]["status"], runs["good"]["posts_new"]) == ("ok", 2)


@pytest.mark.parametrize("sid, status, fragment", [
    ("gone", 404, "HTTP 404"),
    ("broken", 503, "HTTP 503"),
])
def test_http_errors_are_recorded_per_source_with_their_code(faulty_crawl, sid, status, fragment):
    _, runs, _, _ = faulty_crawl
    assert (runs[sid]["status"], runs[sid]["http_status"]) == ("failed", status)
    assert fragment in runs[sid]["error"]


def test_a_server_stalling_mid_body_times_out_as_a_failure(faulty_crawl):
    _, runs, _, _ = faulty_crawl
    assert runs["stall"]["status"] == "failed"
    assert runs["stall"]["error"]


def test_a_response_over_the_size_cap_is_abandoned(faulty_crawl):
    _, runs, _, _ = faulty_crawl
    assert runs["huge"]["status"] == "failed"
    assert "size" in runs["huge"]["error"].lower() or "maxsize" in runs["huge"]["error"].lower()


def test_a_redirect_loop_fails_the_source_after_the_redirect_limit(faulty_crawl):
    _, runs, _, _ = faulty_crawl
    assert runs["loop"]["status"] == "failed"
    assert runs["loop"]["requests"] <= SETTINGS.max_redirects + 2


def test_invalid_xml_and_malformed_html_give_no_posts_and_no_crash(faulty_crawl):
    _, runs, _, _ = faulty_crawl
    assert runs["invalid"]["posts_new"] == 0 and runs["malformed"]["posts_new"] == 0


def test_a_429_with_retry_after_is_retried_after_the_wait_and_then_stored(faulty_crawl):
    _, runs, _, calls = faulty_crawl
    assert len(calls) >= 2
    assert calls[1] - calls[0] >= 0.9  # Retry-After: 1 was honoured, not retried at once
    assert (runs["flaky"]["status"], runs["flaky"]["posts_new"]) == ("ok", 1)


def test_cyrillic_in_cp1251_labelled_utf8_is_stored_readable(faulty_crawl):
    db_path, _, _, _ = faulty_crawl
    (post,) = iter_posts(open_store(db_path), where="source_id = ?", params=["cp1251"])
    assert post.text == "Волонтёры провели субботник в Рыльске. #МыВместе"


def test_a_channel_without_public_preview_is_reported_as_such(faulty_crawl):
    _, runs, _, _ = faulty_crawl
    assert runs["hidden"]["status"] == "failed"
    assert "no public web preview" in runs["hidden"]["error"]


def test_posts_that_disappeared_from_a_source_stay_stored(faulty_crawl):
    db_path, _, _, _ = faulty_crawl
    texts = {p.text for p in iter_posts(open_store(db_path), where="source_id = ?", params=["good"])}
    assert GOOD[1][1] in texts


def test_an_edited_post_is_updated_in_place_keeping_its_previous_text(faulty_crawl):
    db_path, _, second, _ = faulty_crawl
    assert (second.posts_new, second.posts_updated) == (0, 1)
    db = open_store(db_path)
    edited = next(p for p in iter_posts(db, where="source_id = ?", params=["good"]) if p.native_id == "1")
    assert edited.text.endswith("Фото в комментариях.")
    assert [v["text"] for v in post_versions(db, edited.id)] == [GOOD[0][1]]


def test_every_source_of_the_run_has_its_crawl_run_row(faulty_crawl):
    db_path, runs, _, _ = faulty_crawl
    assert len(runs) == 11
    assert all(r["finished"] for r in crawl_runs(open_store(db_path)))
