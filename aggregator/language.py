"""Language of a post: script first, then letters particular to each language, then py3langid.

A first version (issue #3); issue #5 measures and deepens it. langdetect cannot output
kk, ky, uz, az or hy at all, so it is not used here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

OURS = ("ru", "kk", "ky", "uz", "az", "hy", "hi", "en")
NEIGHBOURS = ("uk", "be", "tg", "tr", "mn", "bg")
CANDIDATES = OURS + NEIGHBOURS

URL = re.compile(r"https?://\S+|www\.\S+")
MENTION_OR_TAG = re.compile(r"[#@][\w.\u0900-\u097F]+")
NON_LETTER = re.compile(r"[^\w\s'ʻʼ‘’-]+")

# Letters that only (or almost only) one candidate language writes.
CYRILLIC_MARKERS = {
    "kk": set("әғқұһі"),
    "ky": set("ңөү"),  # shared with kk and mn: only decisive without kk's own letters
    "uz": set("ўқғҳ"),
    "tg": set("ӣӯҷ"),
    "uk": set("єїґ"),
    "be": set("ў"),
    "ru": set("ыэъё"),
}


def clean_text(text: str) -> str:
    """Text without URLs, mentions, hashtags, emoji and symbols: what a language model should see."""
    text = URL.sub(" ", text)
    text = MENTION_OR_TAG.sub(" ", text)
    text = NON_LETTER.sub(" ", text)
    return " ".join(text.split())


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        if 0x0530 <= code <= 0x058F:
            script = "Armn"
        elif 0x0900 <= code <= 0x097F:
            script = "Deva"
        elif 0x0400 <= code <= 0x052F:
            script = "Cyrl"
        elif code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            script = "Latn"
        else:
            script = unicodedata.name(char, "OTHER").split()[0]
        counts[script] = counts.get(script, 0) + 1
    return counts


@lru_cache(maxsize=1)
def _identifier():
    from py3langid import langid

    return langid._load_identifier(langs=list(CANDIDATES))  # noqa: SLF001 (no public constructor takes langs)


def _cyrillic(text: str) -> str:
    lower = text.lower()
    letters = set(lower)
    words = set(re.findall(r"\w+", lower))
    if letters & CYRILLIC_MARKERS["tg"]:
        return "tg"
    if letters & CYRILLIC_MARKERS["uk"]:
        return "uk"
    if "ў" in letters and letters & set("қғҳ") or ("ў" in letters and words & {"ва", "учун", "билан", "ҳам"}):
        return "uz"
    if "ў" in letters:
        return "be"
    if letters & set("әұһ") or ("і" in letters and letters & set("ғқңөү")):
        return "kk"
    if "қ" in letters or "ғ" in letters:
        return "uz" if "ҳ" in letters or words & {"ва", "учун", "билан"} else "kk"
    if letters & CYRILLIC_MARKERS["ky"]:
        lang = _identifier().classify(text)[0]
        return lang if lang in ("ky", "mn", "kk") else "ky"
    lang = _identifier().classify(text)[0]
    if lang in ("uz", "tg"):  # without their own letters these are Russian text
        return "ru"
    return lang if lang in ("ru", "kk", "ky", "uk", "be", "bg", "mn") else "ru"


def _latin(text: str) -> str:
    lower = text.lower()
    if "ə" in lower:
        return "az"
    if re.search(r"[og][ʻʼ‘’'`]", lower) and re.search(r"\b(va|uchun|bilan|yoshlar|ham|bo[ʻ'‘’]l)", lower):
        return "uz"
    lang = _identifier().classify(text)[0]
    if lang in OURS or lang in NEIGHBOURS:
        return lang
    return "en"


def _detect_clean(cleaned: str) -> str | None:
    counts = _script_counts(cleaned)
    total = sum(counts.values())
    if total < 8:
        return None
    script, top = max(counts.items(), key=lambda item: item[1])
    if top / total < 0.5:
        return None
    if script == "Armn":
        return "hy"
    if script == "Deva":
        return "hi"
    if script == "Cyrl":
        return _cyrillic(cleaned)
    if script == "Latn":
        return _latin(cleaned)
    return None


SENTENCES = re.compile(r"\n\s*\n|(?<=[.!?։।])\s+")


def _language_shares(text: str) -> dict[str, int]:
    """Letters per language, deciding sentence by sentence so a mixed post shows each of its languages."""
    shares: dict[str, int] = {}
    pending = ""
    for chunk in SENTENCES.split(text or ""):
        cleaned = clean_text(pending + " " + chunk)
        letters = sum(ch.isalpha() for ch in cleaned)
        if letters < 25:  # too short to call alone: lean on the next sentence
            pending = cleaned
            continue
        pending = ""
        lang = _detect_clean(cleaned)
        if lang:
            shares[lang] = shares.get(lang, 0) + letters
    if pending:
        lang = _detect_clean(pending)
        if lang:
            shares[lang] = shares.get(lang, 0) + sum(ch.isalpha() for ch in pending)
    return shares


@lru_cache(maxsize=65536)
def _main_and_others(text: str) -> tuple[str | None, tuple[str, ...]]:
    shares = _language_shares(text)
    if not shares:
        return _detect_clean(clean_text(text or "")), ()
    ranked = sorted(shares.items(), key=lambda item: -item[1])
    total = sum(shares.values())
    others = tuple(lang for lang, letters in ranked[1:] if letters >= 0.1 * total)
    return ranked[0][0], others


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the main language of ``text``, or None when too short or too mixed to tell."""
    return _main_and_others(text)[0]


def detect_languages(text: str, hint: str | None = None) -> tuple[str | None, list[str]]:
    """Main language and the other languages of a post (each with at least a tenth of its letters)."""
    main, others = _main_and_others(text)
    if main is None and hint and hint.split("-")[0] in OURS:
        main = hint.split("-")[0]
    return main, list(others)


def script_of(text: str) -> str | None:
    """The main script (ISO 15924) of a text: tells Uzbek Latin from Uzbek Cyrillic."""
    counts = _script_counts(clean_text(text))
    return max(counts, key=counts.get) if counts else None
