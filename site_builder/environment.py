"""One Jinja2 environment per locale, with Babel catalogues and CLDR formatting."""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from marathon.config import Config
from marathon.model import Post

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
LOCALES = HERE / "locales"
# CLDR names scripts of Uzbek; the UI locale "uz-Cyrl" maps to Babel's "uz_Cyrl".
BABEL_NAMES = {"uz": "uz_Latn", "uz-Cyrl": "uz_Cyrl"}


def babel_locale(locale: str) -> Locale:
    return Locale.parse(BABEL_NAMES.get(locale, locale).replace("-", "_"))


@lru_cache(maxsize=None)
def load_translations(locale: str) -> NullTranslations:
    """Compile ``locales/<locale>/LC_MESSAGES/messages.po`` in memory (no .mo is ever committed)."""
    po_path = LOCALES / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=babel_locale(locale))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@lru_cache(maxsize=None)
def locale_label(locale: str) -> str:
    """A UI locale named in itself: 'Қазақ тілі', 'Oʻzbek (lotin)'."""
    return babel_locale(locale).get_display_name(babel_locale(locale)).capitalize()


def cached_gettext(translations: NullTranslations):
    """``_()`` for templates, as Jinja's new-style gettext behaves (a trusted translation, the
    variables escaped into it) but looked up once per string: Jinja's own goes through two context
    calls per use (about 2 % of a post page's rendering, measured)."""
    plain: dict[str, Markup] = {}
    formats: dict[str, Markup] = {}

    def gettext(message: str, **variables: Any) -> Markup:
        if not variables:
            found = plain.get(message)
            if found is None:
                found = plain[message] = Markup(translations.gettext(message)) % {}
            return found
        template = formats.get(message)
        if template is None:
            template = formats[message] = Markup(translations.gettext(message))
        return template % variables

    return gettext


class SharedBytecode(BytecodeCache):
    """Templates compiled once per process and shared by the nine locales' environments (the
    compiled code does not depend on the locale: translations are looked up as it runs)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


BYTECODE = SharedBytecode()


def make_environment(locale: str, config: Config) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "xml"]),
                      extensions=["jinja2.ext.i18n"], undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      bytecode_cache=BYTECODE)
    env.install_gettext_translations(load_translations(locale), newstyle=True)
    env.globals["_"] = cached_gettext(load_translations(locale))
    cldr = babel_locale(locale)
    base_path = urlsplit(config.site.base_url).path.rstrip("/")

    def url(path: str) -> str:
        return base_path + path

    def absolute(path: str) -> str:
        return config.site.base_url.rstrip("/") + path

    @lru_cache(maxsize=4096)
    def _date(day, form: str) -> str:
        return format_date(day, form, locale=cldr)

    def date(value: datetime, form: str = "long") -> str:
        return _date(value.date(), form)

    campaigns = {c.slug: c for c in config.campaigns}

    def campaign_name(slug: str) -> str:
        campaign = campaigns.get(slug)
        return campaign.name(locale) if campaign else slug

    def country_name(code: str | None) -> str:
        return cldr.territories.get((code or "").upper(), code or "")

    def language_name(code: str | None) -> str:
        return cldr.languages.get(code or "", code or "")

    env.globals.update(
        locale=locale, html_lang=locale, locales=config.site.locales, site=config.site, url=url, absolute=absolute,
        prefix=f"{base_path}/{locale}",  # the locale's root path; a global rather than url() calls in hot loops
        site_title=config.site.title.get(locale) or config.site.title.get("en") or "marathon",
        locale_label=locale_label, campaign_name=campaign_name, campaigns=campaigns,
        number=lambda n: format_decimal(n, locale=cldr),
    )
    def month_name(key: str) -> str:
        """'2020-05' as the locale writes a month: 'May 2020', 'май 2020 г.', 'мамыр 2020 ж.'."""
        year, month = (int(part) for part in key.split("-"))
        return format_skeleton("yMMMM", datetime(year, month, 1), locale=cldr)

    env.filters.update(date=date, country_name=country_name, language_name=language_name, month_name=month_name,
                       datetime_iso=lambda v: v.isoformat())
    env.globals["card"] = card_cache(env)
    return env


def card_cache(env: Environment) -> Callable[..., Markup]:
    """The ``post_card`` macro, each card made once per environment: a post's card is the same in
    the home page, its country's, campaign's, organization's and language's listings, and a
    rebuild renders all of them again when new posts push the cards down a page. The environment
    lives for one build, over which a post does not change."""
    cards: dict[tuple, Markup] = {}
    macro = None

    def card(post: Post, href: str, caption: str = "", level: int = 2) -> Markup:
        nonlocal macro
        key = (post.id, href, caption, level)
        found = cards.get(key)
        if found is None:
            if macro is None:
                macro = env.get_template("_post_card.html").module.post_card
            found = cards[key] = macro(post, href, caption, level)
        return found

    return card
