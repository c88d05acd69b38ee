"""Website news sections without a feed: listing pages, pagination, article pages."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import datetime
from typing import Iterable, Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import dateparser
import scrapy
import trafilatura
from bs4 import BeautifulSoup, Tag
from dateparser.data.languages_info import language_order

from crawler.encoding import decode_body
from crawler.items import RawPost, parse_date
from crawler.spiders import SourceCrawl
from marathon.text import html_to_text

# --- listing pages -------------------------------------------------------------------------------

# Article links of common news lists (WordPress and most themes, 1C-Bitrix news.list, Tilda feeds);
# a selector may match a title element around or inside the link.
LINK_SELECTORS = (
    "article h2", "article h3", ".entry-title", ".post-title", ".news-title", ".news__title", ".item-title",
    ".news-list .news-item a[href]", ".news-item a[href]", ".news-list a[href]",                # 1C-Bitrix news.list
    ".t-feed__post-title", "a.t-feed__link[href]", ".t-card__title", "a.t-card__link[href]",    # Tilda
)
NEXT_SELECTORS = ("a[rel~=next][href], link[rel~=next][href], a.next[href], .next > a[href], a.next-page[href], "
                  "a.nextpostslink[href], .nav-previous a[href], a.modern-page-next[href], .bx-pag-next a[href]")
NEXT_TEXT = re.compile(r"^[›»→>⟩❯]$|следующ|далее|вперед|вперёд|след\.|next|older|keyingi|кейинги|келесі|кийинки|"
                       r"növbəti|novbeti|sonrakı|հաջորդ|अगला|अगले|आगे", re.I)
PREV_TEXT = re.compile(r"предыдущ|назад|prev|newer|oldingi|олдинги|алдыңғы|мурунку|əvvəlki|նախորդ|पिछल", re.I)
PAGER_CLASS = re.compile(r"paginat|pager|paging|page-numbers|pagenav|page-nav|nav-links", re.I)
CHROME_CLASS = re.compile(r"(?:[a-z0-9]+[-_]+)*(?:sidebar|widgets?|widget[-_]area|breadcrumbs?|crumbs|menu)"
                          r"(?:[-_]+[a-z0-9]+)*", re.I)
CHROME_EXCEPT = re.compile(r"elementor|has-|with-|no-", re.I)  # page builders wrap everything in "widgets"
TAXONOMY_SEGMENTS = {"tag", "tags", "category", "categories", "rubric", "rubrics", "rubrika", "author", "authors",
                     "search", "teg", "teglar", "kategoriya", "etiket"}
TAXONOMY_KEYS = {"tag", "tags", "category", "cat", "section_id", "section_code", "s", "q", "search"}
PAGE_KEY = re.compile(r"^(?:page|paged|pg|pagen_\d+)$", re.I)  # PAGEN_1: 1C-Bitrix's pager
NOT_ARTICLE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|mp[34])$", re.I)


def parse_listing(html: str, page_url: str, selectors: dict[str, str] | None = None) -> tuple[list[str], str | None]:
    """Article links of a listing page and the next page's URL (or None)."""
    selectors = selectors or {}
    soup = BeautifulSoup(html, "lxml")
    if selectors.get("link"):
        # A source's own selector is trusted as written: only duplicates and non-web links go.
        links = [u for u in (_href(a, page_url) for a in soup.select(selectors["link"])) if u]
        return list(dict.fromkeys(links)), _next_page(soup, page_url, selectors)
    found = [_href(node, page_url) for node in soup.select(", ".join(LINK_SELECTORS)) if not _in_chrome(node)]
    links = [u for u in found if u and _is_article_link(u, page_url)]
    if not links:
        # Unknown markup: links deeper under the listing's own path, outside menus and sidebars.
        listing_path = urlsplit(_split_page(page_url)[0]).path.rstrip("/") + "/"
        links = [u for u in (_href(a, page_url) for a in soup.select("a[href]") if not _in_chrome(a))
                 if u and urlsplit(u).path.startswith(listing_path) and _is_article_link(u, page_url)]
    return list(dict.fromkeys(links)), _next_page(soup, page_url, selectors)


def _href(node: Tag, base: str) -> str | None:
    """The absolute http(s) URL of a link, of the link around a title, or of the first link inside it."""
    anchor = node if node.get("href") else node.find_parent("a", href=True) or node.find("a", href=True)
    if not anchor:
        return None
    url = urljoin(base, anchor["href"].strip()).split("#", 1)[0]
    return url if url.startswith(("http://", "https://")) else None


def _in_chrome(node: Tag) -> bool:
    """Whether a node sits in a menu, sidebar, breadcrumb or the site's header or footer."""
    parents = [p for p in node.parents if p.name not in ("body", "html", "[document]")]
    for index, parent in enumerate(parents):
        if parent.name in ("aside", "nav") or any(CHROME_CLASS.fullmatch(c) and not CHROME_EXCEPT.match(c)
                                                  for c in parent.get("class") or ()):
            return True
        # An article's own <header> and <footer> hold its title and date; the page's are chrome.
        if parent.name in ("header", "footer") and not any(p.name == "article" for p in parents[index:]):
            return True
    return False


def _site(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.")


def _split_page(url: str) -> tuple[str, int | None]:
    """A listing URL without its page number (``/page/N/``, ``?page=N``, ``?PAGEN_1=N``), and that number."""
    parts = urlsplit(url)
    path, number = parts.path or "/", None
    match = re.search(r"/page/(\d+)/?$", path)
    if match:
        path, number = path[:match.start()] + "/", int(match[1])
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if PAGE_KEY.match(key) and value.isdigit():
            number = int(value)
        else:
            query.append((key, value))
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, urlencode(sorted(query)), "")), number


def _is_article_link(url: str, page_url: str) -> bool:
    """Not another host, the listing itself or a parent of it, a tag/category page, a pager link or a file."""
    if _site(url) != _site(page_url) or NOT_ARTICLE.search(urlsplit(url).path):
        return False
    root, number = _split_page(url)
    listing_root = _split_page(page_url)[0]
    if number is not None or root == listing_root:
        return False
    path, listing_path = urlsplit(url).path.rstrip("/") + "/", urlsplit(listing_root).path.rstrip("/") + "/"
    if listing_path.startswith(path) and not urlsplit(url).query:
        return False
    segments = {s.lower() for s in urlsplit(url).path.split("/")}
    keys = {k.lower() for k, _ in parse_qsl(urlsplit(url).query)}
    return not (segments & TAXONOMY_SEGMENTS or keys & TAXONOMY_KEYS)


def _next_page(soup: BeautifulSoup, page_url: str, selectors: dict[str, str]) -> str | None:
    """The source's selector alone, else rel=next and known pager classes, then a pager link saying
    "next" in one of the sites' languages, then the link to page N+1."""
    def acceptable(url: str | None) -> bool:
        return bool(url) and _site(url) == _site(page_url) and url != page_url.split("#", 1)[0]

    for node in soup.select(selectors.get("next") or NEXT_SELECTORS):
        if acceptable(url := _href(node, page_url)):
            return url
    if selectors.get("next"):
        return None  # a source's selector that matches nothing means the last page
    anchors = [(a, _href(a, page_url)) for a in soup.select("a[href]")]
    for anchor, url in anchors:
        text = " ".join(anchor.get_text(" ", strip=True).split()) or anchor.get("aria-label") or ""
        in_pager = url and (_split_page(url)[1] is not None or _in_pager(anchor))
        if in_pager and len(text) <= 40 and NEXT_TEXT.search(text) and not PREV_TEXT.search(text) and acceptable(url):
            return url
    root, number = _split_page(page_url)
    for _, url in anchors:
        if url and acceptable(url) and _split_page(url) == (root, (number or 1) + 1):
            return url
    return None


def _in_pager(anchor: Tag) -> bool:
    for depth, parent in enumerate(anchor.parents):
        if depth > 4 or parent.name in ("body", "html", "[document]"):
            return False
        if parent.name == "nav" or PAGER_CLASS.search(" ".join(parent.get("class") or ())):
            return True
    return False


# --- dates ---------------------------------------------------------------------------------------

# Dates written without a zone are read as UTC: a site's zone is not known (the sources file has
# no key for it), and for a day-precise date the error is a few hours at most. Strict parsing
# wants day, month and year; relative dates ("2 days ago") are not read, as they age with the copy.
DATE_SETTINGS = {"RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC", "DATE_ORDER": "DMY",
                 "STRICT_PARSING": True, "PARSERS": ["custom-formats", "absolute-time"]}
# Tried one by one after the page's own language: given several at once, dateparser 1.5 picks
# the wrong one and reads the Azerbaijani "5 mart 2023" as 1 May.
FALLBACK_LANGUAGES = ("ru", "kk", "ky", "uz", "uz-Cyrl", "az", "hy", "hi", "en")
SUPPORTED_LANGUAGES = set(language_order)
# Year words dateparser does not know: "2020 жылғы", "2023-cü il", "2021 թվականի", "2020 г.".
YEAR_WORDS = re.compile(r"(\d{4})\s*-?\s*(?:(?:ci|cı|cu|cü)\s+il\b|жылғы|жылы|ж\.|йил(?:и|да)?|"
                        r"yil(?:i|da)?\b|թվականի|թ\.?|г\.|года)", re.I)
_WORD = r"[^\s\d.,:;/|()\-]{2,}\.?"
_TIME = r"(?:[\s,|/в-]*\d{1,2}:\d{2})?"
DATE_IN_TEXT = re.compile(rf"\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{4}}{_TIME}"
                          rf"|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{1,2}}:\d{{2}})?"
                          rf"|\d{{1,2}}[\s-]+{_WORD},?\s+\d{{4}}{_TIME}|{_WORD}\s+\d{{1,2}},?\s+\d{{4}}{_TIME}"
                          rf"|\d{{4}}\s+{_WORD}\s+\d{{1,2}}\b{_TIME}")
DATE_CLASS = re.compile(r"date|published|posted|(?:^|[-_])data(?:$|[-_])", re.I)
UPDATED_CLASS = re.compile(r"update|modif", re.I)


def _date_languages(page_lang: str | None) -> list[str]:
    """dateparser languages to try: the page's own (``uz-Cyrl``, then ``uz``), then the project's."""
    parts = (page_lang or "").replace("_", "-").split("-")
    own = ([f"{parts[0].lower()}-{parts[1].title()}"] if len(parts) > 1 else []) + [parts[0].lower()]
    return [lang for lang in dict.fromkeys(own + list(FALLBACK_LANGUAGES)) if lang in SUPPORTED_LANGUAGES]


def _read_date(value: str | None, languages: list[str]) -> datetime | None:
    """An ISO/RFC date, or a date written in words or digits somewhere in ``value``; aware, else None."""
    if not value or not value.strip():
        return None
    value = " ".join(value.split())
    if parsed := parse_date(value):
        return parsed
    value = YEAR_WORDS.sub(r"\1", value)
    candidates = ([value] if len(value) <= 60 else []) + DATE_IN_TEXT.findall(value)
    for text in dict.fromkeys(candidates):
        for lang in languages:
            if parsed := dateparser.parse(text, languages=[lang], settings=DATE_SETTINGS):
                return parsed
    return None


def _node_date(node: Tag, languages: list[str]) -> datetime | None:
    for attr in ("datetime", "content"):
        if parsed := _read_date(node.get(attr), languages):
            return parsed
    text = node.get_text(" ", strip=True)
    return _read_date(text, languages) if len(text) <= 120 else None


def _published(soup: BeautifulSoup, ld: dict, selectors: dict[str, str], languages: list[str]
               ) -> tuple[datetime | None, Tag | None]:
    """The publication date and the element that showed it (None for metadata), best evidence first."""
    if selectors.get("date"):
        for node in soup.select(selectors["date"]):
            if parsed := _node_date(node, languages):
                return parsed, node
    for value in (ld.get("datePublished"), ld.get("dateCreated"), _meta(soup, "article:published_time"),
                  _meta(soup, "og:published_time"), _meta(soup, "datePublished")):
        if parsed := _read_date(value if isinstance(value, str) else None, languages):
            return parsed, None
    for node in soup.select("time[datetime], [itemprop=datePublished]"):
        if not _in_chrome(node) and (parsed := _node_date(node, languages)):
            return parsed, node
    # Dates only written out: in the article first, so a header's "today is ..." does not win.
    root = soup.select_one("article, main, [role=main], .news-detail")
    for scope in ([root] if root else []) + [soup]:
        for node in scope.find_all(_shows_date):
            if not _in_chrome(node) and (parsed := _node_date(node, languages)):
                return parsed, node
    return None, None


def _shows_date(tag: Tag) -> bool:
    classes = " ".join(tag.get("class") or ())
    return (tag.name == "time" or bool(DATE_CLASS.search(classes))) and not UPDATED_CLASS.search(classes)


# --- article pages -------------------------------------------------------------------------------

CONTENT_CANDIDATES = ("[itemprop=articleBody]", ".entry-content", ".article-body", ".post-content",
                      ".news-detail", ".t-feed__post-popup__text", "article", "main")
NOT_BODY = ("h1, time, .byline, figure, script, style, noscript, nav, aside, form, .entry-meta, .post-meta, "
            ".entry-footer, [class*=share], [class*=related]")
MIN_BODY_CHARS = 40  # a container with less text is a wrapper or a teaser: ask trafilatura instead
ARTICLE_TYPE = re.compile(r"(?:Article|BlogPosting)$")


def _json_ld(soup: BeautifulSoup) -> dict:
    """The first Article-like JSON-LD object, also inside ``@graph`` or with a list for ``@type``."""
    for script in soup.select('script[type="application/ld+json"]'):
        # Some CMS plugins wrap the JSON in an HTML comment or CDATA, or leave raw newlines in strings.
        text = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[)|(?://\s*\]\]>|-->)\s*$", "", script.get_text())
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        for node in _ld_nodes(data):
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and ARTICLE_TYPE.search(t) for t in types):
                return node
    return {}


def _ld_nodes(data) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_nodes(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if isinstance(data.get(key), (dict, list)):
                yield from _ld_nodes(data[key])


def _meta(soup: BeautifulSoup, prop: str) -> str:
    """A <meta> content by property, name or itemprop (the first in that order); indexed once per page."""
    index = getattr(soup, "_marathon_meta", None)
    if index is None:
        index = {}
        for kind in ("itemprop", "name", "property"):
            for tag in soup.find_all("meta", attrs={kind: True}):
                index.setdefault((kind, tag.get(kind)), tag.get("content", "").strip())
        soup._marathon_meta = index
    for kind in ("property", "name", "itemprop"):
        if (kind, prop) in index:
            return index[(kind, prop)]
    return ""


def _ld_text(value) -> str:
    """A JSON-LD name: a string, an object's ``name`` or ``url``, or the first of a list."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("url") or ""
    return html_lib.unescape(str(value or "")).strip()


def _image_src(img: Tag, base: str) -> str | None:
    """An image's URL, looking past lazy-loading placeholders (data: URIs) to data-src and the like."""
    for attr in ("src", "data-src", "data-lazy-src", "data-original"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return urljoin(base, value)
    return None


def _images(imgs: Iterable[Tag], base: str, sizes: dict[str, Tag]) -> list[dict]:
    media = []
    for img in imgs:
        if src := _image_src(img, base):
            original = sizes.get(src, img)  # trafilatura drops width and height: take them from the page
            media.append({"type": "image", "url": src, "alt": original.get("alt", ""),
                          "width": _int(original.get("width")), "height": _int(original.get("height"))})
    return media


def _extracted_body(html: str, url: str) -> BeautifulSoup | None:
    """The main text trafilatura finds in a page whose content container is unknown, as HTML."""
    extracted = trafilatura.extract(html, url=url, output_format="html", include_images=True, include_links=True,
                                    include_comments=False, include_tables=True, favor_precision=True)
    if not extracted:
        return None
    body = BeautifulSoup(extracted, "lxml")
    return body.body or body


def parse_article(html: str, url: str, source_id: str, selectors: dict[str, str] | None = None) -> RawPost | None:
    """One article page as a raw post: selectors, then JSON-LD/Open Graph/<time>, then dates in the text.

    The body is the source's content selector, a known content container, or trafilatura's main text.
    None when the page shows no publication date or neither title nor body.
    """
    selectors = selectors or {}
    soup = BeautifulSoup(html, "lxml")
    ld = _json_ld(soup)
    html_lang = (soup.html.get("lang") or None) if soup.html else None
    lang_hint = ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str) else None
    published, date_node = _published(soup, ld, selectors, _date_languages(lang_hint or html_lang))
    if not published:
        return None
    title_node = soup.select_one(selectors["title"]) if selectors.get("title") else None
    h1 = next((h for h in soup.select("h1") if not _in_chrome(h)), None)
    title = ((title_node.get_text(" ", strip=True) if title_node else "") or _ld_text(ld.get("headline"))
             or _meta(soup, "og:title") or (h1.get_text(" ", strip=True) if h1 else ""))
    sizes = {src: img for img in soup.select("img") if (src := _image_src(img, url))}
    content = soup.select_one(selectors["content"]) if selectors.get("content") else None
    if content is None:
        # The first known container with enough text; else the first one at all (lazily: CSS is slow).
        first = None
        for candidate in CONTENT_CANDIDATES:
            node = soup.select_one(candidate)
            if node is None:
                continue
            first = first or node
            if len(node.get_text(" ", strip=True)) >= MIN_BODY_CHARS:
                content = node
                break
        content = content or first
    media = _images(content.select("img"), url, sizes) if content else []
    if content:
        if date_node is not None and any(parent is content for parent in date_node.parents):
            date_node.decompose()
        for tag in content.select(NOT_BODY):
            tag.decompose()
    text = html_to_text(content.decode_contents()) if content else ""
    if not selectors.get("content") and len(text) < MIN_BODY_CHARS:
        extracted = _extracted_body(html, url)
        if extracted and len(extracted_text := html_to_text(extracted.decode_contents())) > len(text):
            content, text, media = extracted, extracted_text, _images(extracted.select("img"), url, sizes)
    if not (title or text):
        return None
    image = ld.get("image")
    image = (image[0] if image else "") if isinstance(image, list) else image
    image = (image.get("url") or "" if isinstance(image, dict) else str(image or "")).strip() or _meta(soup, "og:image")
    if image and not any(m["url"] == urljoin(url, image) for m in media):
        media.insert(0, {"type": "image", "url": urljoin(url, image)})
    body_html = content.decode_contents().strip() if content else ""
    return RawPost(source_id=source_id, native_id=url, url=_meta(soup, "og:url") or url, published=published,
                   title=title, html=body_html, text=text, author=_ld_text(ld.get("author")), hashtags=[],
                   media=media, lang_hint=lang_hint or html_lang)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class WebsiteCrawl(SourceCrawl):
    platform = "website"

    def parse(self, response) -> Iterator:
        links, next_page = parse_listing(decode_body(response.body, response.encoding), response.url,
                                         self.source.selectors)
        more = self.turn_page()
        new_links = [link for link in links if link not in self.known_ids]
        for link in new_links:
            yield self.follow(link, self.parse_article_page)
        # Stop paging once a listing page holds only stored articles.
        if next_page and more and new_links:
            yield self.follow(next_page, self.parse)

    def parse_article_page(self, response) -> Iterator[RawPost]:
        post = parse_article(decode_body(response.body, response.encoding), response.url, self.source.id,
                             self.source.selectors)
        if post:
            post["native_id"] = response.request.url
            yield post
