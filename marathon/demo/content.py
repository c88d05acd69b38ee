"""Read the demo posts written by the team (``content/<source_id>.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class DemoPost:
    source_id: str
    id: str
    date: datetime
    lang: str
    text: str
    campaigns: tuple[str, ...]
    title: str = ""
    script: str = ""
    also_langs: tuple[str, ...] = ()
    image: str = ""
    author: str = ""
    cross_post_of: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]


def content_dir() -> Path:
    return Path(str(resources.files("marathon.demo").joinpath("content")))


def load_demo_posts(source_id: str) -> list[DemoPost]:
    """The demo posts of one source, oldest first; an unknown source has none."""
    path = content_dir() / f"{source_id}.toml"
    if not path.exists():
        return []
    with path.open("rb") as fh:
        tables = tomllib.load(fh).get("post", [])
    posts = [DemoPost(source_id=source_id, id=str(t["id"]), date=datetime.fromisoformat(t["date"]),
                      lang=t["lang"], text=t["text"].strip(), campaigns=tuple(t.get("campaigns", [])),
                      title=t.get("title", ""), script=t.get("script", ""),
                      also_langs=tuple(t.get("also_langs", [])), image=t.get("image", ""),
                      author=t.get("author", ""), cross_post_of=t.get("cross_post_of", ""))
             for t in tables]
    return sorted(posts, key=lambda p: p.date)


def all_demo_posts() -> list[DemoPost]:
    posts: list[DemoPost] = []
    for path in sorted(content_dir().glob("*.toml")):
        posts.extend(load_demo_posts(path.stem))
    return posts
