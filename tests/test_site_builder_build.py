"""Routes, atomic publishing, URL collisions and feeds of the site builder."""

from __future__ import annotations

from datetime import datetime, timezone

import feedparser
import pytest

from marathon.config import bundled_path, load_config
from marathon.errors import BuildError
from marathon.model import Post, make_post_id
from marathon.store import open_store, save_tags, upsert_posts
from site_builder.build import Writer, build_site
from site_builder.routes import file_for, path_for


def test_every_page_kind_has_a_locale_prefixed_path():
    assert path_for("home", "ru") == "/ru/"
    assert path_for("home", "en", page=3) == "/en/page/3/"
    assert path_for("post", "en", "kz-nvn-web-abc") == "/en/posts/kz-nvn-web-abc/"
    assert path_for("country", "ru", "KZ") == "/ru/countries/kz/"
    assert path_for("campaign", "en", "birgemiz", 2) == "/en/campaigns/birgemiz/page/2/"
    assert file_for("/en/feed.xml") == "en/feed.xml" and file_for("/en/") == "en/index.html"


def test_two_pages_writing_one_file_fail_loudly(tmp_path):
    writer = Writer(tmp_path)
    writer.write("en/index.html", b"a")
    with pytest.raises(BuildError, match="same file"):
        writer.write("en/index.html", b"b")


def _store_with_one_post(db_path):
    db = open_store(db_path)
    post = Post(id=make_post_id("kz-tg", "1"), source_id="kz-tg", platform="telegram", url="http://127.0.0.1/kz/1",
                native_id="1", published=datetime(2020, 4, 2, 10, tzinfo=timezone.utc),
                text="Еріктілер қарт адамдарға азық-түлік жеткізді. <b>жирно</b> & «кавычки» #BIRGEMIZ",
                hashtags=["BIRGEMIZ"])
    upsert_posts(db, [post])
    save_tags(db, [{"id": post.id, "lang": "kk", "country": "KZ", "countries": ["KZ"], "campaigns": ["birgemiz"]}])
    return db, post


def test_a_failed_build_leaves_the_published_site_in_place(tmp_path, monkeypatch):
    db, _ = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    build_site(db, config, out)
    before = (out / "en" / "index.html").read_text(encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr("site_builder.build.atom_feed", broken)
    with pytest.raises(RuntimeError):
        build_site(db, config, out)
    assert (out / "en" / "index.html").read_text(encoding="utf-8") == before
    assert len([p for p in (tmp_path / ".output-builds").iterdir()]) == 1


def test_a_rebuild_replaces_the_site_in_one_step_and_keeps_two_builds(tmp_path):
    db, _ = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    for _ in range(3):
        build_site(db, config, out)
    assert out.is_symlink() and (out / "index.html").exists()
    assert len(list((tmp_path / ".output-builds").iterdir())) == 2


def test_the_feed_escapes_post_text_and_parses_back(tmp_path):
    db, post = _store_with_one_post(tmp_path / "s.db")
    out = tmp_path / "output"
    build_site(db, load_config(bundled_path("marathon.toml")), out)
    feed = feedparser.parse((out / "ru" / "feed.xml").read_bytes())
    assert not feed.bozo
    (entry,) = feed.entries
    assert "<b>жирно</b> & «кавычки»" in entry.summary or "<b>жирно</b> & «кавычки»" in entry.content[0].value
    assert entry.link.endswith(f"/ru/posts/{post.id}/")
    assert [t.term for t in entry.tags] == ["BIRGEMIZ"]


def test_the_russian_ui_uses_russian_plural_forms(tmp_path):
    db, _ = _store_with_one_post(tmp_path / "s.db")
    out = tmp_path / "output"
    build_site(db, load_config(bundled_path("marathon.toml")), out)
    html = (out / "ru" / "index.html").read_text(encoding="utf-8")
    assert "1 публикация об акциях" in html
    assert "Казахстан" in html


def test_sitemap_lists_every_page_with_its_translations_and_robots_points_to_it(tmp_path):
    from xml.etree import ElementTree

    db, post = _store_with_one_post(tmp_path / "s.db")
    out = tmp_path / "output"
    build_site(db, load_config(bundled_path("marathon.toml")), out)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = ElementTree.parse(out / "sitemap.xml").getroot().findall("s:url", ns)
    post_url = next(u for u in urls if u.find("s:loc", ns).text.endswith(f"/en/posts/{post.id}/"))
    alternates = {link.get("hreflang") for link in post_url.findall("x:link", ns)}
    assert alternates == {"en", "ru", "kk", "ky", "uz", "uz-Cyrl", "az", "hy", "hi"}
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in (out / "robots.txt").read_text()


def test_each_country_and_campaign_has_its_own_feed_per_locale(tmp_path):
    db, post = _store_with_one_post(tmp_path / "s.db")
    out = tmp_path / "output"
    build_site(db, load_config(bundled_path("marathon.toml")), out)
    for path in ("kk/countries/kz/feed.xml", "hy/campaigns/birgemiz/feed.xml"):
        feed = feedparser.parse((out / path).read_bytes())
        assert not feed.bozo and [e.link.rsplit("/", 2)[-2] for e in feed.entries] == [post.id]
    assert feedparser.parse((out / "kk/countries/kz/feed.xml").read_bytes()).feed.title.startswith("Қазақстан")
