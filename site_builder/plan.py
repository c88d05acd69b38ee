"""What the site will hold, planned from light post summaries before anything is rendered.

The plan decides the URL space at any size (docs/site.md): which posts get a page in every locale
(the newest months, as many as fit ``POST_PAGE_BUDGET``) and which keep one page, in the UI locale
of their own language, and what every listing shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlite_utils

from marathon.config import Campaign, Config
from marathon.errors import BuildError
from marathon.model import parse_datetime
from marathon.store import featured_posts, post_summaries, posts_with_copies, read_snapshot, shown_posts_by_month
from marathon.text import slugify
from site_builder.routes import quote

# Post pages over all locales. With listings and the search index this keeps a 100,000-post site in
# nine locales under GitHub Pages' 300,000 files and 1 GB; a small site gets every post in every locale.
POST_PAGE_BUDGET = 110_000
MONTH_PAGE_SIZE = 200  # rows per monthly archive page: the archive lists every post, compactly
LISTING_PAGES = 5  # pages of cards per home, country, campaign, organization and language listing

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
    if lang == "uz" and _cyrillic_letters(head) > _latin_letters(head):
        candidate = "uz-Cyrl"
    return candidate if candidate in locales else default


# Counted in UTF-8 bytes, four times faster than with a regular expression (15,000 Uzbek posts in a
# 100,000-post store): U+0400-U+04FF are exactly the characters whose UTF-8 starts with 0xD0-0xD3.
ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))


def _cyrillic_letters(text: str) -> int:
    data = text.encode()
    return data.count(0xD0) + data.count(0xD1) + data.count(0xD2) + data.count(0xD3)


def _latin_letters(text: str) -> int:
    data = text.encode()
    return len(data) - len(data.translate(None, ASCII_LETTERS))


def translated_from(months: dict[str, int], locales: int, budget: int) -> str:
    """The oldest month whose posts still get a page in every locale within ``budget`` pages;
    ``months`` holds each month's count of shown posts, newest month first."""
    total = sum(months.values())
    cumulative, oldest = 0, "9999-99"
    for month, count in months.items():  # newest first
        cumulative += count
        if total + cumulative * (locales - 1) > budget:
            break
        oldest = month
    return oldest


OnPost = Callable[[SitePlan, PostRef, int], None]


def make_plan(db: sqlite_utils.Database, config: Config, budget: int | None = None,
              on_post: OnPost | None = None) -> SitePlan:
    """The plan of the site. ``on_post(plan, ref, n)`` is called for each shown post (the ``n``-th,
    newest first) as soon as everything its own pages show is known: while the store is still
    being read, so a rebuild's new posts are rendered meanwhile. The page budget is fixed first
    from each month's count; a post with cross-posts waits for the end of the read (its copies
    may come after it)."""
    locales, default = config.site.locales, config.site.default_locale
    budget = budget or POST_PAGE_BUDGET
    plan = SitePlan(locales=locales, posts=[], by_id={}, also_on={}, months={}, translated_from="",
                    all_locales=",".join(locales), campaigns={c.slug: [] for c in config.campaigns},
                    campaign_config={c.slug: c for c in config.campaigns})
    with read_snapshot(db):
        counts = shown_posts_by_month(db)
        # A date not written as ISO (never stored, but read defensively) has its month only once
        # parsed: then the budget waits for the whole read, and so does every post.
        streaming = None not in counts
        if streaming:
            plan.translated_from = translated_from(counts, len(locales), budget)
        waiting = posts_with_copies(db)
        refs, deferred = _read_posts(db, plan, default, on_post if streaming else None, waiting)
        plan.featured = [(plan.by_id[post.id], captions) for post, captions in featured_posts(db)
                         if post.id in plan.by_id]
    for ref in refs:
        if ref.duplicate_of and ref.duplicate_of in plan.by_id:
            plan.also_on.setdefault(ref.duplicate_of, []).append(ref)
    plan.countries = dict(sorted(plan.countries.items()))
    plan.organizations = dict(sorted(plan.organizations.items()))
    plan.languages = dict(sorted(plan.languages.items(), key=lambda item: -len(item[1])))
    plan.months = dict(sorted(plan.months.items(), reverse=True))
    month_counts = {month: len(posts) for month, posts in plan.months.items()}
    if not streaming:
        plan.translated_from = translated_from(month_counts, len(locales), budget)
        for ref in refs:
            ref.only_path = f"/{ref.home}/posts/{ref.segment}/" if ref.month < plan.translated_from else ""
    elif month_counts != counts:  # one read transaction: only a bug in either count gets here
        raise BuildError("the site plan's months disagree with the store's count of them")
    if on_post is not None:
        for ref, n in deferred:
            on_post(plan, ref, n)
    return plan


def _read_posts(db: sqlite_utils.Database, plan: SitePlan, default: str, on_post: OnPost | None,
                waiting: set[str]) -> tuple[list[PostRef], list[tuple[PostRef, int]]]:
    """Every post's reference into ``plan``, newest first; returns them all (cross-posts too) and
    the shown ones ``on_post`` has not seen yet, with their places."""
    locales, translated = plan.locales, plan.translated_from
    refs, deferred = [], []
    homes: dict[str | None, str] = {}  # language -> home locale, for every language but Uzbek
    # The listings a post is in follow from its language, countries, campaigns and organization:
    # a few hundred combinations for 100,000 posts, each worked out once.
    listings: dict[tuple, list[list[PostRef]]] = {}
    slugs: dict[str, str] = {}  # organization -> slug
    by_id, shown, months, media_files, month_position = plan.by_id, plan.posts, plan.months, plan.media_files, \
        plan.month_position
    for (post_id, published, lang, country, countries, campaigns, organization, duplicate_of, version, files,
         head) in post_summaries(db):
        # The month as the post's own calendar has it: the ISO date's first seven characters.
        month = published[:7] if published[4:5] == "-" else parse_datetime(published).strftime("%Y-%m")
        home = homes.get(lang)
        if home is None:
            home = home_locale(lang, head or "", locales, default)
            if lang != "uz":  # Uzbek's depends on each post's script
                homes[lang] = home
        segment = quote(post_id)
        ref = PostRef(post_id, month, lang, country, countries, campaigns, organization or "", duplicate_of, version,
                      home, segment, f"/{home}/posts/{segment}/" if month < translated else "")
        refs.append(ref)
        by_id[post_id] = ref
        if duplicate_of:
            continue
        if files:
            media_files.update(files)
        # The lists of codes are shared between posts with the same ones (post_summaries): their ids
        # stand for their values while the read lasts.
        key = (lang, country, id(countries), id(campaigns), organization)
        targets = listings.get(key)
        if targets is None:
            targets = listings[key] = _listings_of(plan, ref, slugs)
        for target in targets:
            target.append(ref)
        in_month = months.get(month)
        if in_month is None:
            in_month = months[month] = []
        month_position[post_id] = len(in_month)
        in_month.append(ref)
        n = len(shown)
        shown.append(ref)
        if on_post is None or post_id in waiting:
            deferred.append((ref, n))
        else:
            on_post(plan, ref, n)
    return refs, deferred


def _listings_of(plan: SitePlan, ref: PostRef, slugs: dict[str, str]) -> list[list[PostRef]]:
    """The country, campaign, organization and language listings a shown post goes in."""
    targets = [plan.countries.setdefault(country, []) for country in ref.countries or ([ref.country] if ref.country else [])]
    targets += [plan.campaigns.setdefault(slug, []) for slug in ref.campaigns]
    if ref.organization:
        slug = slugs.get(ref.organization) or slugs.setdefault(ref.organization, slugify(ref.organization))
        plan.organization_names.setdefault(slug, ref.organization)
        targets.append(plan.organizations.setdefault(slug, []))
    if ref.lang:
        targets.append(plan.languages.setdefault(ref.lang, []))
    return targets
