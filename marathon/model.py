"""The one definition of a post, a source and a crawl run; JSONL in and out."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from marathon.errors import ImportFormatError

PLATFORMS = ("rss", "website", "telegram", "youtube", "mastodon", "bluesky", "vk")


@dataclass(frozen=True)
class Media:
    type: str  # "image", "video", "link" (a link preview) or "unavailable" (left out by the platform's preview)
    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass
class Post:
    """A post as stored and exported. ``id`` is stable across crawls: source id + native id."""

    id: str
    source_id: str
    platform: str
    url: str
    published: datetime
    text: str
    native_id: str = ""
    author: str = ""
    title: str = ""
    html: str = ""
    hashtags: list[str] = field(default_factory=list)
    lang: str | None = None
    also_langs: list[str] = field(default_factory=list)
    lang_hint: str | None = None  # the platform's own language label, if any
    country: str | None = None
    countries: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    organization: str = ""
    media: list[Media] = field(default_factory=list)
    fetched: datetime | None = None
    content_hash: str = ""
    duplicate_of: str | None = None
    views: int | None = None
    forwarded_from: str = ""
    edited: bool = False
    hidden_reason: str | None = None  # set from the curation file; hidden posts are left off the site

    def to_json(self) -> dict[str, Any]:
        """The post in the public JSONL format of the brief (plus a few documented extras)."""
        data = asdict(self)
        data["published"] = self.published.isoformat()
        data["fetched"] = self.fetched.isoformat() if self.fetched else None
        data["media"] = [{k: v for k, v in asdict(m).items() if v not in (None, "")} for m in self.media]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Post":
        """Build a post from a JSONL object; raises ImportFormatError naming the bad field."""
        if not isinstance(data, dict):
            raise ImportFormatError("expected a JSON object")
        for key in ("source_id", "url", "published"):
            if not data.get(key):
                raise ImportFormatError(f"missing required field {key!r}")
        text = data.get("text") or ""
        if not isinstance(text, str):
            raise ImportFormatError("field 'text' must be a string")
        published = parse_datetime(data["published"], "published")
        fetched = parse_datetime(data["fetched"], "fetched") if data.get("fetched") else None
        media = []
        for item in data.get("media") or []:
            if not isinstance(item, dict) or not item.get("url"):
                raise ImportFormatError("each media item needs a 'url'")
            media.append(Media(type=str(item.get("type") or "image"), url=str(item["url"]),
                               alt=str(item.get("alt") or ""), width=item.get("width"),
                               height=item.get("height")))
        native_id = str(data.get("native_id") or "")
        post_id = str(data.get("id") or "") or make_post_id(data["source_id"], native_id or data["url"])
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: v for k, v in data.items() if k in known and k not in
                 ("id", "published", "fetched", "media", "native_id", "text")}
        for key in ("hashtags", "campaigns", "also_langs", "countries"):
            if key in extra and not isinstance(extra[key] or [], list):
                raise ImportFormatError(f"field {key!r} must be a list")
            extra[key] = list(extra.get(key) or [])
        extra = {k: v for k, v in extra.items() if v is not None or k in ("lang", "country")}
        return cls(id=post_id, published=published, fetched=fetched, media=media,
                   native_id=native_id, text=text, **extra)


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    organization: str
    country: str
    platform: str
    url: str
    max_pages: int = 20
    query: str = ""
    selectors: dict[str, str] = field(default_factory=dict)
    country_from_content: bool = False  # speaks for several countries: tag posts by the countries they name


@dataclass
class CrawlRun:
    source_id: str
    started: datetime
    finished: datetime | None = None
    status: str = "running"  # ok, failed, skipped
    http_status: int | None = None
    error: str = ""
    requests: int = 0
    posts_seen: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    bytes: int = 0


def make_post_id(source_id: str, native_id: str) -> str:
    """A stable, URL-safe post id: readable source id plus a short hash of the native id."""
    digest = hashlib.sha1(f"{source_id}\0{native_id}".encode()).hexdigest()[:12]
    return f"{source_id}-{digest}"


def content_hash(text: str) -> str:
    """Hash of whitespace- and case-folded text: equal hashes mean exact duplicates."""
    folded = " ".join(text.casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()[:24]


def parse_datetime(value: Any, name: str = "date") -> datetime:
    """Parse ISO 8601; a date without offset is taken as UTC. Raises ImportFormatError."""
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ImportFormatError(f"field {name!r} is not an ISO 8601 date: {value!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def read_jsonl(lines: Iterable[str], origin: str = "<input>") -> Iterator[Post]:
    """Yield posts from JSONL lines; a bad line raises ImportFormatError with its line number."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            yield Post.from_json(data)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"{origin}:{number}: not valid JSON: {exc.msg}") from None
        except ImportFormatError as exc:
            raise ImportFormatError(f"{origin}:{number}: {exc}") from None


def write_jsonl(posts: Iterable[Post]) -> Iterator[str]:
    for post in posts:
        yield json.dumps(post.to_json(), ensure_ascii=False, sort_keys=True) + "\n"
