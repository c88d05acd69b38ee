"""Entry point of the crawl's child process: reads the job as JSON on stdin, runs the spiders."""

from __future__ import annotations

import json
import sys

from crawler.run import run_scrapy
from marathon.config import CrawlSettings
from marathon.model import Source


def main() -> None:
    job = json.loads(sys.stdin.read())
    sources = [Source(**s) for s in job["sources"]]
    run_scrapy(sources, job["db"], job["run"], CrawlSettings(**job["settings"]))


if __name__ == "__main__":
    import os

    if os.environ.get("MARATHON_PROFILE"):  # for bench/: profile the spiders' process
        import cProfile

        cProfile.run("main()", f"{os.environ['MARATHON_PROFILE']}.{os.getpid()}")
    else:
        main()
