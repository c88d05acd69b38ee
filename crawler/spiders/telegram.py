"""Telegram public channel previews (``/s/<channel>``), paged back with ``?before=``."""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit, parse_qsl

import scrapy
from bs4 import BeautifulSoup

from crawler.encoding import decode_body
from crawler.items import RawPost, parse_date
from crawler.spiders import SourceSpider
from marathon.text import html_to_text

BACKGROUND_URL = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)")
HASHTAG = re.compile(r"#([\w]+)", re.UNICODE)


def parse_telegram_page(html: str, source_id: str, page_url: str) -> list[RawPost]:
    """The messages of one preview page, oldest first."""
    soup = BeautifulSoup(html, "html.parser")
    posts: list[RawPost] = []
    for message in soup.select(".tgme_widget_message[data-post]"):
        data_post = message["data-post"]
        native_id = data_post.rsplit("/", 1)[-1]
        time = message.select_one(".tgme_widget_message_date time[datetime]")
        link = message.select_one("a.tgme_widget_message_date")
        published = parse_date(time["datetime"]) if time else None
        if not (native_id.isdigit() and published):
            continue
        text_node = message.select_one(".tgme_widget_message_text")
        body = text_node.decode_contents() if text_node else ""
        media = []
        for photo in message.select(".tgme_widget_message_photo_wrap"):
            match = BACKGROUND_URL.search(photo.get("style", ""))
            if match:
                media.append({"type": "image", "url": urljoin(page_url, match.group(1))})
        for video in message.select("video[src]"):
            media.append({"type": "video", "url": urljoin(page_url, video["src"])})
        author = message.select_one(".tgme_widget_message_owner_name")
        text = html_to_text(body)
        posts.append(RawPost(
            source_id=source_id, native_id=native_id,
            url=urljoin(page_url, link["href"]) if link and link.get("href") else page_url,
            published=published, title="", html=body, text=text,
            author=author.get_text(" ", strip=True) if author else "",
            hashtags=HASHTAG.findall(text), media=media, lang_hint=None,
        ))
    return posts


def before_url(url: str, before: int) -> str:
    """The preview URL for messages older than ``before``, keeping the URL's own query (``q=``)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "before"] + [("before", str(before))]
    return urlunsplit(parts._replace(query=urlencode(query)))


class TelegramSpider(SourceSpider):
    platform = "telegram"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_ids: set[int] = set()

    def parse(self, response) -> Iterator:
        posts = parse_telegram_page(decode_body(response.body, response.encoding), self.source.id, response.url)
        more = self.turn_page()
        ids = {int(p["native_id"]) for p in posts}
        fresh = ids - self.seen_ids
        self.seen_ids |= ids
        yield from (p for p in posts if int(p["native_id"]) in fresh)
        reached_known = any(p["native_id"] in self.known_ids for p in posts)
        # Jump to the smallest id seen so far: guards against gaps and loops in ?before= paging.
        if more and fresh and not reached_known and min(self.seen_ids) > 1:
            yield scrapy.Request(before_url(self.source.url, min(self.seen_ids)), callback=self.parse,
                                 errback=self.on_error)
