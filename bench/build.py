"""Site build benchmark (issue #6): a synthetic store of N posts in the eight languages, built in
every configured locale. Prints pages/s, peak memory, site size, file count and home page weight.

Run: .venv/bin/python bench/build.py [--posts 5000] [--no-search]
"""

from __future__ import annotations

import argparse
import resource
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
from marathon.store import open_store, save_sources, save_tags, upsert_posts  # noqa: E402


def synthetic_store(path: Path, count: int):
    """``count`` posts recycled from the demo's texts, tagged as the demo's are, over six years."""
    sources = {s.id: s for s in load_sources(bundled_path("sources.toml"))}
    db = open_store(path)
    save_sources(db, sources.values())
    demo = all_demo_posts()
    posts, tags = [], []
    for n in range(count):
        template = demo[n % len(demo)]
        source = sources[template.source_id]
        native = f"{template.id}-{n}"
        post = Post(id=make_post_id(source.id, native), source_id=source.id, platform=source.platform,
                    url=f"http://127.0.0.1/{source.id}/{native}", native_id=native, title=template.title,
                    text=f"{template.text}\n\n#{n}", published=template.date + timedelta(hours=n % 50000),
                    organization=source.organization,
                    media=[Media("image", f"http://127.0.0.1/media/{n}.svg", template.image, 800, 450)]
                    if template.image else [])
        posts.append(post)
        tags.append({"id": post.id, "lang": template.lang, "country": source.country, "countries": [source.country],
                     "campaigns": list(template.campaigns)})
        if len(posts) == 2000:
            upsert_posts(db, posts), save_tags(db, tags)
            posts, tags = [], []
    upsert_posts(db, posts), save_tags(db, tags)
    return db


def measure(out: Path) -> tuple[int, int, int]:
    files = [p for p in out.resolve().rglob("*") if p.is_file()]
    home = out / "en" / "index.html"
    weight = home.stat().st_size + (out / "static" / "style.css").stat().st_size
    return len(files), sum(p.stat().st_size for p in files), weight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    args = parser.parse_args()
    from site_builder.build import build_site

    config = load_config(bundled_path("marathon.toml"))
    config = replace(config, site=replace(config.site, base_url="http://127.0.0.1:8000/"))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        db = synthetic_store(Path(tmp) / "store.db", args.posts)
        print(f"store of {args.posts} posts written in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        report = build_site(db, config, Path(tmp) / "output", search=not args.no_search)
        seconds = time.perf_counter() - started
        files, size, home = measure(Path(tmp) / "output")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{len(config.site.locales)} locales: {report.pages:,} pages and {report.feeds} feeds in {seconds:.1f} s "
          f"= {report.pages / seconds:,.0f} pages/s{'' if args.no_search else ' (Pagefind index included)'}")
    print(f"peak memory: {peak:.0f} MB in the builder, {children:.0f} MB in Pagefind")
    print(f"site: {size / 1e6:,.0f} MB in {files:,} files; home page HTML + CSS {home / 1024:.1f} KB")


if __name__ == "__main__":
    main()
