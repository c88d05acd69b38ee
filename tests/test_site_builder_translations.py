"""Every UI string is translated in every locale; a missing one is named here, with its locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from marathon.config import UI_LOCALES

SITE_BUILDER = Path(__file__).parent.parent / "site_builder"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def template_strings() -> set[str | tuple[str, str]]:
    """The msgids the templates use (plural ones as (singular, plural))."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(SITE_BUILDER / "templates"), method_map=[("**.html", "jinja2")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


def catalogue(locale: str):
    with (SITE_BUILDER / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("locale", [loc for loc in UI_LOCALES if loc != "en"])
def test_every_ui_string_is_translated(locale):
    messages = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in catalogue(locale) if m.id}
    missing = []
    for msgid in sorted(template_strings(), key=str):
        message = messages.get(msgid)
        strings = (message.string if isinstance(message.string, tuple) else (message.string,)) if message else ()
        if not strings or not all(strings):
            missing.append(f"{locale}: {msgid!r}")
    assert missing == [], "untranslated UI strings (shown in English):\n" + "\n".join(missing)


@pytest.mark.parametrize("locale", [loc for loc in UI_LOCALES if loc != "en"])
def test_translations_keep_every_placeholder(locale):
    wrong = []
    for message in catalogue(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{locale}: {ids[0]!r} -> {text!r}")
    assert wrong == []


def test_the_template_catalogue_lists_every_ui_string():
    with (SITE_BUILDER / "locales" / "messages.pot").open("rb") as fh:
        pot = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(fh) if m.id}
    assert template_strings() <= pot, "run: pybabel extract -F site_builder/babel.cfg -o site_builder/locales/messages.pot ."
