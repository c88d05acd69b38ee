"""VK walls: recorded wall.get answers served on 127.0.0.1, parsed and paged through httpx."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from crawler.api import vk
from crawler.api.vk import VkApiError, VkTokenMissing, fetch_vk, parse_wall
from tests.conftest import run_fetch
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.model import Source
from tests.conftest import RESPONSES

TOKEN = "vk1.a.service-token-for-tests"
PAGES = {"0": "wall-1.json", "3": "wall-2.json"}


def _load(name: str) -> dict:
    return json.loads((RESPONSES / "vk" / name).read_text(encoding="utf-8"))


def _posts(name: str = "wall-1.json") -> dict[str, dict]:
    return {p["native_id"]: p for p in parse_wall(_load(name)["response"], "rsm-vk")}


def _answer(name: str) -> Recorded:
    return Recorded(200, (RESPONSES / "vk" / name).read_bytes(), "application/json; charset=utf-8")


def _wall(handler, first: list[str] | None = None) -> Recorded:
    """wall.get as VK answers it: error 5 without a token, else ``first`` answers in turn, then pages by offset."""
    query = parse_qs(urlsplit(handler.path).query)
    if query.get("access_token") != [TOKEN]:
        body = {"error": {"error_code": 5, "error_msg": "User authorization failed: no access_token passed."}}
        return Recorded(200, json.dumps(body).encode(), "application/json")
    if first:
        return _answer(first.pop(0))
    return _answer(PAGES[query["offset"][0]])


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    """No pacing and a short pause after error 6; the token in the environment."""
    monkeypatch.setattr(vk, "MIN_INTERVAL", 0)
    monkeypatch.setattr(vk, "TOO_MANY_REQUESTS_DELAY", 0.01)
    monkeypatch.setenv("MARATHON_VK_TOKEN", TOKEN)


@pytest.fixture
def serve(module_server):
    """Start answering wall.get with ``route``; returns the server with its request log cleared."""
    def start(route=_wall) -> RecordedServer:
        module_server.routes = {"/method/wall.get": route}
        module_server.requests.clear()
        return module_server
    return start


def _fetch(server: RecordedServer, known: set[str] = frozenset(), max_pages: int = 20):
    source = Source(id="rsm-vk", name="РСМ ВКонтакте", organization="Российский союз молодёжи", country="RU",
                    platform="vk", max_pages=max_pages,
                    url=f"{server.base_url}/method/wall.get?domain=rsm_official&count=3&extended=1&v=5.199")

    return run_fetch(fetch_vk, source, known)


# parse_wall


def test_a_photo_is_kept_at_its_largest_size_with_its_caption():
    [photo, _] = _posts()["-30525261_215"]["media"]
    assert photo == {"type": "image", "url": "https://sun9-1.userapi.com/impg/start_z.jpg?size=1280x960",
                     "alt": "Волонтёры на старте марафона", "width": 1280, "height": 960}


def test_a_video_without_a_player_is_a_video_linking_to_its_vk_page():
    [_, video] = _posts()["-30525261_215"]["media"]
    assert (video["type"], video["url"], video["alt"]) == (
        "video", "https://vk.com/video-30525261_456239017", "Как стать волонтёром за 5 минут")


def test_a_video_with_a_player_keeps_the_player_url():
    [video] = _posts("wall-2.json")["-30525261_210"]["media"]
    assert video["url"] == "https://vk.com/video_ext.php?oid=-30525261&id=456239018&hash=4f1c2e"


def test_a_repost_keeps_the_reposters_words_then_quotes_the_original_with_its_link_and_author():
    html = _posts()["-30525261_214"]["html"]
    assert html.startswith("<p>Наши друзья из Узбекистана тоже с нами!")
    assert ('<blockquote><p>↪ <a href="https://vk.com/wall-180000001_77">vk.com/wall-180000001_77</a> · '
            "Yoshlar ittifoqi</p><p>Yoshlar ko‘ngillilari Samarqandda keksalarga yordam berishdi.") in html


def test_a_repost_text_holds_both_the_reposters_words_and_the_original():
    assert _posts()["-30525261_214"]["text"] == (
        "Наши друзья из Узбекистана тоже с нами! Yoshlar ittifoqi\n\n↪ vk.com/wall-180000001_77 · Yoshlar ittifoqi"
        "\n\nYoshlar ko‘ngillilari Samarqandda keksalarga yordam berishdi. #BIRGEMIZ #МыВместе")


def test_a_repost_carries_the_originals_hashtags_and_photos():
    post = _posts()["-30525261_214"]
    assert (post["hashtags"], [m["url"] for m in post["media"]]) == (
        ["BIRGEMIZ", "МыВместе"], ["https://sun9-3.userapi.com/impg/samarqand_w.jpg"])


def test_a_community_mention_becomes_a_link_to_the_community():
    html = _posts()["-30525261_214"]["html"]
    assert '<a href="https://vk.com/club180000001">Yoshlar ittifoqi</a>' in html


def test_a_url_in_the_text_becomes_a_link_without_the_full_stop_after_it():
    html = _posts()["-30525261_215"]["html"]
    assert 'Регистрация: <a href="https://rsm.example/marafon">https://rsm.example/marafon</a>.</p>' in html


def test_hashtags_are_listed_without_hash_community_suffix_or_bare_numbers():
    posts = _posts()
    assert (posts["-30525261_100"]["hashtags"], posts["-30525261_215"]["hashtags"]) == (
        ["МыВместе"], ["МыВместе", "волонтёры"])


def test_paragraphs_of_the_text_stay_paragraphs():
    html = _posts()["-30525261_215"]["html"]
    assert html.startswith("<p>Всероссийский марафон «Мы вместе» стартовал! 🎉</p><p>Уже 2 000 волонтёров")


def test_a_link_attachment_becomes_a_link_under_the_text():
    html = _posts("wall-2.json")["-30525261_205"]["html"]
    assert html.endswith('<p><a href="https://jastar.example.kz/birgemiz">Birgemiz — жастар марафоны</a></p>')


def test_the_public_url_is_the_wall_post_on_vk_com():
    assert _posts()["-30525261_215"]["url"] == "https://vk.com/wall-30525261_215"


def test_the_unix_date_becomes_an_aware_utc_datetime():
    assert _posts()["-30525261_215"]["published"] == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


def test_the_author_is_the_community_name_from_the_extended_answer():
    assert _posts()["-30525261_215"]["author"] == "Российский союз молодёжи"


# fetch_vk


def test_without_a_token_the_source_is_skipped_with_a_one_line_message_and_no_request(serve, monkeypatch):
    monkeypatch.delenv("MARATHON_VK_TOKEN")
    server = serve()
    with pytest.raises(VkTokenMissing) as caught:
        _fetch(server)
    assert (str(caught.value), server.requests) == (
        "VK source rsm-vk skipped: set MARATHON_VK_TOKEN to a VK service token", [])


def test_the_token_is_sent_beside_the_source_urls_own_parameters(serve):
    server = serve()
    _fetch(server, max_pages=1)
    [query] = [parse_qs(urlsplit(path).query) for path in server.requests]
    assert query == {"domain": ["rsm_official"], "count": ["3"], "extended": ["1"], "v": ["5.199"],
                     "offset": ["0"], "access_token": [TOKEN]}


def test_paging_advances_the_offset_until_the_end_of_the_wall(serve):
    server = serve()
    posts, _ = _fetch(server)
    offsets = [parse_qs(urlsplit(path).query)["offset"] for path in server.requests]
    assert (offsets, len(posts)) == ([["0"], ["3"]], 5)


def test_paging_stops_at_the_page_holding_a_stored_post(serve):
    server = serve()
    posts, stats = _fetch(server, known={"-30525261_214"})
    assert ([p["native_id"] for p in posts], stats["requests"]) == (["-30525261_100", "-30525261_215"], 1)


def test_paging_stops_at_the_page_cap(serve):
    server = serve()
    posts, stats = _fetch(server, max_pages=1)
    assert (len(posts), stats["requests"]) == (3, 1)


def test_an_old_pinned_post_already_stored_does_not_stop_paging(serve):
    server = serve()
    posts, stats = _fetch(server, known={"-30525261_100"})
    assert (len(posts), stats["requests"]) == (4, 2)


def test_error_6_is_retried_once_after_a_pause(serve):
    first = ["error-6.json"]
    server = serve(lambda handler: _wall(handler, first))
    posts, stats = _fetch(server, max_pages=1)
    assert (len(posts), stats["requests"]) == (3, 2)


def test_error_6_twice_in_a_row_stops_the_source(serve):
    first = ["error-6.json", "error-6.json"]
    server = serve(lambda handler: _wall(handler, first))
    with pytest.raises(VkApiError) as caught:
        _fetch(server)
    assert (caught.value.code, len(server.requests)) == (6, 2)


def test_error_29_stops_the_source_after_one_request_with_a_one_line_message(serve):
    first = ["error-29.json"] * 5
    server = serve(lambda handler: _wall(handler, first))
    with pytest.raises(VkApiError) as caught:
        _fetch(server)
    assert (str(caught.value), len(server.requests)) == (
        "VK source rsm-vk: API error 29: Rate limit reached (VK's request quota is used up: try again tomorrow);"
        " stopped for this run", 1)


def test_error_29_on_a_later_page_leaves_the_earlier_posts_on_the_error(serve):
    first = ["wall-1.json", "error-29.json"]
    server = serve(lambda handler: _wall(handler, first))
    with pytest.raises(VkApiError) as caught:
        _fetch(server)
    assert (len(caught.value.posts), caught.value.stats["requests"]) == (3, 2)


def test_an_http_error_names_the_url_without_the_token(serve):
    server = serve(Recorded(502, b"<html>Bad Gateway</html>"))
    with pytest.raises(httpx.HTTPStatusError) as caught:
        _fetch(server)
    assert (caught.value.response.status_code, TOKEN in str(caught.value.request.url), TOKEN in str(caught.value)) == (
        502, False, False)
