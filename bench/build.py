"""Site build benchmark (issue #6): a synthetic store of N posts in the eight languages (with
cross-posts and hidden posts, as real stores have), built in every configured locale. Prints
pages/s, peak memory, site size, file count and home page weight; then adds 100 newer posts and
rebuilds: time, pages rendered and files rewritten.

Run: .venv/bin/python bench/build.py [--posts 100000] [--new 100] [--rebuilds 3] [--no-search] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import threading
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marathon.config import bundled_path, load_config, load_sources  # noqa: E402
from marathon.demo.content import all_demo_posts  # noqa: E402
from marathon.model import Media, Post, make_post_id  # noqa: E402
from marathon.store import iter_posts, open_store, save_sources, save_tags, upsert_posts  # noqa: E402


def demo_like(n: int, native: str, published, sources: dict, demo: list) -> tuple[Post, dict]:
    """Post ``n`` recycled from the demo's texts (their ``n`` modulo), and its tags as the demo's."""
    template = demo[n % len(demo)]
    source = sources[template.source_id]
    post = Post(id=make_post_id(source.id, native), source_id=source.id, platform=source.platform,
                url=f"http://127.0.0.1/{source.id}/{native}", native_id=native, title=template.title,
                text=f"{template.text}\n\n#{native}", published=published, organization=source.organization,
                media=[Media("image", f"http://127.0.0.1/media/{native}.svg", template.image, 800, 450)]
                if template.image else [])
    tags = {"id": post.id, "lang": template.lang, "country": source.country, "countries": [source.country],
            "campaigns": list(template.campaigns)}
    return post, tags


# Real stores hold cross-posts (the demo: 14 of 219 posts) and posts hidden by the organizers.
COPY_EVERY = 15  # every 15th post is a cross-post of the one before it (its text, five minutes later)
HIDE_EVERY = 500  # and one post in 500 is hidden as spam


def copy_of(previous: tuple[int, Post], native: str, sources: dict, demo: list) -> tuple[Post, dict]:
    """A cross-post of ``previous`` (its place ``n`` and post): its text, five minutes later."""
    n, original = previous
    post, tags = demo_like(n, native, original.published + timedelta(minutes=5), sources, demo)
    tags["duplicate_of"] = original.id
    return post, tags


def synthetic_store(path: Path, count: int):
    """``count`` posts recycled from the demo's texts, tagged as the demo's are, over six years; one
    in ``COPY_EVERY`` a cross-post of the one before, one in ``HIDE_EVERY`` hidden."""
    sources = {s.id: s for s in load_sources(bundled_path("sources.toml"))}
    db = open_store(path)
    save_sources(db, sources.values())
    demo = all_demo_posts()
    posts, tags = [], []
    previous = None
    for n in range(count):
        template = demo[n % len(demo)]
        native = f"{template.id}-{n}"
        if n % COPY_EVERY == COPY_EVERY - 1 and previous is not None:
            post, tag = copy_of(previous, native, sources, demo)
        else:
            post, tag = demo_like(n, native, template.date + timedelta(hours=n % 50000), sources, demo)
            if n % HIDE_EVERY == HIDE_EVERY - 1:
                tag["hidden_reason"] = "spam"
            previous = (n, post)
        posts.append(post)
        tags.append(tag)
        if len(posts) == 2000:
            upsert_posts(db, posts), save_tags(db, tags)
            posts, tags = [], []
    upsert_posts(db, posts), save_tags(db, tags)
    return db


def measure(out: Path) -> tuple[int, int, int]:
    """Files and bytes of the published site, and the home page's weight (HTML, CSS and JS)."""
    files = [p for p in out.resolve().rglob("*") if p.is_file()]
    home = out / "en" / "index.html"
    weight = home.stat().st_size + (out / "static" / "style.css").stat().st_size
    return len(files), sum(p.stat().st_size for p in files), weight


def rewritten(out: Path, previous: Path) -> int:
    """Files of the new build that are not hard links of the previous build's."""
    count = 0
    for path in out.resolve().rglob("*"):
        if path.is_file():
            old = previous / path.relative_to(out.resolve())
            count += not (old.exists() and old.stat().st_ino == path.stat().st_ino)
    return count


class TreeMemory(threading.Thread):
    """Peak memory of this process and all its descendants together, sampled from /proc: the sum of
    their proportional set sizes (a page shared by forked workers counts once, split between them)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    @staticmethod
    def _tree() -> set[int]:
        """This process and its descendants, from each task's list of children (no /proc scan)."""
        tree, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            pid = frontier.pop()
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for task in tasks:
                try:
                    with open(f"/proc/{pid}/task/{task}/children") as fh:
                        children = [int(c) for c in fh.read().split()]
                except OSError:
                    continue
                tree.update(children)
                frontier += children
        return tree

    def _tree_rss(self) -> int:
        total = 0
        for pid in self._tree():
            try:
                with open(f"/proc/{pid}/smaps_rollup") as fh:
                    total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:"))
            except (OSError, StopIteration, ValueError):
                continue
        return total

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.2)  # Pagefind and the workers grow over seconds


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user, system) of this process and of its children that have ended (render
    workers, the search process, Pagefind)."""
    t = os.times()
    return t.user + t.children_user, t.system + t.children_system


def new_posts(db, count: int, tag: str) -> None:
    """``count`` posts newer than any in the store, as a crawl between two builds would bring: one
    in ten a cross-post of the one before (a campaign's post on two platforms)."""
    newest = next(iter_posts(db)).published
    sources = {s.id: s for s in load_sources(bundled_path("sources.toml"))}
    demo = all_demo_posts()
    made, previous = [], None
    for n in range(count):
        native = f"{tag}-{n}"
        if n % 10 == 9 and previous is not None:
            made.append(copy_of(previous, native, sources, demo))
        else:
            made.append(demo_like(n, native, newest + timedelta(minutes=10 * n + 10), sources, demo))
            previous = (n, made[-1][0])
    upsert_posts(db, [post for post, _ in made])
    save_tags(db, [tags for _, tags in made])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=100, help="posts added before the incremental rebuild")
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    parser.add_argument("--workers", type=int, default=None, help="render processes (default: one per core)")
    parser.add_argument("--rebuilds", type=int, default=3, help="steady rebuilds after the first (each after --new posts)")
    parser.add_argument("--keep", type=Path, help="build here and leave the site for a look (default: a temporary directory)")
    args = parser.parse_args()
    from site_builder.build import build_site

    config = load_config(bundled_path("marathon.toml"))
    config = replace(config, site=replace(config.site, base_url="http://127.0.0.1:8000/"))
    search = not args.no_search
    with tempfile.TemporaryDirectory() as tmp:
        tmp = args.keep or tmp
        out = Path(tmp) / "output"
        started = time.perf_counter()
        db = synthetic_store(Path(tmp) / "store.db", args.posts)
        print(f"store of {args.posts:,} posts written in {time.perf_counter() - started:.1f} s")
        memory = TreeMemory()
        memory.start()
        load_before, cpu_before = os.getloadavg()[0], cpu_seconds()
        full = build_site(db, config, out, search=search, workers=args.workers)
        user, system = (after - before for after, before in zip(cpu_seconds(), cpu_before))
        cpu = user + system
        memory.running = False
        memory.join()
        files, size, home = measure(out)
        print(f"full build, {len(config.site.locales)} locales: {full.pages:,} pages and {full.feeds} feeds in "
              f"{full.seconds:.1f} s = {full.pages / full.seconds:,.0f} pages/s"
              f"{f' (search index of {full.search_shards} shards included)' if search else ''}")
        print(f"CPU: {cpu:.1f} s ({system:.1f} s of it in the kernel, mostly creating files) over the builder, "
              f"render workers, search process and Pagefind = {full.pages / cpu:,.0f} pages per "
              f"CPU second, {2 * full.pages / cpu:,.0f} pages/s if both cores were ours alone; load average "
              f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
        print(f"peak memory: {memory.peak / 2**20:,.0f} MB (builder, render workers and Pagefind together)")
        print("stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in full.stages.items()))
        print(f"site: {size / 1e6:,.0f} MB in {files:,} files; home page HTML + CSS {home / 1024:.1f} KB (no JS)")

        # The first rebuild also makes the spare build directory (hard links of the published one);
        # later ones find it holding the site of one build ago and bring it up to date.
        steady = []
        for run in ["first"] + [f"steady {n}" for n in range(1, args.rebuilds + 1)]:
            previous = out.resolve()
            new_posts(db, args.new, tag=run.replace(" ", ""))
            again = build_site(db, config, out, search=search, workers=args.workers)
            changed = rewritten(out, previous)
            print(f"incremental build ({run}) after {args.new} new posts: {again.seconds:.2f} s = "
                  f"{100 * again.seconds / full.seconds:.1f} % of the full build; {again.rendered:,} of "
                  f"{again.pages:,} pages rendered, {changed:,} files differ from the published build, "
                  f"{again.indexed_shards} of {again.search_shards} search shards re-indexed")
            print("  stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in again.stages.items()))
            if run != "first":
                steady.append(again.seconds)
        if steady:
            middle = sorted(steady)[len(steady) // 2]
            print(f"steady rebuilds: median {middle:.2f} s = {100 * middle / full.seconds:.1f} % of the full build "
                  f"(range {min(steady):.2f}-{max(steady):.2f} s)")


if __name__ == "__main__":
    main()
