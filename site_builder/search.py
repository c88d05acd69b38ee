"""Full-text search with Pagefind: posts grouped into records, in shards the browser merges.

Pagefind's cost is per record (one compressed fragment file each) more than per word, so posts that
share every filter value (month, countries, campaigns, language) are indexed together, up to
``GROUP_MAX`` to a record, each under a heading whose id is the post's: Pagefind's sub-results then
point at the post that matched, and the record's meta lists its posts for result links and for
filter-only browsing. The filters stay exact, as every post of a record has the same ones.

Pagefind holds a whole index in memory while it builds, so posts are indexed in shards of at most
``SHARD_MAX``: consecutive months, oldest first, and the newest month alone. New posts land in the
newest month, so an incremental build re-indexes one small shard; a shard whose posts did not change
is carried over from the last build. All shards share one language-neutral index ("unknown": no
stemming) so a visitor finds posts in every language from any UI locale.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import sqlite_utils
from pagefind_bin import get_executable

from marathon.errors import BuildError
from marathon.model import Post
from marathon.site_reads import PostWords, post_words
from site_builder.plan import PostRef, SitePlan

SHARD_MAX = 8_000
GROUP_MAX = 20  # posts per record: a result downloads its whole record
SCRATCH_ROOM = 256 * 2**20  # free bytes /dev/shm needs to hold a shard's records
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


class Indexed(NamedTuple):
    """What the index needs of a post besides its words: small, as it travels to the search process."""

    id: str
    month: str
    countries: tuple[str, ...]
    campaigns: tuple[str, ...]
    lang: str
    home: str


def indexed(ref: PostRef) -> Indexed:
    countries = ref.countries or ([ref.country] if ref.country else [])
    return Indexed(ref.id, ref.month, tuple(countries), tuple(ref.campaigns), ref.lang or "", ref.home)


def record_groups(rows: list[Indexed]) -> list[list[Indexed]]:
    """Posts with the same filter values and month, newest first, at most ``GROUP_MAX`` together."""
    groups: dict[tuple, list[Indexed]] = {}
    for row in rows:
        groups.setdefault((row.month, row.countries, row.campaigns, row.lang), []).append(row)
    return [members[i:i + GROUP_MAX] for members in groups.values() for i in range(0, len(members), GROUP_MAX)]


def _head(post: Post | PostWords) -> str:
    """A post's heading, the anchor of its sub-result: its title, or for a post without one a
    bullet. Not the post's first words: Pagefind ends a heading with a full stop, which then stood
    in the middle of the excerpt's sentence."""
    return post.title or "•"


def _utc(moment: datetime) -> str:
    """A time as a string that sorts as the time does: UTC, to the second."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_html(group: list[Indexed], posts: dict[str, Post] | dict[str, PostWords]) -> str:
    """The page Pagefind indexes for a group of posts: their words, each post under a heading with
    its id; the group's filters (codes: the search page names them in the visitor's language); and,
    as meta, what a result needs to show and link each post: [id, title, UTC time, home locale, language]."""
    e = html.escape
    first = group[0]
    listed = [[r.id, posts[r.id].title or posts[r.id].text[:90], _utc(posts[r.id].published), r.home, r.lang]
              for r in group]
    filters = [("country", c) for c in first.countries]
    filters += [("campaign", slug) for slug in first.campaigns]
    filters += [("language", first.lang)] if first.lang else []
    parts = [f'<html lang="{e(first.lang)}"><body><main data-pagefind-body>',
             f'<span data-pagefind-meta="month:{e(first.month)}"></span>',
             f'<span data-pagefind-meta="posts:{e(json.dumps(listed, ensure_ascii=False))}"></span>',
             *(f'<span data-pagefind-filter="{k}:{e(v)}"></span>' for k, v in filters),
             f'<span data-pagefind-sort="date:{max(item[2] for item in listed)}"></span>']
    for ref in group:
        post = posts[ref.id]
        text = f"{post.title} {post.text}".lower()
        tags = " ".join("#" + t for t in post.hashtags if "#" + t.lower() not in text)  # a feed's categories
        parts.append(f'<section><h2 id="{e(ref.id)}">{e(_head(post))}</h2><p>{e(post.text)}</p><p>{e(tags)}</p></section>')
    parts.append("</main></body></html>")
    return "".join(parts)


def index_shard(rows: list[Indexed], posts: dict[str, Post] | dict[str, PostWords], out_dir: Path) -> None:
    """Write the Pagefind bundle of the posts ``rows`` name into ``out_dir``; raises BuildError if
    Pagefind fails."""
    with tempfile.TemporaryDirectory(prefix="marathon-search-", dir=_scratch()) as tmp:
        records = Path(tmp) / "records"
        records.mkdir()
        for n, group in enumerate(record_groups(rows)):
            (records / f"{n}.html").write_text(record_html(group, posts), encoding="utf-8")
        if not rows:
            (records / "empty.html").write_text("<html><body></body></html>", encoding="utf-8")
        command = [str(get_executable()), "--site", str(records), "--output-path", str(out_dir),
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


def _scratch() -> str | None:
    """Where Pagefind's input records go for the moment it reads them: memory (/dev/shm) when the
    system has it with room to spare (a container's may be 64 MB; a shard's records are ~10 MB), as
    they are deleted at once; thousands of files created and deleted on a disk also slow the site's
    own file creation there (ext4 skips recently freed inodes). Else the usual temporary directory."""
    shm = "/dev/shm"
    try:
        roomy = shutil.disk_usage(shm).free > SCRATCH_ROOM and os.access(shm, os.W_OK)
    except OSError:
        return None
    return shm if roomy else None


SearchJob = tuple[str, list[Indexed]]  # a shard's directory in the build, and its posts


def search_jobs(shards: list[Shard], build: Path) -> list[SearchJob]:
    """What the search process needs to index ``shards`` into ``build``: plain tuples, cheap to send."""
    return [(str(build / shard.path.strip("/")), [indexed(ref) for ref in shard.refs]) for shard in shards]


def run_search_jobs(db_path: str, jobs: list[SearchJob]) -> None:
    """Index each job's shard, replacing what its directory held (in the search process)."""
    db = sqlite_utils.Database(db_path)
    try:
        for directory, rows in jobs:
            shutil.rmtree(directory, ignore_errors=True)
            index_shard(rows, post_words(db, (row.id for row in rows)), Path(directory))
    finally:
        db.close()
