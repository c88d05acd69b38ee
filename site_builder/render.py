"""One Jinja2 environment per locale, with Babel catalogues and CLDR formatting."""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from marathon.config import Config

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


def make_environment(locale: str, config: Config) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "xml"]),
                      extensions=["jinja2.ext.i18n"], undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(load_translations(locale), newstyle=True)
    cldr = babel_locale(locale)
    base_path = urlsplit(config.site.base_url).path.rstrip("/")

    def url(path: str) -> str:
        return base_path + path

    def absolute(path: str) -> str:
        return config.site.base_url.rstrip("/") + path

    def date(value: datetime, form: str = "long") -> str:
        return format_date(value, form, locale=cldr)

    def country_name(code: str | None) -> str:
        return cldr.territories.get((code or "").upper(), code or "")

    def language_name(code: str | None) -> str:
        return cldr.languages.get(code or "", code or "")

    env.globals.update(
        locale=locale, html_lang=locale, locales=config.site.locales, site=config.site, url=url, absolute=absolute,
        site_title=config.site.title.get(locale) or config.site.title.get("en") or "marathon",
        locale_label=lambda loc: babel_locale(loc).get_display_name(babel_locale(loc)).capitalize(),
        number=lambda n: format_decimal(n, locale=cldr), now=datetime.now().astimezone(),
    )
    def month_name(key: str) -> str:
        """'2020-05' as the locale writes a month: 'May 2020', 'май 2020 г.', 'мамыр 2020 ж.'."""
        year, month = (int(part) for part in key.split("-"))
        return format_skeleton("yMMMM", datetime(year, month, 1), locale=cldr)

    env.filters.update(date=date, country_name=country_name, language_name=language_name, month_name=month_name,
                       datetime_iso=lambda v: v.isoformat(),
                       datetime_long=lambda v: format_datetime(v, "medium", locale=cldr))
    return env
