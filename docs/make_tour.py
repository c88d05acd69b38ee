"""The README's visitor's tour: three phone-sized screenshots of a built demo site.

Run after `marathon demo --no-serve` (it builds ./output):
    .venv/bin/python docs/make_tour.py [--out output]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marathon.serve import serve_in_background  # noqa: E402

HERE = Path(__file__).parent
PHONE = {"width": 360, "height": 760}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("output"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server, url = serve_in_background(args.out)
    site = url.rstrip("/")
    post = next(p.name for p in sorted((args.out / "hy" / "posts").iterdir()) if p.name.startswith("am-"))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                 args=["--headless", "--no-sandbox", "--disable-gpu",
                                                       "--disable-background-networking"])
            page = browser.new_page(viewport=PHONE, device_scale_factor=2)
            page.goto(f"{site}/kk/")
            page.screenshot(path=HERE / "tour-home-kk.png")
            page.goto(f"{site}/hy/posts/{post}/")
            page.screenshot(path=HERE / "tour-post-hy.png")
            page.goto(f"{site}/hi/search/?q=युवा")
            page.wait_for_selector("#search-results a")
            page.screenshot(path=HERE / "tour-search-hi.png")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
