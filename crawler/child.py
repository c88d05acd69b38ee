"""Entry point of the crawl's child process: imports Scrapy, reads the job as JSON on stdin, runs the spiders.

The parent starts the child first and sends the job once the store is open, so the child's
start-up (an interpreter and Scrapy's imports, most of a second) overlaps with the parent's.
With several workers, the child imports Scrapy, the spiders and every component the settings
name once, then forks one worker per group of hosts (``split_by_host``). Each worker starts its
own reactor: Twisted's cannot restart or be shared across processes (scrapy#4826), but a reactor
installed after the fork is the worker's own. Importing once instead of once per process saves
about a CPU second per extra worker (docs/benchmarks.md, "Crawl").
"""

from __future__ import annotations

import gc
import json
import os
import sys

if __name__ == "__main__":  # the crawl child itself (python -m crawler.child), not an import of this module
    # Imports create objects by the hundred thousand and free almost none: collecting meanwhile was a
    # tenth of the start-up, which the whole crawl waits for. Enabled again before crawling (_settle).
    gc.disable()
    # sqlite-utils imports numpy when it is installed, only to store numpy values, which a crawl never
    # has; numpy's start-up (OpenBLAS's threads included) was a quarter of this process's, which the
    # whole crawl waits for. Marked missing before anything imports sqlite-utils.
    sys.modules.setdefault("numpy", None)

from crawler.run import SCRAPY_PLATFORMS, run_scrapy, runs_in_background, split_by_host  # noqa: E402
from marathon.config import CrawlSettings  # noqa: E402
from marathon.model import Source  # noqa: E402

BACKGROUND_NICE = 5  # nice 0, 5, 10: first crawl 2.40-2.64, 2.40, 2.40-2.48 s (3 runs each)


def preload(platforms: set[str]) -> None:
    """Import what the Scrapy crawler would load by name at start-up, and the spiders of ``platforms``:
    done before the job arrives, while the parent opens the store, and shared by the forked workers.
    (trafilatura and dateparser, the website spider's fallbacks, are imported where first needed.)"""
    import importlib
    import warnings

    import crawler.middlewares  # noqa: F401
    import crawler.pipelines  # noqa: F401
    from scrapy.crawler import CrawlerProcess  # noqa: F401

    for platform in platforms:
        importlib.import_module(SCRAPY_PLATFORMS[platform].rsplit(".", 1)[0])
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import load_object

    from crawler.settings import scrapy_settings

    scrapy = Settings(scrapy_settings(CrawlSettings()))  # the components named do not depend on the values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # This loads every component named, the disabled ones too, as Scrapy does at start-up.
        names = [path for key in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES")
                 for path in build_component_list(scrapy.get_component_priority_dict_with_base(key))]
    names += [path for path in scrapy.getwithbase("DOWNLOAD_HANDLERS").values() if path]
    names += [scrapy.get(key) for key in ("SCHEDULER", "DOWNLOADER", "SCHEDULER_PRIORITY_QUEUE",
                                          "SCHEDULER_MEMORY_QUEUE", "STATS_CLASS", "LOG_FORMATTER",
                                          "DUPEFILTER_CLASS", "TWISTED_DNS_RESOLVER")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            if isinstance(name, str) and "." in name:
                try:
                    load_object(name)
                except (ImportError, NameError, ValueError):
                    pass  # the worker loads it again and reports it as Scrapy would


def _profiled(function, *args) -> None:
    """Run ``function``, under cProfile when MARATHON_PROFILE names a file prefix (for bench/)."""
    prefix = os.environ.get("MARATHON_PROFILE")
    if not prefix:
        function(*args)
        return
    import cProfile

    profile = cProfile.Profile()
    try:
        profile.runcall(function, *args)
    finally:
        profile.dump_stats(f"{prefix}.{os.getpid()}")


def _settle() -> None:
    """The collector, for crawling: what is imported stays out of it (and, in forked workers, shared:
    a collection touches and so copies every object it scans). A crawl allocates containers by the
    hundred per response (Deferreds, headers, dicts), nearly all freed by reference counting;
    collecting the young generation every 700 allocations (the default) cost 5-8 % of a worker's
    CPU. Cycles are still collected, about 30 times less often."""
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    gc.enable()


def run_workers(groups: list[list[Source]], db: str, run: str, settings: CrawlSettings) -> int:
    """Fork one worker per group after importing everything once; the exit status is 1 if any failed."""
    sys.stdout.flush()
    sys.stderr.flush()
    pids = []
    for group in groups:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                if runs_in_background(group, groups):
                    # Feeds and Telegram pages have time to spare while the website chains set the
                    # crawl's length: on a busy machine, the kernel serves the website workers first.
                    os.nice(BACKGROUND_NICE)
                _profiled(run_scrapy, group, db, run, settings)
            except BaseException:  # noqa: BLE001 (reported, then the worker ends; the parent records the sources)
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        pids.append(pid)
    status = 0
    for pid in pids:
        _, wait_status = os.waitpid(pid, 0)
        status = status or int(os.waitstatus_to_exitcode(wait_status) != 0)
    return status


def main(argv: list[str]) -> int:
    """``python -m crawler.child PLATFORMS``: import what those platforms need, then read the job."""
    platforms = {p for p in (argv[1] if len(argv) > 1 else "").split(",") if p in SCRAPY_PLATFORMS}
    _profiled(preload, platforms)
    raw = sys.stdin.read()
    if not raw.strip():
        return 0  # the parent failed before sending a job
    job = json.loads(raw)
    sources = [Source(**s) for s in job["sources"]]
    settings = CrawlSettings(**job["settings"])
    groups = split_by_host(sources, job.get("workers", 1))
    _settle()
    if len(groups) > 1 and hasattr(os, "fork"):
        return run_workers(groups, job["db"], job["run"], settings)
    _profiled(run_scrapy, sources, job["db"], job["run"], settings)
    return 0


if __name__ == "__main__":
    status = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is stored and recorded by now: skip tearing down the interpreter (tens of ms for
    # Scrapy, Twisted and the parsers), which the parent waits for.
    os._exit(status)
