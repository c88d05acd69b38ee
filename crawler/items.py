"""What a spider or API client yields: a raw post, before the pipeline turns it into a Post."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypedDict


class RawPost(TypedDict, total=False):
    source_id: str
    native_id: str
    url: str
    published: datetime
    title: str
    html: str
    text: str
    author: str
    hashtags: list[str]
    media: list[dict[str, Any]]
    lang_hint: str | None
    views: int | None
    forwarded_from: str
    edited: bool


class PostBatch(TypedDict):
    """What reaches the item pipeline: every raw post one response gave, as one Scrapy item.

    Scrapy's per-item path (spider middlewares, the scraper's queue, signals, the pipeline chain)
    cost about as much per post as parsing it; one item per response pays it once per page.
    """

    source_id: str
    posts: list[RawPost]


def parse_date(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 822 dates as aware datetimes; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
