"""The plan -> page specs: every page of the site, what it shows and a signature of it.

A spec holds ids and paths, never texts, so the whole site can be planned and compared with the
last build cheaply; only pages whose signature changed are rendered again (site_builder/build.py).
Every page knows its translations (the same kind and key in each locale).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from marathon.config import Config
from site_builder.plan import LISTING_PAGES, MONTH_PAGE_SIZE, PostRef, SitePlan
from site_builder.routes import file_for, path_for, quote


@dataclass(slots=True)
class PageSpec:
    kind: str
    key: str
    locale: str
    number: int
    path: str
    template: str
    unit: str  # pages rendered together because they show the same posts
    post_ids: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # post id -> path of its page for this locale
    translations: dict[str, str] = field(default_factory=dict)  # locale -> the same page (hreflang, sitemap)
    # locale -> where the language switcher goes; None for a post with one page (see switcher_of)
    switcher: dict[str, str] | None = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    signature: str = ""

    def sign(self, fingerprint: str, plan: SitePlan, cache: dict[int, str] | None = None) -> None:
        """A digest of everything the page shows; ``cache`` holds digests of the lists and maps that
        the nine locales of a page share (by identity: the specs keep them alive), so a monthly
        archive page's 200 rows are hashed once, not once per locale."""
        cache = {} if cache is None else cache

        def flat(mapping: dict[str, str]) -> str:
            key = id(mapping)
            digest = cache.get(key)
            if digest is None:
                digest = cache[key] = _digest("\x1e".join(f"{k}\x1f{v}" for k, v in mapping.items()))
            return digest

        versions = cache.get(id(self.post_ids))
        if versions is None:
            by_id = plan.by_id
            versions = cache[id(self.post_ids)] = _digest("\x1e".join(f"{i}\x1f{by_id[i].version}"
                                                                       for i in self.post_ids))
        parts = [fingerprint, self.kind, self.key, self.locale, str(self.number), self.path, self.template,
                 versions, flat(self.links), flat(self.translations),
                 flat(self.switcher) if self.switcher is not None else "",
                 json.dumps(self.extra, ensure_ascii=False, sort_keys=True, default=str) if self.extra else ""]
        self.signature = _digest("\x1d".join(parts))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def switcher_of(spec: PageSpec, locales: tuple[str, ...]) -> dict[str, str]:
    """The language switcher; for a post with one page, its row in each locale's monthly archive
    (derived here, not stored: 100,000 such maps took a third of a big build's memory)."""
    if spec.switcher is not None:
        return spec.switcher
    month, page = spec.extra["month"], spec.extra["month_page"]
    return {loc: spec.path if loc == spec.locale else f"{path_for('month', loc, month, page)}#post-{quote(spec.key)}"
            for loc in locales}


def _listing(plan: SitePlan, kind: str, key: str, template: str, refs: list[PostRef], per_page: int,
             extra: dict[str, Any], depth: int = LISTING_PAGES, total: int | None = None) -> list[PageSpec]:
    """A newest-first listing in every locale, at most ``depth`` pages; older posts are reached
    through the monthly archive and search (their link is on the last page). ``refs`` may be
    only the posts it shows when ``total`` says how many it has."""
    total = len(refs) if total is None else total
    shown = refs[: per_page * depth]
    count = max(1, ceil(len(shown) / per_page))
    specs = []
    for number in range(1, count + 1):
        chunk = shown[(number - 1) * per_page: number * per_page]
        ids = [r.id for r in chunk]  # one list and, for posts with one page each, one link map
        links = {r.id: r.only_path for r in chunk} if all(r.only_path for r in chunk) else None
        translations = {loc: path_for(kind, loc, key, number) for loc in plan.locales}
        for locale in plan.locales:
            context = dict(extra, total=total, page_count=count, more=total > len(shown) and number == count,
                           prev_path=path_for(kind, locale, key, number - 1) if number > 1 else None,
                           next_path=path_for(kind, locale, key, number + 1) if number < count else None)
            specs.append(PageSpec(kind, key, locale, number, translations[locale], template, f"{kind}:{key}",
                                  ids, links if links is not None else {r.id: plan.post_path(r, locale) for r in chunk},
                                  translations, translations, context))
    return specs


POSTS_PER_UNIT = 250  # post pages rendered together (one store read for their posts)


def post_key(ref: PostRef) -> str:
    """A post's entry in the build manifest: its pages are kept or rendered together."""
    return f"post:{ref.id}"


def post_record(plan: SitePlan, ref: PostRef, fingerprint: str) -> str:
    """What a post's pages show, as the manifest records it: the locales of its pages (which name
    its files, see ``post_files``), the site's fingerprint, the post's version and its cross-posts',
    and its place in the archive when it has one page. A big site has 100,000 posts and nine times
    as many post pages, so posts are compared one by one rather than page by page, and with a
    plain string: the versions are digests already."""
    if plan.translated(ref):
        record = f"{plan.all_locales} {fingerprint} {ref.version}"
    else:
        record = f"{ref.home} {fingerprint} {ref.version} {ref.month} {plan.month_page_of(ref)}"
    also_on = plan.also_on.get(ref.id)
    if also_on:
        record += "".join(f" {other.id}\x1f{other.version}" for other in also_on)
    return record


def post_files(key: str, record: str) -> list[str]:
    """The files a post's manifest entry stands for: its page in each of the recorded locales."""
    post_id = key.split(":", 1)[1]
    return [file_for(path_for("post", locale, post_id)) for locale in record.split(" ", 1)[0].split(",")]


def post_pages(plan: SitePlan, ref: PostRef, unit: str) -> list[PageSpec]:
    """A post's pages: one per locale for the newest months, else one in its home locale whose
    language switcher leads to the post's place in each locale's monthly archive."""
    ids = [ref.id, *(other.id for other in plan.also_on.get(ref.id, ()))]
    pages = plan.post_pages(ref)
    if plan.translated(ref):
        return [PageSpec("post", ref.id, locale, 1, path, "post.html", unit, ids, NO_LINKS, pages, pages,
                         NOT_ARCHIVED) for locale, path in pages.items()]
    archive = {"archived": True, "month": ref.month, "month_page": plan.month_page_of(ref)}
    return [PageSpec("post", ref.id, ref.home, 1, ref.only_path, "post.html", unit, ids, NO_LINKS, pages, None,
                     archive)]


NOT_ARCHIVED: dict[str, Any] = {"archived": False}  # shared by many specs, never mutated
NO_LINKS: dict[str, str] = {}


def _home(plan: SitePlan, per_page: int) -> list[PageSpec]:
    nav = {"countries": list(plan.countries),
           "campaigns": [slug for slug, refs in plan.campaigns.items() if refs and slug in plan.campaign_config],
           "languages": list(plan.languages),
           "organizations": [(slug, plan.organization_names[slug]) for slug in plan.organizations]}
    specs = _listing(plan, "home", "", "index.html", plan.posts, per_page, {})
    for spec in specs:
        if spec.number == 1:
            featured = [(ref.id, captions.get(spec.locale, "")) for ref, captions in plan.featured]
            spec.extra.update(nav=nav, featured=featured)
            # New objects: the listing's lists and maps are shared by its locales.
            spec.post_ids = spec.post_ids + [ref.id for ref, _ in plan.featured]
            spec.links = {**spec.links, **{ref.id: plan.post_path(ref, spec.locale) for ref, _ in plan.featured}}
    return specs


def _archive(plan: SitePlan) -> list[PageSpec]:
    specs = []
    for month, refs in plan.months.items():
        specs += _listing(plan, "month", month, "month.html", refs, MONTH_PAGE_SIZE,
                          {"heading": month}, depth=ceil(len(refs) / MONTH_PAGE_SIZE))
    translations = {loc: path_for("archive", loc) for loc in plan.locales}
    months = [(month, len(refs)) for month, refs in plan.months.items()]
    for locale in plan.locales:
        specs.append(PageSpec("archive", "", locale, 1, translations[locale], "archive.html", "archive",
                              translations=translations, switcher=translations, extra={"months": months}))
    return specs


LISTINGS = {  # kind -> template of a listing of posts that share a tag
    "country": "country.html", "campaign": "campaign.html", "organization": "listing.html", "language": "listing.html"}


def listing_pages(plan: SitePlan, kind: str, key: str, refs: list[PostRef], per_page: int,
                  total: int | None = None) -> list[PageSpec]:
    """The pages of a country's, campaign's, organization's or language's listing."""
    if kind == "country":
        extra: dict[str, Any] = {"country": key}
    elif kind == "campaign":
        extra = {"campaign": key}
    elif kind == "organization":
        extra = {"heading": plan.organization_names[key], "heading_kind": "organization"}
    else:
        extra = {"heading": key, "heading_kind": "language"}
    return _listing(plan, kind, key, LISTINGS[kind], refs, per_page, extra, total=total)


def build_pages(plan: SitePlan, config: Config, search_bundles: list[str],
                made: dict[tuple[str, str], list[PageSpec]] | None = None) -> list[PageSpec]:
    """Every page of the site in every locale but the posts' own (see ``post_pages``), unsigned
    (the builder signs them one by one, see ``PageSpec.sign``), but for the listings in ``made``,
    whose pages were made and signed while the store was read. A unit's pages come one after another."""
    per_page, made = config.site.posts_per_page, made or {}
    specs = _home(plan, per_page)
    for kind, listings in (("country", plan.countries), ("campaign", plan.campaigns),
                           ("organization", plan.organizations), ("language", plan.languages)):
        for key, refs in listings.items():
            specs += made.get((kind, key)) or listing_pages(plan, kind, key, refs, per_page)
    specs += _archive(plan)
    search = {loc: path_for("search", loc) for loc in plan.locales}
    filters = {"country": list(plan.countries), "campaign": [s for s, r in plan.campaigns.items() if r],
               "language": list(plan.languages)}
    for locale in plan.locales:
        specs.append(PageSpec("search", "", locale, 1, search[locale], "search.html", "search",
                              translations=search, switcher=search,
                              extra={"bundles": search_bundles, "translated_from": plan.translated_from,
                                     "filters": filters}))
    return specs
