"""The media cache: post images fetched once from a real local server, served by the site itself."""

from __future__ import annotations

import struct
import zlib
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from crawler.media import cache_media, plain_svg
from marathon.config import CrawlSettings
from marathon.demo.formats import placeholder_svg
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.model import Media, Post, make_post_id
from marathon.store import cached_media, media_directory, media_to_fetch, open_store, upsert_posts


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


HOSTILE_SVGS = [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
    b'<image x:href="http://tracker.example/p.gif"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://tracker.example/x)"/></svg>',
    b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
]


def test_a_plain_drawing_is_kept_and_anything_that_could_run_or_call_out_is_not():
    assert plain_svg(placeholder_svg("Волонтёры Оша"))
    assert not any(plain_svg(svg) for svg in HOSTILE_SVGS)


def _store_with_images(tmp_path, base: str, names: list[str]):
    db = open_store(tmp_path / "store" / "s.db")
    post = Post(id=make_post_id("kg-osh-tg", "1"), source_id="kg-osh-tg", platform="telegram", url=f"{base}/post/1",
                native_id="1", published=datetime(2020, 5, 1, tzinfo=timezone.utc), text="Ыктыярчылар",
                media=[Media("image", f"{base}/{name}", "сүрөт", 1, 1) for name in names])
    upsert_posts(db, [post])
    return db


def test_images_are_cached_once_and_everything_else_is_refused_and_remembered(tmp_path):
    png, fetches = tiny_png(), []

    def counted(recorded):
        def answer(handler):
            fetches.append(handler.path)
            return recorded
        return answer

    routes = {"/photo.png": counted(Recorded(body=png, content_type="image/png")),
              "/page.html": counted(Recorded(body=b"<html>not an image</html>")),
              "/huge.png": counted(Recorded(body=png + b"\0" * 5000, content_type="image/png")),
              "/evil.svg": counted(Recorded(body=HOSTILE_SVGS[0], content_type="image/svg+xml")),
              "/gone.jpg": counted(Recorded(status=404, body=b"no"))}
    with RecordedServer(routes) as server:
        db = _store_with_images(tmp_path, server.base_url.rstrip("/"), [p.lstrip("/") for p in routes])
        settings = replace(CrawlSettings(), max_bytes=4000)
        report = cache_media(db, settings)
        assert (report.fetched, report.failed) == (1, 4)
        assert media_to_fetch(db) == [] and cache_media(db, settings).fetched == 0
    assert len(fetches) == 5  # a failure is remembered, not fetched again on every crawl
    base = server.base_url.rstrip("/")
    cached = cached_media(db, [f"{base}{p}" for p in routes])
    assert list(cached) == [f"{base}/photo.png"]
    assert (media_directory(db) / cached[f"{base}/photo.png"]).read_bytes() == png
    errors = dict(db.execute("SELECT url, error FROM media_files").fetchall())
    assert "not an image" in errors[f"{base}/page.html"] and "size cap" in errors[f"{base}/huge.png"]
    assert "SVG" in errors[f"{base}/evil.svg"] and "404" in errors[f"{base}/gone.jpg"]


def test_the_site_shows_cached_images_from_its_own_media_and_no_other(tmp_path):
    from marathon.config import bundled_path, load_config
    from marathon.store import save_tags
    from site_builder.build import build_site

    png = tiny_png()
    config, out = load_config(bundled_path("marathon.toml")), tmp_path / "output"
    page = out / "ky" / "posts" / make_post_id("kg-osh-tg", "1") / "index.html"
    with RecordedServer({"/photo.png": Recorded(body=png, content_type="image/png")}) as server:
        base = server.base_url.rstrip("/")
        db = _store_with_images(tmp_path, base, ["photo.png", "never-fetched.png"])
        save_tags(db, [{"id": make_post_id("kg-osh-tg", "1"), "lang": "ky", "country": "KG", "countries": ["KG"],
                        "campaigns": []}])
        build_site(db, config, out, search=False)
        assert "<img" not in page.read_text(encoding="utf-8")  # not cached yet: no image, never a hotlink
        cache_media(db, CrawlSettings())
    build_site(db, config, out, search=False)  # the page changes once its image is in the cache
    html = page.read_text(encoding="utf-8")
    name = cached_media(db, [f"{base}/photo.png"])[f"{base}/photo.png"]
    assert f'<img src="/media/{name}"' in html and (out / "media" / name).read_bytes() == png
    assert base not in html.split("</head>")[0] and "never-fetched" not in html
    assert 'og:image" content="http://127.0.0.1:8000/media/' in html


@pytest.mark.parametrize("svg", HOSTILE_SVGS[:2])
def test_no_hostile_svg_reaches_the_cache(tmp_path, svg):
    with RecordedServer({"/x.svg": Recorded(body=svg, content_type="image/svg+xml")}) as server:
        db = _store_with_images(tmp_path, server.base_url.rstrip("/"), ["x.svg"])
        assert cache_media(db, CrawlSettings()).failed == 1
    assert not media_directory(db).exists() or not any(media_directory(db).iterdir())


def test_a_cached_image_deleted_by_hand_is_reported_and_the_build_goes_on(tmp_path):
    from marathon.config import bundled_path, load_config
    from site_builder.build import build_site

    with RecordedServer({"/photo.png": Recorded(body=tiny_png(), content_type="image/png")}) as server:
        db = _store_with_images(tmp_path, server.base_url.rstrip("/"), ["photo.png"])
        cache_media(db, CrawlSettings())
    (name,) = [p.name for p in media_directory(db).iterdir()]
    (media_directory(db) / name).unlink()
    report = build_site(db, load_config(bundled_path("marathon.toml")), tmp_path / "output", search=False)
    assert report.missing_media == [name] and (tmp_path / "output" / "en" / "index.html").exists()
