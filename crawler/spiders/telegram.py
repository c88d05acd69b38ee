"""Telegram public channel previews (``/s/<channel>``), paged back with ``?before=``."""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from bs4 import BeautifulSoup, Tag

from crawler.encoding import decode_body
from crawler.items import RawPost, parse_date
from crawler.spiders import SourceCrawl
from crawler.urls import with_query
from marathon.text import find_hashtags, html_to_text

BACKGROUND_URL = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)")
VIEWS = re.compile(r"^([\d.,]+)\s*([KMkm]?)$")


class NoPublicPreview(ValueError):
    """The channel has no web preview: t.me redirected away from /s/<channel>."""


def parse_views(label: str) -> int | None:
    """'856' -> 856, '1.2K' -> 1200, '3M' -> 3000000."""
    match = VIEWS.match(label.strip())
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    return int(round(number * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]))


def _background(node: Tag | None, page_url: str) -> str | None:
    match = BACKGROUND_URL.search(node.get("style", "")) if node else None
    return urljoin(page_url, match.group(1)) if match else None


def _media(message: Tag, page_url: str, post_url: str) -> list[dict]:
    media: list[dict] = []
    for photo in message.select(".tgme_widget_message_photo_wrap"):
        url = _background(photo, page_url)
        if url:
            media.append({"type": "image", "url": url})
    for player in message.select(".tgme_widget_message_video_player"):
        video = player.select_one("video[src]")
        if video:
            media.append({"type": "video", "url": urljoin(page_url, video["src"])})
        else:  # too big for the preview: keep a marker pointing at the post itself
            media.append({"type": "unavailable", "url": post_url, "alt": "video shown only in Telegram"})
    for missing in message.select(".message_media_not_supported"):
        label = missing.select_one(".message_media_not_supported_label")
        media.append({"type": "unavailable", "url": post_url,
                      "alt": label.get_text(" ", strip=True) if label else "media shown only in Telegram"})
    preview = message.select_one("a.tgme_widget_message_link_preview[href]")
    if preview:
        title = preview.select_one(".link_preview_title")
        site = preview.select_one(".link_preview_site_name")
        label = " — ".join(t.get_text(" ", strip=True) for t in (site, title) if t)
        media.append({"type": "link", "url": urljoin(page_url, preview["href"]), "alt": label})
    return media


def parse_telegram_page(html: str, source_id: str, page_url: str) -> list[RawPost]:
    """The messages of one preview page, oldest first."""
    soup = BeautifulSoup(html, "lxml")
    posts: list[RawPost] = []
    for message in soup.select(".tgme_widget_message[data-post]"):
        native_id = message["data-post"].rsplit("/", 1)[-1]
        time = message.select_one(".tgme_widget_message_date time[datetime]")
        link = message.select_one("a.tgme_widget_message_date")
        published = parse_date(time["datetime"]) if time else None
        if not (native_id.isdigit() and published):
            continue
        post_url = urljoin(page_url, link["href"]) if link and link.get("href") else page_url
        # A reply quotes the message it answers in .tgme_widget_message_reply: skip that one.
        text_node = next((node for node in message.select(".tgme_widget_message_text")
                          if not node.find_parent(class_="tgme_widget_message_reply")), None)
        body = text_node.decode_contents() if text_node else ""
        text = html_to_text(body)
        author = message.select_one(".tgme_widget_message_owner_name")
        forwarded = message.select_one(".tgme_widget_message_forwarded_from_name")
        views = message.select_one(".tgme_widget_message_views")
        meta = message.select_one(".tgme_widget_message_meta")
        posts.append(RawPost(
            source_id=source_id, native_id=native_id, url=post_url, published=published, title="", html=body,
            text=text, author=author.get_text(" ", strip=True) if author else "",
            hashtags=find_hashtags(text), media=_media(message, page_url, post_url),
            lang_hint=None, views=parse_views(views.get_text()) if views else None,
            forwarded_from=forwarded.get_text(" ", strip=True) if forwarded else "",
            edited=bool(meta and "edited" in meta.get_text(" ", strip=True).lower()),
        ))
    return posts


def before_url(url: str, before: int) -> str:
    """The preview URL for messages older than ``before``, keeping the URL's own query (``q=``)."""
    return with_query(url, before=str(before))


class TelegramCrawl(SourceCrawl):
    platform = "telegram"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_ids: set[int] = set()
        self.start_url = with_query(self.source.url, q=self.source.query) if self.source.query else self.source.url

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield self.follow(self.start_url, self.parse)

    def parse(self, response) -> Iterator:
        if "/s/" not in urlsplit(response.url).path:
            self.failures.append((response.status, f"channel has no public web preview: {self.source.url} "
                                                    f"redirected to {response.url}"))
            return
        posts = parse_telegram_page(decode_body(response.body, response.encoding), self.source.id, response.url)
        more = self.turn_page()
        ids = {int(p["native_id"]) for p in posts}
        fresh = ids - self.seen_ids
        self.seen_ids |= ids
        yield from (p for p in posts if int(p["native_id"]) in fresh)
        reached_known = any(p["native_id"] in self.known_ids for p in posts)
        # Jump to the smallest id seen so far: guards against gaps and loops in ?before= paging.
        if more and fresh and not reached_known and min(self.seen_ids) > 1:
            yield self.follow(before_url(self.start_url, min(self.seen_ids)), self.parse)
