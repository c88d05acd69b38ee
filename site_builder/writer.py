"""Writes into a build directory that may already hold an older version of the site.

A file that is a hard link shared with the published build is written to a temporary name and
renamed into place: replaced in this directory only, never written through.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from marathon.errors import BuildError
from site_builder.pages import post_files


def write_file(path: Path, data: bytes) -> None:
    """Write ``path`` in a build directory no reader is served from. A file this directory alone
    holds is rewritten in place: on ext4, ten times cheaper than a new file renamed over it (no
    inode to allocate). One shared with the published build (a hard link) gets a new file, so the
    published one never changes."""
    try:
        alone = os.stat(path).st_nlink == 1
    except FileNotFoundError:
        alone = False
    if alone:
        with open(path, "r+b") as fh:
            fh.write(data)
            fh.truncate()
        return
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class Writer:
    """Keeps what ``root`` already holds (``known``: file -> signature) and writes the rest.

    Most manifest keys are files. Two stand for several: ``search:<shard>`` for a search shard's
    directory and ``post:<id>`` for a post's pages in every locale (site_builder/pages.py).
    """

    def __init__(self, root: Path, known: dict[str, str] | None = None, published: Path | None = None,
                 published_known: dict[str, str] | None = None):
        self.root = root
        self.known = known or {}
        self.published = published  # the build readers see now, and what it holds
        self.published_known = published_known or {}
        self.manifest: dict[str, str] = {}
        self.claimed: set[str] = set()
        self._dirs: set[Path] = set()
        self.kept = 0
        # Pages of posts now in fewer locales, found as they are compared (see take_gone_post_files),
        # and whether the pages of posts gone altogether were handed out (stale_post_files).
        self.gone_post_files: list[str] = []
        self.posts_removed = False

    def claim(self, relative: str) -> None:
        """Reserve ``relative``: two pages wanting one file is a bug in ids or slugs, never silent."""
        if relative in self.claimed:
            raise BuildError(f"two pages want the same file {relative!r}; check ids and slugs")
        self.claimed.add(relative)

    def keep(self, relative: str, signature: str) -> bool:
        """Record ``relative`` with the signature of what it shows; True if the directory holds that already."""
        self.claim(relative)
        self.manifest[relative] = signature
        if self.known.get(relative) == signature:
            self.kept += 1
            return True
        return False

    def keep_post(self, key: str, record: str) -> bool:
        """``keep`` for a post's manifest entry, unclaimed: its key is its id, unique in the store,
        and its files are under a path no other page has (100,000 claims cost 0.1 s). Pages the
        entry had and no longer has go to ``gone_post_files``."""
        self.manifest[key] = record
        before = self.known.get(key)
        if before == record:
            self.kept += 1
            return True
        if before is not None:
            self.gone_post_files += _pages_gone(key, before, record)
        return False

    def take_gone_post_files(self) -> list[str]:
        """The pages of compared posts that their new entries no longer have, found since the last
        call: to be removed with ``remove_files`` (by a render worker, beside rendering)."""
        gone, self.gone_post_files = self.gone_post_files, []
        return gone

    def _path(self, relative: str) -> Path:
        path = self.root / relative
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        return path

    def _link(self, relative: str, source: Path, copy_across_devices: bool = False) -> bool:
        """``relative`` as a hard link of ``source`` (what the directory held there goes: no reader
        is served from it); False if ``source`` is gone."""
        path = self._path(relative)
        for attempt in range(2):
            try:
                os.link(source, path)
                return True
            except FileExistsError:
                if attempt:
                    raise
                path.unlink()
            except FileNotFoundError:
                return False
            except OSError:
                if not copy_across_devices:
                    raise
                temporary = path.with_name(path.name + ".tmp")
                shutil.copyfile(source, temporary)
                os.replace(temporary, path)
                return True
        return False

    def adopt(self, relative: str, signature: str) -> bool:
        """Take a file the published build already renders this way (changed since the spare's build,
        unchanged since the last): a hard link instead of rendering it again."""
        if self.published is None or self.published_known.get(relative) != signature:
            return False
        return self._link(relative, self.published / relative)

    def adopt_tree(self, key: str, relative: str, signature: str) -> bool:
        """``adopt`` for a directory recorded under one manifest key (a search shard)."""
        if self.published is None or self.published_known.get(key) != signature:
            return False
        shutil.rmtree(self.root / relative, ignore_errors=True)
        shutil.copytree(self.published / relative, self.root / relative, copy_function=os.link)
        return True

    def adopt_post(self, key: str, record: str) -> bool:
        """``adopt`` for the pages of a post's manifest entry."""
        if self.published is None or self.published_known.get(key) != record:
            return False
        return all(self._link(relative, self.published / relative) for relative in post_files(key, record))

    def write_link(self, relative: str, source: Path) -> bool:
        """A claimed file as a hard link of ``source`` (a copy across file systems); False, and
        nothing recorded, if ``source`` is gone."""
        if self._link(relative, source, copy_across_devices=True):
            return True
        self.manifest.pop(relative, None)
        return False

    def write(self, relative: str, data: bytes, claimed: bool = False) -> None:
        if not claimed:
            self.claim(relative)
        write_file(self._path(relative), data)

    def stale_post_files(self) -> list[str]:
        """The pages of posts this build no longer has at all, and those of compared posts not
        taken yet (``take_gone_post_files``). Call once every post is recorded; ``remove_stale``
        then leaves them to the caller, who removes them with ``remove_files``."""
        stale = self.take_gone_post_files()
        for key in self.known.keys() - self.manifest.keys():  # a set difference: 100,000 keys in C
            if key.startswith("post:"):
                stale += post_files(key, self.known[key])
        self.posts_removed = True
        return stale

    def remove_stale(self) -> int:
        """Delete what the directory held that this build no longer has; returns how many files
        and search shards went. (A changed entry's file was written anew, a changed shard indexed
        anew, and the pages a changed post entry lost were collected by ``keep_post``.)"""
        removed, stale = 0, [] if self.posts_removed else self.take_gone_post_files()
        for key in self.known.keys() - self.manifest.keys():
            if key.startswith("search:"):
                shutil.rmtree(self.root / "search" / key.split(":", 1)[1], ignore_errors=True)
                removed += 1
            elif key.startswith("post:"):
                if not self.posts_removed:
                    stale += post_files(key, self.known[key])
            else:
                stale.append(key)
        return removed + remove_files(self.root, stale)


def _pages_gone(key: str, record: str, now: str | None) -> set[str]:
    """The pages a post's entry stood for that its entry in this build (if any) no longer has."""
    return set(post_files(key, record)) - set(post_files(key, now) if now is not None else ())


def remove_files(root: Path, relatives: list[str]) -> int:
    """Delete files of a build directory, and a page's own directory once it is empty."""
    for relative in relatives:
        path = root / relative
        path.unlink(missing_ok=True)
        if path.name == "index.html":
            try:
                path.parent.rmdir()  # a post page's own directory
            except OSError:
                pass
    return len(relatives)
