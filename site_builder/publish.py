"""Atomic publishing with two build directories.

``output`` is a symlink to one of two directories beside it (``.output-builds/a`` and ``b``). A
build updates the other one — the spare, which no reader sees — and then swaps the symlink in one
rename(2): readers get the old site or the new one, never half of one, and a failed build leaves
the old site serving. The spare holds the site as it was one build ago, so bringing it up to date
costs what changed since then, not the whole site; its manifest (output file -> signature of what
it shows) says what it holds, and is removed while a build works on it.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

BUFFERS = ("a", "b")
# Bumped when manifest keys change meaning; a manifest of another format is not trusted (the next
# build renders everything). 2: a post's pages under one "post:<id>" key; 3: (format, entries)
# rather than the format as an entry of the dict, which had to be copied to add it.
FORMAT = "3"


def builds_dir(out: Path) -> Path:
    return out.parent / f".{out.name}-builds"


def published_build(out: Path) -> Path | None:
    """The build directory ``out`` points at now, if it is one of ours."""
    if out.is_symlink() and out.resolve().is_dir() and out.resolve().parent == builds_dir(out).resolve():
        return out.resolve()
    return None


def manifest_path(build: Path) -> Path:
    """Beside the build, not in it: the manifest is not part of the published site."""
    return build.parent / f"{build.name}.manifest"


def load_manifest(build: Path | None) -> dict[str, str]:
    """What the build at ``build`` holds ({} if nothing is known of it)."""
    if build is None:
        return {}
    try:
        saved = marshal.loads(manifest_path(build).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(saved, tuple) or len(saved) != 2 or saved[0] != FORMAT or not isinstance(saved[1], dict):
        return {}
    return saved[1]


def save_manifest(build: Path, manifest: dict[str, str]) -> None:
    """marshal, not JSON: a 200,000-entry manifest is written in 10 ms instead of 200."""
    path = manifest_path(build)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(marshal.dumps((FORMAT, manifest)))
    os.replace(temporary, path)  # a manifest is whole or absent, never half-written


def _clone(source: Path, target: Path) -> None:
    """``target`` as a copy of ``source`` made of hard links: no bytes copied. A build replaces a
    file it shares with the other build by rename, never writes through it (writer.write_file), so
    the two never affect each other."""
    if shutil.which("cp") and subprocess.run(["cp", "-al", str(source), str(target)]).returncode == 0:
        return
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, copy_function=os.link)


def prepare_spare(out: Path, full: bool = False) -> tuple[Path, dict[str, str]]:
    """The directory the next build goes to, and the manifest of what it already holds."""
    root = builds_dir(out)
    root.mkdir(parents=True, exist_ok=True)
    published = published_build(out)
    spare = root / (BUFFERS[1] if published is not None and published.name == BUFFERS[0] else BUFFERS[0])
    keep = {spare, manifest_path(spare)} | ({published, manifest_path(published)} if published else set())
    for other in root.iterdir():  # builds of older marathon versions, half-made clones
        if other not in keep:
            shutil.rmtree(other, ignore_errors=True) if other.is_dir() else other.unlink(missing_ok=True)
    known = {} if full else load_manifest(spare)
    manifest_path(spare).unlink(missing_ok=True)  # until this build finishes, the spare's content is unknown
    if not known:
        shutil.rmtree(spare, ignore_errors=True)
        published_manifest = {} if full else load_manifest(published)
        if published_manifest:
            _clone(published, spare)
            known = published_manifest
    spare.mkdir(exist_ok=True)
    return spare, known


def publish(build: Path, out: Path) -> None:
    """Make ``out`` point at ``build`` in one atomic step.

    A real directory at ``out`` (from an older marathon or a copy) is moved aside first.
    """
    if out.exists() and not out.is_symlink():
        out.rename(builds_dir(out) / f"legacy-{datetime.now():%Y%m%dT%H%M%S%f}")
    link = out.parent / f".{out.name}.new"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(build, out.parent), target_is_directory=True)
    os.replace(link, out)  # rename(2) is atomic: readers see the old site or the new one


def discard(build: Path) -> None:
    """A failed build's directory: its content is unknown, so it goes."""
    shutil.rmtree(build, ignore_errors=True)
    manifest_path(build).unlink(missing_ok=True)
