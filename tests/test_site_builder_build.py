"""Routes, atomic publishing, URL collisions and feeds of the site builder."""

from __future__ import annotations

import json
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

    monkeypatch.setattr("site_builder.render.atom_feed", broken)
    with pytest.raises(RuntimeError):
        build_site(db, config, out, full=True)
    assert (out / "en" / "index.html").read_text(encoding="utf-8") == before
    assert len([p for p in (tmp_path / ".output-builds").iterdir() if p.is_dir()]) == 1
    assert len(list((tmp_path / ".output-builds").glob("*.manifest"))) == 1


def test_a_rebuild_replaces_the_site_in_one_step_and_keeps_two_builds(tmp_path):
    db, _ = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    for _ in range(3):
        build_site(db, config, out)
    assert out.is_symlink() and (out / "index.html").exists()
    assert len([p for p in (tmp_path / ".output-builds").iterdir() if p.is_dir()]) == 2
    assert len(list((tmp_path / ".output-builds").glob("*.manifest"))) == 2


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
    index = [loc.text for loc in ElementTree.parse(out / "sitemap.xml").getroot().findall("s:sitemap/s:loc", ns)]
    assert "http://127.0.0.1:8000/sitemaps/posts-2020-04.xml" in index and len(index) == len(set(index))
    urls = ElementTree.parse(out / "sitemaps" / "posts-2020-04.xml").getroot().findall("s:url", ns)
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


def _post(source: str, native: str, when: datetime, text: str) -> Post:
    return Post(id=make_post_id(source, native), source_id=source, platform="telegram", url=f"http://127.0.0.1/{native}",
                native_id=native, published=when, text=text, organization="Youth of Osh")


def _add(db, post: Post, lang: str, country: str) -> None:
    upsert_posts(db, [post])
    save_tags(db, [{"id": post.id, "lang": lang, "country": country, "countries": [country], "campaigns": []}])


def _inode(path):
    return path.stat().st_ino


def test_a_rebuild_renders_only_the_pages_new_posts_change_and_links_the_rest(tmp_path):
    db, old = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    first = build_site(db, config, out, search=False)
    assert first.rendered == first.pages
    old_page = out / "ru" / "posts" / old.id / "index.html"
    old_inode, old_text = _inode(old_page), old_page.read_text(encoding="utf-8")
    assert build_site(db, config, out, search=False).rendered == 0  # nothing changed, nothing rendered

    new = _post("kg-osh-tg", "77", datetime(2020, 4, 3, tzinfo=timezone.utc), "Ош шаарынын ыктыярчылары #BIRGEMIZ")
    _add(db, new, "ky", "KG")
    report = build_site(db, config, out, search=False)
    assert (out / "ky" / "posts" / new.id / "index.html").exists()
    assert _inode(old_page) == old_inode  # the old post's page is carried over, not rewritten
    assert old_page.read_text(encoding="utf-8") == old_text
    # Its post pages, the home pages, Kyrgyzstan's new country pages, the language and organization
    # listings, the month and the archive index: in each of nine locales; nothing else.
    assert 0 < report.rendered < first.pages
    assert new.id in (out / "kk" / "index.html").read_text(encoding="utf-8")
    assert new.id not in (out / "kk" / "countries" / "kz" / "index.html").read_text(encoding="utf-8")


def test_a_rebuild_never_writes_through_to_the_published_build(tmp_path):
    db, post = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    build_site(db, config, out, search=False)
    published = out.resolve()
    home = (published / "en" / "index.html").read_bytes()
    _add(db, _post("kg-osh-tg", "78", datetime(2020, 4, 5, tzinfo=timezone.utc), "Ыктыярчылар"), "ky", "KG")
    build_site(db, config, out, search=False)
    assert out.resolve() != published
    assert (published / "en" / "index.html").read_bytes() == home  # the old build is intact for its readers


def test_beyond_the_page_budget_old_posts_keep_one_page_in_their_own_language(tmp_path, monkeypatch):
    db, old = _store_with_one_post(tmp_path / "s.db")  # Kazakh, April 2020
    recent = _post("kg-osh-tg", "90", datetime(2021, 6, 1, tzinfo=timezone.utc), "Жаштар жардам беришти")
    _add(db, recent, "ky", "KG")
    config = load_config(bundled_path("marathon.toml"))
    monkeypatch.setattr("site_builder.plan.POST_PAGE_BUDGET", 2 + 8)  # room for one post in nine locales
    out = tmp_path / "output"
    build_site(db, config, out, search=False)
    assert all((out / loc / "posts" / recent.id / "index.html").exists() for loc in config.site.locales)
    assert (out / "kk" / "posts" / old.id / "index.html").exists()
    assert not (out / "en" / "posts" / old.id).exists()
    en_home = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert f'href="/kk/posts/{old.id}/"' in en_home and f'href="/en/posts/{recent.id}/"' in en_home
    page = (out / "kk" / "posts" / old.id / "index.html").read_text(encoding="utf-8")
    assert f'href="/en/archive/2020-04/#post-{old.id}"' in page  # the switcher leads to the post's month
    assert 'hreflang="en"' not in page.split("</head>")[0]  # no alternate that does not exist
    assert f'id="post-{old.id}"' in (out / "en" / "archive" / "2020-04" / "index.html").read_text(encoding="utf-8")


def _site(out) -> dict[str, bytes]:
    root = out.resolve()
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_post_leaving_the_page_budget_loses_its_other_pages_in_a_rebuild(tmp_path, monkeypatch):
    db, old = _store_with_one_post(tmp_path / "s.db")  # Kazakh, April 2020
    config = load_config(bundled_path("marathon.toml"))
    monkeypatch.setattr("site_builder.plan.POST_PAGE_BUDGET", 2 + 8)  # one post in nine locales
    out = tmp_path / "output"
    build_site(db, config, out, search=False)
    assert (out / "en" / "posts" / old.id / "index.html").exists()
    for n, month in enumerate((6, 7)):  # the second rebuild brings the spare build up to date too
        _add(db, _post("kg-osh-tg", f"9{n}", datetime(2021, month, 1, tzinfo=timezone.utc), "Жаштар"), "ky", "KG")
        build_site(db, config, out, search=False)
        assert not (out / "en" / "posts" / old.id).exists()
        assert (out / "kk" / "posts" / old.id / "index.html").exists()
        fresh = tmp_path / f"fresh{n}"
        build_site(db, config, fresh, search=False)
        assert _site(out) == _site(fresh)  # file for file and byte for byte what a build from nothing makes


def test_a_manifest_in_another_format_is_not_trusted(tmp_path):
    import marshal

    db, _ = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    for _ in range(2):
        build_site(db, config, out, search=False)
    for manifest in (tmp_path / ".output-builds").glob("*.manifest"):  # as older marathons wrote them
        _, entries = marshal.loads(manifest.read_bytes())
        manifest.write_bytes(marshal.dumps({"\x00format": "2", **entries}))
    report = build_site(db, config, out, search=False)
    assert report.rendered == report.pages
    for manifest in (tmp_path / ".output-builds").glob("*.manifest"):  # the oldest: no format at all
        saved = marshal.loads(manifest.read_bytes())
        entries = saved[1] if isinstance(saved, tuple) else {k: v for k, v in saved.items() if k != "\x00format"}
        manifest.write_bytes(marshal.dumps(entries))
    report = build_site(db, config, out, search=False)
    assert report.rendered == report.pages


def test_each_archived_post_page_switches_to_its_own_archive_row(tmp_path, monkeypatch):
    db, _ = _store_with_one_post(tmp_path / "s.db")
    olds = [_post("kg-osh-tg", f"a{n}", datetime(2020, 5, 1 + n, tzinfo=timezone.utc), f"Жардам {n}") for n in range(6)]
    for post in olds:
        _add(db, post, "ky", "KG")
    _add(db, _post("kg-osh-tg", "new", datetime(2021, 6, 1, tzinfo=timezone.utc), "Жаштар"), "ky", "KG")
    monkeypatch.setattr("site_builder.plan.POST_PAGE_BUDGET", 7 + 8)  # only the newest in nine locales
    out = tmp_path / "output"
    build_site(db, load_config(bundled_path("marathon.toml")), out, search=False)
    for post in olds:  # pages rendered together, each with its own switcher (made per page, never shared)
        page = (out / "ky" / "posts" / post.id / "index.html").read_text(encoding="utf-8")
        switcher = page.split('class="languages"')[1].split("</nav>")[0]
        assert switcher.count(f"#post-{post.id}") == 8 and switcher.count("#post-") == 8


def test_featured_posts_come_first_on_every_home_page_with_their_caption(tmp_path):
    from marathon.curation import Curation, Featured
    from marathon.store import apply_curation

    db, post = _store_with_one_post(tmp_path / "s.db")
    newer = _post("kg-osh-tg", "91", datetime(2021, 1, 1, tzinfo=timezone.utc), "Жаңы жыл менен!")
    _add(db, newer, "ky", "KG")
    apply_curation(db, Curation(featured=[Featured(post=post.id, caption={"ru": "Лучшее за апрель"}, line=1)],
                                hidden=[], path=None))
    out = tmp_path / "output"
    build_site(db, load_config(bundled_path("marathon.toml")), out, search=False)
    html = (out / "ru" / "index.html").read_text(encoding="utf-8")
    featured, latest = html.split('id="featured-heading"')[1].split("</section>", 1)
    assert "Лучшее за апрель" in featured and post.id in featured and newer.id not in featured
    assert latest.index(newer.id) < latest.index(post.id)  # then the newest, the featured one among them
    assert "Лучшее за апрель" not in (out / "en" / "index.html").read_text(encoding="utf-8")


def test_hidden_posts_are_left_off_every_page_feed_and_index(tmp_path):
    from marathon.curation import Curation, Hidden
    from marathon.store import apply_curation

    db, post = _store_with_one_post(tmp_path / "s.db")
    spam = _post("kg-osh-tg", "92", datetime(2020, 4, 9, tzinfo=timezone.utc), "Заработок 500$ в неделю, пишите")
    _add(db, spam, "ru", "KG")
    apply_curation(db, Curation(featured=[], hidden=[Hidden(post=spam.id, reason="spam", line=1)], path=None))
    out = tmp_path / "output"
    build_site(db, load_config(bundled_path("marathon.toml")), out)
    found = [p for p in out.resolve().rglob("*") if p.is_file() and spam.id.encode() in p.read_bytes()]
    assert found == [] and (out / "ru" / "posts" / post.id / "index.html").exists()
    # Search fragments are compressed, so count what the index holds instead: the one shown post.
    entries = [json.loads(p.read_text()) for p in (out / "search").glob("*/pagefind-entry.json")]
    assert sum(lang["page_count"] for entry in entries for lang in entry["languages"].values()) == 1


def test_worker_processes_write_the_same_site_as_one_process(tmp_path):
    db, _ = _store_with_one_post(tmp_path / "s.db")
    for n in range(40):
        _add(db, _post("kg-osh-tg", f"w{n}", datetime(2020, 5, 1 + n % 28, tzinfo=timezone.utc), f"Жардам {n}"),
             "ky", "KG")
    config = load_config(bundled_path("marathon.toml"))
    one = build_site(db, config, tmp_path / "one", search=False, workers=1)
    two = build_site(db, config, tmp_path / "two", search=False, workers=2)
    assert one.rendered == two.rendered == one.pages
    files = sorted(p.relative_to(one.out.resolve()) for p in one.out.resolve().rglob("*.html"))
    assert files == sorted(p.relative_to(two.out.resolve()) for p in two.out.resolve().rglob("*.html"))
    assert all((one.out / f).read_bytes() == (two.out / f).read_bytes() for f in files)


def test_search_shards_split_the_posts_and_a_rebuild_reindexes_only_the_changed_one(tmp_path, monkeypatch):
    monkeypatch.setattr("site_builder.search.SHARD_MAX", 2)
    db, _ = _store_with_one_post(tmp_path / "s.db")
    for month in (5, 6, 7, 8):
        _add(db, _post("kg-osh-tg", f"s{month}", datetime(2020, month, 2, tzinfo=timezone.utc), f"Ыктыяр {month}"),
             "ky", "KG")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    first = build_site(db, config, out)
    assert first.search_shards == 3 and first.indexed_shards == 3  # (04, 05) (06, 07) and the newest month, 08
    assert sorted(p.name for p in (out / "search").iterdir()) == ["2020-04_2020-05", "2020-06_2020-07", "2020-08"]
    _add(db, _post("kg-osh-tg", "s8b", datetime(2020, 8, 20, tzinfo=timezone.utc), "Ыктыяр жаңы"), "ky", "KG")
    second = build_site(db, config, out)
    assert second.indexed_shards == 1
    search_page = (out / "kk" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-bundles="/search/2020-08/ /search/2020-06_2020-07/ /search/2020-04_2020-05/ "' in search_page


def test_a_rebuild_takes_from_the_published_build_what_only_the_previous_rebuild_changed(tmp_path):
    db, _ = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    build_site(db, config, out)  # into a
    second = _post("kg-osh-tg", "s2", datetime(2020, 4, 6, tzinfo=timezone.utc), "Экинчи жарыя")
    _add(db, second, "ky", "KG")
    build_site(db, config, out)  # into b, a clone of a
    page = out / "ky" / "posts" / second.id / "index.html"
    inode = _inode(page)
    third = _post("kg-osh-tg", "s3", datetime(2020, 4, 7, tzinfo=timezone.utc), "Үчүнчү жарыя")
    _add(db, third, "ky", "KG")
    report = build_site(db, config, out)  # back into a, which still holds the first build
    assert _inode(page) == inode  # linked from b, not rendered again
    assert report.indexed_shards == 1  # only the shard with the third post
    only_third = report.rendered
    fourth = _post("kg-osh-tg", "s4", datetime(2020, 4, 8, tzinfo=timezone.utc), "Төртүнчү жарыя")
    _add(db, fourth, "ky", "KG")
    assert build_site(db, config, out).rendered == only_third  # each rebuild renders what one post changes


def test_a_spare_build_whose_manifest_is_unreadable_is_made_again_not_trusted(tmp_path):
    db, old = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    build_site(db, config, out, search=False)
    build_site(db, config, out, search=False)  # now both build directories exist
    spare = next(p for p in (tmp_path / ".output-builds").iterdir() if p.is_dir() and p != out.resolve())
    (spare / "ru" / "index.html").write_text("damaged by hand", encoding="utf-8")
    (spare.parent / f"{spare.name}.manifest").write_bytes(b"\x00damaged")
    new = _post("kg-osh-tg", "m1", datetime(2020, 4, 4, tzinfo=timezone.utc), "Жаңы жарыя")
    _add(db, new, "ky", "KG")
    build_site(db, config, out, search=False)
    assert out.resolve() == spare
    home = (out / "ru" / "index.html").read_text(encoding="utf-8")
    assert "damaged by hand" not in home and new.id in home and old.id in home


def test_a_failing_search_index_fails_the_build_and_keeps_the_published_site(tmp_path, monkeypatch):
    db, post = _store_with_one_post(tmp_path / "s.db")
    config = load_config(bundled_path("marathon.toml"))
    out = tmp_path / "output"
    build_site(db, config, out, search=False)
    _add(db, _post("kg-osh-tg", "93", datetime(2020, 4, 10, tzinfo=timezone.utc), "Жаңы пост"), "ky", "KG")
    monkeypatch.setattr("site_builder.search.get_executable", lambda: "/bin/false")  # Pagefind exits with 1
    with pytest.raises(BuildError, match=r"search index: Pagefind failed \(1\)"):
        build_site(db, config, out)
    assert (out / "ru" / "posts" / post.id / "index.html").exists()
    assert not (out / "search").exists()  # the published build is the one before
    assert len([p for p in (tmp_path / ".output-builds").iterdir() if p.is_dir()]) == 1


def test_a_build_rewrites_its_own_files_in_place_and_never_writes_through_a_shared_one(tmp_path):
    from site_builder.writer import write_file

    alone, shared, published = tmp_path / "alone.html", tmp_path / "shared.html", tmp_path / "published.html"
    alone.write_bytes(b"an old page, longer than the new one")
    published.write_bytes(b"the published page")
    shared.hardlink_to(published)
    inode = alone.stat().st_ino
    write_file(alone, b"new page")
    write_file(shared, b"the next build's page")
    assert alone.read_bytes() == b"new page" and alone.stat().st_ino == inode  # truncated to its new length
    assert shared.read_bytes() == b"the next build's page"
    assert published.read_bytes() == b"the published page" and shared.stat().st_ino != published.stat().st_ino
