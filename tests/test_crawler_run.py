"""Whole crawls through crawler.run.crawl against saved responses served on 127.0.0.1.

Two crawls share the module (each spawns a Scrapy child process): a first one over every source,
then a re-crawl into the same store. Each records what it stored and what was requested, and the
tests read those records. The last test crawls one Mastodon account alone, in this process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.run import CrawlReport, crawl
from marathon.config import CrawlSettings
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.model import Media, Post, Source
from marathon.store import crawl_runs, iter_posts, open_store
from tests.conftest import RESPONSES

SITE_ORIGIN = "https://yoshlar-kongilli.uz"
MASTODON_ORIGIN = "https://mastodon.social"
ACCOUNT = "/api/v1/accounts/109512346789012345/statuses"
ALLOW_ALL = Recorded(200, b"User-agent: *\nAllow: /\n", "text/plain")
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
# The real defaults, but retries of the failing sources a few milliseconds apart instead of 1 s, 2 s.
QUICK_RETRIES = CrawlSettings(backoff=0.01)

ARTICLE_A = "/news/toshkentda-qon-topshirish-aksiyasi/"
ARTICLE_B = "/news/samarqand-kitob-yarmarkasi/"
CHANNEL = "/s/birgemiz_youth"


def _saved(path: str, content_type: str = "text/html; charset=utf-8", rebase: tuple[str, str] | None = None,
           headers: dict[str, str] | None = None) -> Recorded:
    """A saved response; ``rebase`` = (real origin, test server origin) rewrites its absolute links."""
    body = (RESPONSES / path).read_bytes()
    if rebase:
        body = body.replace(rebase[0].encode(), rebase[1].encode())
    return Recorded(200, body, content_type, headers or {})


def _link_header(path: str, base: str) -> dict[str, str]:
    return {"Link": (RESPONSES / path).read_text().strip().replace(MASTODON_ORIGIN, base)}


def _website_routes(base: str) -> dict[str, Recorded]:
    rebase = (SITE_ORIGIN, base)
    return {
        "/news/": _saved("website/news.html", rebase=rebase),
        "/news/page/2/": _saved("website/news-page-2.html", rebase=rebase),
        ARTICLE_A: _saved("website/toshkentda-qon-topshirish-aksiyasi.html", rebase=rebase),
        ARTICLE_B: _saved("website/samarqand-kitob-yarmarkasi.html", rebase=rebase),
    }


def _network_routes(base: str) -> dict[str, Recorded]:
    garbage = _saved("website/garbage.html")
    return {
        "/robots.txt": ALLOW_ALL,
        "/feeds/vmeste.xml": _saved("rss/volunteers-ru.xml", RSS),
        "/feeds/genckonullu.atom": _saved("rss/youth-network-az.atom", ATOM),
        "/feeds/kamavor.xml": _saved("rss/broken-entry-hy.xml", RSS),
        CHANNEL: _saved("telegram/birgemiz_youth.html"),
        f"{CHANNEL}?before=141": _saved("telegram/birgemiz_youth-before-141.html"),
        **_website_routes(base),
        ACCOUNT: _saved("mastodon/statuses-1.json", JSON, headers=_link_header("mastodon/statuses-1.link", base)),
        f"{ACCOUNT}?max_id=114126000000000002": _saved(
            "mastodon/statuses-2.json", JSON, headers=_link_header("mastodon/statuses-2.link", base)),
        f"{ACCOUNT}?max_id=114118000000000000": Recorded(200, b"[]", JSON),  # past the oldest status
        f"{ACCOUNT}?since_id=114130000000000006": Recorded(200, b"[]", JSON),  # nothing newer than the newest
        "/feeds/down.xml": Recorded(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>"),
        "/s/closed_channel": Recorded(404, b"<html><body>Not Found</body></html>"),
        "/api/v1/accounts/404404/statuses": Recorded(404, b'{"error":"Record not found"}', JSON),
        "/garbage/feed.xml": garbage,
        "/s/garbage_channel": garbage,
        "/garbage/news/": garbage,
    }


def _source(id: str, platform: str, url: str, country: str, max_pages: int = 20) -> Source:
    return Source(id=id, name=id.replace("-", " ").title(), organization=f"Org {id}", country=country,
                  platform=platform, url=url, max_pages=max_pages)


HEALTHY = {  # source id -> native ids it must store (article ids are paths on the test server)
    "vmeste-rss": {f"https://vmeste-volunteers.ru/?p={n}" for n in (4812, 4797, 4775, 4761, 4750)},
    "genc-atom": {"tag:genckonullu.az,2025:xeber-318", "tag:genckonullu.az,2025:xeber-311"},
    "kamavor-rss": {"https://kamavor-youth.am/news/gyumri-library", "https://kamavor-youth.am/news/winter-campaign"},
    "birgemiz-tg": {"141", "142", "144", "145", "146", "134", "135", "137", "138", "140"},
    "yoshlar-web": {ARTICLE_A, ARTICLE_B},
    "yuva-mastodon": {"114130000000000006", "114128700000000100", "114126000000000002",
                      "114120000000000001", "114118000000000000"},
}
FAILING = {"down-rss": 500, "closed-tg": 404, "gone-mastodon": 404}
GARBAGE = ("garbage-rss", "garbage-tg", "garbage-web")


def _sources(net: str, polite: str) -> list[Source]:
    return [
        _source("vmeste-rss", "rss", f"{net}/feeds/vmeste.xml", "RU"),
        _source("genc-atom", "rss", f"{net}/feeds/genckonullu.atom", "AZ"),
        _source("kamavor-rss", "rss", f"{net}/feeds/kamavor.xml", "AM"),
        _source("birgemiz-tg", "telegram", f"{net}{CHANNEL}", "KZ", max_pages=2),
        _source("yoshlar-web", "website", f"{net}/news/", "UZ"),
        _source("yuva-mastodon", "mastodon", f"{net}{ACCOUNT}", "IN"),
        _source("down-rss", "rss", f"{net}/feeds/down.xml", "RU"),
        _source("closed-tg", "telegram", f"{net}/s/closed_channel", "KG"),
        _source("gone-mastodon", "mastodon", f"{net}/api/v1/accounts/404404/statuses", "IN"),
        _source("garbage-rss", "rss", f"{net}/garbage/feed.xml", "KZ"),
        _source("garbage-tg", "telegram", f"{net}/s/garbage_channel", "KG"),
        _source("garbage-web", "website", f"{net}/garbage/news/", "UZ"),
        _source("polite-web", "website", f"{polite}/news/", "UZ"),
        _source("private-rss", "rss", f"{polite}/private/feed.xml", "RU"),
    ]


@dataclass
class Network:
    net: RecordedServer     # every platform, plus failing and garbage sources
    polite: RecordedServer  # a website whose robots.txt disallows its paging
    sources: list[Source]
    db_path: Path


@dataclass
class CrawlResult:
    report: CrawlReport
    runs: dict[str, dict]           # source id -> its crawl_runs row
    posts: dict[str, list[Post]]    # source id -> posts stored after the crawl
    net_requests: list[str]         # paths asked of each server during this crawl
    polite_requests: list[str]


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    with RecordedServer({}) as net, RecordedServer({}) as polite:
        net.routes.update(_network_routes(net.base_url))
        robots = b"User-agent: *\nDisallow: /news/page/\nDisallow: /private/\n"
        polite.routes.update({"/robots.txt": Recorded(200, robots, "text/plain"),
                              "/private/feed.xml": _saved("rss/volunteers-ru.xml", RSS),
                              **_website_routes(polite.base_url)})
        db_path = tmp_path_factory.mktemp("crawl") / "store.db"
        yield Network(net, polite, _sources(net.base_url, polite.base_url), db_path)


def _crawl(network: Network) -> CrawlResult:
    before_net, before_polite = len(network.net.requests), len(network.polite.requests)
    report = crawl(network.sources, network.db_path, settings=QUICK_RETRIES)
    db = open_store(network.db_path)
    posts: dict[str, list[Post]] = {}
    for post in iter_posts(db):
        posts.setdefault(post.source_id, []).append(post)
    runs = {r["source_id"]: r for r in crawl_runs(db, report.run)}
    db.close()
    return CrawlResult(report, runs, posts, network.net.requests[before_net:], network.polite.requests[before_polite:])


@pytest.fixture(scope="module")
def first(network) -> CrawlResult:
    return _crawl(network)


@pytest.fixture(scope="module")
def second(network, first) -> CrawlResult:
    return _crawl(network)


def _native_ids(result: CrawlResult, source_id: str) -> set[str]:
    return {p.native_id for p in result.posts.get(source_id, [])}


def _paths(result: CrawlResult, prefix: str) -> list[str]:
    return sorted(p for p in result.net_requests if p.startswith(prefix))


def _website_native_ids(network: Network, result: CrawlResult, source_id: str = "yoshlar-web") -> set[str]:
    base = network.net.base_url if source_id == "yoshlar-web" else network.polite.base_url
    return {n.removeprefix(base) for n in _native_ids(result, source_id)}


# --- the first crawl -----------------------------------------------------------------------------

@pytest.mark.parametrize("source_id", sorted(HEALTHY))
def test_each_platform_posts_land_in_the_store(network, first, source_id):
    stored = _website_native_ids(network, first, source_id) if source_id == "yoshlar-web" else \
        _native_ids(first, source_id)
    assert stored == HEALTHY[source_id]


@pytest.mark.parametrize("source_id", sorted(HEALTHY))
def test_crawl_run_counts_every_stored_post_as_new(first, source_id):
    run = first.runs[source_id]
    assert (run["posts_new"], run["posts_updated"]) == (len(HEALTHY[source_id]), 0)


def test_every_source_gets_exactly_one_crawl_run_record(network, first):
    ids = [r["source_id"] for r in first.report.runs]
    assert sorted(ids) == sorted(s.id for s in network.sources)


def test_stored_telegram_post_reads_back_as_the_channel_published_it(first):
    post = next(p for p in first.posts["birgemiz-tg"] if p.native_id == "141")
    assert post.platform == "telegram"
    assert post.url == "https://t.me/birgemiz_youth/141"
    assert post.published == datetime(2025, 3, 10, 6, 15, 43, tzinfo=timezone.utc)
    assert post.text.startswith("Алматыда 200 ерікті жас «Таза аула» акциясына шықты 🌱")
    assert post.hashtags == ["BIRGEMIZ", "ЖастарЕріктілері"]
    assert post.media == [Media(type="image", url="https://cdn4.telesco.pe/file/QWxtYXR5QmFxc2hhRXJpa3RpbGVy.jpg")]
    assert (post.organization, post.author) == ("Org birgemiz-tg", "BIRGEMIZ | Жастар еріктілері")


def test_stored_mastodon_post_keeps_media_size_alt_language_and_tags(first):
    post = next(p for p in first.posts["yuva-mastodon"] if p.native_id == "114126000000000002")
    assert post.platform == "mastodon"
    assert post.lang_hint == "en"
    assert post.hashtags == ["wearetogether", "volunteering"]
    assert post.media == [Media(
        type="video", url="https://files.mastodon.social/media_attachments/files/114/126/000/000/001/002/original/"
                          "9d2e4c7a11b05f3e.mp4",
        alt="Volunteers unloading bags of rice from a truck in Pune", width=1280, height=720)]


def test_stored_website_post_has_its_title_date_and_canonical_url(network, first):
    post = next(p for p in first.posts["yoshlar-web"] if p.native_id.endswith(ARTICLE_A))
    assert post.title == "Toshkentda 500 nafar yosh ko‘ngilli qon topshirdi"
    assert post.url == f"{network.net.base_url}{ARTICLE_A}"
    assert post.published.isoformat() == "2025-03-09T14:00:00+05:00"
    assert post.lang_hint == "uz"


def test_stored_feed_post_keeps_its_date_offset_and_lang_hint(first):
    post = next(p for p in first.posts["genc-atom"] if p.native_id.endswith("xeber-318"))
    assert post.published.isoformat() == "2025-03-12T09:20:00+04:00"
    assert (post.lang_hint, post.author) == ("az", "Leyla Məmmədova")


@pytest.mark.parametrize("source_id", sorted(FAILING))
def test_source_answering_an_http_error_is_recorded_failed_with_its_code(first, source_id):
    run = first.runs[source_id]
    assert (run["status"], run["http_status"]) == ("failed", FAILING[source_id])
    assert f"HTTP {FAILING[source_id]}" in run["error"]
    assert source_id not in first.posts


def test_sources_sharing_a_run_with_failing_ones_still_succeed(first):
    assert {s: (first.runs[s]["status"], first.runs[s]["http_status"]) for s in HEALTHY} == \
        {s: ("ok", 200) for s in HEALTHY}


@pytest.mark.parametrize("source_id", GARBAGE)
def test_source_serving_garbage_yields_no_posts_without_breaking_the_run(first, source_id):
    run = first.runs[source_id]
    assert source_id not in first.posts
    assert (run["posts_seen"], run["posts_new"]) == (0, 0)
    assert run["finished"]


@pytest.mark.parametrize("source_id", GARBAGE)
def test_source_serving_garbage_is_reported_as_empty_not_ok(first, source_id):
    run = first.runs[source_id]
    assert run["status"] == "empty"
    assert run["error"].startswith("no posts found at ")


def test_robots_txt_is_fetched_before_crawling_a_site(first):
    assert first.polite_requests[0] == "/robots.txt"


def test_robots_txt_disallowed_paths_are_never_requested(first):
    assert "/news/" in first.polite_requests
    assert [p for p in first.polite_requests if p.startswith("/news/page/")] == []


def test_source_whose_url_robots_txt_disallows_is_recorded_failed_and_never_fetched(first):
    run = first.runs["private-rss"]
    assert "/private/feed.xml" not in first.polite_requests
    assert (run["status"], run["error"]) == ("failed", "Forbidden by robots.txt")
    assert "private-rss" not in first.posts


def test_robots_txt_allowed_articles_of_that_site_are_still_stored(network, first):
    assert _website_native_ids(network, first, "polite-web") == {ARTICLE_A}


def test_telegram_paging_follows_before_to_the_older_page(first):
    assert f"{CHANNEL}?before=141" in first.net_requests
    assert {"134", "140"} <= _native_ids(first, "birgemiz-tg")


def test_telegram_paging_stops_at_the_page_cap(first):
    # The source's max_pages is 2; an older page (?before=134) would be served, but is never asked for.
    assert _paths(first, CHANNEL) == [CHANNEL, f"{CHANNEL}?before=141"]


def test_website_paging_follows_the_next_link_to_older_articles(first):
    assert _paths(first, "/news/") == ["/news/", "/news/page/2/", ARTICLE_B, ARTICLE_A]


def test_mastodon_paging_follows_the_link_header_until_an_empty_page(first):
    assert _paths(first, ACCOUNT) == [ACCOUNT, f"{ACCOUNT}?max_id=114118000000000000",
                                      f"{ACCOUNT}?max_id=114126000000000002"]


# --- the re-crawl --------------------------------------------------------------------------------

def test_recrawl_stores_nothing_new_and_changes_nothing(second):
    assert (second.report.posts_new, second.report.posts_updated) == (0, 0)


def test_recrawl_duplicates_no_post(first, second):
    def ids(result: CrawlResult) -> list[str]:
        return sorted(p.id for posts in result.posts.values() for p in posts)

    assert ids(second) == ids(first)


@pytest.mark.parametrize("prefix", [CHANNEL, "/news/", ACCOUNT], ids=["telegram", "website", "mastodon"])
def test_recrawl_stops_paging_at_posts_already_stored(first, second, prefix):
    # One request for the newest page, wherever the platform puts it; the first crawl paged back further.
    assert len(_paths(second, prefix)) == 1
    assert len(_paths(first, prefix)) > 1


# --- Mastodon pages without a public status ------------------------------------------------------

def test_mastodon_paging_goes_on_past_a_page_of_only_unlisted_replies(db_path):
    # A Mastodon-only crawl runs in this process: no Scrapy child, so this costs milliseconds.
    with RecordedServer({}) as server:
        base = server.base_url
        server.routes.update({
            "/robots.txt": ALLOW_ALL,
            ACCOUNT: _saved("mastodon/statuses-replies.json", JSON,
                            headers=_link_header("mastodon/statuses-replies.link", base)),
            f"{ACCOUNT}?max_id=114130500000000007": _saved(
                "mastodon/statuses-2.json", JSON, headers=_link_header("mastodon/statuses-2.link", base)),
            f"{ACCOUNT}?max_id=114118000000000000": Recorded(200, b"[]", JSON),
        })
        crawl([_source("yuva-mastodon", "mastodon", f"{base}{ACCOUNT}", "IN")], db_path, settings=QUICK_RETRIES)
    stored = {p.native_id for p in iter_posts(open_store(db_path))}
    assert stored == {"114120000000000001", "114118000000000000"}
