"""Website pages as lxml trees: parsing, a source's CSS selectors, text and HTML of a node, page chrome."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml import html as lxml_html

from marathon.errors import CrawlError

CHROME_CLASS = re.compile(r"(?:[a-z0-9]+[-_]+)*(?:sidebar|widgets?|widget[-_]area|breadcrumbs?|crumbs|menu)"
                          r"(?:[-_]+[a-z0-9]+)*", re.I)
CHROME_EXCEPT = re.compile(r"elementor|has-|with-|no-", re.I)  # page builders wrap everything in "widgets"
_UTF8 = lxml_html.HTMLParser(encoding="utf-8")


class InvalidSelector(CrawlError):
    """A selector of the sources file that lxml's CSS support (cssselect) cannot read."""


def cls(*names: str) -> str:
    """XPath test for any of these class names (what CSS writes as ``.name``)."""
    words = " or ".join(f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in names)
    return f"(@class and ({words}))"


def lower(expr: str) -> str:
    """XPath ASCII lower case of ``expr``: soupsieve matched ``rel`` and ``type`` values ignoring case."""
    return f"translate({expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"


# BeautifulSoup's get_text() left out comments and the strings of these elements (bs4's string containers).
TEXTS = etree.XPath("descendant::text()[not(ancestor::*[self::script or self::style or self::template "
                    "or self::rt or self::rp])]", smart_strings=False)


def parse_html(html: str) -> lxml_html.HtmlElement:
    """The page's <html> element; an empty one for a page without any (blank, or only comments)."""
    html = html.removeprefix("\ufeff")
    try:
        return lxml_html.document_fromstring(html)
    except ValueError:
        pass  # a str with an <?xml encoding=...?> declaration: lxml wants bytes, the text is decoded already
    except etree.ParserError:
        return lxml_html.Element("html")  # "Document is empty"
    try:
        return lxml_html.document_fromstring(html.encode("utf-8"), parser=_UTF8)
    except etree.ParserError:
        return lxml_html.Element("html")


def first(xpath: etree.XPath, node) -> lxml_html.HtmlElement | None:
    found = xpath(node)
    return found[0] if found else None


def text(node) -> str:
    """The node's strings, each stripped, joined by one space (BeautifulSoup's ``get_text(" ", strip=True)``)."""
    return " ".join(s for s in (t.strip() for t in TEXTS(node)) if s)


def inner_html(node) -> str:
    """The element's children as HTML (BeautifulSoup's decode_contents)."""
    return (escape(node.text, quote=False) if node.text else "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in node)


def classes(node) -> list[str]:
    return (node.get("class") or "").split()


class _Translator(HTMLTranslator):
    """cssselect's HTML rules, with soupsieve's case-sensitive ``:contains()`` also spelled ``:-soup-contains()``.

    Not lxml.cssselect's translator: its case-insensitive ``:contains()`` calls an XPath extension
    function that lxml 6.1.3 no longer finds from the second evaluation of a compiled selector on.
    """

    xpath__soup_contains_function = HTMLTranslator.xpath_contains_function


_TRANSLATOR = _Translator()


@lru_cache(maxsize=512)
def _compiled(css: str) -> etree.XPath:
    # From the document node, not the <html> element: what follows a stray </html> is a second
    # top-level element (lxml's root has a sibling), and soupsieve searched all of it too.
    return etree.XPath(_TRANSLATOR.css_to_xpath(css, prefix="/descendant-or-self::"))


def select(root, css: str, key: str) -> list:
    """Elements of the page matching a source's selector ``key``, in document order.

    Raises InvalidSelector (recorded against the source, like any parser error) when cssselect
    cannot read it; it lacks a few things soupsieve read, such as ``:nth-child(2 of .item)``.
    """
    try:
        selector = _compiled(css)
    except SelectorError as exc:
        raise InvalidSelector(f"selectors.{key} = {css!r} is not a CSS selector lxml can use ({exc}): "
                              f"correct it in the sources file or remove it") from None
    return selector(root)


def in_chrome(node) -> bool:
    """Whether a node sits in a menu, sidebar, breadcrumb or the site's header or footer."""
    parents = [p for p in node.iterancestors() if p.tag not in ("body", "html")]
    for index, parent in enumerate(parents):
        if parent.tag in ("aside", "nav") or any(CHROME_CLASS.fullmatch(c) and not CHROME_EXCEPT.match(c)
                                                 for c in classes(parent)):
            return True
        # An article's own <header> and <footer> hold its title and date; the page's are chrome.
        if parent.tag in ("header", "footer") and not any(p.tag == "article" for p in parents[index:]):
            return True
    return False
