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
from marathon.store import media_directory, posts_by_id
from site_builder.feeds import atom_feed, feed_specs
from site_builder.pages import PageSpec, build_pages
from site_builder.plan import make_plan
from site_builder.publish import discard, load_manifest, prepare_spare, publish, published_build, save_manifest
from site_builder.render import HERE, UnitStream, make_environment, start_rendering, start_workers
from site_builder.routes import file_for
from site_builder.search import plan_shards, run_search_jobs, search_jobs
from site_builder.sitemap import group_signature, robots_txt, sitemap, sitemap_groups, sitemap_index
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
    would walk the growing heap again and again (40 % of the planning time at 100,000 posts)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _db_path(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2]


def _units(specs: list[PageSpec]) -> list[list[PageSpec]]:
    units: dict[str, list[PageSpec]] = {}
    for spec in specs:
        units.setdefault(spec.unit, []).append(spec)
    return list(units.values())


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
        with no_cycle_collection():
            plan = make_plan(db, config)
            # Pagefind indexes in its own process while the pages are planned and rendered.
            shards = plan_shards(plan) if search else []
            stale_shards = [shard for shard in shards if not writer.keep(f"search:{shard.name}", shard.signature)
                            and not writer.adopt_tree(f"search:{shard.name}", shard.path.strip("/"), shard.signature)]
            searching = search_process.apply_async(run_search_jobs, (_db_path(db), search_jobs(stale_shards, build))) \
                if search_process is not None else None
            fingerprint = site_fingerprint(config)
            specs = build_pages(plan, config, fingerprint, [shard.path for shard in shards], signed=False)
            # A build from nothing (every page to render) streams each unit to the workers as soon
            # as it is signed; a rebuild first learns how few pages changed.
            stream = UnitStream(pool) if pool is not None and not known else None
            changed, cache = [], {}
            for spec in specs:
                spec.sign(fingerprint, plan, cache)
                relative = file_for(spec.path)
                if writer.keep(relative, spec.signature) or writer.adopt(relative, spec.signature):
                    continue
                if stream is not None:
                    stream.add(spec)
                else:
                    changed.append(spec)
        stage("plan")
        if stream is not None:
            rendering = stream.finish()
        else:
            parallel = pool if workers or len(changed) >= PARALLEL_FROM else None
            rendering = start_rendering(db, config, build, _units(changed), parallel, fresh=not known)

        environments = {loc: make_environment(loc, config) for loc in config.site.locales}
        feeds = feed_specs(plan, config, environments)
        signed = [(feed, file_for(feed.path), feed.signature(fingerprint)) for feed in feeds]
        stale = [feed for feed, relative, sign in signed
                 if not writer.keep(relative, sign) and not writer.adopt(relative, sign)]
        posts = posts_by_id(db, (r.id for feed in stale for r in feed.refs))
        base = config.site.base_url.rstrip("/")
        for feed in stale:
            writer.write(file_for(feed.path), atom_feed(feed.title, base + feed.path, base + feed.page_path,
                                                        [posts[r.id] for r in feed.refs],
                                                        lambda p, links=feed.links: base + links[p.id], feed.locale),
                         claimed=True)

        groups = sitemap_groups(specs, plan)
        for name, members in groups.items():
            relative = f"sitemaps/{name}.xml"
            signature = group_signature(members, config.site.base_url)
            if not writer.keep(relative, signature) and not writer.adopt(relative, signature):
                writer.write(relative, sitemap(members, config.site.base_url), claimed=True)
        media, missing_media = media_directory(db), []
        for name in sorted(plan.media_files):  # content-addressed: a name never changes its bytes
            relative = f"media/{name}"
            if not writer.keep(relative, name) and not writer.adopt(relative, name) \
                    and not writer.write_link(relative, media / name):
                missing_media.append(name)
        writer.write("sitemap.xml", sitemap_index([f"/sitemaps/{name}.xml" for name in groups], config.site.base_url))
        writer.write("robots.txt", robots_txt(config.site.base_url))
        writer.write("index.html", _root_page(config))
        for asset in sorted(STATIC.iterdir()):
            writer.write(f"static/{asset.name}", asset.read_bytes())
        stage("feeds, sitemaps (beside rendering)")
        rendered = rendering()
        stage("render (after feeds)")
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
        if search_process is not None:
            search_process.terminate()
        if pool is not None:
            pool.terminate()
    publish(build, out)
    return BuildReport(pages=len(specs), rendered=rendered, feeds=len(feeds), posts=len(plan.posts), out=out,
                       seconds=time.perf_counter() - started, kept_files=writer.kept,
                       search_shards=len(shards), indexed_shards=indexed, stages=stages,
                       missing_media=missing_media)
