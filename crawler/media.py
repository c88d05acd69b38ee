"""The media cache: post images fetched once, so the site serves them itself.

A visitor's browser must never ask a third-party host for anything, so a post page shows an image
only from the site's own ``/media/``. Each image URL is fetched once (size-capped, images only,
SVG only when it is plain drawing) into a content-addressed file beside the store; a failure is
recorded and not retried on every crawl.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlite_utils
from defusedxml import ElementTree as SafeElementTree

from crawler.settings import user_agent
from marathon.config import CrawlSettings
from marathon.store import media_directory, media_to_fetch, record_media

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


def _fetch(client: httpx.Client, url: str, directory: Path, max_bytes: int) -> dict:
    row = {"url": url, "file": None, "content_type": None, "bytes": None, "status": "failed", "error": None}
    try:
        with client.stream("GET", url) as response:
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            row["content_type"] = content_type
            if response.status_code != 200:
                row["error"] = f"HTTP {response.status_code}"
                return row
            if content_type not in IMAGE_TYPES:
                row["error"] = f"not an image: {content_type or 'no content type'}"
                return row
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    row["error"] = f"over the size cap of {max_bytes} bytes"
                    return row
    except httpx.HTTPError as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"[:200]
        return row
    if content_type == "image/svg+xml" and not plain_svg(body):
        row["error"] = "SVG with scripts, handlers or outside references"
        return row
    name = f"{hashlib.sha256(body).hexdigest()[:24]}.{IMAGE_TYPES[content_type]}"
    path = directory / name
    if not path.exists():
        temporary = path.with_name(name + ".tmp")
        temporary.write_bytes(body)
        temporary.replace(path)
    row.update(file=name, bytes=len(body), status="ok")
    return row


def cache_media(db: sqlite_utils.Database, settings: CrawlSettings) -> MediaReport:
    """Fetch every post image the cache has not tried yet into the store's media directory; returns
    how many were fetched and how many failed."""
    directory = media_directory(db)
    urls = [u for u in media_to_fetch(db) if u.startswith(("http://", "https://"))]
    report = MediaReport()
    if not urls:
        return report
    directory.mkdir(parents=True, exist_ok=True)
    timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
    headers = {"User-Agent": user_agent(settings.contact_url)}
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=True,
                      limits=httpx.Limits(max_connections=4)) as client, ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(lambda url: _fetch(client, url, directory, settings.max_bytes), urls))
    record_media(db, rows)
    report.fetched = sum(row["status"] == "ok" for row in rows)
    report.failed = len(rows) - report.fetched
    return report

