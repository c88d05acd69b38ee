"""Every URL of the site: (kind, key, locale, page) -> path. The one place URLs are made."""

from __future__ import annotations

import re
from urllib.parse import quote as _quote

SAFE = re.compile(r"[A-Za-z0-9._~-]+")


def quote(key: str) -> str:
    """Percent-encode a path segment; ids and slugs are nearly always safe as they are (fast path)."""
    return key if SAFE.fullmatch(key) else _quote(key)

def path_for(kind: str, locale: str, key: str = "", page: int = 1) -> str:
    """Site-relative path of a page, always starting with '/' and ending with '/' or a file name."""
    if kind == "home":
        base = f"/{locale}/"
    elif kind == "post":
        base = f"/{locale}/posts/{quote(key)}/"
    elif kind == "country":
        base = f"/{locale}/countries/{key.lower()}/"
    elif kind == "campaign":
        base = f"/{locale}/campaigns/{quote(key)}/"
    elif kind == "organization":
        base = f"/{locale}/organizations/{quote(key)}/"
    elif kind == "language":
        base = f"/{locale}/languages/{quote(key)}/"
    elif kind == "month":
        base = f"/{locale}/archive/{key}/"  # key: YYYY-MM
    elif kind == "archive":
        base = f"/{locale}/archive/"
    elif kind == "search":
        base = f"/{locale}/search/"
    elif kind == "feed":
        return f"/{locale}/feed.xml"
    elif kind == "country-feed":
        return f"/{locale}/countries/{key.lower()}/feed.xml"
    elif kind == "campaign-feed":
        return f"/{locale}/campaigns/{quote(key)}/feed.xml"
    else:
        raise ValueError(f"unknown page kind {kind!r}")
    return base if page <= 1 else f"{base}page/{page}/"


def file_for(path: str) -> str:
    """The file written for a path: directories get index.html."""
    path = path.lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path
