"""Store -> page objects. Every page knows its translations (same kind and key in each locale)."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil
from typing import Any

import sqlite_utils

from marathon.config import Campaign, Config
from marathon.model import Post
from marathon.store import iter_posts
from marathon.text import slugify
from site_builder.routes import path_for


@dataclass
class Page:
    kind: str
    key: str
    locale: str
    template: str
    path: str
    number: int = 1
    context: dict[str, Any] = field(default_factory=dict)
    translations: dict[str, str] = field(default_factory=dict)


@dataclass
class SiteData:
    """Everything read from the store once, before any page is written (Pelican's two phases)."""

    posts: list[Post]
    by_id: dict[str, Post]
    also_on: dict[str, list[Post]]
    countries: dict[str, list[Post]]
    campaigns: dict[str, list[Post]]
    campaign_config: dict[str, Campaign]
    organizations: dict[str, list[Post]] = field(default_factory=dict)  # slug -> posts
    organization_names: dict[str, str] = field(default_factory=dict)
    languages: dict[str, list[Post]] = field(default_factory=dict)
    months: dict[str, list[Post]] = field(default_factory=dict)  # "YYYY-MM" -> posts, newest month first


def load_site_data(db: sqlite_utils.Database, config: Config) -> SiteData:
    posts = list(iter_posts(db))
    shown = [p for p in posts if not p.duplicate_of]
    by_id = {p.id: p for p in posts}
    also_on: dict[str, list[Post]] = {}
    for post in posts:
        if post.duplicate_of and post.duplicate_of in by_id:
            also_on.setdefault(post.duplicate_of, []).append(post)
    countries: dict[str, list[Post]] = {}
    campaigns: dict[str, list[Post]] = {c.slug: [] for c in config.campaigns}
    for post in shown:
        for country in post.countries or ([post.country] if post.country else []):
            countries.setdefault(country, []).append(post)
        for slug in post.campaigns:
            campaigns.setdefault(slug, []).append(post)
    organizations: dict[str, list[Post]] = {}
    names: dict[str, str] = {}
    languages: dict[str, list[Post]] = {}
    months: dict[str, list[Post]] = {}
    for post in shown:
        if post.organization:
            slug = slugify(post.organization)
            names.setdefault(slug, post.organization)
            organizations.setdefault(slug, []).append(post)
        if post.lang:
            languages.setdefault(post.lang, []).append(post)
        months.setdefault(post.published.strftime("%Y-%m"), []).append(post)
    return SiteData(posts=shown, by_id=by_id, also_on=also_on, countries=dict(sorted(countries.items())),
                    campaigns=campaigns, campaign_config={c.slug: c for c in config.campaigns},
                    organizations=dict(sorted(organizations.items())), organization_names=names,
                    languages=dict(sorted(languages.items(), key=lambda item: -len(item[1]))),
                    months=dict(sorted(months.items(), reverse=True)))


def _paged(kind: str, key: str, template: str, posts: list[Post], locales: tuple[str, ...], per_page: int,
           extra: dict[str, Any]) -> list[Page]:
    pages = []
    total = max(1, ceil(len(posts) / per_page))
    for number in range(1, total + 1):
        chunk = posts[(number - 1) * per_page: number * per_page]
        translations = {loc: path_for(kind, loc, key, number) for loc in locales}
        for locale in locales:
            context = dict(extra, posts=chunk, page_number=number, page_count=total, total=len(posts),
                           prev_path=path_for(kind, locale, key, number - 1) if number > 1 else None,
                           next_path=path_for(kind, locale, key, number + 1) if number < total else None)
            pages.append(Page(kind, key, locale, template, translations[locale], number, context, translations))
    return pages


def build_pages(data: SiteData, config: Config) -> list[Page]:
    """Every page of the site in every locale."""
    locales = config.site.locales
    per_page = config.site.posts_per_page
    pages = _paged("home", "", "index.html", data.posts, locales, per_page, {})
    for post in data.posts:
        translations = {loc: path_for("post", loc, post.id) for loc in locales}
        for locale in locales:
            pages.append(Page("post", post.id, locale, "post.html", translations[locale], 1,
                              {"post": post, "also_on": data.also_on.get(post.id, [])}, translations))
    for code, posts in data.countries.items():
        pages += _paged("country", code, "country.html", posts, locales, per_page, {"country": code})
    for slug, posts in data.campaigns.items():
        pages += _paged("campaign", slug, "campaign.html", posts, locales, per_page,
                        {"campaign": data.campaign_config.get(slug) or Campaign(slug, {}, (slug,))})
    for slug, posts in data.organizations.items():
        pages += _paged("organization", slug, "listing.html", posts, locales, per_page,
                        {"heading": data.organization_names[slug], "heading_kind": "organization"})
    for code, posts in data.languages.items():
        pages += _paged("language", code, "listing.html", posts, locales, per_page,
                        {"heading": code, "heading_kind": "language"})
    for month, posts in data.months.items():
        pages += _paged("month", month, "listing.html", posts, locales, per_page,
                        {"heading": month, "heading_kind": "month"})
    search = {loc: path_for("search", loc) for loc in locales}
    for locale in locales:
        pages.append(Page("search", "", locale, "search.html", search[locale], 1, {}, search))
    translations = {loc: path_for("archive", loc) for loc in locales}
    months = [(month, len(posts)) for month, posts in data.months.items()]
    for locale in locales:
        pages.append(Page("archive", "", locale, "archive.html", translations[locale], 1, {"months": months},
                          translations))
    return pages
