"""Atomic publishing: build into a new directory, then swap the ``output`` symlink in one rename."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

KEEP_BUILDS = 2


def builds_dir(out: Path) -> Path:
    return out.parent / f".{out.name}-builds"


def new_build_dir(out: Path) -> Path:
    """A fresh, empty directory next to ``out`` for one build."""
    root = builds_dir(out)
    root.mkdir(parents=True, exist_ok=True)
    path = root / datetime.now().strftime("%Y%m%dT%H%M%S%f")
    path.mkdir()
    return path


def publish(build: Path, out: Path) -> None:
    """Make ``out`` point at ``build`` in one atomic step; older builds beyond the last two are removed.

    A real directory at ``out`` (from an older marathon or a copy) is moved aside first.
    """
    if out.exists() and not out.is_symlink():
        out.rename(builds_dir(out) / f"legacy-{datetime.now():%Y%m%dT%H%M%S%f}")
    link = out.parent / f".{out.name}.new"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(build, out.parent), target_is_directory=True)
    os.replace(link, out)  # rename(2) is atomic: readers see the old site or the new one
    builds = sorted((p for p in builds_dir(out).iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in builds[:-KEEP_BUILDS]:
        if old.resolve() != build.resolve():
            shutil.rmtree(old, ignore_errors=True)


def discard(build: Path) -> None:
    shutil.rmtree(build, ignore_errors=True)
