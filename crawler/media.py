"""The media cache: post images fetched once, so the site serves them itself.

A visitor's browser must never ask a third-party host for anything, so a post page shows an image
only from the site's own ``/media/``. Each image URL is fetched once (size-capped, images only,
SVG only when it is plain drawing); a raster image is stored as its web-sized rendition
(crawler/images.py), never as fetched, in a file named by a digest of the stored bytes beside the
store. A failure is recorded and not retried on every crawl.
"""

from __future__ import annotations

import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlite_utils
from defusedxml import ElementTree as SafeElementTree

from crawler.images import UnusableImage, render_image
from crawler.settings import user_agent
from marathon.config import CrawlSettings
from marathon.store import media_directory, media_files_in_use, media_to_fetch, media_to_render, record_media

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif",
               "image/avif": "avif", "image/svg+xml": "svg"}
# Drawing only: no script, no foreignObject, no links or references out of the file.
SVG_ELEMENTS = {"svg", "g", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text", "tspan",
                "title", "desc", "defs", "lineargradient", "radialgradient", "stop", "clippath", "mask", "use"}
SVG_URL_ATTRIBUTES = {"href", "src"}


@dataclass
class MediaReport:
    fetched: int = 0
    failed: int = 0
    rendered: int = 0  # files cached before renditions, replaced by theirs


def plain_svg(data: bytes) -> bool:
    """True for an SVG that only draws: every element on the list, no event handler, no reference
    outside the file (an SVG opened directly runs its scripts on our site's origin)."""
    try:
        root = SafeElementTree.fromstring(data)
    except Exception:
        return False
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.rsplit("}", 1)[-1].lower() not in SVG_ELEMENTS:
            return False
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local in SVG_URL_ATTRIBUTES and not value.startswith("#")):
                return False
            if "url(" in value and "url(#" not in value.replace(" ", ""):
                return False
    return True


def svg_size(data: bytes) -> tuple[int | None, int | None]:
    """The pixel width and height an SVG declares (``width``/``height`` in px, else its viewBox);
    None for what it leaves open."""
    try:
        root = SafeElementTree.fromstring(data)
    except Exception:
        return None, None
    sizes = [re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*", root.get(key) or "") for key in ("width", "height")]
    if all(sizes):
        return tuple(max(1, round(float(m.group(1)))) for m in sizes)  # type: ignore[return-value,union-attr]
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        width, height = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return None, None
    return (max(1, round(width)), max(1, round(height))) if width > 0 and height > 0 else (None, None)


def _row(url: str) -> dict:
    return {"url": url, "file": None, "content_type": None, "bytes": None, "status": "failed", "error": None,
            "width": None, "height": None, "source_bytes": None}


def _fetch(client: httpx.Client, url: str, max_bytes: int) -> tuple[dict, bytes | None]:
    """The row of a failed fetch and None, or the row so far and the image's bytes."""
    row = _row(url)
    try:
        with client.stream("GET", url) as response:
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            row["content_type"] = content_type
            if response.status_code != 200:
                row["error"] = f"HTTP {response.status_code}"
                return row, None
            if content_type not in IMAGE_TYPES:
                row["error"] = f"not an image: {content_type or 'no content type'}"
                return row, None
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    row["error"] = f"over the size cap of {max_bytes} bytes"
                    return row, None
    except httpx.HTTPError as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"[:200]
        return row, None
    return row, body


def _keep(row: dict, body: bytes, directory: Path, settings: CrawlSettings) -> dict:
    """Store what the site will serve for these fetched bytes: a plain SVG as it is, any other image
    as its rendition; the row says which file, its size and type, or why there is none."""
    row["source_bytes"] = len(body)
    if row["content_type"] == "image/svg+xml":
        if not plain_svg(body):
            row["error"] = "SVG with scripts, handlers or outside references"
            return row
        data, extension = body, "svg"
        row["width"], row["height"] = svg_size(body)
    else:
        try:
            rendition = render_image(body, settings.image_max_width, settings.image_max_bytes)
        except UnusableImage as exc:
            row["error"] = str(exc)
            return row
        data, extension = rendition.data, rendition.extension
        row.update(content_type=rendition.content_type, width=rendition.width, height=rendition.height)
    name = f"{hashlib.sha256(data).hexdigest()[:24]}.{extension}"
    path = directory / name
    if not path.exists():
        # Two URLs may give the same bytes at once: each thread writes its own temporary file.
        temporary = path.with_name(f"{name}.{threading.get_ident()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    row.update(file=name, bytes=len(data), status="ok", error=None)
    return row


def _fetch_and_keep(client: httpx.Client, url: str, directory: Path, settings: CrawlSettings) -> dict:
    row, body = _fetch(client, url, settings.max_bytes)
    return row if body is None else _keep(row, body, directory, settings)


def _render_cached(url: str, name: str, content_type: str | None, directory: Path,
                   settings: CrawlSettings) -> dict | None:
    """The rendition of a file cached before renditions existed (no network needed); None when the
    file is gone, so the URL is fetched again."""
    try:
        body = (directory / name).read_bytes()
    except FileNotFoundError:
        return None
    return _keep(dict(_row(url), content_type=content_type), body, directory, settings)


def cache_media(db: sqlite_utils.Database, settings: CrawlSettings) -> MediaReport:
    """Fetch every post image the cache has not tried yet into the store's media directory as its
    rendition, and render files cached as fetched by an older marathon; returns the counts."""
    directory = media_directory(db)
    urls = [u for u in media_to_fetch(db) if u.startswith(("http://", "https://"))]
    legacy = media_to_render(db)
    report = MediaReport()
    if not urls and not legacy:
        return report
    directory.mkdir(parents=True, exist_ok=True)
    timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
    headers = {"User-Agent": user_agent(settings.contact_url)}
    # Threads: Pillow decodes, scales and encodes without holding the GIL.
    with ThreadPoolExecutor(4) as pool:
        rendered = list(pool.map(lambda item: _render_cached(*item, directory, settings), legacy))
        urls += [url for (url, _name, _type), row in zip(legacy, rendered) if row is None]
        rendered_rows = [row for row in rendered if row is not None]
        with httpx.Client(timeout=timeout, headers=headers, follow_redirects=True,
                          limits=httpx.Limits(max_connections=4)) as client:
            rows = list(pool.map(lambda url: _fetch_and_keep(client, url, directory, settings), urls))
    record_media(db, rows + rendered_rows)
    # The originals are no longer served; a published site keeps its own hard links to them.
    old_names = {name for _url, name, _type in legacy}
    for name in old_names - media_files_in_use(db, old_names):
        (directory / name).unlink(missing_ok=True)
    report.fetched = sum(row["status"] == "ok" for row in rows)
    report.rendered = sum(row["status"] == "ok" for row in rendered_rows)
    report.failed = len(rows) + len(rendered_rows) - report.fetched - report.rendered
    return report
