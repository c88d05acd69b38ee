"""What the site will hold, planned from light post summaries before anything is rendered.

The plan decides the URL space at any size (docs/site.md): which posts get a page in every locale
(the newest months, as many as fit ``POST_PAGE_BUDGET``) and which keep one page, in the UI locale
of their own language, and what every listing shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlite_utils

from marathon.config import Campaign, Config
from marathon.model import parse_datetime
from marathon.store import featured_posts, post_summaries
from marathon.text import slugify
from site_builder.routes import quote

# Post pages over all locales. With listings and the search index this keeps a 100,000-post site in
# nine locales under GitHub Pages' 300,000 files and 1 GB; a small site gets every post in every locale.
POST_PAGE_BUDGET = 110_000
MONTH_PAGE_SIZE = 200  # rows per monthly archive page: the archive lists every post, compactly
LISTING_PAGES = 5  # pages of cards per home, country, campaign, organization and language listing

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")


@dataclass(slots=True)
class PostRef:
    """A post as the plan sees it: no text, only what places it on pages."""

    id: str
    month: str  # "YYYY-MM" of its date in its own time zone
    lang: str | None
    country: str | None
    countries: list[str]
    campaigns: list[str]
    organization: str
    duplicate_of: str | None
    version: str
    home: str  # the UI locale of the post's own language: its one page when it is not in every locale
    segment: str = ""  # the id as a path segment
    only_path: str = ""  # the post's one page when it has no page in every locale, else ""


@dataclass
class SitePlan:
    locales: tuple[str, ...]
    posts: list[PostRef]  # shown posts (cross-posts grouped away), newest first
    by_id: dict[str, PostRef]
    also_on: dict[str, list[PostRef]]
    months: dict[str, list[PostRef]]  # newest month first
    translated_from: str  # posts of this month ("YYYY-MM") and later have a page in every locale
    countries: dict[str, list[PostRef]] = field(default_factory=dict)
    campaigns: dict[str, list[PostRef]] = field(default_factory=dict)
    campaign_config: dict[str, Campaign] = field(default_factory=dict)
    organizations: dict[str, list[PostRef]] = field(default_factory=dict)
    organization_names: dict[str, str] = field(default_factory=dict)
    languages: dict[str, list[PostRef]] = field(default_factory=dict)
    featured: list[tuple[PostRef, dict[str, str]]] = field(default_factory=list)
    month_position: dict[str, int] = field(default_factory=dict)  # post id -> place in its month, newest first
    media_files: set[str] = field(default_factory=set)  # cached images the shown posts use
    all_locales: str = ""  # the locales joined by commas, as a post's manifest entry names them

    def translated(self, ref: PostRef) -> bool:
        return ref.month >= self.translated_from

    def post_path(self, ref: PostRef, locale: str) -> str:
        """Where a link from a page in ``locale`` to the post goes (path_for's post route, inlined:
        a big build asks this a million times)."""
        return ref.only_path or f"/{locale}/posts/{ref.segment}/"

    def post_pages(self, ref: PostRef) -> dict[str, str]:
        """The post's own pages, locale -> path: one per locale for the newest months, else one
        in its home locale."""
        if self.translated(ref):
            return {loc: self.post_path(ref, loc) for loc in self.locales}
        return {ref.home: ref.only_path}

    def month_page_of(self, ref: PostRef) -> int:
        return self.month_position[ref.id] // MONTH_PAGE_SIZE + 1


def home_locale(lang: str | None, head: str, locales: tuple[str, ...], default: str) -> str:
    """The UI locale a post's own page is in: its language's, Uzbek by script, else the default."""
    candidate = lang or default
    if lang == "uz" and len(CYRILLIC.findall(head)) > len(LATIN.findall(head)):
        candidate = "uz-Cyrl"
    return candidate if candidate in locales else default


def translated_from(months: dict[str, list[PostRef]], locales: int, budget: int) -> str:
    """The oldest month whose posts still get a page in every locale within ``budget`` pages."""
    total = sum(len(posts) for posts in months.values())
    cumulative, oldest = 0, "9999-99"
    for month, posts in months.items():  # newest first
        cumulative += len(posts)
        if total + cumulative * (locales - 1) > budget:
            break
        oldest = month
    return oldest


def make_plan(db: sqlite_utils.Database, config: Config, budget: int | None = None) -> SitePlan:
    locales, default = config.site.locales, config.site.default_locale
    refs = []
    media_files: set[str] = set()
    homes: dict[str | None, str] = {}  # language -> home locale, for every language but Uzbek
    for row in post_summaries(db):
        if row.media_files and not row.duplicate_of:
            media_files.update(row.media_files)
        # The month as the post's own calendar has it: the ISO date's first seven characters.
        month = row.published[:7] if row.published[4:5] == "-" else parse_datetime(row.published).strftime("%Y-%m")
        home = homes.get(row.lang)
        if home is None:
            home = home_locale(row.lang, row.head or "", locales, default)
            if row.lang != "uz":  # Uzbek's depends on each post's script
                homes[row.lang] = home
        refs.append(PostRef(row.id, month, row.lang, row.country, row.countries, row.campaigns,
                            row.organization or "", row.duplicate_of, row.version, home))
    by_id = {ref.id: ref for ref in refs}
    shown = [ref for ref in refs if not ref.duplicate_of]
    also_on: dict[str, list[PostRef]] = {}
    for ref in refs:
        if ref.duplicate_of and ref.duplicate_of in by_id:
            also_on.setdefault(ref.duplicate_of, []).append(ref)
    plan = SitePlan(locales=locales, posts=shown, by_id=by_id, also_on=also_on, months={}, translated_from="",
                    media_files=media_files, all_locales=",".join(locales),
                    campaigns={c.slug: [] for c in config.campaigns},
                    campaign_config={c.slug: c for c in config.campaigns})
    languages: dict[str, list[PostRef]] = {}
    slugs: dict[str, str] = {}  # organization -> slug: a few dozen organizations, 100,000 posts
    for ref in shown:
        for country in ref.countries or ([ref.country] if ref.country else []):
            plan.countries.setdefault(country, []).append(ref)
        for slug in ref.campaigns:
            plan.campaigns.setdefault(slug, []).append(ref)
        if ref.organization:
            slug = slugs.get(ref.organization) or slugs.setdefault(ref.organization, slugify(ref.organization))
            plan.organization_names.setdefault(slug, ref.organization)
            plan.organizations.setdefault(slug, []).append(ref)
        if ref.lang:
            languages.setdefault(ref.lang, []).append(ref)
        plan.months.setdefault(ref.month, []).append(ref)
    plan.countries = dict(sorted(plan.countries.items()))
    plan.organizations = dict(sorted(plan.organizations.items()))
    plan.languages = dict(sorted(languages.items(), key=lambda item: -len(item[1])))
    plan.months = dict(sorted(plan.months.items(), reverse=True))
    plan.month_position = {ref.id: n for posts in plan.months.values() for n, ref in enumerate(posts)}
    plan.translated_from = translated_from(plan.months, len(locales), budget or POST_PAGE_BUDGET)
    for ref in refs:
        ref.segment = quote(ref.id)
        if ref.month < plan.translated_from:
            ref.only_path = f"/{ref.home}/posts/{ref.segment}/"
    plan.featured = [(by_id[post.id], captions) for post, captions in featured_posts(db) if post.id in by_id]
    return plan
