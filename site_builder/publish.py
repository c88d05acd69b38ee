"""Atomic publishing: build into a new directory, then swap the ``output`` symlink in one rename."""

from __future__ import annotations

import json
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
            manifest_path(old).unlink(missing_ok=True)


def published_build(out: Path) -> Path | None:
    """The build directory ``out`` points at now, if it is one of ours."""
    if out.is_symlink() and out.resolve().is_dir() and out.resolve().parent == builds_dir(out).resolve():
        return out.resolve()
    return None


def manifest_path(build: Path) -> Path:
    """Beside the build, not in it: the manifest is not part of the published site."""
    return build.parent / f"{build.name}.manifest.json"


def load_manifest(build: Path | None) -> dict[str, str]:
    """Output file -> signature of what it shows, for the build at ``build`` ({} if none or unreadable)."""
    if build is None:
        return {}
    try:
        return json.loads(manifest_path(build).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_manifest(build: Path, manifest: dict[str, str]) -> None:
    manifest_path(build).write_text(json.dumps(manifest, separators=(",", ":")), encoding="utf-8")


def discard(build: Path) -> None:
    shutil.rmtree(build, ignore_errors=True)
    manifest_path(build).unlink(missing_ok=True)
