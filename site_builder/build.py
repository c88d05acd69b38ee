"""build_site(db, config, out) -> BuildReport: every page, feed and asset, then an atomic publish."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from marathon.config import Config
from marathon.errors import BuildError
from site_builder.feeds import atom_feed
from site_builder.pages import build_pages, load_site_data
from site_builder.publish import discard, new_build_dir, publish
from site_builder.render import make_environment
from site_builder.routes import file_for, path_for
from site_builder.search import index_site
from site_builder.sitemap import robots_txt, sitemap

STATIC = Path(__file__).parent / "static"


@dataclass
class BuildReport:
    pages: int
    feeds: int
    posts: int
    out: Path
    seconds: float


class Writer:
    """Writes files under a build directory and refuses to write one path twice (URL collisions)."""

    def __init__(self, root: Path):
        self.root = root
        self.written: set[str] = set()

    def write(self, relative: str, data: bytes) -> None:
        if relative in self.written:
            raise BuildError(f"two pages want the same file {relative!r}; check ids and slugs")
        self.written.add(relative)
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _root_page(config: Config) -> bytes:
    """The site root: a plain list of languages (works without JavaScript) and a redirect to the
    first of the browser's languages the site has."""
    env = make_environment(config.site.default_locale, config)
    title = config.site.title.get(config.site.default_locale) or "marathon"
    return env.get_template("root.html").render(title=title, locales=config.site.locales,
                                                 default_locale=config.site.default_locale,
                                                 base_url=config.site.base_url).encode("utf-8")


FEED_SIZE = 50


def _write_feeds(writer: Writer, data, config: Config) -> int:
    """Atom feeds per locale: the whole site, each country, each campaign. Returns how many."""
    base = config.site.base_url.rstrip("/")
    count = 0
    for locale in config.site.locales:
        title = config.site.title.get(locale) or config.site.title.get("en") or "marathon"
        env = make_environment(locale, config)
        country_name = env.filters["country_name"]
        post_url = lambda p, loc=locale: base + path_for("post", loc, p.id)  # noqa: E731
        feeds = [(path_for("feed", locale), path_for("home", locale), title, data.posts)]
        feeds += [(path_for("country-feed", locale, code), path_for("country", locale, code),
                   f"{country_name(code)} — {title}", posts) for code, posts in data.countries.items()]
        feeds += [(path_for("campaign-feed", locale, slug), path_for("campaign", locale, slug),
                   f"{data.campaign_config[slug].name(locale)} — {title}", posts)
                  for slug, posts in data.campaigns.items() if posts and slug in data.campaign_config]
        for feed_path, page_path, feed_title, posts in feeds:
            writer.write(file_for(feed_path), atom_feed(feed_title, base + feed_path, base + page_path,
                                                        posts[:FEED_SIZE], post_url, locale))
            count += 1
    return count


def build_site(db: sqlite_utils.Database, config: Config, out: str | Path, search: bool = True) -> BuildReport:
    """Render the whole site into a new directory and publish it at ``out``; a failure keeps the old site."""
    started = time.perf_counter()
    out = Path(out).absolute()
    build = new_build_dir(out)
    try:
        writer = Writer(build)
        data = load_site_data(db, config)
        pages = build_pages(data, config)
        environments = {loc: make_environment(loc, config) for loc in config.site.locales}
        nav = {"countries": list(data.countries),
               "campaigns": [data.campaign_config[s] for s in data.campaigns if s in data.campaign_config and data.campaigns[s]],
               "languages": list(data.languages),
               "organizations": [(slug, data.organization_names[slug]) for slug in data.organizations]}
        for page in pages:
            env = environments[page.locale]
            names = {slug: c.name(page.locale) for slug, c in data.campaign_config.items()}
            html = env.get_template(page.template).render(page=page, nav=nav if page.kind == "home" else None,
                                                          campaign_names=names)
            writer.write(file_for(page.path), html.encode("utf-8"))
        feeds = _write_feeds(writer, data, config)
        writer.write("sitemap.xml", sitemap(pages, config.site.base_url))
        writer.write("robots.txt", robots_txt(config.site.base_url))
        writer.write("index.html", _root_page(config))
        for asset in STATIC.iterdir():
            writer.write(f"static/{asset.name}", asset.read_bytes())
        if search:
            index_site(build)
    except Exception:
        discard(build)
        raise
    publish(build, out)
    return BuildReport(pages=len(pages), feeds=feeds, posts=len(data.posts), out=out,
                       seconds=time.perf_counter() - started)
