"""Full-text search with Pagefind: an index per UI locale, built from the post pages after writing.

Pagefind splits its index by each page's `lang`, so the Kazakh search page searches the Kazakh
UI's post pages — which hold posts in every language, found by their own words.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from marathon.errors import BuildError

POST_PAGES = "*/posts/*/index.html"


def index_site(build_dir: Path) -> None:
    """Write the Pagefind bundle into ``build_dir/pagefind``; raises BuildError if Pagefind fails."""
    command = [sys.executable, "-m", "pagefind", "--site", str(build_dir), "--glob", POST_PAGES, "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"search index: could not run Pagefind: {exc}") from None
    if result.returncode != 0 or not (build_dir / "pagefind" / "pagefind.js").exists():
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BuildError(f"search index: Pagefind failed ({result.returncode}): {detail[0]}")
