"""Shared fixtures. Proxies are cleared: every request in the suite goes to 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

for _name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = "127.0.0.1,localhost"

RESPONSES = Path(__file__).parent / "responses"


@pytest.fixture(autouse=True)
def own_default_store(tmp_path: Path, monkeypatch) -> None:
    """A command run without --db uses its default store ($MARATHON_DB): each test gets its own,
    never the developer's ./.marathon/marathon.db."""
    monkeypatch.setenv("MARATHON_DB", str(tmp_path / "default-store" / "marathon.db"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """The whole pipeline run once on the demo network: (store path, output dir, crawl report)."""
    from aggregator.run import aggregate
    from crawler.run import crawl
    from marathon.config import load_config
    from marathon.curation import demo_curation_path, load_curation
    from marathon.demo.server import start_demo_network
    from marathon.store import open_store
    from site_builder.build import build_site

    root = tmp_path_factory.mktemp("demo")
    db_path, out = root / "store.db", root / "output"
    config = load_config()
    from crawler.media import cache_media

    with start_demo_network() as network:
        report = crawl(network.sources, db_path, config.crawl)
        cache_media(open_store(db_path), config.crawl)  # as `marathon demo` does: images served by the site
    db = open_store(db_path)
    aggregate(db, config, curation=load_curation(demo_curation_path()))  # as `marathon demo` does
    build_site(db, config, out)
    return db_path, out, report


@pytest.fixture(scope="module")
def module_server():
    """One recorded-response server per test module (each shutdown costs half a second)."""
    from marathon.demo.recorded import RecordedServer

    with RecordedServer({}) as server:
        yield server


def run_fetch(fetcher, source, known=(), **kwargs):
    """Run an API client's fetch function against a local server, as crawler.run does."""
    import asyncio

    import httpx

    async def run():
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            return await fetcher(client, source, set(known), **kwargs)

    return asyncio.run(run())


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def site(demo_site):
    """The demo site served on a free 127.0.0.1 port: its base URL without a trailing slash."""
    from marathon.serve import serve_in_background

    _, out, _ = demo_site
    server, url = serve_in_background(out)
    yield url.rstrip("/")
    server.shutdown()


@pytest.fixture(scope="module")
def browser(site):
    """Debian's headless Chromium driven by Playwright (never a downloaded browser).

    Depends on ``site`` so the demo crawl (which runs asyncio) is done before Playwright's own
    event loop starts; module scope closes it before other modules run asyncio again."""
    import shutil

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()
