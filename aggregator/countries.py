"""Country of a post: its source's, or — for sources speaking for several countries — the
countries its text names, in any of the eight languages (names from CLDR through Babel, plus
capitals, demonyms and hashtags declared in config)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import Locale

# The locales whose country names we look for: the eight languages, Uzbek in both scripts.
NAME_LOCALES = ("ru", "kk", "ky", "uz_Latn", "uz_Cyrl", "az", "hy", "hi", "en")
VOWELS = set("aeiouyаеёиоуыэюяәөүұіıəաեէըիոօ")
APOSTROPHES = re.compile(r"[ʻʼ‘’`´]")
INFLECTION = r"\w{0,3}(?!\w)"  # case endings: Казахстана, Россию, Индией


def normalize(text: str) -> str:
    """Case-folded NFKC text with one apostrophe and without Devanagari nukta (written or not)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = APOSTROPHES.sub("'", text)
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).replace("\u093c", ""))


def _stem(name: str) -> str:
    """A country name without its final vowel, so inflected forms match (Россия → России, Индию)."""
    if len(name) >= 5 and name[-1] in VOWELS:
        return name[:-1]
    return name


@lru_cache(maxsize=64)
def _cldr_names(code: str) -> tuple[str, ...]:
    names = {normalize(Locale.parse(loc).territories[code]) for loc in NAME_LOCALES
             if code in Locale.parse(loc).territories}
    return tuple(sorted(names))


class CountryMatcher:
    """Built once per run for the countries to look for (with their config aliases)."""

    def __init__(self, aliases: dict[str, tuple[str, ...]]):
        self.codes = tuple(aliases)
        alternatives: list[tuple[str, str]] = []
        for code, extra in aliases.items():
            for name in _cldr_names(code):
                alternatives.append((re.escape(_stem(name)) + INFLECTION, code))
            for alias in extra:
                # "Астана" matches as a word with short endings (Астане); "казахстанск*" as a prefix.
                if alias.endswith("*"):
                    alternatives.append((re.escape(normalize(alias[:-1])) + r"\w*", code))
                else:
                    alternatives.append((re.escape(normalize(alias)) + INFLECTION, code))
        alternatives.sort(key=lambda item: -len(item[0]))  # longest first: "армянск" before "армения"
        self._codes = [code for _, code in alternatives]
        self._pattern = re.compile(
            "|".join(f"(?P<c{i}>{pattern})" for i, (pattern, _) in enumerate(alternatives)), re.UNICODE) \
            if alternatives else None

    def find(self, text: str) -> list[str]:
        """Country codes named in ``text``, in order of first mention."""
        if not self._pattern or not text:
            return []
        found: list[str] = []
        for match in self._pattern.finditer(normalize(text)):
            start = match.start()
            if start and (match.string[start - 1].isalnum() or match.string[start - 1] == "'"):
                continue  # inside another word
            code = self._codes[int(match.lastgroup[1:])]
            if code not in found:
                found.append(code)
        return found


def post_countries(source_country: str | None, given: str | None = None, mentioned: list[str] | None = None,
                   from_content: bool = False) -> list[str]:
    """Countries of a post, main one first: the source's, or those its text names for multi-country sources."""
    if given:
        return [given] + [c for c in (mentioned or []) if c != given and from_content]
    if from_content and mentioned:
        return list(mentioned)
    return [source_country] if source_country else []
