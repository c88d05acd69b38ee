"""Website news sections without a feed: listing pages, pagination, article pages."""

from __future__ import annotations

import html as html_lib
import json
import re
from functools import lru_cache
from typing import Iterable, Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml.html import HtmlElement

from crawler.encoding import decode_body
from crawler.items import RawPost
from crawler.spiders import SourceCrawl
from crawler.spiders.website_dates import date_languages, published
from crawler.spiders.website_tree import classes, cls, first, in_chrome, inner_html, lower, parse_html, select, text
from marathon.text import html_to_text

# --- listing pages -------------------------------------------------------------------------------

# Article links of common news lists (WordPress and most themes, 1C-Bitrix news.list, Tilda feeds);
# a match may be a title element around or inside the link. Compiled once: lxml's XPath is several
# times faster than CSS through BeautifulSoup and soupsieve. As CSS: article h2, article h3,
# .entry-title, .post-title, .news-title, .news__title, .item-title, .t-feed__post-title, .t-card__title,
# .news-item a[href], .news-list a[href] (1C-Bitrix news.list), a.t-feed__link[href], a.t-card__link[href].
LINKS = etree.XPath(
    "//article//h2 | //article//h3"
    f" | //*[{cls('entry-title', 'post-title', 'news-title', 'news__title', 'item-title')}"
    f" or {cls('t-feed__post-title', 't-card__title')}]"
    f" | //*[{cls('news-item', 'news-list')}]//a[@href] | //a[@href][{cls('t-feed__link', 't-card__link')}]")
# As CSS: a[rel~=next][href], link[rel~=next][href], a.next[href], .next > a[href], a.next-page[href],
# a.nextpostslink[href], .nav-previous a[href], a.modern-page-next[href], .bx-pag-next a[href]
_REL_NEXT = f"(@rel and contains(concat(' ', normalize-space({lower('@rel')}), ' '), ' next '))"
NEXT_LINKS = etree.XPath(
    f"//link[@href][{_REL_NEXT}]"
    f" | //a[@href][{_REL_NEXT} or {cls('next', 'next-page', 'nextpostslink', 'modern-page-next')}]"
    f" | //*[{cls('next')}]/a[@href] | //*[{cls('nav-previous', 'bx-pag-next')}]//a[@href]")
ANCHORS = etree.XPath("//a[@href]")
LINK_AROUND = etree.XPath("ancestor::a[@href][1]")
LINK_INSIDE = etree.XPath("descendant::a[@href][1]")
NEXT_TEXT = re.compile(r"^[›»→>⟩❯]$|следующ|далее|вперед|вперёд|след\.|next|older|keyingi|кейинги|келесі|кийинки|"
                       r"növbəti|novbeti|sonrakı|հաջորդ|अगला|अगले|आगे", re.I)
PREV_TEXT = re.compile(r"предыдущ|назад|prev|newer|oldingi|олдинги|алдыңғы|мурунку|əvvəlki|նախորդ|पिछल", re.I)
PAGER_CLASS = re.compile(r"paginat|pager|paging|page-numbers|pagenav|page-nav|nav-links", re.I)
TAXONOMY_SEGMENTS = {"tag", "tags", "category", "categories", "rubric", "rubrics", "rubrika", "author", "authors",
                     "search", "teg", "teglar", "kategoriya", "etiket"}
TAXONOMY_KEYS = {"tag", "tags", "category", "cat", "section_id", "section_code", "s", "q", "search"}
PAGE_KEY = re.compile(r"^(?:page|paged|pg|pagen_\d+)$", re.I)  # PAGEN_1: 1C-Bitrix's pager
NOT_ARTICLE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|mp[34])$", re.I)


def parse_listing(html: str, page_url: str, selectors: dict[str, str] | None = None) -> tuple[list[str], str | None]:
    """Article links of a listing page and the next page's URL (or None).

    Raises InvalidSelector for a source's link or next selector that lxml cannot use.
    """
    selectors = selectors or {}
    root = parse_html(html)
    if selectors.get("link"):
        # A source's own selector is trusted as written: only duplicates and non-web links go.
        links = [u for u in (_href(a, page_url) for a in select(root, selectors["link"], "link")) if u]
        return list(dict.fromkeys(links)), _next_page(root, page_url, selectors)
    found = [_href(node, page_url) for node in LINKS(root) if not in_chrome(node)]
    links = [u for u in found if u and _is_article_link(u, page_url)]
    if not links:
        # Unknown markup: links deeper under the listing's own path, outside menus and sidebars.
        listing_path = urlsplit(_split_page(page_url)[0]).path.rstrip("/") + "/"
        links = [u for u in (_href(a, page_url) for a in ANCHORS(root) if not in_chrome(a))
                 if u and urlsplit(u).path.startswith(listing_path) and _is_article_link(u, page_url)]
    return list(dict.fromkeys(links)), _next_page(root, page_url, selectors)


def _href(node: HtmlElement, base: str) -> str | None:
    """The absolute http(s) URL of a link, of the link around a title, or of the first link inside it."""
    anchor = node if node.get("href") else first(LINK_AROUND, node)
    if anchor is None:
        anchor = first(LINK_INSIDE, node)
    if anchor is None:
        return None
    url = urljoin(base, anchor.get("href").strip()).split("#", 1)[0]
    return url if url.startswith(("http://", "https://")) else None


def _site(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.")


@lru_cache(maxsize=4096)  # asked several times per link of a listing page
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


def _next_page(root: HtmlElement, page_url: str, selectors: dict[str, str]) -> str | None:
    """The source's selector alone, else rel=next and known pager classes, then a pager link saying
    "next" in one of the sites' languages, then the link to page N+1."""
    def acceptable(url: str | None) -> bool:
        return bool(url) and _site(url) == _site(page_url) and url != page_url.split("#", 1)[0]

    for node in select(root, selectors["next"], "next") if selectors.get("next") else NEXT_LINKS(root):
        if acceptable(url := _href(node, page_url)):
            return url
    if selectors.get("next"):
        return None  # a source's selector that matches nothing means the last page
    anchors = [(a, _href(a, page_url)) for a in ANCHORS(root)]
    for anchor, url in anchors:
        label = " ".join(text(anchor).split()) or anchor.get("aria-label") or ""
        in_pager = url and (_split_page(url)[1] is not None or _in_pager(anchor))
        if in_pager and len(label) <= 40 and NEXT_TEXT.search(label) and not PREV_TEXT.search(label) \
                and acceptable(url):
            return url
    number_root, number = _split_page(page_url)
    for _, url in anchors:
        if url and acceptable(url) and _split_page(url) == (number_root, (number or 1) + 1):
            return url
    return None


def _in_pager(anchor: HtmlElement) -> bool:
    for depth, parent in enumerate(anchor.iterancestors()):
        if depth > 4 or parent.tag in ("body", "html"):
            return False
        if parent.tag == "nav" or PAGER_CLASS.search(" ".join(classes(parent))):
            return True
    return False


# --- article pages -------------------------------------------------------------------------------

# The first of these with enough text is the body. As CSS: [itemprop=articleBody], .entry-content,
# .article-body, .post-content, .news-detail, .t-feed__post-popup__text, article, main.
CONTENT_CANDIDATES = tuple(etree.XPath(f"({path})[1]") for path in (
    "//*[@itemprop = 'articleBody']", f"//*[{cls('entry-content')}]", f"//*[{cls('article-body')}]",
    f"//*[{cls('post-content')}]", f"//*[{cls('news-detail')}]", f"//*[{cls('t-feed__post-popup__text')}]",
    "//article", "//main"))
# As CSS: h1, time, .byline, figure, script, style, noscript, nav, aside, form, .entry-meta, .post-meta,
# .entry-footer, [class*=share], [class*=related]
NOT_BODY = etree.XPath(
    ".//h1 | .//time | .//figure | .//script | .//style | .//noscript | .//nav | .//aside | .//form"
    f" | .//*[{cls('byline', 'entry-meta', 'post-meta', 'entry-footer')}"
    " or contains(@class, 'share') or contains(@class, 'related')]")
MIN_BODY_CHARS = 40  # a container with less text is a wrapper or a teaser: ask trafilatura instead
ARTICLE_TYPE = re.compile(r"(?:Article|BlogPosting)$")
JSON_LD = etree.XPath(f"//script[{lower('@type')} = 'application/ld+json']")
META = etree.XPath("//meta")
H1 = etree.XPath("//h1")
IMAGES = etree.XPath("//img")
IMAGES_IN = etree.XPath(".//img")
BODY = etree.XPath("//body")


def _json_ld(root: HtmlElement) -> dict:
    """The first Article-like JSON-LD object, also inside ``@graph`` or with a list for ``@type``."""
    for script in JSON_LD(root):
        # Some CMS plugins wrap the JSON in an HTML comment or CDATA, or leave raw newlines in strings.
        source = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[)|(?://\s*\]\]>|-->)\s*$", "", script.text or "")
        try:
            data = json.loads(source, strict=False)
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


def _meta_index(root: HtmlElement) -> dict[tuple[str, str], str]:
    """<meta> contents by (attribute, value) of property, name and itemprop; the first of each wins."""
    index: dict[tuple[str, str], str] = {}
    for tag in META(root):
        for kind in ("itemprop", "name", "property"):
            if (value := tag.get(kind)) is not None:
                index.setdefault((kind, value), (tag.get("content") or "").strip())
    return index


def _meta(index: dict[tuple[str, str], str], prop: str) -> str:
    """A <meta> content by property, name or itemprop (the first in that order)."""
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


def _image_src(img: HtmlElement, base: str) -> str | None:
    """An image's URL, looking past lazy-loading placeholders (data: URIs) to data-src and the like."""
    for attr in ("src", "data-src", "data-lazy-src", "data-original"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return urljoin(base, value)
    return None


def _images(imgs: Iterable[HtmlElement], base: str, sizes: dict[str, HtmlElement]) -> list[dict]:
    media = []
    for img in imgs:
        if src := _image_src(img, base):
            original = sizes.get(src, img)  # trafilatura drops width and height: take them from the page
            media.append({"type": "image", "url": src, "alt": original.get("alt", ""),
                          "width": _int(original.get("width")), "height": _int(original.get("height"))})
    return media


def _extracted_body(html: str, url: str) -> HtmlElement | None:
    """The <body> of the main text trafilatura finds in a page whose content container is unknown."""
    import trafilatura  # here: a fallback, and its import is a tenth of a crawl process's start-up

    extracted = trafilatura.extract(html, url=url, output_format="html", include_images=True, include_links=True,
                                    include_comments=False, include_tables=True, favor_precision=True)
    if not extracted:
        return None
    root = parse_html(extracted)
    body = first(BODY, root)
    return body if body is not None else root


def _content(root: HtmlElement, selectors: dict[str, str]) -> HtmlElement | None:
    """The source's content element, else the first known container with enough text, else the first one."""
    found = select(root, selectors["content"], "content") if selectors.get("content") else []
    if found:
        return found[0]
    fallback = None
    for candidate in CONTENT_CANDIDATES:
        node = first(candidate, root)
        if node is None:
            continue
        if len(text(node)) >= MIN_BODY_CHARS:
            return node
        fallback = node if fallback is None else fallback
    return fallback


def parse_article(html: str, url: str, source_id: str, selectors: dict[str, str] | None = None) -> RawPost | None:
    """One article page as a raw post: selectors, then JSON-LD/Open Graph/<time>, then dates in the text.

    The body is the source's content selector, a known content container, or trafilatura's main text.
    None when the page shows no publication date or neither title nor body. Raises InvalidSelector
    for a source's selector that lxml cannot use.
    """
    selectors = selectors or {}
    root = parse_html(html)
    ld = _json_ld(root)
    meta_index = _meta_index(root)
    html_lang = root.get("lang") or None
    lang_hint = ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str) else None
    date, date_node = published(root, ld, lambda prop: _meta(meta_index, prop), selectors,
                                date_languages(lang_hint or html_lang))
    if not date:
        return None
    title_nodes = select(root, selectors["title"], "title") if selectors.get("title") else []
    h1 = next((h for h in H1(root) if not in_chrome(h)), None)
    title = ((text(title_nodes[0]) if title_nodes else "") or _ld_text(ld.get("headline"))
             or _meta(meta_index, "og:title") or (text(h1) if h1 is not None else ""))
    sizes = {src: img for img in IMAGES(root) if (src := _image_src(img, url))}
    content = _content(root, selectors)
    media = _images(IMAGES_IN(content), url, sizes) if content is not None else []
    if content is not None:
        if date_node is not None and any(parent is content for parent in date_node.iterancestors()):
            date_node.drop_tree()
        for node in NOT_BODY(content):
            node.drop_tree()
    if content is not None:
        content.make_links_absolute(url, resolve_base_href=False)  # "/tag/x" means the source's site, not ours
    body = inner_html(content) if content is not None else ""
    body_text = html_to_text(body)
    if not selectors.get("content") and len(body_text) < MIN_BODY_CHARS:
        extracted = _extracted_body(html, url)
        if extracted is not None and len(extracted_text := html_to_text(inner_html(extracted))) > len(body_text):
            content, body_text, media = extracted, extracted_text, _images(IMAGES_IN(extracted), url, sizes)
            content.make_links_absolute(url, resolve_base_href=False)
            body = inner_html(content)
    if not (title or body_text):
        return None
    image = ld.get("image")
    image = (image[0] if image else "") if isinstance(image, list) else image
    image = ((image.get("url") or "" if isinstance(image, dict) else str(image or "")).strip()
             or _meta(meta_index, "og:image"))
    if image and not any(m["url"] == urljoin(url, image) for m in media):
        media.insert(0, {"type": "image", "url": urljoin(url, image)})
    return RawPost(source_id=source_id, native_id=url, url=_meta(meta_index, "og:url") or url, published=date,
                   title=title, html=body.strip(), text=body_text, author=_ld_text(ld.get("author")), hashtags=[],
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
        # Stop paging once a listing page holds only stored articles. The next page goes first: it is
        # the longest chain of the crawl, and the host's queue keeps the order requests come in.
        if next_page and more and new_links:
            yield self.follow(next_page, self.parse, priority=1)
        for link in new_links:
            yield self.follow(link, self.parse_article_page)

    def parse_article_page(self, response) -> Iterator[RawPost]:
        post = parse_article(decode_body(response.body, response.encoding), response.url, self.source.id,
                             self.source.selectors)
        if post:
            post["native_id"] = response.request.url
            yield post
