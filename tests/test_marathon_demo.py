"""The whole pipeline on the bundled demo network, checked from the built files."""

from __future__ import annotations

import re
from datetime import datetime
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from marathon.demo.content import all_demo_posts

COUNTRIES = {"RU", "KZ", "KG", "UZ", "AZ", "AM", "IN"}
LANGUAGES = {"ru", "kk", "ky", "uz", "az", "hy", "hi", "en"}


def _native_id(original_url: str) -> str:
    last = original_url.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"\.html$", "", last)


@pytest.fixture(scope="module")
def post_pages(demo_site) -> dict[tuple[str, str], BeautifulSoup]:
    """Every English post page, keyed by (source id, native id of the original)."""
    _, out, _ = demo_site
    pages = {}
    for path in (out / "en" / "posts").glob("*/index.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article.post")
        original = article.select_one(".facts a[rel~=nofollow]")["href"]
        pages[(article["data-source"], _native_id(original))] = soup
    return pages


def test_every_demo_source_is_crawled_without_failure(demo_site):
    _, _, report = demo_site
    assert len(report.runs) == 12
    assert [r["source_id"] for r in report.runs if r["status"] != "ok"] == []


def test_the_demo_site_has_at_least_150_posts(post_pages):
    assert len(post_pages) >= 150


def test_every_demo_post_is_published_with_its_language_country_and_campaigns(post_pages, demo_site):
    from marathon.config import load_sources, bundled_path

    countries = {s.id: s.country for s in load_sources(bundled_path("sources.toml"))}
    wrong = []
    for demo in all_demo_posts():
        soup = post_pages.get((demo.source_id, demo.id))
        if soup is None:
            continue  # a cross-post grouped under its original: checked below
        article = soup.select_one("article.post")
        seen = (article["data-lang"], article["data-country"], set(article["data-campaigns"].split()))
        expected = (demo.lang, countries[demo.source_id], set(demo.campaigns))
        if seen != expected:
            wrong.append((demo.source_id, demo.id, seen, expected))
    assert wrong == []


def test_posts_of_all_seven_countries_and_eight_languages_are_on_the_site(post_pages):
    articles = [s.select_one("article.post") for s in post_pages.values()]
    assert {a["data-country"] for a in articles} == COUNTRIES
    assert {a["data-lang"] for a in articles} >= LANGUAGES
    languages = Counter(a["data-lang"] for a in articles)
    assert all(languages[lang] >= 5 for lang in LANGUAGES), languages


def test_uzbek_posts_in_both_scripts_are_tagged_uzbek(post_pages):
    scripts = set()
    for soup in post_pages.values():
        article = soup.select_one("article.post")
        if article["data-lang"] == "uz":
            body = article.select_one(".body").get_text()
            scripts.add("Cyrl" if re.search("[ўқғҳ]", body) else "Latn")
    assert scripts == {"Latn", "Cyrl"}


def test_every_demo_post_is_either_shown_or_grouped_under_its_original(post_pages, demo_site):
    from marathon.store import iter_posts, open_store

    db_path, _, _ = demo_site
    stored = list(iter_posts(open_store(db_path), include_hidden=True))
    assert len(stored) == len(all_demo_posts())
    shown_ids = {p.id for p in stored if not p.duplicate_of}
    assert all(p.duplicate_of in shown_ids for p in stored if p.duplicate_of)


def test_home_page_lists_posts_newest_first_in_each_locale(demo_site):
    _, out, _ = demo_site
    for locale, heading in (("en", "Latest posts"), ("ru", "Последние публикации")):
        soup = BeautifulSoup((out / locale / "index.html").read_text(encoding="utf-8"), "html.parser")
        assert soup.html["lang"] == locale
        assert soup.select_one("h2#latest").get_text() == heading
        dates = [datetime.fromisoformat(t["datetime"]) for t in soup.select(".posts .card time")]
        assert len(dates) == 30
        assert dates == sorted(dates, reverse=True)


def test_each_country_and_campaign_has_its_page_listing_its_posts(demo_site):
    _, out, _ = demo_site
    kz = BeautifulSoup((out / "ru" / "countries" / "kz" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert kz.h1.get_text() == "Казахстан"
    assert kz.select(".card")
    campaign = BeautifulSoup((out / "en" / "campaigns" / "birgemiz" / "index.html").read_text(encoding="utf-8"),
                             "html.parser")
    assert campaign.select(".card")
    for code in COUNTRIES:
        assert (out / "en" / "countries" / code.lower() / "index.html").exists()


def test_every_page_links_its_translation_in_the_other_locale(demo_site):
    _, out, _ = demo_site
    page = next((out / "en" / "posts").glob("*/index.html"))
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    alternates = {link["hreflang"]: link["href"] for link in soup.select("link[rel=alternate][hreflang]")}
    assert set(alternates) == {"en", "ru", "kk", "ky", "uz", "uz-Cyrl", "az", "hy", "hi"}
    ru_path = out / Path(alternates["ru"].split("/", 3)[3]) / "index.html"
    assert ru_path.exists()


def test_the_atom_feed_of_each_locale_parses_and_lists_the_newest_posts(demo_site):
    _, out, _ = demo_site
    for locale in ("en", "ru", "kk", "hy", "hi", "uz-Cyrl"):
        feed = feedparser.parse((out / locale / "feed.xml").read_bytes())
        assert not feed.bozo
        assert len(feed.entries) == 50
        assert feed.entries[0].published >= feed.entries[-1].published
        assert feed.entries[0].link.endswith("/")


def test_an_exact_cross_post_is_shown_once_with_also_on(post_pages):
    soup = post_pages[("kz-nvn-web", "birgemiz-aktsiyasy-bastaldy")]
    assert [a.get_text() for a in soup.select(".also-on a")] == ["telegram"]
    assert ("kz-nvn-tg", "501") not in post_pages


@pytest.mark.parametrize("locale, heading, month", [
    ("kk", "Соңғы жарияланымдар", "мамыр"), ("uz", None, "may"), ("uz-Cyrl", None, "май"),
    ("hy", None, "մայիս"), ("hi", None, "मई"), ("az", None, "may"), ("ky", None, "май"),
])
def test_every_locale_has_its_home_page_and_dates_in_its_own_words(demo_site, locale, heading, month):
    _, out, _ = demo_site
    soup = BeautifulSoup((out / locale / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == locale
    if heading:
        assert soup.select_one("h2#latest").get_text() == heading
    archive = BeautifulSoup((out / locale / "archive" / "2020-05" / "index.html").read_text(encoding="utf-8"),
                            "html.parser")
    assert month in archive.h1.get_text().lower()
