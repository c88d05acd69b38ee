"""axe-core (from npm) in real headless Chromium: no serious or critical accessibility violation on
the home, post, country, campaign and search pages, in every locale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from marathon.config import UI_LOCALES

AXE = Path(__file__).parent.parent / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed: run `make test`"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make test` (npm install)"),
]


@pytest.fixture(scope="module")
def pages(demo_site):
    """One path of each kind, per locale."""
    _, out, _ = demo_site
    post = sorted(p.name for p in (out / "en" / "posts").iterdir())[0]
    return {"home": "/{loc}/", "post": f"/{{loc}}/posts/{post}/", "country": "/{loc}/countries/kz/",
            "campaign": "/{loc}/campaigns/birgemiz/", "search": "/{loc}/search/", "archive": "/{loc}/archive/2020-05/"}


def _serious_violations(browser, urls: dict[str, str]) -> list[str]:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(60000)
    found = []
    for label, url in urls.items():
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
                found.append(f"{label}: {violation['id']} ({violation['impact']}) at {targets}")
    page.close()
    return found


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_no_serious_or_critical_accessibility_violations(browser, site, pages, locale):
    urls = {f"{locale} {kind}": site + path.format(loc=locale) for kind, path in pages.items()}
    assert _serious_violations(browser, urls) == []


def test_a_post_with_one_page_and_its_archive_row_have_none_either(browser, demo_site, tmp_path, monkeypatch):
    """Beyond the page budget, older posts keep one page; its switcher leads into the archives."""
    from marathon.config import load_config
    from marathon.serve import serve_in_background
    from marathon.store import open_store
    from site_builder.build import build_site

    db_path, _, _ = demo_site
    monkeypatch.setattr("site_builder.plan.POST_PAGE_BUDGET", 400)  # the newest posts only in every locale
    out = tmp_path / "output"
    build_site(open_store(db_path), load_config(), out, search=False)
    post = next(p for p in (out / "hy" / "posts").iterdir() if not (out / "en" / "posts" / p.name).exists())
    html = (post / "index.html").read_text(encoding="utf-8")
    archive = html.split('hreflang="ru" lang="ru"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "/ru/archive/" in archive and archive.endswith(f"#post-{post.name}")
    server, url = serve_in_background(out)
    try:
        found = _serious_violations(browser, {"archived post": f"{url.rstrip('/')}/hy/posts/{post.name}/",
                                              "its row in the Russian archive": url.rstrip("/") + archive})
    finally:
        server.shutdown()
    assert found == []
