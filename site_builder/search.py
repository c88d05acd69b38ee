"""Full-text search with Pagefind: one record per post, in shards the browser merges.

Pagefind holds a whole index in memory while it builds (~35 KB a post), so posts are indexed in
shards of at most ``SHARD_MAX``: consecutive months, oldest first, and the newest month alone. New
posts land in the newest month, so an incremental build re-indexes one small shard; a shard whose
posts did not change is carried over from the last build. All shards share one language-neutral
index ("unknown": no stemming) so a visitor finds posts in every language from any UI locale.
"""

from __future__ import annotations

import hashlib
import html
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from marathon.errors import BuildError
from marathon.model import Post
from site_builder.plan import PostRef, SitePlan

SHARD_MAX = 8_000
# This module's own source: a change to the records or their indexing re-indexes every shard, with
# no version number to remember to bump.
RECORD_FORMAT = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8).hexdigest()


@dataclass
class Shard:
    name: str
    refs: list[PostRef]
    signature: str = ""

    @property
    def path(self) -> str:
        """Site path of the shard's Pagefind bundle."""
        return f"/search/{self.name}/"


def plan_shards(plan: SitePlan) -> list[Shard]:
    """Shards newest first (the first one's pagefind.js loads the others)."""
    months = list(reversed(plan.months.items()))  # oldest first
    if not months:
        return []
    *older, newest = months
    shards: list[Shard] = []
    current: list[tuple[str, list[PostRef]]] = []
    for month, refs in older:
        if current and sum(len(r) for _, r in current) + len(refs) > SHARD_MAX:
            shards.append(_shard(current))
            current = []
        current.append((month, refs))
    if current:
        shards.append(_shard(current))
    shards.append(_shard([newest]))
    for shard in shards:
        blob = "\n".join(f"{r.id} {r.version} {r.home}" for r in shard.refs)
        shard.signature = hashlib.blake2b(f"{RECORD_FORMAT}\n{blob}".encode(), digest_size=12).hexdigest()
    return list(reversed(shards))


def _shard(months: list[tuple[str, list[PostRef]]]) -> Shard:
    first, last = months[0][0], months[-1][0]
    return Shard(first if first == last else f"{first}_{last}", [r for _, refs in months for r in refs])


def record_html(post: Post, ref: PostRef) -> str:
    """The page Pagefind indexes for a post: its words, its filters (codes; the search page names
    them in the visitor's language) and what a result needs to link to it."""
    e = html.escape
    filters = [("country", c) for c in (ref.countries or ([ref.country] if ref.country else []))]
    filters += [("campaign", slug) for slug in ref.campaigns]
    filters += [("language", ref.lang)] if ref.lang else []
    meta = {"id": ref.id, "title": post.title or post.text[:90], "date": post.published.date().isoformat(),
            "home": ref.home, "month": ref.month, "country": ref.country or ""}
    return "".join([
        f'<html lang="{e(ref.lang or "")}"><body><main data-pagefind-body>',
        *(f'<span data-pagefind-meta="{k}:{e(v)}"></span>' for k, v in meta.items()),
        *(f'<span data-pagefind-filter="{k}:{e(v)}"></span>' for k, v in filters),
        f'<span data-pagefind-sort="date:{post.published.isoformat()}"></span>',
        f"<h1>{e(post.title)}</h1><p>{e(post.text)}</p><p>{e(' '.join('#' + t for t in post.hashtags))}</p>",
        "</main></body></html>"])


def index_shard(shard: Shard, posts: dict[str, Post], out_dir: Path) -> None:
    """Write the shard's Pagefind bundle into ``out_dir``; raises BuildError if Pagefind fails."""
    with tempfile.TemporaryDirectory(prefix="marathon-search-") as tmp:
        records = Path(tmp) / "records"
        records.mkdir()
        for n, ref in enumerate(shard.refs):
            (records / f"{n}.html").write_text(record_html(posts[ref.id], ref), encoding="utf-8")
        if not shard.refs:
            (records / "empty.html").write_text("<html><body></body></html>", encoding="utf-8")
        command = [sys.executable, "-m", "pagefind", "--site", str(records), "--output-path", str(out_dir),
                   "--force-language", "unknown", "--silent"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BuildError(f"search index: could not run Pagefind: {exc}") from None
    if result.returncode != 0 or not (out_dir / "pagefind.js").exists():
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BuildError(f"search index: Pagefind failed ({result.returncode}): {detail[0]}")
    for unused in ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                   "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js"):
        (out_dir / unused).unlink(missing_ok=True)
    shutil.rmtree(out_dir / "playground", ignore_errors=True)
