"""Website news sections without a feed: listing pages, pagination, article pages."""

from __future__ import annotations

import json
from typing import Iterator
from urllib.parse import urljoin

import scrapy
from bs4 import BeautifulSoup

from crawler.encoding import decode_body
from crawler.encoding import decode_body
from crawler.items import RawPost, parse_date
from crawler.spiders import SourceSpider
from marathon.text import html_to_text

CONTENT_CANDIDATES = ("[itemprop=articleBody]", ".entry-content", ".article-body", ".post-content", "article", "main")


def parse_listing(html: str, page_url: str, selectors: dict[str, str] | None = None) -> tuple[list[str], str | None]:
    """Article links of a listing page and the next page's URL (or None)."""
    selectors = selectors or {}
    soup = BeautifulSoup(html, "html.parser")
    link_selector = selectors.get("link") or "article h2 a[href], article h3 a[href], .news-item a[href]"
    links: list[str] = []
    for anchor in soup.select(link_selector):
        url = urljoin(page_url, anchor["href"])
        if url not in links:
            links.append(url)
    next_link = soup.select_one(selectors.get("next") or "a[rel~=next], link[rel~=next], .pagination a.next")
    return links, urljoin(page_url, next_link["href"]) if next_link and next_link.get("href") else None


def _json_ld(soup: BeautifulSoup) -> dict:
    for script in soup.select('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        for item in data if isinstance(data, list) else data.get("@graph", [data]):
            if isinstance(item, dict) and str(item.get("@type", "")).endswith("Article"):
                return item
    return {}


def _meta(soup: BeautifulSoup, prop: str) -> str:
    tag = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
    return tag.get("content", "").strip() if tag else ""


def parse_article(html: str, url: str, source_id: str, selectors: dict[str, str] | None = None) -> RawPost | None:
    """One article page as a raw post, from its selectors or its metadata and main text."""
    selectors = selectors or {}
    soup = BeautifulSoup(html, "html.parser")
    ld = _json_ld(soup)
    title_node = soup.select_one(selectors["title"]) if selectors.get("title") else None
    title = (title_node.get_text(" ", strip=True) if title_node else "") or ld.get("headline") or _meta(soup, "og:title")
    date_node = soup.select_one(selectors.get("date") or "time[datetime]")
    published = parse_date(ld.get("datePublished")) or parse_date(_meta(soup, "article:published_time")) or (
        parse_date(date_node.get("datetime")) if date_node else None)
    content = None
    for candidate in ([selectors["content"]] if selectors.get("content") else []) + list(CONTENT_CANDIDATES):
        content = soup.select_one(candidate)
        if content:
            break
    if not (title or content) or not published:
        return None
    body_html = content.decode_contents() if content else ""
    media = []
    for img in (content.select("img[src]") if content else []):
        media.append({"type": "image", "url": urljoin(url, img["src"]), "alt": img.get("alt", ""),
                      "width": _int(img.get("width")), "height": _int(img.get("height"))})
    image = ld.get("image") or _meta(soup, "og:image")
    if isinstance(image, dict):
        image = image.get("url", "")
    if isinstance(image, list):
        image = image[0] if image else ""
    if image and not any(m["url"] == urljoin(url, image) for m in media):
        media.insert(0, {"type": "image", "url": urljoin(url, image)})
    author = ld.get("author") or {}
    author = author.get("name", "") if isinstance(author, dict) else str(author)
    if content:
        for tag in content.select("h1, time, .byline, figure, script, style"):
            tag.decompose()
        body_html = content.decode_contents()
    html_lang = soup.html.get("lang") if soup.html else None
    return RawPost(source_id=source_id, native_id=url, url=_meta(soup, "og:url") or url, published=published,
                   title=title, html=body_html, text=html_to_text(body_html), author=author, hashtags=[],
                   media=media, lang_hint=ld.get("inLanguage") or html_lang or None)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class WebsiteSpider(SourceSpider):
    platform = "website"

    def parse(self, response) -> Iterator:
        links, next_page = parse_listing(decode_body(response.body, response.encoding), response.url,
                                         self.source.selectors)
        more = self.turn_page()
        new_links = [link for link in links if link not in self.known_ids]
        for link in new_links:
            yield scrapy.Request(link, callback=self.parse_article_page, errback=self.on_error)
        # Stop paging once a listing page holds only stored articles.
        if next_page and more and new_links:
            yield scrapy.Request(next_page, callback=self.parse, errback=self.on_error)

    def parse_article_page(self, response) -> Iterator[RawPost]:
        post = parse_article(decode_body(response.body, response.encoding), response.url, self.source.id,
                             self.source.selectors)
        if post:
            post["native_id"] = response.request.url
            yield post
