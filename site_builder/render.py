"""Pages and feeds rendered to files: in this process, or in forked workers fed as planning goes."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import sqlite_utils
from jinja2 import Environment
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from marathon.config import Config
from marathon.model import Post
from marathon.site_reads import PostHead, post_cards, post_heads
from marathon.store import cached_media, posts_by_id
from site_builder.environment import TEMPLATES, locale_label, make_environment
from site_builder.feeds import FeedSpec, atom_feed, feed_title
from site_builder.pages import PageSpec, switcher_of
from site_builder.routes import file_for
from site_builder.writer import remove_files, write_file


@dataclass
class Page:
    """What a template sees as ``page``."""

    kind: str
    key: str
    locale: str
    path: str
    number: int
    context: dict[str, Any]
    translations: dict[str, str]
    switcher: dict[str, str]
    alternates: Markup = Markup("")  # <link hreflang> tags, made in Python: the hottest loop of a build
    language_links: Markup = Markup("")  # the language switcher's items


def chrome(spec: PageSpec, switcher: dict[str, str], base_url: str, base_path: str,
           cache: dict[tuple[str, int], Any] | None = None) -> tuple[Markup, Markup]:
    """A page's ``hreflang`` alternates and language switcher items. A post's pages in the nine
    locales share one translations dict, so ``cache`` (one per unit, keyed by the dicts' ids)
    makes each post's tags once rather than nine times."""
    cache = {} if cache is None else cache
    alternates = cache.get(("hreflang", id(spec.translations)))
    if alternates is None:
        alternates = cache[("hreflang", id(spec.translations))] = Markup("".join(
            f'<link rel="alternate" hreflang="{loc}" href="{escape(base_url + path)}">\n'
            for loc, path in spec.translations.items()))
    # Only a switcher the spec holds is cached: one made for this page alone dies with it, and its
    # id may come back for another dict.
    items = cache.get(("switcher", id(switcher))) if switcher is spec.switcher else None
    if items is None:
        items = [(loc, f'<li><a href="{escape(base_path + path)}" hreflang="{loc}" lang="{loc}"',
                  f'>{escape(locale_label(loc))}</a></li>\n') for loc, path in switcher.items()]
        if switcher is spec.switcher:
            cache[("switcher", id(switcher))] = items
    current = ' aria-current="page"'
    links = "".join(f"{start}{current if loc == spec.locale else ''}{end}" for loc, start, end in items)
    return alternates, Markup(links)


def archive_rows(env: Environment, posts: list[PostHead], links: dict[str, str], heads: dict[str, Markup]) -> Markup:
    """A monthly archive page's rows. Made here rather than in month.html: the archive lists every
    post in every locale (900,000 rows at 100,000 posts), and a Jinja loop took a third of a full
    build's rendering. ``heads`` keeps each post's locale-free part across the unit's pages."""
    rows, date = [], env.filters["date"]
    for post in posts:
        head = heads.get(post.id)
        if head is None:
            text = post.title or do_truncate(env, post.text, 70, True, "…")
            head = heads[post.id] = Markup(f'" lang="{escape(post.lang or "")}">{escape(text)}</a> '
                                           f'<time datetime="{post.published.isoformat()}">')
        rows.append(f'<li id="post-{escape(post.id)}"><a href="{escape(links[post.id])}{head}'
                    f'{escape(date(post.published, "short"))}</time></li>\n')
    return Markup("".join(rows))


def page_context(spec: PageSpec, posts: dict[str, Post], base_path: str = "",
                 media: dict[str, str] | None = None) -> dict[str, Any]:
    """What a template sees as ``page.context``; ``links`` are ready to use as hrefs, ``media`` maps
    an image's original URL to its file under /media/ (images without one are not shown)."""
    context = dict(spec.extra, links={i: base_path + path for i, path in spec.links.items()},
                   media=media or {})
    if spec.kind == "post":
        context.update(post=posts[spec.post_ids[0]], also_on=[posts[i] for i in spec.post_ids[1:]])
    else:
        featured = spec.extra.get("featured", [])
        context["posts"] = [posts[i] for i in spec.post_ids[: len(spec.post_ids) - len(featured)]]
        context["featured"] = [(posts[i], caption) for i, caption in featured]
    return context


class PageRenderer:
    """Renders specs to files; one per process, with its own store connection and environments."""

    def __init__(self, db: sqlite_utils.Database, config: Config, root: Path, fresh: bool = False):
        self.db, self.config, self.root = db, config, root
        self.fresh = fresh  # an empty directory: write files directly, no rename needed
        self.environments = {loc: make_environment(loc, config) for loc in config.site.locales}

    def warm_up(self) -> None:
        """Compile the templates and load each locale's CLDR data now: a worker forked before
        planning does this while the builder reads the store, instead of in its first units
        (0.2-0.3 s a worker)."""
        for env in self.environments.values():
            for name in TEMPLATES.glob("*.html"):
                env.get_template(name.name)
            env.filters["date"](datetime(2020, 5, 15))
            env.filters["country_name"]("KZ"), env.filters["language_name"]("kk"), env.globals["number"](1)
            env.filters["month_name"]("2020-05")
        for locale in self.environments:
            locale_label(locale)

    def render_unit(self, specs: list[PageSpec]) -> int:
        """Write every page of one unit (pages sharing posts, so each post is read once)."""
        ids = (i for spec in specs for i in spec.post_ids)
        if all(spec.kind == "month" for spec in specs):  # archive rows: heads are enough
            posts, media = post_heads(self.db, ids), {}
        elif all(spec.kind != "post" for spec in specs):  # listings: cards
            posts, media = post_cards(self.db, ids), {}
        else:
            posts = posts_by_id(self.db, ids)
            media = cached_media(self.db, (m.url for post in posts.values() for m in post.media if m.type == "image"))
        made: set[Path] = set()
        heads: dict[str, Markup] = {}
        chromes: dict[tuple[str, int], Any] = {}  # the unit's specs stay alive, so their dicts' ids stay theirs
        base_url = self.config.site.base_url.rstrip("/")
        base_path = urlsplit(base_url).path
        for spec in specs:
            env = self.environments[spec.locale]
            switcher = switcher_of(spec, self.config.site.locales)
            context = page_context(spec, posts, base_path, media)
            if spec.kind == "month":
                context["rows"] = archive_rows(env, context["posts"], context["links"], heads)
            page = Page(spec.kind, spec.key, spec.locale, spec.path, spec.number, context, spec.translations,
                        switcher, *chrome(spec, switcher, base_url, base_path, chromes))
            html = env.get_template(spec.template).render(page=page)
            path = self.root / file_for(spec.path)
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            if self.fresh:
                path.write_bytes(html.encode("utf-8"))
            else:
                write_file(path, html.encode("utf-8"))
        return len(specs)

    def render_feeds(self, feeds: list[FeedSpec]) -> int:
        """Write Atom feeds (one store read for all their posts)."""
        posts = posts_by_id(self.db, (i for feed in feeds for i in feed.post_ids))
        base = self.config.site.base_url.rstrip("/")
        for feed in feeds:
            title = feed_title(feed, self.environments[feed.locale])
            data = atom_feed(title, base + feed.path, base + feed.page_path, [posts[i] for i in feed.post_ids],
                             lambda post, links=feed.links: base + links[post.id], feed.locale)
            path = self.root / file_for(feed.path)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file(path, data)
        return 0  # feeds are not pages


    def remove(self, relatives: list[str]) -> int:
        remove_files(self.root, relatives)
        return 0  # no page rendered


_worker: PageRenderer | None = None


def _start_worker(db_path: str, config: Config, root: Path, fresh: bool) -> None:
    global _worker
    if not fresh:
        # A rebuild waits on the builder reading and comparing the whole site, not on its few
        # pages: the workers yield the CPU to it (at nice 15 a worker sharing its core takes 3 %
        # of it, at 5 a quarter; steady rebuilds 1.40-1.49 s against 1.44-1.68 s). Not SCHED_IDLE,
        # which would stall them behind any other busy process.
        os.nice(15)
    _worker = PageRenderer(sqlite_utils.Database(db_path), config, root, fresh)
    _worker.warm_up()


def _render_in_worker(specs: list[PageSpec]) -> int:
    assert _worker is not None
    return _worker.render_unit(specs)


def _feeds_in_worker(feeds: list[FeedSpec]) -> int:
    assert _worker is not None
    return _worker.render_feeds(feeds)


def _remove_in_worker(relatives: list[str]) -> int:
    assert _worker is not None
    return _worker.remove(relatives)


def start_workers(db_path: str, config: Config, root: Path, count: int, fresh: bool = False):
    """A pool of ``count`` forked render processes. Fork it before planning a big build: children
    then start small instead of inheriting (and slowly copying) the plan's memory."""
    context = multiprocessing.get_context("fork")
    return context.Pool(count, initializer=_start_worker, initargs=(db_path, config, root, fresh))


class RenderQueue:
    """Pages, a unit at a time, and feeds to render, sent to the worker pool as planning finds
    them (the workers render while the rest of the site is still being compared), or rendered in
    this process when there are fewer than ``parallel_from`` pages (shipping them costs more)."""

    def __init__(self, pool, local: Callable[[], PageRenderer], parallel_from: int = 0) -> None:
        self.pool, self.local, self.parallel_from = pool, local, parallel_from
        self.unit: list[PageSpec] = []
        self.held: list[tuple[Callable, list]] = []  # work kept back until it is worth a worker
        self.held_pages = 0
        self.parallel = False  # once work went to the pool, all of it does
        self.pending: list = []

    def add(self, spec: PageSpec) -> None:
        if self.unit and self.unit[-1].unit != spec.unit:
            self.flush()
        self.unit.append(spec)

    def add_unit(self, specs: list[PageSpec]) -> None:
        """A whole unit's pages, sent at once beside the one being gathered."""
        if specs:
            self._send(_render_in_worker, specs, len(specs))

    def flush(self) -> None:
        """Send the unit being gathered now: no more of its pages are coming."""
        if self.unit:
            self._send(_render_in_worker, self.unit, len(self.unit))
            self.unit = []

    def add_feeds(self, feeds: list[FeedSpec]) -> None:
        if feeds:
            self._send(_feeds_in_worker, feeds, 0)

    def add_removals(self, relatives: list[str]) -> None:
        """Files of the build directory to delete (no page renders them any more)."""
        if relatives:
            self._send(_remove_in_worker, relatives, 0)

    def _send(self, function: Callable, work: list, pages: int) -> None:
        if self.pool is None or (not self.parallel and self.held_pages + pages < self.parallel_from):
            self.held.append((function, work))
            self.held_pages += pages
            return
        self.parallel = True
        for held_function, held_work in self.held:
            self.pending.append(self.pool.apply_async(held_function, (held_work,)))
        self.held, self.held_pages = [], 0
        self.pending.append(self.pool.apply_async(function, (work,)))

    def finish(self) -> Callable[[], int]:
        """Send or render what is left; returns a function that waits for every page and counts them."""
        self.flush()
        count = 0
        if self.held:
            renderer = self.local()
            local = {_render_in_worker: renderer.render_unit, _feeds_in_worker: renderer.render_feeds,
                     _remove_in_worker: renderer.remove}
            for function, work in self.held:
                count += local[function](work)
            self.held = []
        return lambda: count + sum(result.get() for result in self.pending)
