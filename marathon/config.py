"""Load and validate the TOML config files into frozen dataclasses.

Only this module reads config files. Every error names the file, line and key
(``sources.toml:12: platform: expected one of ...``) and suggests a fix for typos.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import cssselect
from babel import Locale

from marathon.errors import ConfigError
from marathon.model import PLATFORMS, Source

SOURCE_KEYS = {"id", "name", "organization", "country", "platform", "url", "max_pages", "query", "selectors",
               "country_from_content"}
DEFAULT_COUNTRIES = ("RU", "KZ", "KG", "UZ", "AZ", "AM", "IN")
SELECTOR_KEYS = ("link", "next", "title", "date", "content")
SOURCE_REQUIRED = ("id", "name", "organization", "country", "platform", "url")
CAMPAIGN_KEYS = {"slug", "names", "hashtags", "phrases"}
SITE_KEYS = {"title", "base_url", "locales", "default_locale", "contact_url", "posts_per_page"}
CRAWL_KEYS = {"timeout", "connect_timeout", "max_bytes", "per_host", "delay", "retries", "max_redirects",
              "backoff", "max_retry_after", "workers", "image_max_width", "image_max_bytes"}
AT_LEAST_ONE = ("per_host", "max_bytes", "workers", "image_max_width", "image_max_bytes")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
UI_LOCALES = ("en", "ru", "kk", "ky", "uz", "uz-Cyrl", "az", "hy", "hi")


@dataclass(frozen=True)
class Campaign:
    slug: str
    names: dict[str, str]
    hashtags: tuple[str, ...]
    phrases: tuple[str, ...] = ()

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("en") or self.slug


@dataclass(frozen=True)
class SiteConfig:
    title: dict[str, str] = field(default_factory=lambda: {"en": "We Are Together", "ru": "Мы вместе"})
    base_url: str = "http://127.0.0.1:8000/"
    locales: tuple[str, ...] = ("en", "ru")
    default_locale: str = "en"
    contact_url: str = "https://github.com/marathon-aggregator/marathon"
    posts_per_page: int = 30


@dataclass(frozen=True)
class CrawlSettings:
    """Politeness and limits of a crawl (the ``[crawl]`` table). Defaults suit the real internet."""

    contact_url: str = "https://github.com/marathon-aggregator/marathon"
    timeout: float = 30.0          # seconds for a whole response, stalled bodies included
    connect_timeout: float = 10.0
    max_bytes: int = 5 * 1024 * 1024
    per_host: int = 2              # requests at once per host
    delay: float = 0.0             # seconds between requests to one host
    retries: int = 2               # for 429, 5xx and network errors
    backoff: float = 1.0           # first retry waits this long, then doubles
    max_retry_after: float = 60.0  # a longer Retry-After gives up for this run
    max_redirects: int = 5
    workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))  # crawler processes
    # A cached post image is a rendition at most this wide and this many bytes (crawler/images.py):
    # what a phone downloads per image and what the published site's media/ adds up to.
    image_max_width: int = 1200
    image_max_bytes: int = 200 * 1024
    vk_token: str = field(default="", repr=False)  # from $MARATHON_VK_TOKEN, never from a file in git


@dataclass(frozen=True)
class Config:
    """Everything the stages need besides the sources: site settings, campaigns, crawl settings."""

    site: SiteConfig
    campaigns: tuple[Campaign, ...]
    path: str = ""
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    # Countries looked for in the text of multi-country sources, with capitals, demonyms, hashtags.
    countries: dict[str, tuple[str, ...]] = field(default_factory=lambda: {c: () for c in DEFAULT_COUNTRIES})


def bundled_path(name: str) -> Path:
    """Path of a file shipped in ``marathon/demo`` (the demo's sources, config)."""
    return Path(str(resources.files("marathon.demo").joinpath(name)))


def _parse_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), None, f"not UTF-8 text ({exc.reason})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        # tomllib ends its message with "(at line L, column C)"; move that to the front.
        match = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)$", "", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        raise ConfigError(str(path), line, f"invalid TOML: {message}", col) from None


def _table_lines(text: str, header: str) -> list[tuple[int, dict[str, int]]]:
    """For each ``[[header]]`` table, its line and the line of each key (for error messages)."""
    tables: list[tuple[int, dict[str, int]]] = []
    current: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            if stripped.replace(" ", "") == f"[[{header}]]":
                current = {}
                tables.append((number, current))
            elif not stripped.startswith(f"[{header}.") and not stripped.startswith(f"[[{header}."):
                current = None
            continue
        key = re.match(r"^([A-Za-z0-9_\"'-]+)\s*=", stripped)
        if current is not None and key:
            current.setdefault(key.group(1).strip("\"'"), number)
    return tables


def _check_keys(path: str, line: int, keys: dict[str, int], table: dict, allowed: set[str], what: str) -> None:
    for key in table:
        if key not in allowed:
            hint = difflib.get_close_matches(key, sorted(allowed), n=1)
            tip = f"; did you mean {hint[0]!r}?" if hint else f"; allowed keys: {', '.join(sorted(allowed))}"
            raise ConfigError(path, keys.get(key, line), f"{key}: unknown key in {what}{tip}")


def _known_countries() -> set[str]:
    return {code for code in Locale("en").territories if len(code) == 2 and code.isalpha()}


def load_sources(path: str | Path) -> list[Source]:
    """Read a sources file; raises ConfigError naming file, line and key on any invalid value."""
    path = Path(path)
    data, text = _parse_toml(path)
    where = str(path)
    unknown = [k for k in data if k != "source"]
    if unknown:
        raise ConfigError(where, None, f"{unknown[0]}: unknown top-level key; a sources file holds [[source]] tables")
    tables = data.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise ConfigError(where, None, "no [[source]] tables found")
    lines = _table_lines(text, "source")
    countries = _known_countries()
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        line, keys = lines[index] if index < len(lines) else (None, {})
        _check_keys(where, line, keys, table, SOURCE_KEYS, "[[source]]")

        def fail(key: str, message: str) -> None:
            raise ConfigError(where, keys.get(key, line), f"{key}: {message}")

        for key in SOURCE_REQUIRED:
            if key not in table:
                fail(key, "missing required key")
            if not isinstance(table[key], str) or not table[key].strip():
                fail(key, "expected a non-empty string")
        if not ID_PATTERN.match(table["id"]):
            fail("id", f"expected lowercase letters, digits, '-' or '_', got {table['id']!r}")
        if table["id"] in seen:
            fail("id", f"duplicate source id {table['id']!r} (first at line {seen[table['id']]})")
        seen[table["id"]] = keys.get("id", line)
        if table["platform"] not in PLATFORMS:
            hint = difflib.get_close_matches(table["platform"], PLATFORMS, n=1)
            tip = f"; did you mean {hint[0]!r}?" if hint else ""
            fail("platform", f"expected one of {', '.join(PLATFORMS)}, got {table['platform']!r}{tip}")
        if table["country"] not in countries:
            fail("country", f"expected an ISO 3166-1 alpha-2 code such as 'KZ', got {table['country']!r}")
        if not re.match(r"^https?://[^\s/]+", table["url"]):
            fail("url", f"expected an http:// or https:// URL, got {table['url']!r}")
        max_pages = table.get("max_pages", 20)
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or not 1 <= max_pages <= 1000:
            fail("max_pages", f"expected an integer from 1 to 1000, got {max_pages!r}")
        from_content = table.get("country_from_content", False)
        if not isinstance(from_content, bool):
            fail("country_from_content", f"expected true or false, got {from_content!r}")
        selectors = table.get("selectors", {})
        if not isinstance(selectors, dict) or not all(isinstance(v, str) for v in selectors.values()):
            fail("selectors", "expected a table of CSS selector strings")
        for name, selector in selectors.items():
            if name not in SELECTOR_KEYS:
                hint = difflib.get_close_matches(name, SELECTOR_KEYS, n=1)
                fail("selectors", f"unknown selector {name!r}; expected {', '.join(SELECTOR_KEYS)}"
                                  + (f"; did you mean {hint[0]!r}?" if hint else ""))
            try:
                cssselect.GenericTranslator().css_to_xpath(selector)
            except cssselect.SelectorError as exc:
                fail("selectors", f"{name} = {selector!r} is not a CSS selector marathon can use ({exc})")
        sources.append(Source(id=table["id"], name=table["name"].strip(), organization=table["organization"].strip(),
                              country=table["country"], platform=table["platform"], url=table["url"].strip(),
                              max_pages=max_pages, query=str(table.get("query", "")), selectors=dict(selectors),
                              country_from_content=from_content))
    return sources


def load_config(path: str | Path | None = None) -> Config:
    """Read the site and campaign config (default: ./marathon.toml, else the bundled one)."""
    if path is None:
        path = Path("marathon.toml") if Path("marathon.toml").exists() else bundled_path("marathon.toml")
    path = Path(path)
    data, text = _parse_toml(path)
    where = str(path)
    for key in data:
        if key not in ("site", "campaign", "crawl", "countries"):
            hint = difflib.get_close_matches(key, ["site", "campaign", "crawl", "countries"], n=1)
            raise ConfigError(where, None, f"{key}: unknown top-level key; expected [site], [crawl], [countries] "
                                           "and [[campaign]]"
                                           + (f"; did you mean {hint[0]!r}?" if hint else ""))
    site_table = data.get("site", {})
    site_line, site_keys = _plain_table_lines(text, "site")
    _check_keys(where, site_line, site_keys, site_table, SITE_KEYS, "[site]")
    defaults = SiteConfig()
    locales = tuple(site_table.get("locales", defaults.locales))
    for locale in locales:
        if locale not in UI_LOCALES:
            raise ConfigError(where, site_keys.get("locales", site_line),
                              f"locales: {locale!r} has no UI translation; available: {', '.join(UI_LOCALES)}")
    title = site_table.get("title", defaults.title)
    if isinstance(title, str):
        title = {"en": title}
    site = SiteConfig(title=dict(title), base_url=str(site_table.get("base_url", defaults.base_url)).rstrip("/") + "/",
                      locales=locales, default_locale=str(site_table.get("default_locale", locales[0])),
                      contact_url=str(site_table.get("contact_url", defaults.contact_url)),
                      posts_per_page=int(site_table.get("posts_per_page", defaults.posts_per_page)))
    crawl = _crawl_settings(where, text, data.get("crawl", {}), site.contact_url)
    campaigns = []
    lines = _table_lines(text, "campaign")
    for index, table in enumerate(data.get("campaign", [])):
        line, keys = lines[index] if index < len(lines) else (None, {})
        _check_keys(where, line, keys, table, CAMPAIGN_KEYS, "[[campaign]]")
        slug = table.get("slug")
        if not isinstance(slug, str) or not ID_PATTERN.match(slug):
            raise ConfigError(where, keys.get("slug", line), "slug: expected a lowercase slug such as 'we-are-together'")
        hashtags = table.get("hashtags", [])
        if not isinstance(hashtags, list) or not hashtags or not all(isinstance(h, str) for h in hashtags):
            raise ConfigError(where, keys.get("hashtags", line), "hashtags: expected a non-empty list of strings")
        names = table.get("names", {})
        if not isinstance(names, dict):
            raise ConfigError(where, keys.get("names", line), "names: expected a table of locale = name")
        campaigns.append(Campaign(slug=slug, names=dict(names), hashtags=tuple(h.lstrip("#") for h in hashtags),
                                  phrases=tuple(table.get("phrases", []))))
    return Config(site=site, campaigns=tuple(campaigns), path=where, crawl=crawl,
                  countries=_countries(where, text, data.get("countries")))


def _countries(where: str, text: str, table: dict | None) -> dict[str, tuple[str, ...]]:
    """The ``[countries]`` table: ISO code = [aliases]; without it, the seven countries of the campaigns."""
    if table is None:
        return {c: () for c in DEFAULT_COUNTRIES}
    line, keys = _plain_table_lines(text, "countries")
    known = _known_countries()
    result = {}
    for code, aliases in table.items():
        if code not in known:
            raise ConfigError(where, keys.get(code, line), f"{code}: expected an ISO 3166-1 alpha-2 code such as 'KZ'")
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ConfigError(where, keys.get(code, line), f"{code}: expected a list of names, e.g. [\"Астана\", \"Алматы\"]")
        result[code] = tuple(aliases)
    return result


def _plain_table_lines(text: str, name: str) -> tuple[int | None, dict[str, int]]:
    """Line of a ``[name]`` table and of each of its keys."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines, 1) if line.strip() == f"[{name}]"), None)
    keys: dict[str, int] = {}
    if start:
        for number, line in enumerate(lines[start:], start + 1):
            if line.strip().startswith("["):
                break
            match = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
            if match:
                keys[match.group(1)] = number
    return start, keys


def _crawl_settings(where: str, text: str, table: dict, contact_url: str) -> CrawlSettings:
    line, keys = _plain_table_lines(text, "crawl")
    _check_keys(where, line, keys, table, CRAWL_KEYS, "[crawl]")
    defaults = CrawlSettings()
    values: dict[str, Any] = {"contact_url": contact_url, "vk_token": os.environ.get("MARATHON_VK_TOKEN", "")}
    for key in CRAWL_KEYS:
        if key not in table:
            continue
        value, default = table[key], getattr(defaults, key)
        kind = int if isinstance(default, int) else float
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)) \
                or value < 0 or (key in AT_LEAST_ONE and value < 1):
            raise ConfigError(where, keys.get(key, line),
                              f"{key}: expected a {'whole' if kind is int else ''} number"
                              f"{' of at least 1' if key in AT_LEAST_ONE else ' ≥ 0'}, got {value!r}"
                              .replace("a  number", "a number"))
        values[key] = kind(value)
    return CrawlSettings(**values)
