"""Telegram public channel previews (``/s/<channel>``), paged back with ``?before=``."""

from __future__ import annotations

import re
from html import escape
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from lxml import html as lxml_html

from crawler.encoding import decode_body
from crawler.items import RawPost, parse_date
from crawler.spiders import SourceCrawl
from crawler.urls import with_query
from marathon.text import find_hashtags, html_to_text

BACKGROUND_URL = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)")
VIEWS = re.compile(r"^([\d.,]+)\s*([KMkm]?)$")


def parse_views(label: str) -> int | None:
    """'856' -> 856, '1.2K' -> 1200, '3M' -> 3000000."""
    match = VIEWS.match(label.strip())
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    return int(round(number * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]))


def _cls(name: str) -> str:
    """XPath test for a class name (what CSS writes as ``.name``)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# Compiled once: lxml's XPath is several times faster than CSS selectors through BeautifulSoup.
MESSAGES = etree.XPath(f"//*[{_cls('tgme_widget_message')} and @data-post]")
DATE_LINK = etree.XPath(f".//a[{_cls('tgme_widget_message_date')}]")
TIME = etree.XPath(f".//a[{_cls('tgme_widget_message_date')}]//time[@datetime]")
TEXTS = etree.XPath(f".//*[{_cls('tgme_widget_message_text')}][not(ancestor::*[{_cls('tgme_widget_message_reply')}])]")
OWNER = etree.XPath(f".//*[{_cls('tgme_widget_message_owner_name')}]")
FORWARDED = etree.XPath(f".//*[{_cls('tgme_widget_message_forwarded_from_name')}]")
VIEWS_NODE = etree.XPath(f".//*[{_cls('tgme_widget_message_views')}]")
META = etree.XPath(f".//*[{_cls('tgme_widget_message_meta')}]")
PHOTOS = etree.XPath(f".//*[{_cls('tgme_widget_message_photo_wrap')}]")
PLAYERS = etree.XPath(f".//*[{_cls('tgme_widget_message_video_player')}]")
VIDEO = etree.XPath(".//video[@src]")
NOT_SUPPORTED = etree.XPath(f".//*[{_cls('message_media_not_supported')}]")
NOT_SUPPORTED_LABEL = etree.XPath(f".//*[{_cls('message_media_not_supported_label')}]")
LINK_PREVIEW = etree.XPath(f".//a[{_cls('tgme_widget_message_link_preview')} and @href]")
PREVIEW_TITLE = etree.XPath(f".//*[{_cls('link_preview_title')}]")
PREVIEW_SITE = etree.XPath(f".//*[{_cls('link_preview_site_name')}]")


def _first(xpath: etree.XPath, node) -> lxml_html.HtmlElement | None:
    found = xpath(node)
    return found[0] if found else None


def _text(node) -> str:
    return " ".join(node.text_content().split()) if node is not None else ""


def _inner_html(node) -> str:
    """What BeautifulSoup calls decode_contents: the element's children as HTML."""
    return (escape(node.text, quote=False) if node.text else "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in node)


def _background(node, page_url: str) -> str | None:
    match = BACKGROUND_URL.search(node.get("style", "")) if node is not None else None
    return urljoin(page_url, match.group(1)) if match else None


def _media(message, page_url: str, post_url: str) -> list[dict]:
    media: list[dict] = []
    for photo in PHOTOS(message):
        url = _background(photo, page_url)
        if url:
            media.append({"type": "image", "url": url})
    for player in PLAYERS(message):
        video = _first(VIDEO, player)
        if video is not None:
            media.append({"type": "video", "url": urljoin(page_url, video.get("src"))})
        else:  # too big for the preview: keep a marker pointing at the post itself
            media.append({"type": "unavailable", "url": post_url, "alt": "video shown only in Telegram"})
    for missing in NOT_SUPPORTED(message):
        label = _first(NOT_SUPPORTED_LABEL, missing)
        media.append({"type": "unavailable", "url": post_url,
                      "alt": _text(label) if label is not None else "media shown only in Telegram"})
    preview = _first(LINK_PREVIEW, message)
    if preview is not None:
        label = " — ".join(_text(t) for t in (_first(PREVIEW_SITE, preview), _first(PREVIEW_TITLE, preview))
                           if t is not None)
        media.append({"type": "link", "url": urljoin(page_url, preview.get("href")), "alt": label})
    return media


def parse_telegram_page(html: str, source_id: str, page_url: str) -> list[RawPost]:
    """The messages of one preview page, oldest first."""
    if not html.strip():
        return []
    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    posts: list[RawPost] = []
    for message in MESSAGES(root):
        native_id = message.get("data-post", "").rsplit("/", 1)[-1]
        time = _first(TIME, message)
        link = _first(DATE_LINK, message)
        published = parse_date(time.get("datetime")) if time is not None else None
        if not (native_id.isdigit() and published):
            continue
        post_url = urljoin(page_url, link.get("href")) if link is not None and link.get("href") else page_url
        # A reply quotes the message it answers in .tgme_widget_message_reply: that text is skipped.
        text_node = _first(TEXTS, message)
        body = _inner_html(text_node) if text_node is not None else ""
        text = html_to_text(body)
        views = _first(VIEWS_NODE, message)
        meta = _first(META, message)
        posts.append(RawPost(
            source_id=source_id, native_id=native_id, url=post_url, published=published, title="", html=body,
            text=text, author=_text(_first(OWNER, message)),
            hashtags=find_hashtags(text), media=_media(message, page_url, post_url),
            lang_hint=None, views=parse_views(views.text_content()) if views is not None else None,
            forwarded_from=_text(_first(FORWARDED, message)),
            edited=bool(meta is not None and "edited" in meta.text_content().lower()),
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
