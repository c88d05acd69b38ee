"""The media cache: post images fetched once from a real local server, served by the site itself."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from PIL import Image

from crawler.media import cache_media, plain_svg, svg_size
from marathon.config import CrawlSettings
from marathon.demo.formats import placeholder_svg
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.model import Media, Post, make_post_id
from marathon.store import cached_media, media_directory, media_to_fetch, open_store, record_media, upsert_posts


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


def test_an_svg_is_given_the_size_it_declares():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" %s><rect width="1" height="1"/></svg>'
    assert svg_size(svg % b'width="800px" height="450"') == (800, 450)
    assert svg_size(svg % b'width="100%" viewBox="0 0 640 360"') == (640, 360)
    assert svg_size(svg % b'') == (None, None)


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
    with Image.open(media_directory(db) / cached[f"{base}/photo.png"]) as kept:
        assert (kept.format, kept.size) == ("PNG", (1, 1))  # re-encoded, so nothing of the source's metadata
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
    assert f'<img src="/media/{name}"' in html
    assert (out / "media" / name).read_bytes() == (media_directory(db) / name).read_bytes()
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


# Renditions (crawler/images.py): what the cache keeps is web-sized, upright and metadata-free.

def phone_photo(width: int = 4000, height: int = 3000, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: stored sideways with an EXIF orientation, GPS position and
    camera details. Its stored left half is red and right half blue, so rotation shows."""
    grain = Image.effect_noise((width, height), 40)  # fine grain, so the JPEG weighs what a photo does
    red = Image.new("RGB", (width // 2, height), (200, 30, 30))
    blue = Image.new("RGB", (width - width // 2, height), (30, 30, 200))
    picture = Image.new("RGB", (width, height))
    picture.paste(red, (0, 0))
    picture.paste(blue, (width // 2, 0))
    picture = Image.blend(picture, grain.convert("RGB"), 0.25)
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "Volunteer Phone 12"
    exif[0x8825] = {1: "N", 2: (51.0, 43.0, 49.0), 3: "E", 4: (36.0, 11.0, 36.0)}  # Kursk
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def _cache(tmp_path, routes: dict, settings: CrawlSettings | None = None):
    with RecordedServer(routes) as server:
        base = server.base_url.rstrip("/")
        db = _store_with_images(tmp_path, base, [p.lstrip("/") for p in routes])
        report = cache_media(db, settings or CrawlSettings())
    rows = {row["url"][len(base):]: row for row in db.query("SELECT * FROM media_files")}
    return db, report, rows


def test_a_phone_photo_is_stored_upright_scaled_and_without_its_location(tmp_path):
    photo = phone_photo()
    assert len(photo) > 1_000_000
    db, report, rows = _cache(tmp_path, {"/photo.jpg": Recorded(body=photo, content_type="image/jpeg")})
    row = rows["/photo.jpg"]
    assert report.fetched == 1 and row["status"] == "ok" and row["source_bytes"] == len(photo)
    path = media_directory(db) / row["file"]
    data = path.read_bytes()
    assert row["bytes"] == len(data) <= CrawlSettings().image_max_bytes
    with Image.open(path) as kept:
        assert (row["width"], row["height"]) == kept.size == (1200, 1600)  # 3000×4000 upright, scaled to fit
        assert not kept.getexif() and b"Exif" not in data and b"Volunteer Phone" not in data
        top, bottom = kept.convert("RGB").getpixel((600, 100)), kept.convert("RGB").getpixel((600, 1500))
    assert top[0] > top[2] and bottom[2] > bottom[0]  # stored left (red) is shown on top: turned right
    assert row["file"].endswith(".webp") and row["content_type"] == "image/webp"


def test_a_small_drawing_stays_a_small_lossless_png(tmp_path):
    drawing = Image.new("RGB", (300, 200), "white")
    drawing.paste(Image.new("RGB", (100, 50), (0, 120, 60)), (20, 20))
    source = io.BytesIO()
    drawing.save(source, "PNG")
    db, _report, rows = _cache(tmp_path, {"/logo.png": Recorded(body=source.getvalue(), content_type="image/png")})
    row = rows["/logo.png"]
    assert row["file"].endswith(".png") and (row["width"], row["height"]) == (300, 200)
    assert row["bytes"] <= len(source.getvalue()) + 100
    with Image.open(media_directory(db) / row["file"]) as kept:
        assert kept.convert("RGB").tobytes() == drawing.tobytes()  # lossless


def test_an_animated_gif_keeps_its_first_frame(tmp_path):
    frames = [Image.new("P", (64, 48), colour) for colour in (1, 2, 3)]
    source = io.BytesIO()
    frames[0].save(source, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    db, _report, rows = _cache(tmp_path, {"/wave.gif": Recorded(body=source.getvalue(), content_type="image/gif")})
    with Image.open(media_directory(db) / rows["/wave.gif"]["file"]) as kept:
        assert kept.format == "PNG" and kept.size == (64, 48) and not getattr(kept, "is_animated", False)


def bomb_png(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of a few kilobytes that decodes to width×height pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    squeeze, row = zlib.compressobj(9), b"\0" * (1 + (width + 7) // 8)
    idat = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(8000, 6000), (20000, 20000)], ids=["over ours", "over Pillow's"])
def test_a_decompression_bomb_is_recorded_as_failed_and_the_run_goes_on(tmp_path, size):
    bomb = bomb_png(*size)
    assert len(bomb) < 100_000
    _db, report, rows = _cache(tmp_path, {"/bomb.png": Recorded(body=bomb, content_type="image/png"),
                                          "/fine.png": Recorded(body=tiny_png(), content_type="image/png")})
    assert (report.fetched, report.failed) == (1, 1)
    assert rows["/bomb.png"]["status"] == "failed" and rows["/bomb.png"]["file"] is None
    assert rows["/bomb.png"]["error"].startswith("decompression bomb") and "\n" not in rows["/bomb.png"]["error"]


def test_truncated_and_corrupt_images_are_recorded_as_failed(tmp_path):
    photo = phone_photo(800, 600, orientation=1)
    _db, report, rows = _cache(tmp_path, {
        "/cut.jpg": Recorded(body=photo[: len(photo) // 2], content_type="image/jpeg"),
        "/noise.png": Recorded(body=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, content_type="image/png"),
        "/fine.jpg": Recorded(body=photo, content_type="image/jpeg")})
    assert (report.fetched, report.failed) == (1, 2)
    assert "truncated" in rows["/cut.jpg"]["error"] and rows["/noise.png"]["error"].startswith("unreadable image")
    assert rows["/fine.jpg"]["status"] == "ok"


def test_a_rendition_fits_the_image_budget_by_losing_quality_then_width(tmp_path):
    noise = io.BytesIO()
    Image.effect_noise((1600, 1200), 90).convert("RGB").save(noise, "PNG")  # the worst case: nothing to squeeze
    settings = replace(CrawlSettings(), image_max_bytes=30_000)
    db, _report, rows = _cache(tmp_path, {"/noise.png": Recorded(body=noise.getvalue(), content_type="image/png")},
                               settings)
    row = rows["/noise.png"]
    assert row["status"] == "ok" and row["bytes"] <= 30_000 and 160 <= row["width"] < 1200
    with Image.open(media_directory(db) / row["file"]) as kept:
        assert kept.size == (row["width"], row["height"])


def test_images_cached_as_fetched_by_an_older_marathon_are_rendered_on_the_next_crawl(tmp_path):
    photo = phone_photo(2000, 1500, orientation=1)
    with RecordedServer({}) as server:  # nothing to fetch: the rendition comes from the cached file
        base = server.base_url.rstrip("/")
        db = _store_with_images(tmp_path, base, ["old.jpg"])
        media_directory(db).mkdir(parents=True)
        (media_directory(db) / "0ld0rigina1.jpg").write_bytes(photo)
        record_media(db, [{"url": f"{base}/old.jpg", "file": "0ld0rigina1.jpg", "content_type": "image/jpeg",
                           "bytes": len(photo), "status": "ok", "error": None}])
        report = cache_media(db, CrawlSettings())
    assert (report.fetched, report.rendered, report.failed) == (0, 1, 0) and server.requests == []
    kept = cached_media(db, [f"{base}/old.jpg"])[f"{base}/old.jpg"]
    assert (kept.width, kept.height) == (1200, 900) and kept.endswith(".webp")
    assert [p.name for p in media_directory(db).iterdir()] == [kept]  # the original is gone


def test_the_built_post_page_gives_the_rendition_its_true_size(tmp_path):
    from marathon.config import bundled_path, load_config
    from marathon.store import save_tags
    from site_builder.build import build_site

    post_id = make_post_id("kg-osh-tg", "1")
    with RecordedServer({"/photo.jpg": Recorded(body=phone_photo(1800, 1000, orientation=1),
                                                content_type="image/jpeg")}) as server:
        db = _store_with_images(tmp_path, server.base_url.rstrip("/"), ["photo.jpg"])  # the post says 1×1
        cache_media(db, CrawlSettings())
    save_tags(db, [{"id": post_id, "lang": "ky", "country": "KG", "countries": ["KG"], "campaigns": []}])
    build_site(db, load_config(bundled_path("marathon.toml")), tmp_path / "output", search=False)
    html = (tmp_path / "output" / "ky" / "posts" / post_id / "index.html").read_text(encoding="utf-8")
    assert 'width="1200" height="667"' in html
    head = html.split("</head>")[0]  # and link previews learn it too
    assert '<meta property="og:image:width" content="1200">' in head
    assert '<meta property="og:image:height" content="667">' in head
