"""Bluesky author feeds: recorded getAuthorFeed pages served on 127.0.0.1, parsed and paged through httpx."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from crawler.api.bluesky import fetch_bluesky, parse_feed
from tests.conftest import run_fetch
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.model import Source
from tests.conftest import RESPONSES

ACTOR = "did:plc:rsm4youth"
PAGES = {None: "author-feed-1.json", "2024-04-30T08:15:00.000Z": "author-feed-2.json",
         "2024-04-20T09:00:00.000Z": "author-feed-3.json"}
MARAFON = "at://did:plc:rsm4youth/app.bsky.feed.post/3kriu2marafon"
ALMATY = "at://did:plc:rsm4youth/app.bsky.feed.post/3krf7almaty"
DARAXT = "at://did:plc:rsm4youth/app.bsky.feed.post/3kr4daraxt"
ERIKTI = "at://did:plc:rsm4youth/app.bsky.feed.post/3kr2erikti"
ITOGI = "at://did:plc:rsm4youth/app.bsky.feed.post/3kqzitogi"


def _load(name: str) -> dict:
    return json.loads((RESPONSES / "bluesky" / name).read_text(encoding="utf-8"))


def _posts(name: str = "author-feed-1.json") -> dict[str, dict]:
    return {p["native_id"]: p for p in parse_feed(_load(name)["feed"], "rsm-bluesky")}


def _json(data: dict, status: int = 200) -> Recorded:
    return Recorded(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")


def _author_feed(handler, pin: dict | None = None, stuck: bool = False) -> Recorded:
    """getAuthorFeed as the AppView answers it: 400 without ``actor``, pages chosen by ``cursor``."""
    query = parse_qs(urlsplit(handler.path).query)
    if query.get("actor") != [ACTOR]:
        return _json({"error": "InvalidRequest", "message": 'Error: Params must have the property "actor"'}, 400)
    page = _load(PAGES[None if stuck else (query.get("cursor") or [None])[0]])
    if pin and "cursor" not in query:
        page["feed"].insert(0, pin)
    return _json(page)


@pytest.fixture
def serve(module_server):
    """Start answering getAuthorFeed with ``route``; returns the server with its request log cleared."""
    def start(route=_author_feed) -> RecordedServer:
        module_server.routes = {"/xrpc/app.bsky.feed.getAuthorFeed": route}
        module_server.requests.clear()
        return module_server
    return start


def _fetch(server: RecordedServer, known: set[str] = frozenset(), max_pages: int = 20):
    source = Source(id="rsm-bluesky", name="РСМ в Bluesky", organization="Российский союз молодёжи", country="RU",
                    platform="bluesky", max_pages=max_pages,
                    url=f"{server.base_url}/xrpc/app.bsky.feed.getAuthorFeed?actor={ACTOR}&limit=3")

    return run_fetch(fetch_bluesky, source, known)


def _post(uri: str, text: str, facets: list, author: dict | None = None) -> dict:
    return {"post": {"uri": uri, "author": author or {"did": ACTOR, "handle": "rsm-youth.bsky.social"},
                     "record": {"text": text, "facets": facets, "createdAt": "2024-05-02T12:00:00Z"}}}


# parse_feed


def test_a_link_after_emoji_and_cyrillic_text_wraps_exactly_the_linked_words():
    html = _posts()[MARAFON]["html"]
    assert 'Подробнее: <a href="https://rsm.example/marafon-dobra-2024">rsm.example/marafon…</a> ' in html


def test_a_tag_facet_becomes_a_hashtag_link_on_bsky_app():
    html = _posts()[MARAFON]["html"]
    assert '<a href="https://bsky.app/hashtag/%D0%9C%D1%8B%D0%92%D0%BC%D0%B5%D1%81%D1%82%D0%B5">#МыВместе</a>' in html


def test_hashtags_are_listed_without_the_hash_sign():
    assert _posts()[ALMATY]["hashtags"] == ["WeAreTogether", "МыВместе"]


def test_tags_after_a_curly_apostrophe_and_emoji_land_on_the_right_words():
    html = _posts("author-feed-2.json")[DARAXT]["html"]
    assert html.endswith('🌳🌳 <a href="https://bsky.app/hashtag/BIRGEMIZ">#BIRGEMIZ</a> '
                         '<a href="https://bsky.app/hashtag/%D0%9C%D1%8B%D0%92%D0%BC%D0%B5%D1%81%D1%82%D0%B5">'
                         '#МыВместе</a></p>')


def test_a_mention_links_to_the_mentioned_profile():
    html = _posts()[ALMATY]["html"]
    assert 'thanks <a href="https://bsky.app/profile/did:plc:kzjastar7">@kz-jastar.bsky.social</a> for' in html


def test_text_around_facets_is_escaped_in_html_and_kept_verbatim_in_text():
    post = _posts()[ALMATY]
    assert post["html"].startswith("<p>Volunteers &amp; mentors &lt;3: thanks")
    assert post["text"].startswith("Volunteers & mentors <3: thanks @kz-jastar.bsky.social for hosting us")


def test_a_facet_that_splits_a_character_is_left_as_plain_text():
    item = _post("at://did:plc:rsm4youth/app.bsky.feed.post/3ksplit", "Ёлка #МыВместе",
                 [{"index": {"byteStart": 11, "byteEnd": 26},
                   "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "МыВместе"}]}])
    [post] = parse_feed([item], "rsm-bluesky")
    assert (post["html"], post["hashtags"]) == ("<p>Ёлка #МыВместе</p>", [])


def test_the_first_of_the_record_langs_is_the_language_hint():
    assert _posts()[ALMATY]["lang_hint"] == "en"


def test_images_keep_their_full_size_url_alt_text_and_aspect_ratio():
    assert _posts()[MARAFON]["media"] == [
        {"type": "image", "url": "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:rsm4youth/bafkreiboxes1@jpeg",
         "alt": "Волонтёры грузят коробки в грузовик", "width": 1600, "height": 1200},
        {"type": "image", "url": "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:rsm4youth/bafkreiboxes2@jpeg",
         "alt": "", "width": None, "height": None}]


def test_images_beside_a_quoted_post_are_kept():
    [image] = _posts("author-feed-2.json")[DARAXT]["media"]
    assert (image["alt"], image["width"], image["height"]) == ("Ko‘ngillilar daraxt ekmoqda", 1080, 1350)


def test_a_video_is_kept_as_a_video_with_its_playlist():
    [video] = _posts("author-feed-3.json")[ITOGI]["media"]
    assert (video["type"], video["url"]) == (
        "video", "https://video.bsky.app/watch/did%3Aplc%3Arsm4youth/bafkreivideoitogi/playlist.m3u8")


def test_reposts_of_other_accounts_posts_are_skipped():
    assert list(_posts()) == [MARAFON, ALMATY]


def test_a_post_links_to_its_bsky_app_page_and_is_identified_by_its_at_uri():
    post = _posts()[MARAFON]
    assert (post["native_id"], post["url"]) == (MARAFON, "https://bsky.app/profile/rsm-youth.bsky.social/post/3kriu2marafon")


def test_the_date_is_the_record_creation_time_in_utc():
    assert _posts()[MARAFON]["published"] == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


def test_the_author_is_the_display_name():
    assert _posts()[MARAFON]["author"] == "Российский союз молодёжи"


def test_an_account_that_asked_not_to_be_shown_to_logged_out_visitors_is_not_collected():
    author = {"did": ACTOR, "handle": "rsm-youth.bsky.social", "labels": [{"val": "!no-unauthenticated"}]}
    assert parse_feed([_post("at://did:plc:rsm4youth/app.bsky.feed.post/3kprivate", "Привет", [], author)], "x") == []


# fetch_bluesky


def test_paging_follows_the_cursor_to_the_last_page(serve):
    server = serve()
    posts, stats = _fetch(server)
    assert [p["native_id"] for p in posts] == [MARAFON, ALMATY, DARAXT, ERIKTI, ITOGI]
    assert stats["requests"] == 3


def test_the_source_urls_actor_survives_when_the_cursor_is_added(serve):
    server = serve()
    _fetch(server)
    queries = [parse_qs(urlsplit(path).query) for path in server.requests]
    assert [(q["actor"], q["limit"], q.get("cursor")) for q in queries] == [
        ([ACTOR], ["3"], None), ([ACTOR], ["3"], ["2024-04-30T08:15:00.000Z"]),
        ([ACTOR], ["3"], ["2024-04-20T09:00:00.000Z"])]


def test_paging_stops_at_the_page_holding_a_stored_post(serve):
    server = serve()
    posts, stats = _fetch(server, known={DARAXT})
    assert ([p["native_id"] for p in posts], stats["requests"]) == ([MARAFON, ALMATY, ERIKTI], 2)


def test_paging_stops_at_the_page_cap(serve):
    server = serve()
    posts, stats = _fetch(server, max_pages=2)
    assert (len(posts), stats["requests"]) == (4, 2)


def test_an_old_pinned_post_already_stored_does_not_stop_paging(serve):
    pin = _load("author-feed-3.json")["feed"][0] | {"reason": {"$type": "app.bsky.feed.defs#reasonPin"}}
    server = serve(lambda handler: _author_feed(handler, pin=pin))
    posts, stats = _fetch(server, known={ITOGI})
    assert ([p["native_id"] for p in posts], stats["requests"]) == ([MARAFON, ALMATY, DARAXT, ERIKTI], 3)


def test_a_cursor_that_comes_back_ends_paging(serve):
    server = serve(lambda handler: _author_feed(handler, stuck=True))
    posts, stats = _fetch(server)
    assert (len(posts), stats["requests"]) == (2, 2)


def test_an_unknown_actor_raises_an_http_error_with_its_status(serve):
    error = Recorded(400, (RESPONSES / "bluesky" / "error-actor-not-found.json").read_bytes(), "application/json")
    server = serve(error)
    with pytest.raises(httpx.HTTPStatusError) as caught:
        _fetch(server)
    assert caught.value.response.status_code == 400


def test_stats_count_requests_bytes_and_the_last_status(serve):
    server = serve()
    _, stats = _fetch(server)
    served = sum(len(_json(_load(name)).body) for name in PAGES.values())
    assert stats == {"requests": 3, "bytes": served, "http_status": 200}
