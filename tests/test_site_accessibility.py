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
            "campaign": "/{loc}/campaigns/birgemiz/", "search": "/{loc}/search/"}


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_no_serious_or_critical_accessibility_violations(browser, site, pages, locale):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(60000)
    found = []
    for kind, path in pages.items():
        page.goto(site + path.format(loc=locale))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
                found.append(f"{locale} {kind}: {violation['id']} ({violation['impact']}) at {targets}")
    page.close()
    assert found == []
