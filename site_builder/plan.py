"""What the site will hold, planned from light post summaries without reading a post's text.

The plan decides the URL space at any size (docs/site.md): which posts get a page in every locale
(the newest months, as many as fit ``POST_PAGE_BUDGET``) and which keep one page, in the UI locale
of their own language, and what every listing shows. It hands each post and listing on as soon as
they are known, while the store is still being read, so that a rebuild renders meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlite_utils

from marathon.config import Campaign, Config
from marathon.errors import BuildError
from marathon.model import parse_datetime
from marathon.site_reads import copies_per_post, post_summaries, read_snapshot, shown_post_groups
from marathon.store import featured_posts
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
    # (kind, key) -> how many posts a country, campaign, organization or language listing has,
    # counted by the store before the posts are read
    listing_totals: dict[tuple[str, str], int] = field(default_factory=dict)

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
OnListing = Callable[[SitePlan, str, str, list[PostRef]], None]


def make_plan(db: sqlite_utils.Database, config: Config, budget: int | None = None,
              on_post: OnPost | None = None, on_listing: OnListing | None = None) -> SitePlan:
    """The plan of the site, made while the store is read, so that a rebuild renders meanwhile.

    ``on_post(plan, ref, n)`` is called for each shown post (the ``n``-th, newest first) as soon as
    everything its own pages show is known; ``on_listing(plan, kind, key, refs)`` for each country,
    campaign, organization and language listing as soon as it holds every post it shows. The page
    budget and every listing's size are fixed first from counts the store makes (one read
    transaction: they agree with the posts read after them). A post with cross-posts waits until
    its copies are read too (a copy is usually newer, read before it, but need not be)."""
    locales, default = config.site.locales, config.site.default_locale
    budget = budget or POST_PAGE_BUDGET
    plan = SitePlan(locales=locales, posts=[], by_id={}, also_on={}, months={}, translated_from="",
                    all_locales=",".join(locales), campaigns={c.slug: [] for c in config.campaigns},
                    campaign_config={c.slug: c for c in config.campaigns})
    slugs: dict[str, str] = {}  # organization -> slug
    with read_snapshot(db):
        groups = shown_post_groups(db)
        counts: dict[str | None, int] = {}
        for group in sorted(groups, key=lambda group: group.month or "", reverse=True):
            counts[group.month] = counts.get(group.month, 0) + group.count
        # A date not written as ISO (never stored, but read defensively) has its month only once
        # parsed: then the budget waits for the whole read, and so does every page.
        streaming = None not in counts
        if streaming:
            plan.translated_from = translated_from(counts, len(locales), budget)
            for group in groups:
                for listing in listing_keys(group.lang, group.country, group.countries, group.campaigns,
                                            group.organization, slugs):
                    plan.listing_totals[listing] = plan.listing_totals.get(listing, 0) + group.count
        copies = copies_per_post(db)
        refs, deferred = _read_posts(db, plan, default, LISTING_PAGES * config.site.posts_per_page, slugs,
                                     on_post if streaming else None, on_listing if streaming else None, copies)
        plan.featured = [(plan.by_id[post.id], captions) for post, captions in featured_posts(db)
                         if post.id in plan.by_id]
    plan.also_on = {post_id: others for post_id, others in plan.also_on.items() if post_id in plan.by_id}
    plan.countries = dict(sorted(plan.countries.items()))
    plan.organizations = dict(sorted(plan.organizations.items()))
    plan.languages = dict(sorted(plan.languages.items(), key=lambda item: -len(item[1])))
    plan.months = dict(sorted(plan.months.items(), reverse=True))
    month_counts = {month: len(posts) for month, posts in plan.months.items()}
    if not streaming:
        plan.translated_from = translated_from(month_counts, len(locales), budget)
        for ref in refs:
            ref.only_path = f"/{ref.home}/posts/{ref.segment}/" if ref.month < plan.translated_from else ""
    elif month_counts != counts or _listing_sizes(plan) != plan.listing_totals:
        raise BuildError("the site plan disagrees with the store's count of its posts")  # only a bug gets here
    if on_post is not None:
        for ref, n in deferred:
            on_post(plan, ref, n)
    return plan


def listing_keys(lang: str | None, country: str | None, countries: list[str], campaigns: list[str],
                 organization: str | None, slugs: dict[str, str]) -> list[tuple[str, str]]:
    """The (kind, key) of every listing a shown post with these tags is in; ``slugs`` caches the
    organizations' slugs."""
    keys = [("country", code) for code in countries or ([country] if country else [])]
    keys += [("campaign", slug) for slug in campaigns]
    if organization:
        keys.append(("organization", slugs.get(organization) or slugs.setdefault(organization, slugify(organization))))
    if lang:
        keys.append(("language", lang))
    return keys


def _listing_sizes(plan: SitePlan) -> dict[tuple[str, str], int]:
    return {(kind, key): len(refs) for kind, listings in _listings_by_kind(plan).items()
            for key, refs in listings.items() if refs}


def _listings_by_kind(plan: SitePlan) -> dict[str, dict[str, list[PostRef]]]:
    return {"country": plan.countries, "campaign": plan.campaigns, "organization": plan.organizations,
            "language": plan.languages}


def _read_posts(db: sqlite_utils.Database, plan: SitePlan, default: str, depth: int, slugs: dict[str, str],
                on_post: OnPost | None, on_listing: OnListing | None,
                copies: dict[str, int]) -> tuple[list[PostRef], list[tuple[PostRef, int]]]:
    """Every post's reference into ``plan``, newest first; returns them all (cross-posts too) and
    the shown ones ``on_post`` has not seen yet, with their places: a post waits while some of its
    ``copies`` are still to be read (a copy is usually newer, read first). A listing shows its
    newest ``depth`` posts."""
    locales, translated = plan.locales, plan.translated_from
    refs, deferred = [], []
    homes: dict[str | None, str] = {}  # language -> home locale, for every language but Uzbek
    # The listings a post is in follow from its language, countries, campaigns and organization:
    # a few hundred combinations for 100,000 posts, each worked out once. With each, how many posts
    # the listing shows (on_listing is told when it has them all; 0: never).
    listings: dict[tuple, list[tuple[list[PostRef], int, str, str]]] = {}
    by_kind = _listings_by_kind(plan)
    also_on = plan.also_on  # a copy's original may come later, or never (make_plan drops those)
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
            also_on.setdefault(duplicate_of, []).append(ref)
            continue
        if files:
            media_files.update(files)
        # The lists of codes are shared between posts with the same ones (post_summaries): their ids
        # stand for their values while the read lasts.
        key = (lang, country, id(countries), id(campaigns), organization)
        targets = listings.get(key)
        if targets is None:
            targets = listings[key] = []
            for kind, listing in listing_keys(lang, country, countries, campaigns, organization, slugs):
                if kind == "organization":
                    plan.organization_names.setdefault(listing, organization)
                size = min(depth, plan.listing_totals.get((kind, listing), 0)) if on_listing is not None else 0
                targets.append((by_kind[kind].setdefault(listing, []), size, kind, listing))
        in_month = months.get(month)
        if in_month is None:
            in_month = months[month] = []
        month_position[post_id] = len(in_month)
        in_month.append(ref)
        n = len(shown)
        shown.append(ref)
        for target, size, kind, listing in targets:
            target.append(ref)
            if len(target) == size:
                on_listing(plan, kind, listing, target)  # type: ignore[misc]  # size is 0 without it
        if on_post is None or (post_id in copies and len(also_on.get(post_id, ())) < copies[post_id]):
            deferred.append((ref, n))
        else:
            on_post(plan, ref, n)
    return refs, deferred
