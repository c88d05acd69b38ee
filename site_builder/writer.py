"""Writes a build directory: new files, and files carried over from the last build as hard links."""

from __future__ import annotations

import os
from pathlib import Path

from marathon.errors import BuildError


class Writer:
    """Writes files under ``root``; ``reuse`` links an unchanged file from ``previous`` instead.

    Hard links cost no space and keep the last build intact: a file is never written through a
    link, only created new in this build's directory.
    """

    def __init__(self, root: Path, previous: Path | None = None):
        self.root = root
        self.previous = previous
        self.written: set[str] = set()
        self._dirs: set[Path] = set()
        self.reused = 0

    def claim(self, relative: str) -> None:
        """Reserve ``relative`` for a file another process writes."""
        if relative in self.written:
            raise BuildError(f"two pages want the same file {relative!r}; check ids and slugs")
        self.written.add(relative)

    def _claim(self, relative: str) -> Path:
        if relative in self.written:
            raise BuildError(f"two pages want the same file {relative!r}; check ids and slugs")
        self.written.add(relative)
        path = self.root / relative
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        return path

    def write(self, relative: str, data: bytes) -> None:
        self._claim(relative).write_bytes(data)

    def reuse(self, relative: str) -> bool:
        """Link ``relative`` from the previous build; False (and nothing claimed) if it is not there."""
        if self.previous is None or not (self.previous / relative).is_file():
            return False
        os.link(self.previous / relative, self._claim(relative))
        self.reused += 1
        return True

    def reuse_tree(self, relative: str) -> bool:
        """Link every file under the directory ``relative`` of the previous build."""
        if self.previous is None or not (self.previous / relative).is_dir():
            return False
        for path in sorted((self.previous / relative).rglob("*")):
            if path.is_file():
                self.reuse(path.relative_to(self.previous).as_posix())
        return True
