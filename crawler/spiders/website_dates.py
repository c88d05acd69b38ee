"""Publication dates of website articles: metadata, <time>, and dates written out in the page's language."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Callable

from lxml import etree
from lxml.html import HtmlElement

from crawler.items import parse_date
from crawler.spiders.website_tree import classes, cls, first, in_chrome, select, text

# Dates written without a zone are read as UTC: a site's zone is not known (the sources file has
# no key for it), and for a day-precise date the error is a few hours at most. Strict parsing
# wants day, month and year; relative dates ("2 days ago") are not read, as they age with the copy.
DATE_SETTINGS = {"RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC", "DATE_ORDER": "DMY",
                 "STRICT_PARSING": True, "PARSERS": ["custom-formats", "absolute-time"]}
# Tried one by one after the page's own language: given several at once, dateparser 1.5 picks
# the wrong one and reads the Azerbaijani "5 mart 2023" as 1 May.
FALLBACK_LANGUAGES = ("ru", "kk", "ky", "uz", "uz-Cyrl", "az", "hy", "hi", "en")
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

# CSS: time[datetime], [itemprop=datePublished]
MARKED_DATES = etree.XPath("//*[(self::time and @datetime) or @itemprop = 'datePublished']")
# CSS: article, main, [role=main], .news-detail (the first of them)
ARTICLE_ROOT = etree.XPath(f"(//article | //main | //*[@role = 'main'] | //*[{cls('news-detail')}])[1]")
# Elements that may show a date: <time> or a class; _shows_date decides.
MAYBE_DATES_IN = etree.XPath(".//*[self::time or @class]")
MAYBE_DATES = etree.XPath("//*[self::time or @class]")  # the whole page, <html> included


@cache
def _dateparser():
    """dateparser and the languages it knows, imported at the first date written in words: most
    pages give a machine-readable date, and the import is a tenth of a crawl process's start-up."""
    import dateparser
    from dateparser.data.languages_info import language_order

    return dateparser, frozenset(language_order)


def date_languages(page_lang: str | None) -> list[str]:
    """Languages to read dates in: the page's own (``uz-Cyrl``, then ``uz``), then the project's;
    those dateparser does not know are skipped when it is asked."""
    parts = (page_lang or "").replace("_", "-").split("-")
    own = ([f"{parts[0].lower()}-{parts[1].title()}"] if len(parts) > 1 else []) + [parts[0].lower()]
    return list(dict.fromkeys(own + list(FALLBACK_LANGUAGES)))


def read_date(value: str | None, languages: list[str]) -> datetime | None:
    """An ISO/RFC date, or a date written in words or digits somewhere in ``value``; aware, else None."""
    if not value or not value.strip():
        return None
    value = " ".join(value.split())
    if parsed := parse_date(value):
        return parsed
    value = YEAR_WORDS.sub(r"\1", value)
    candidates = ([value] if len(value) <= 60 else []) + DATE_IN_TEXT.findall(value)
    if not candidates:
        return None
    dateparser, known = _dateparser()
    for candidate in dict.fromkeys(candidates):
        for lang in (lang for lang in languages if lang in known):
            if parsed := dateparser.parse(candidate, languages=[lang], settings=DATE_SETTINGS):
                return parsed
    return None


def _node_date(node, languages: list[str]) -> datetime | None:
    for attr in ("datetime", "content"):
        if parsed := read_date(node.get(attr), languages):
            return parsed
    shown = text(node)
    return read_date(shown, languages) if len(shown) <= 120 else None


def _shows_date(node) -> bool:
    names = " ".join(classes(node))
    return (node.tag == "time" or bool(DATE_CLASS.search(names))) and not UPDATED_CLASS.search(names)


def published(root: HtmlElement, ld: dict, meta: Callable[[str], str], selectors: dict[str, str],
              languages: list[str]) -> tuple[datetime | None, HtmlElement | None]:
    """The publication date and the element that showed it (None for metadata), best evidence first.

    Raises InvalidSelector for a source's date selector that lxml cannot use.
    """
    if selectors.get("date"):
        for node in select(root, selectors["date"], "date"):
            if parsed := _node_date(node, languages):
                return parsed, node
    for value in (ld.get("datePublished"), ld.get("dateCreated"), meta("article:published_time"),
                  meta("og:published_time"), meta("datePublished")):
        if parsed := read_date(value if isinstance(value, str) else None, languages):
            return parsed, None
    for node in MARKED_DATES(root):
        if not in_chrome(node) and (parsed := _node_date(node, languages)):
            return parsed, node
    # Dates only written out: in the article first, so a header's "today is ..." does not win.
    article = first(ARTICLE_ROOT, root)
    for xpath, scope in ([(MAYBE_DATES_IN, article)] if article is not None else []) + [(MAYBE_DATES, root)]:
        for node in xpath(scope):
            if _shows_date(node) and not in_chrome(node) and (parsed := _node_date(node, languages)):
                return parsed, node
    return None, None
