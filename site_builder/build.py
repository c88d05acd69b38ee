"""build_site(db, config, out) -> BuildReport: plan, render what changed, index, publish atomically.

Every output file has a signature of what it shows. A build compares them with the manifest of
the spare build directory (the site as it was one build ago): files whose signature matches stay,
the rest are rendered anew, and the spare replaces ``output`` in one rename (site_builder/publish.py).
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from marathon.config import Config
from marathon.store import media_directory
from site_builder.environment import HERE, make_environment
from site_builder.feeds import FeedSpec, feed_specs
from site_builder.pages import POSTS_PER_UNIT, PageSpec, build_pages, listing_pages, post_key, post_pages, post_record
from site_builder.plan import PostRef, SitePlan, make_plan
from site_builder.publish import discard, load_manifest, prepare_spare, publish, published_build, save_manifest
from site_builder.render import PageRenderer, RenderQueue, start_workers
from site_builder.routes import file_for
from site_builder.search import plan_shards, run_search_jobs, search_jobs
from site_builder.sitemap import robots_txt, sitemap, sitemap_groups, sitemap_index
from site_builder.writer import Writer

STATIC = HERE / "static"
PARALLEL_FROM = 500  # pages: below this, rendering here beats shipping units to the workers


@dataclass
class BuildReport:
    pages: int
    rendered: int
    feeds: int
    posts: int
    out: Path
    seconds: float
    kept_files: int = 0  # outputs the build directory already held as they are
    search_shards: int = 0
    indexed_shards: int = 0
    missing_media: list[str] = field(default_factory=list)  # cached images whose files were deleted
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, for the benchmark


def site_fingerprint(config: Config) -> str:
    """Changes whenever templates, catalogues, static files, builder code or site settings do."""
    digest = hashlib.blake2b(digest_size=12)
    for pattern in ("templates/*", "static/*", "locales/*/LC_MESSAGES/*.po", "*.py"):
        for path in sorted(HERE.glob(pattern)):
            digest.update(path.name.encode() + path.read_bytes())
    digest.update(repr((config.site, config.campaigns)).encode())
    return digest.hexdigest()


def _root_page(config: Config) -> bytes:
    """The site root: a plain list of languages (works without JavaScript) and a redirect to the
    first of the browser's languages the site has."""
    env = make_environment(config.site.default_locale, config)
    title = config.site.title.get(config.site.default_locale) or "marathon"
    return env.get_template("root.html").render(title=title, locales=config.site.locales,
                                                 default_locale=config.site.default_locale,
                                                 base_url=config.site.base_url).encode("utf-8")


@contextmanager
def no_cycle_collection():
    """Planning makes a few hundred thousand small objects and no cycles; Python's cycle collector
    would walk the growing heap again and again (40 % of the planning time at 100,000 posts). They
    are then frozen, out of the collector's sight, or the first collection after planning walks
    them all once more (0.2 s); ``build_site`` unfreezes them when it ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _db_path(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2]


def build_site(db: sqlite_utils.Database, config: Config, out: str | Path, search: bool = True,
               workers: int | None = None, full: bool = False) -> BuildReport:
    """Build the site from the store and publish it at ``out``; a failure keeps the old site.

    Only what changed since the published build is rendered (``full`` renders everything);
    ``workers`` processes render big builds (default: one per core)."""
    started = time.perf_counter()
    out = Path(out).absolute()
    build, known = prepare_spare(out, full)
    published = published_build(out)
    published_known = load_manifest(published) if known and published is not None else {}
    context = multiprocessing.get_context("fork")
    # Forked now, while this process is small; Pagefind's records are made there, not in a thread
    # here, where they held the GIL against planning.
    search_process = context.Pool(1) if search else None
    cores = os.cpu_count() or 1
    pool = start_workers(_db_path(db), config, build, workers or cores, fresh=not known) \
        if (workers or cores) > 1 and _db_path(db) else None
    stages: dict[str, float] = {}
    clock = [time.perf_counter()]

    def stage(name: str) -> None:
        now = time.perf_counter()
        stages[name] = now - clock[0]
        clock[0] = now

    try:
        writer = Writer(build, known, published, published_known)
        fingerprint = site_fingerprint(config)
        # Work goes to the render workers as soon as it is found, so they render while the rest
        # is compared; a small rebuild is rendered here instead.
        queue = RenderQueue(pool, lambda: PageRenderer(db, config, build, fresh=not known),
                            0 if workers or not known else PARALLEL_FROM)
        # A rebuild's few changed posts go in small units, shared out evenly between the workers.
        per_unit = POSTS_PER_UNIT if not known else POSTS_PER_UNIT // 10
        post_page_count = 0

        def compare_post(plan: SitePlan, ref: PostRef, n: int) -> None:
            """A post's pages, compared a post at a time while the store is read: nine in ten of a
            big site's pages, and new posts, the newest, come first, so the workers start on them
            at once."""
            nonlocal post_page_count
            key, record = post_key(ref), post_record(plan, ref, fingerprint)
            post_page_count += len(plan.locales) if plan.translated(ref) else 1
            if not writer.keep_post(key, record) and not writer.adopt_post(key, record):
                for spec in post_pages(plan, ref, f"posts:{n // per_unit}"):
                    queue.add(spec)
            if (n + 1) % per_unit == 0:  # the unit is whole: the workers need not wait for the next one
                queue.flush()
                if len(writer.gone_post_files) >= 500:
                    queue.add_removals(writer.take_gone_post_files())

        made: dict[tuple[str, str], list[PageSpec]] = {}  # listings compared while the store was read
        cache: dict[int, str] = {}  # see PageSpec.sign

        def compare_listing(plan: SitePlan, kind: str, key: str, refs: list[PostRef]) -> None:
            """A listing's pages, compared as soon as it holds every post it shows: a rebuild's new
            posts change every listing they are in, and the workers render them meanwhile."""
            specs = made[(kind, key)] = listing_pages(plan, kind, key, refs, config.site.posts_per_page,
                                                      plan.listing_totals[(kind, key)])
            queue.add_unit([spec for spec in specs if not compare_page(plan, spec)])

        def compare_page(plan: SitePlan, spec: PageSpec) -> bool:
            """Sign a page; True if the build directory holds it as it is (or took it from the published build)."""
            spec.sign(fingerprint, plan, cache)
            relative = file_for(spec.path)
            return writer.keep(relative, spec.signature) or writer.adopt(relative, spec.signature)

        with no_cycle_collection():
            plan = make_plan(db, config, on_post=compare_post, on_listing=compare_listing)
            stage("plan: read the store, compare posts")
            # Pagefind indexes in its own process while the rest is compared and rendered.
            shards = plan_shards(plan) if search else []
            stale_shards = [shard for shard in shards if not writer.keep(f"search:{shard.name}", shard.signature)
                            and not writer.adopt_tree(f"search:{shard.name}", shard.path.strip("/"), shard.signature)]
            searching = search_process.apply_async(run_search_jobs, (_db_path(db), search_jobs(stale_shards, build))) \
                if search_process is not None else None
            # The home page first: the new posts change it, and the workers wait for it.
            specs = build_pages(plan, config, [shard.path for shard in shards], made)
            for spec in specs:
                if not spec.signature and not compare_page(plan, spec):  # signed: compared already
                    queue.add(spec)
            # Pages of posts gone, and the rest of those now in fewer locales (a month leaving the
            # page budget: 8,000 files), are deleted by a worker, beside rendering.
            queue.add_removals(writer.stale_post_files())
            feeds = feed_specs(plan, config.site.locales)
            stale_feeds: dict[str, list[FeedSpec]] = {}
            for feed in feeds:
                relative, signature = file_for(feed.path), feed.signature(fingerprint, plan)
                if not writer.keep(relative, signature) and not writer.adopt(relative, signature):
                    stale_feeds.setdefault(feed.locale, []).append(feed)
            for locale_feeds in stale_feeds.values():
                queue.add_feeds(locale_feeds)
            rendering = queue.finish()
        stage("plan: compare the other pages")

        groups = sitemap_groups(specs, plan, config.site.base_url)
        for name, group in groups.items():
            relative = f"sitemaps/{name}.xml"
            if not writer.keep(relative, group.signature) and not writer.adopt(relative, group.signature):
                writer.write(relative, sitemap(group.entries(), config.site.base_url), claimed=True)
        media, missing_media = media_directory(db), []
        for name in sorted(plan.media_files):  # content-addressed: a name never changes its bytes
            relative = f"media/{name}"
            if not writer.keep(relative, name) and not writer.adopt(relative, name) \
                    and not writer.write_link(relative, media / name):
                missing_media.append(name)
        writer.write("sitemap.xml", sitemap_index([f"/sitemaps/{name}.xml" for name in groups], config.site.base_url))
        writer.write("robots.txt", robots_txt(config.site.base_url))
        # The root page changes only with the site (its CLDR names cost 0.1 s to load).
        if not writer.keep("index.html", fingerprint) and not writer.adopt("index.html", fingerprint):
            writer.write("index.html", _root_page(config), claimed=True)
        for asset in sorted(STATIC.iterdir()):
            writer.write(f"static/{asset.name}", asset.read_bytes())
        stage("sitemaps (beside rendering)")
        rendered = rendering()
        stage("render (after sitemaps)")
        indexed = len(stale_shards)
        if searching is not None:
            searching.get()  # re-raises a failure of the search index
        stage("search (after render)")
        writer.remove_stale()
        save_manifest(build, writer.manifest)
        stage("finish")
    except BaseException:
        if pool is not None:  # no worker may still be writing into the build when it goes
            pool.terminate()
        if search_process is not None:  # let a running Pagefind finish before its directory goes
            search_process.close()
            search_process.join()
        discard(build)
        raise
    finally:
        gc.unfreeze()
        if search_process is not None:
            search_process.terminate()
        if pool is not None:
            pool.terminate()
    publish(build, out)
    return BuildReport(pages=len(specs) + post_page_count, rendered=rendered, feeds=len(feeds), posts=len(plan.posts),
                       out=out, seconds=time.perf_counter() - started, kept_files=writer.kept,
                       search_shards=len(shards), indexed_shards=indexed, stages=stages,
                       missing_media=missing_media)
