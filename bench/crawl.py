"""Crawl benchmark (issue #4): 100 sources on 100 host names, 5,000 posts, 50 ms per response.

Prints requests/s, posts/s, CPU seconds per 1,000 posts, peak memory and bytes transferred for
(a) a first crawl and (b) an immediate re-crawl, next to the limit that latency and per-host
concurrency set. Run: .venv/bin/python bench/crawl.py [--sources 100] [--posts 5000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marathon.config import CrawlSettings  # noqa: E402
from marathon.demo.content import DemoPost, all_demo_posts  # noqa: E402
from marathon.model import Source  # noqa: E402

# The demo's mix of platforms, with the paths the demo server knows how to play.
PLATFORMS = [("telegram", "/s/channel{i}"), ("website", "/news{i}/"), ("rss", "/feed{i}/feed.xml"),
             ("rss", "/atom{i}/atom.xml"), ("mastodon", "/api/v1/accounts/{i}/statuses")]
PORT = 18765


def plan(sources: int, posts: int) -> tuple[list[Source], dict[str, list[DemoPost]]]:
    """Sources on hosts 127.0.0.2, .3, ... each with its share of posts recycled from the demo's texts."""
    texts = all_demo_posts()
    per_source = posts // sources
    plans, content = [], {}
    for i in range(sources):
        platform, path = PLATFORMS[i % len(PLATFORMS)]
        sid = f"bench-{i:03d}"
        plans.append(Source(id=sid, name=f"Bench {i}", organization=f"Org {i}", country="KZ", platform=platform,
                            url=f"http://127.0.0.{i + 2}:{PORT}" + path.format(i=i), max_pages=100))
        base = 1000 if platform != "mastodon" else 109000000000000000
        chunk = []
        for n in range(per_source):
            template = texts[(i * per_source + n) % len(texts)]
            chunk.append(replace(template, source_id=sid, id=str(base + n), title=template.title or f"Post {n}",
                                 date=template.date + timedelta(minutes=n)))
        content[sid] = chunk
    return plans, content


def _cached(respond):
    """``respond`` rendering each page once: the same bytes and headers every time, as a static site
    or a page cache sends them. The demo renders every answer from templates, and on the bench's
    2 cores that CPU (most of the servers' share) was taken from the crawl being measured; the
    warm-up crawl in main() fills the cache first."""
    cache: dict = {}

    def cached(base: str, path: str, query: dict):
        key = (base, path, tuple(sorted((k, tuple(v)) for k, v in query.items())))
        if key not in cache:
            cache[key] = respond(base, path, query)
        return cache[key]
    return cached


def serve(sources: list[Source], content: dict, latency: float, ready) -> None:
    """Child process: one demo server per host name, each playing one source."""
    import threading

    from marathon.demo.server import DemoHandler, DemoServer

    class NoDelayHandler(DemoHandler):
        # http.server sends the headers and the body in two writes; with Nagle's algorithm on, the
        # body waits for the client's delayed ACK of the headers (40 ms on Linux), on top of the
        # latency being modelled. Web servers set TCP_NODELAY (nginx's tcp_nodelay is on by default).
        disable_nagle_algorithm = True

    servers = []
    for source in sources:
        host = source.url.split("//")[1].split(":")[0]
        server = DemoServer([source], host=host, port=PORT, posts=content, latency=latency)
        server.RequestHandlerClass = NoDelayHandler
        server.respond = _cached(server.respond)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    stats = DemoServer([], host="127.0.0.1", port=PORT)
    original = stats.respond

    def respond(base, path, query):
        if path == "/__stats":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            figures = {"bytes": sum(s.bytes_sent for s in servers), "requests": sum(s.requests for s in servers),
                       "cpu": usage.ru_utime + usage.ru_stime}
            return 200, "application/json", json.dumps(figures).encode()
        return original(base, path, query)

    stats.respond = respond
    threading.Thread(target=stats.serve_forever, daemon=True).start()
    ready.set()
    while True:
        time.sleep(3600)


def server_stats() -> dict:
    with urlopen(f"http://127.0.0.1:{PORT}/__stats") as response:  # the bench's own local server
        return json.loads(response.read())


def lower_bound(sources: list[Source], content: dict, latency: float, per_host: int) -> tuple[float, int]:
    """Shortest possible crawl and its request count: each host's requests, per_host at a time, plus
    the pages that can only be asked for after the previous one (robots.txt, paging)."""
    from math import ceil

    from marathon.demo.server import MASTODON_LIMIT, WEBSITE_PER_PAGE

    worst, requests = 0.0, 0
    for source in sources:
        n = len(content[source.id])
        if source.platform == "telegram":
            # Pages of 20 back to the oldest post, then one page that holds nothing older: the
            # spider cannot know the oldest post is the first (ids start at 1000 here, not 1).
            chain, count = ceil(n / 20) + 1, ceil(n / 20) + 1
        elif source.platform == "mastodon":
            chain, count = ceil(n / MASTODON_LIMIT), ceil(n / MASTODON_LIMIT)
        elif source.platform == "website":
            listings = ceil(n / WEBSITE_PER_PAGE)
            count = listings + n
            chain = max(listings, ceil(count / per_host))
        else:
            chain, count = 1, 1
        chain += 1 if source.platform != "mastodon" else 0  # robots.txt comes first for the spiders
        count += 1 if source.platform != "mastodon" else 0
        worst = max(worst, chain * latency)
        requests += count
    return worst, requests


def _crawl_quietly(sources: list[Source], db: Path, settings: CrawlSettings) -> None:
    from crawler.run import crawl

    crawl(sources, db, settings)


def measure(label: str, sources: list[Source], db: Path, settings: CrawlSettings) -> dict:
    from crawler.run import crawl

    before = server_stats()
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    report = crawl(sources, db, settings)
    seconds = time.perf_counter() - started
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = server_stats()
    parent_cpu = self_after.ru_utime + self_after.ru_stime - self_before.ru_utime - self_before.ru_stime
    child_cpu = (children_after.ru_utime + children_after.ru_stime
                 - children_before.ru_utime - children_before.ru_stime)
    cpu = parent_cpu + child_cpu
    posts = sum(r["posts_seen"] or 0 for r in report.runs)
    requests = after["requests"] - before["requests"]
    return {"label": label, "seconds": seconds, "requests": requests, "bytes": after["bytes"] - before["bytes"],
            "posts_seen": posts, "posts_new": report.posts_new, "cpu": cpu, "parent_cpu": parent_cpu,
            "child_cpu": child_cpu, "server_cpu": after["cpu"] - before["cpu"],
            "failed": [r["source_id"] for r in report.failed],
            "peak_mb": max(self_after.ru_maxrss, children_after.ru_maxrss) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=None, help="crawler processes (default: the crawler's own)")
    args = parser.parse_args()
    sources, content = plan(args.sources, args.posts)
    ready = multiprocessing.get_context("fork").Event()
    server = multiprocessing.get_context("fork").Process(target=serve, args=(sources, content, args.latency, ready),
                                                         daemon=True)
    server.start()
    ready.wait(60)
    settings = CrawlSettings(contact_url="http://127.0.0.1/bench")
    if args.workers:
        settings = replace(settings, workers=args.workers)
    bound, planned = lower_bound(sources, content, args.latency, settings.per_host)
    with tempfile.TemporaryDirectory() as tmp:
        # A crawl into a throwaway store fills the servers' page caches. It runs in a process of its
        # own, so that the measured first crawl still pays for this process's imports (httpx, the
        # API clients) as a cold run would.
        warm_up = multiprocessing.get_context("fork").Process(target=_crawl_quietly,
                                                              args=(sources, Path(tmp) / "warm-up.db", settings))
        warm_up.start()
        warm_up.join()
        first = measure("first crawl", sources, Path(tmp) / "bench.db", settings)
        second = measure("re-crawl", sources, Path(tmp) / "bench.db", settings)
    server.terminate()
    print(f"{args.sources} sources on {args.sources} host names, {args.posts} posts, {args.latency * 1000:.0f} ms "
          f"per response, {settings.per_host} requests at once per host")
    print(f"limit set by latency and concurrency: {planned} requests in {bound:.2f} s at best")
    for run in (first, second):
        print(f"\n{run['label']}: {run['seconds']:.2f} s wall, {run['requests']} requests, "
              f"{run['posts_new']} posts new ({run['posts_seen']} seen), failed sources: {len(run['failed'])}")
        print(f"  requests/s            {run['requests'] / run['seconds']:.0f}")
        print(f"  posts/s               {run['posts_seen'] / run['seconds']:.0f}")
        per_thousand = f"{run['cpu'] / run['posts_seen'] * 1000:.2f}" if run["posts_seen"] else "n/a (no posts)"
        print(f"  CPU s per 1,000 posts {per_thousand}  (CPU {run['cpu']:.2f} s: "
              f"API clients and coordination {run['parent_cpu']:.2f} s, Scrapy processes {run['child_cpu']:.2f} s)")
        print(f"  demo servers' CPU     {run['server_cpu']:.2f} s (same machine, not counted above)")
        print(f"  peak memory           {run['peak_mb']:.0f} MB (largest process)")
        print(f"  bytes transferred     {run['bytes']:,}")
    if first["failed"] or second["failed"]:
        print(f"\nSOURCES FAILED ({', '.join(sorted(set(first['failed'] + second['failed'])))}): "
              "the figures above do not measure a whole crawl")
    print(f"\nfirst crawl reaches {bound / first['seconds'] * 100:.0f}% of the latency/concurrency limit")
    print(f"re-crawl transfers {second['bytes'] / max(first['bytes'], 1) * 100:.2f}% of the first crawl's bytes, "
          f"stores {second['posts_new']} new posts")


if __name__ == "__main__":
    main()
