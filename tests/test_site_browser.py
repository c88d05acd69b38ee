"""The demo site in real headless Chromium (Debian's, driven by Playwright): language switching,
search in Kazakh and Hindi, filters, no console errors, nothing fetched from outside this machine."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed: run `make test`")
ARTIFACTS = "test-artifacts"


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(60000)  # a cold Chromium on a busy CI machine is slow, not broken
    page = context.new_page()
    page.requests_seen, page.console_errors = [], []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def test_switching_language_on_a_post_page_lands_on_the_same_post(page, site, demo_site):
    _, out, _ = demo_site
    post_id = sorted(p.name for p in (out / "en" / "posts").iterdir())[0]
    page.goto(f"{site}/en/posts/{post_id}/")
    with page.expect_navigation():
        page.click('nav.languages a[hreflang="kk"]')
    assert urlsplit(page.url).path == f"/kk/posts/{post_id}/"
    assert page.locator("html").get_attribute("lang") == "kk"


@pytest.mark.parametrize("locale, word, country", [("kk", "еріктілер", "Қазақстан"), ("hi", "युवा", "भारत")])
def test_search_finds_posts_by_their_own_words(page, site, locale, word, country):
    page.goto(f"{site}/{locale}/search/")
    page.fill("#q", word)
    page.wait_for_selector("#search-results a")
    assert word in page.locator("#search-results mark").first.inner_text().lower()
    with page.expect_navigation():
        page.locator("#search-results a").first.click()
    assert f"/{locale}/posts/" in page.url  # the post's page in the visitor's own UI language
    assert country in page.locator(".facts").inner_text()
    assert page.console_errors == []


def test_search_can_be_filtered_by_country(page, site):
    page.goto(f"{site}/en/search/")
    page.fill("#q", "volunteers")
    page.wait_for_selector("#search-results a")
    before = page.locator("#search-results li").count()
    page.select_option("#f-country", "IN")
    page.wait_for_function(f"document.querySelectorAll('#search-results li').length < {before}")
    links = [a.get_attribute("href") for a in page.locator("#search-results a").all()]
    # The only Indian source of the demo is in-youth-mastodon: every result must come from it.
    assert links and all("/in-youth-mastodon-" in href for href in links)


def test_a_filter_alone_lists_posts_and_the_address_keeps_the_query(page, site):
    page.goto(f"{site}/ru/search/?country=AM")
    page.wait_for_selector("#search-results a")
    assert page.locator("#f-country").input_value() == "AM"
    assert "Армения" in page.locator("#f-country option:checked").inner_text()
    links = [a.get_attribute("href") for a in page.locator("#search-results a").all()]
    # Armenia's own source, plus any international post that names Armenia in its text.
    assert all(href.startswith("/ru/posts/") for href in links)
    assert any(href.startswith("/ru/posts/am-redcross-web-") for href in links)


def test_home_and_search_pages_fetch_nothing_from_outside_and_log_no_errors(page, site):
    import os

    for path in ("/kk/", "/hi/", "/en/search/"):
        page.goto(site + path)
        page.wait_for_load_state("networkidle")
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.goto(site + "/kk/")
    page.screenshot(path=f"{ARTIFACTS}/home-kk-phone.png", full_page=False)
    page.goto(site + "/hi/")
    page.screenshot(path=f"{ARTIFACTS}/home-hi-phone.png", full_page=False)
    hosts = {urlsplit(url).hostname for url in page.requests_seen if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}
    assert page.console_errors == []
