"""Search over grouped Pagefind records, in real headless Chromium: a word finds the one post that
holds it (not its record's neighbours), and filter-only browsing is newest first across "More
results" batches."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from marathon.config import bundled_path, load_config
from marathon.model import Post, make_post_id
from marathon.serve import serve_in_background
from marathon.store import open_store, save_tags, upsert_posts
from site_builder.build import build_site
from site_builder.plan import PostRef
from site_builder.search import indexed, record_groups

pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed: run `make test`")

# Kyrgyz words, one per post, so a search has exactly one right answer.
WORDS = ["яблоки", "өрүк", "жаңгак", "кара", "жүзүм", "шабдаалы", "анар", "абрикосы", "кулпунай", "карагат", "бадыраң",
         "помидор", "сабиз", "пияз", "картошка", "капуста", "калемпир", "ашкабак", "дарбыз", "коон", "буурчак",
         "жүгөрү", "арпа", "буудай", "күрүч"]
START = datetime(2021, 3, 1, 8, tzinfo=timezone.utc)
RUSSIAN = (0, 7)  # the oldest and the newest post: one record spanning the whole month


@pytest.fixture(scope="module")
def grouped_site(tmp_path_factory):
    """25 posts of one month and one country, two to a Pagefind record, published in an order that
    is not the order of their ids; served on 127.0.0.1. Two are in Russian, the oldest and the
    newest: their record sorts first (by its newest post) but holds the post that must come last."""
    root = tmp_path_factory.mktemp("search")
    db = open_store(root / "store.db")
    posts = []
    for n, word in enumerate(WORDS):
        published = START + timedelta(hours=(n * 7) % 25 * 20)  # a shuffled but strict order
        text = (f"Волонтёры сегодня собирали {word}, пишите, если нужна помощь. Пост {n}" if n in RUSSIAN
                else f"Ыктыярчылар бүгүн {word} жыйнашты, жардам керек болсо жазыңыз. Пост {n}")
        posts.append(Post(id=make_post_id("kg-osh-tg", f"g{n}"), source_id="kg-osh-tg", platform="telegram",
                          url=f"http://127.0.0.1/kg/{n}", native_id=f"g{n}", published=published, text=text))
    upsert_posts(db, posts)
    save_tags(db, [{"id": p.id, "lang": "ru" if n in RUSSIAN else "ky", "country": "KG", "countries": ["KG"],
                    "campaigns": []} for n, p in enumerate(posts)])
    out = root / "output"
    mp = pytest.MonkeyPatch()
    mp.setattr("site_builder.search.GROUP_MAX", 2)
    try:
        build_site(db, load_config(bundled_path("marathon.toml")), out)
    finally:
        mp.undo()
    server, url = serve_in_background(out)
    yield url.rstrip("/"), posts
    server.shutdown()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(60000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def _ref(n: int, country: str = "KG", campaigns: tuple[str, ...] = (), month: str = "2021-03") -> PostRef:
    return PostRef(id=f"p{n}", month=month, lang="ky", country=country, countries=[country],
                   campaigns=list(campaigns), organization="", duplicate_of=None, version="", home="ky")


def test_only_posts_with_the_same_filter_values_and_month_share_a_record(monkeypatch):
    monkeypatch.setattr("site_builder.search.GROUP_MAX", 3)
    refs = [_ref(0), _ref(1, "KZ"), _ref(2), _ref(3, campaigns=("birgemiz",)), _ref(4, month="2021-04"), _ref(5),
            _ref(6), _ref(7)]
    groups = [[r.id for r in group] for group in record_groups([indexed(ref) for ref in refs])]
    assert sorted(groups) == [["p0", "p2", "p5"], ["p1"], ["p3"], ["p4"], ["p6", "p7"]]


@pytest.mark.parametrize("n", [0, 11, 24])  # 0: the second post of its record
def test_a_word_finds_the_one_post_that_holds_it(page, grouped_site, n):
    url, posts = grouped_site
    page.goto(f"{url}/ky/search/?q={WORDS[n]}")
    page.wait_for_selector("#search-results a")
    links = [urlsplit(a.get_attribute("href")).path for a in page.locator("#search-results a").all()]
    assert links == [f"/ky/posts/{posts[n].id}/"]
    assert page.locator("#search-results a").first.get_attribute("lang") == ("ru" if n in RUSSIAN else "ky")
    assert page.locator("#search-results mark").first.inner_text().lower().rstrip(",") == WORDS[n]
    assert page.console_errors == []


def test_filters_alone_list_posts_newest_first_across_batches(page, grouped_site):
    url, posts = grouped_site
    newest_first = [f"/ky/posts/{p.id}/" for p in sorted(posts, key=lambda p: p.published, reverse=True)]
    page.goto(f"{url}/ky/search/?country=KG")
    page.wait_for_selector("#search-results a")
    more = page.locator("#search-more")
    first = [urlsplit(a.get_attribute("href")).path for a in page.locator("#search-results a").all()]
    assert more.is_visible() and 0 < len(first) < len(posts)
    assert first == newest_first[: len(first)]  # the first batch is exactly the newest posts
    assert page.locator("#search-status").inner_text().endswith("+")
    while more.is_visible():
        shown = page.locator("#search-results li").count()
        more.click()
        page.wait_for_function(f"document.querySelectorAll('#search-results li').length > {shown}")
    links = [urlsplit(a.get_attribute("href")).path for a in page.locator("#search-results a").all()]
    assert links == newest_first
    assert "+" not in page.locator("#search-status").inner_text()
    assert page.console_errors == []


def test_a_record_indexes_a_hashtag_once_and_keeps_tags_the_text_lacks():
    from site_builder.search import record_html

    post = Post(id="kz-1", source_id="kz-rss", platform="rss", url="http://127.0.0.1/kz/1", native_id="1",
                published=START, text="Еріктілер азық-түлік жеткізді #BIRGEMIZ",
                hashtags=["birgemiz", "еріктілер_күні"])
    record = record_html([indexed(_ref(1, "KZ"))], {"p1": post})
    words = record.split("<section>", 1)[1].lower()  # what Pagefind reads as words (meta aside)
    assert words.count("#birgemiz") == 1  # in the text already: not repeated
    assert "#еріктілер_күні" in record and 'id="p1"' in record


def test_records_go_to_memory_only_when_it_has_room(monkeypatch):
    from collections import namedtuple

    from site_builder import search

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(search.shutil, "disk_usage", lambda path: usage(64 * 2**20, 0, 64 * 2**20))
    assert search._scratch() is None  # a container's 64 MB /dev/shm: the usual temporary directory
    monkeypatch.setattr(search.shutil, "disk_usage", lambda path: usage(8 * 2**30, 0, 8 * 2**30))
    monkeypatch.setattr(search.os, "access", lambda path, mode: True)
    assert search._scratch() == "/dev/shm"
