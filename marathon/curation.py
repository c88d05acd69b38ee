"""The organizers' curation file: featured posts in order with captions, hidden posts with a reason.

``curation.toml`` sits next to the sources file and is kept in git. The loader validates it like
``marathon/config.py`` validates ``sources.toml`` (``curation.toml:7: caption: ...``); the edit
functions behind ``marathon feature/unfeature/hide/unhide`` rewrite it with tomlkit, keeping the
comments and order of the rest of the file.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
import tomlkit.items

from marathon.config import UI_LOCALES, _check_keys, _parse_toml, _table_lines, bundled_path
from marathon.errors import ConfigError, CurationError

CURATION_FILE = "curation.toml"
FEATURED_KEYS = {"post", "caption"}
HIDDEN_KEYS = {"post", "reason"}
TEMPLATE = """\
# Curation: featured posts (in display order, first = top) and hidden posts.
# Edit by hand or with `marathon feature ID`, `marathon hide ID --reason TEXT`; see the README.
"""


@dataclass(frozen=True)
class Featured:
    post: str
    caption: dict[str, str] = field(default_factory=dict)  # UI locale -> caption
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Hidden:
    post: str
    reason: str
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Curation:
    """What organizers decided: ``featured`` in display order and ``hidden`` posts."""

    featured: tuple[Featured, ...] = ()
    hidden: tuple[Hidden, ...] = ()
    path: str = ""

    def post_ids(self) -> set[str]:
        return {f.post for f in self.featured} | {h.post for h in self.hidden}


def default_curation_path(sources_file: str | Path | None = None) -> Path:
    """``curation.toml`` next to the sources file (default: in the current directory)."""
    return (Path(sources_file).parent if sources_file else Path(".")) / CURATION_FILE


def demo_curation_path() -> Path:
    """The bundled demo's curation file (``marathon/demo/curation.toml``)."""
    return bundled_path(CURATION_FILE)


def find_curation(path: str | Path | None = None, sources_file: str | Path | None = None) -> Curation | None:
    """Load ``path`` (which must exist), else the default file if there is one, else None."""
    if path is not None:
        return load_curation(path)
    default = default_curation_path(sources_file)
    return load_curation(default) if default.exists() else None


def load_curation(path: str | Path) -> Curation:
    """Read a curation file; raises ConfigError naming file, line and key on any invalid value."""
    path = Path(path)
    data, text = _parse_toml(path)
    return _curation(data, text, str(path))


def _curation(data: dict, text: str, where: str) -> Curation:
    for key in data:
        if key not in ("featured", "hidden"):
            hint = difflib.get_close_matches(key, ["featured", "hidden"], n=1)
            raise ConfigError(where, _top_line(text, key), f"{key}: unknown top-level key; a curation file holds "
                                                           "[[featured]] and [[hidden]] tables"
                              + (f"; did you mean {hint[0]!r}?" if hint else ""))
        if not isinstance(data[key], list) or not all(isinstance(t, dict) for t in data[key]):
            raise ConfigError(where, _top_line(text, key), f"{key}: expected [[{key}]] tables")
    featured = []
    seen: dict[str, int | None] = {}
    for table, line, keys in _tables(data, text, "featured"):
        _check_keys(where, line, keys, table, FEATURED_KEYS, "[[featured]]")
        post = _post_id(where, line, keys, table, "featured")
        if post in seen:
            raise ConfigError(where, keys.get("post", line), f"post: {post!r} is already featured (line {seen[post]}); "
                                                             "a post is featured once, at one position")
        seen[post] = keys.get("post", line)
        featured.append(Featured(post=post, caption=_caption(where, keys.get("caption", line), table.get("caption", {})),
                                 line=line))
    hidden = []
    seen = {}
    for table, line, keys in _tables(data, text, "hidden"):
        _check_keys(where, line, keys, table, HIDDEN_KEYS, "[[hidden]]")
        post = _post_id(where, line, keys, table, "hidden")
        if post in seen:
            raise ConfigError(where, keys.get("post", line), f"post: {post!r} is already hidden (line {seen[post]})")
        seen[post] = keys.get("post", line)
        reason = table.get("reason")
        if reason is None:
            raise ConfigError(where, line, "reason: missing required key; say why the post is hidden, "
                                           "e.g. reason = \"spam\"")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(where, keys.get("reason", line), "reason: expected a non-empty string such as \"spam\"")
        hidden.append(Hidden(post=post, reason=reason.strip(), line=line))
    return Curation(featured=tuple(featured), hidden=tuple(hidden), path=where)


def _tables(data: dict, text: str, header: str):
    lines = _table_lines(text, header)
    for index, table in enumerate(data.get(header, [])):
        line, keys = lines[index] if index < len(lines) else (None, {})
        yield table, line, keys


def _top_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().lstrip("[").strip()
        if stripped.startswith(key) and stripped[len(key):].lstrip()[:1] in ("=", "]", "."):
            return number
    return None


def _post_id(where: str, line: int | None, keys: dict[str, int], table: dict, header: str) -> str:
    if "post" not in table:
        raise ConfigError(where, line, f"post: missing required key; each [[{header}]] names a post id "
                                       "(see `marathon export`)")
    post = table["post"]
    if not isinstance(post, str) or not post.strip() or any(c.isspace() for c in post.strip()):
        raise ConfigError(where, keys.get("post", line), f"post: expected a post id such as "
                                                         f"\"kg-osh-tg-2af18116e9c9\", got {post!r}")
    return post.strip()


def _caption(where: str, line: int | None, caption: object) -> dict[str, str]:
    if isinstance(caption, str):
        raise ConfigError(where, line, "caption: expected a table of locale = text, e.g. caption = { en = \"...\" }")
    if not isinstance(caption, dict):
        raise ConfigError(where, line, f"caption: expected a table of locale = text, got {caption!r}")
    for locale, value in caption.items():
        check_locale(locale, where, line)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(where, line, f"caption: {locale}: expected a non-empty string")
    return {locale: value.strip() for locale, value in caption.items()}


def check_locale(locale: str, where: str = "caption", line: int | None = None) -> None:
    """Refuse a caption locale the site has no UI for, with a hint for typos."""
    if locale not in UI_LOCALES:
        hint = difflib.get_close_matches(locale, UI_LOCALES, n=1)
        raise ConfigError(where, line, f"caption: unknown locale {locale!r}; expected one of {', '.join(UI_LOCALES)}"
                                       + (f"; did you mean {hint[0]!r}?" if hint else ""))


# Editing: each function reads the file (creating it if missing), changes one entry, checks the result
# with the loader before writing, and returns the new curation.

def _read_document(path: Path) -> tomlkit.TOMLDocument:
    if not path.exists():
        return tomlkit.parse(TEMPLATE)
    load_curation(path)  # refuse to edit a file that is already invalid: the error names its line
    return tomlkit.parse(path.read_text(encoding="utf-8"))


def _write_document(path: Path, document: tomlkit.TOMLDocument) -> Curation:
    text = tomlkit.dumps(document)
    data, _ = _loads(text, path)
    curation = _curation(data, text, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return curation


def _loads(text: str, path: Path) -> tuple[dict, str]:
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:  # would be a bug in the edit: say so plainly
        raise CurationError(f"{path}: editing produced invalid TOML ({exc}); the file was left unchanged") from None


def _entries(document: tomlkit.TOMLDocument, header: str) -> tomlkit.items.AoT | None:
    entries = document.get(header)
    return entries if isinstance(entries, tomlkit.items.AoT) else None


def _index(entries: tomlkit.items.AoT | None, post_id: str) -> int | None:
    for index, table in enumerate(entries or []):
        if str(table.get("post", "")).strip() == post_id:
            return index
    return None


def _inline(values: dict[str, str]) -> tomlkit.items.InlineTable:
    inline = tomlkit.inline_table()
    inline.update(values)
    return inline


def _new_table(values: dict) -> tomlkit.items.Table:
    table = tomlkit.table()
    for key, value in values.items():
        table[key] = _inline(value) if isinstance(value, dict) else value
    table.add(tomlkit.nl())  # a blank line between tables, as a person would write it
    return table


def _insert(entries: tomlkit.items.AoT, index: int, table: tomlkit.items.Table) -> None:
    index = max(0, min(index, len(entries)))
    if index and not entries[index - 1].as_string().endswith("\n\n"):
        entries[index - 1].add(tomlkit.nl())  # keep a blank line before the inserted table
    entries.insert(index, table)


def _append(document: tomlkit.TOMLDocument, header: str, table: tomlkit.items.Table, position: int | None) -> None:
    entries = _entries(document, header)
    if entries is None:
        document.append(header, tomlkit.aot())
        entries = _entries(document, header)
    _insert(entries, len(entries) if position is None else position - 1, table)


def _remove(document: tomlkit.TOMLDocument, header: str, index: int) -> None:
    entries = _entries(document, header)
    del entries[index]
    if not len(entries):
        del document[header]  # else tomlkit writes `header = []`


def feature_post(path: str | Path, post_id: str, captions: dict[str, str] | None = None,
                 position: int | None = None) -> Curation:
    """Feature a post at ``position`` (1 = top; default: last), or update its captions and move it.

    Captions given replace those of the same locale and keep the others. Raises ConfigError on an
    invalid file or locale.
    """
    path = Path(path)
    captions = {locale: text.strip() for locale, text in (captions or {}).items()}
    for locale, text in captions.items():
        check_locale(locale)
        if not text:
            raise CurationError(f"caption {locale}: the text is empty")
    if position is not None and position < 1:
        raise CurationError(f"position: expected 1 (top) or more, got {position}")
    document = _read_document(path)
    entries = _entries(document, "featured")
    index = _index(entries, post_id)
    if index is None:
        _append(document, "featured", _new_table({"post": post_id, **({"caption": captions} if captions else {})}),
                position)
        return _write_document(path, document)
    table = entries[index]
    if captions:
        old = table.get("caption")
        table["caption"] = _inline({**(dict(old) if isinstance(old, dict) else {}), **captions})
    if position is not None and position - 1 != index:
        del entries[index]
        _insert(entries, position - 1, table)
    return _write_document(path, document)


def unfeature_post(path: str | Path, post_id: str) -> Curation:
    """Remove a post from the featured list; raises CurationError if it is not featured there."""
    return _remove_entry(Path(path), "featured", post_id)


def hide_post(path: str | Path, post_id: str, reason: str) -> Curation:
    """Hide a post with a reason (a hidden post already listed gets the new reason)."""
    path = Path(path)
    if not reason.strip():
        raise CurationError("reason: say why the post is hidden, e.g. --reason spam")
    document = _read_document(path)
    index = _index(_entries(document, "hidden"), post_id)
    if index is None:
        _append(document, "hidden", _new_table({"post": post_id, "reason": reason.strip()}), None)
    else:
        _entries(document, "hidden")[index]["reason"] = reason.strip()
    return _write_document(path, document)


def unhide_post(path: str | Path, post_id: str) -> Curation:
    """Show a hidden post again; raises CurationError if it is not hidden there."""
    return _remove_entry(Path(path), "hidden", post_id)


def _remove_entry(path: Path, header: str, post_id: str) -> Curation:
    if not path.exists():
        raise CurationError(f"{path}: file not found, so {post_id!r} is not {header}")
    document = _read_document(path)
    index = _index(_entries(document, header), post_id)
    if index is None:
        raise CurationError(f"{path}: {post_id!r} is not {header}; nothing changed")
    _remove(document, header, index)
    return _write_document(path, document)
