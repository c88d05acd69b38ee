"""build_site(db, config, out) -> BuildReport: plan, render what changed, index, publish atomically.

Every output file has a signature of what it shows. A build compares them with the manifest of
the build now published: unchanged files are hard-linked from it, changed ones rendered anew,
all into a fresh directory that replaces ``output`` in one rename (site_builder/publish.py).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from marathon.config import Config
from marathon.store import posts_by_id
from site_builder.feeds import atom_feed, feed_specs
from site_builder.pages import PageSpec, build_pages
from site_builder.plan import make_plan
from site_builder.publish import discard, load_manifest, new_build_dir, publish, published_build, save_manifest
from site_builder.render import HERE, make_environment, render_pages
from site_builder.routes import file_for
from site_builder.search import index_shard, plan_shards
from site_builder.sitemap import group_signature, robots_txt, sitemap, sitemap_groups, sitemap_index
from site_builder.writer import Writer

STATIC = HERE / "static"
PARALLEL_FROM = 3000  # pages: below this, forking workers costs more than it saves


@dataclass
class BuildReport:
    pages: int
    rendered: int
    feeds: int
    posts: int
    out: Path
    seconds: float
    reused_files: int = 0
    search_shards: int = 0
    indexed_shards: int = 0


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
    previous = None if full else published_build(out)
    old = load_manifest(previous)
    build = new_build_dir(out)
    try:
        writer = Writer(build, previous)
        manifest: dict[str, str] = {}

        def unchanged(relative: str, signature: str) -> bool:
            manifest[relative] = signature
            return old.get(relative) == signature and writer.reuse(relative)

        plan = make_plan(db, config)
        fingerprint = site_fingerprint(config)
        shards = plan_shards(plan) if search else []
        specs = build_pages(plan, config, fingerprint, [shard.path for shard in shards])
        changed = []
        for spec in specs:
            relative = file_for(spec.path)
            if not unchanged(relative, spec.signature):
                writer.claim(relative)  # rendered by a worker; claimed here so collisions fail loudly
                changed.append(spec)
        if workers is None:
            workers = (os.cpu_count() or 1) if len(changed) >= PARALLEL_FROM else 1
        rendered = render_pages(db, config, build, _units(changed), workers)

        environments = {loc: make_environment(loc, config) for loc in config.site.locales}
        feeds = feed_specs(plan, config, environments)
        stale = [feed for feed in feeds if not unchanged(file_for(feed.path), feed.signature(fingerprint, plan))]
        posts = posts_by_id(db, (r.id for feed in stale for r in feed.refs))
        base = config.site.base_url.rstrip("/")
        for feed in stale:
            writer.write(file_for(feed.path), atom_feed(feed.title, base + feed.path, base + feed.page_path,
                                                        [posts[r.id] for r in feed.refs],
                                                        lambda p, links=feed.links: base + links[p.id], feed.locale))

        groups = sitemap_groups(specs, plan)
        for name, members in groups.items():
            relative = f"sitemaps/{name}.xml"
            if not unchanged(relative, group_signature(members, config.site.base_url)):
                writer.write(relative, sitemap(members, config.site.base_url))
        writer.write("sitemap.xml", sitemap_index([f"/sitemaps/{name}.xml" for name in groups], config.site.base_url))
        writer.write("robots.txt", robots_txt(config.site.base_url))
        writer.write("index.html", _root_page(config))
        for asset in sorted(STATIC.iterdir()):
            writer.write(f"static/{asset.name}", asset.read_bytes())

        indexed = 0
        for shard in shards:
            key, relative = f"search:{shard.name}", shard.path.strip("/")
            manifest[key] = shard.signature
            if old.get(key) == shard.signature and writer.reuse_tree(relative):
                continue
            index_shard(shard, posts_by_id(db, (r.id for r in shard.refs)), build / relative)
            indexed += 1
        save_manifest(build, manifest)
    except BaseException:
        discard(build)
        raise
    publish(build, out)
    return BuildReport(pages=len(specs), rendered=rendered, feeds=len(feeds), posts=len(plan.posts), out=out,
                       seconds=time.perf_counter() - started, reused_files=writer.reused,
                       search_shards=len(shards), indexed_shards=indexed)
