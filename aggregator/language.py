"""Language of a post: script first, then py3langid restricted to our languages and their
neighbours, checked against the letters each language can and cannot write; Russian against its
Cyrillic neighbours and Kazakh against Kyrgyz are settled with the cues of aggregator.language_cues.

langdetect, named in the first design, cannot output kk, ky, uz, az or hy at all; py3langid
restricted to the fourteen languages that matter measures best (docs/tagging.md, bench/langid.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from aggregator.language_cues import Cues

OURS = ("ru", "kk", "ky", "uz", "az", "hy", "hi", "en")
NEIGHBOURS = ("uk", "be", "tg", "tr", "mn", "bg")
CANDIDATES = OURS + NEIGHBOURS

URL = re.compile(r"https?://\S+|www\.\S+")
MENTION_OR_TAG = re.compile(r"[#@][\w.\u0300-\u036f\u0900-\u0963\u0966-\u097f]+")
NON_LETTER = re.compile(r"[^\w\s'ʻʼ‘’\u0900-\u0963\u0966-\u097f-]+")
# The three in one pass (a URL or a tag is matched where it starts, before its symbols are).
NOT_TEXT = re.compile(rf"{URL.pattern}|{MENTION_OR_TAG.pattern}|[^\w\s'ʻʼ‘’\u0900-\u0963\u0966-\u097f#@-]+|[#@]")
SENTENCES = re.compile(r"\n\s*\n|(?<=[.!?։।])\s+")
MIN_LETTERS = 8
MIN_SCRIPT_LETTERS = 4  # Armenian or Devanagari letters name the language alone: fewer suffice
SCRIPT_DECIDES = {"Armn": "hy", "Deva": "hi"}
MODEL_CHARS = 120
CUE_WEIGHT = 8.0  # one cue of aggregator.language_cues against the model's log-likelihood margin
CLOSE_CALL = 6 * CUE_WEIGHT  # a margin the cues of a short text could not outweigh

# Letters a language never writes (CLDR exemplar characters), with how many of them rule it
# out whatever the n-gram model says: one for languages whose neighbours differ in a letter,
# two where one may be a quoted name.
FOREIGN_LETTERS: dict[str, tuple[set[str], int]] = {
    "ru": (set("әғқңөұүһіўҳӣӯҷєїґ"), 2),
    "kk": (set("ўҳӣӯҷєїґ"), 1),
    "ky": (set("әғқұһіўҳӣӯҷєїґ"), 1),
    "uz": (set("ңөүәұһіыщӣӯҷєїґ"), 1),
    "tg": (set("ңөүәұһіыщьцўєїґ"), 1),
    "mn": (set("әғқңұһіўҳӣӯҷєїґ"), 1),
    "uk": (set("ыэёъәғқңөұүһўҳӣӯҷ"), 2),
    "be": (set("ищъәғқңөұүһҳӣӯҷєїґ"), 2),
    "bg": (set("ыэёәғқңөұүһіўҳӣӯҷєїґ"), 2),
    "uz_latin": (set("əıçşğüöw"), 1),
    "tr": (set("əxqw"), 1),
}
SCRIPT_LANGUAGES = {"Cyrl": ("ru", "kk", "ky", "uz", "tg", "mn", "uk", "be", "bg"), "Latn": ("en", "az", "uz", "tr")}


def clean_text(text: str) -> str:
    """Text without URLs, mentions, hashtags, emoji and symbols: what a language model should see."""
    if "#" in text or "@" in text or "http" in text or "www." in text:
        return " ".join(NOT_TEXT.sub(" ", text).split())
    return " ".join(NON_LETTER.sub(" ", text).split())  # nothing but symbols to drop: the cheaper pass


SCRIPTS = {"Cyrl": re.compile(r"[\u0400-\u052f]"), "Latn": re.compile(r"[A-Za-z\u00c0-\u027f\u1e00-\u1eff]"),
           "Armn": re.compile(r"[\u0531-\u0587]"), "Deva": re.compile(r"[\u0900-\u0963\u0966-\u097f]")}
# Letters, without the modifier letters ʻ ʼ that Uzbek writes as apostrophes (o‘, gʻ, maʼno).
LETTER = re.compile(r"[^\W\d_\u0280-\u02ff]")


def _byte_classes() -> bytes:
    """A bytes.translate table for UTF-8: 'L' for an ASCII letter or the first byte of U+00C0-U+027F
    (Latin), 'C' for the first byte of U+0400-U+04FF (Cyrillic), 'A' for the first byte of ‘ ’
    (apostrophes), 'X' for the first byte of anything else, '.' for the rest."""
    table = bytearray(b"." * 256)
    for first, last, mark in ((0x41, 0x5A, "L"), (0x61, 0x7A, "L"), (0xC2, 0xF4, "X"), (0xC3, 0xC9, "L"),
                              (0xCA, 0xCB, "."), (0xD0, 0xD3, "C"), (0xE2, 0xE2, "A")):
        table[first:last + 1] = mark.encode() * (last + 1 - first)
    return bytes(table)


BYTE_CLASSES = _byte_classes()
APOSTROPHES = ("\u2018".encode(), "\u2019".encode())


def _script_counts(text: str) -> dict[str, int]:
    """Letters per script of cleaned text. Text in Latin and basic Cyrillic letters only (nearly
    every post) is counted byte by byte in C; anything else goes through the script regexes."""
    data = text.encode()
    classes = data.translate(BYTE_CLASSES)
    if b"X" not in classes and classes.count(b"A") == data.count(APOSTROPHES[0]) + data.count(APOSTROPHES[1]):
        counts = {"Cyrl": classes.count(b"C"), "Latn": classes.count(b"L")}
        return {script: n for script, n in counts.items() if n > 0}
    total = len(LETTER.findall(text))
    counts = {script: len(pattern.findall(text)) for script, pattern in SCRIPTS.items()}
    counts["Other"] = total - sum(counts.values())
    return {script: n for script, n in counts.items() if n > 0}


@lru_cache(maxsize=1)
def _identifier():
    from py3langid import langid

    return langid._load_identifier(langs=list(CANDIDATES))  # noqa: SLF001 (no public constructor takes langs)


@lru_cache(maxsize=1)
def _scorer() -> Callable[[str], dict[str, float]]:
    """text -> {language: py3langid's naive Bayes score}. The same sums as ``rank`` (byte n-grams
    found by its automaton, weighted by log(1 + count)), with the weights kept in float32 (numpy's
    float16 products are slow) and without ranking the languages the script already excludes."""
    identifier = _identifier()
    try:
        import numpy as np
        from py3langid.langid import visit_counts

        table = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)
        prior = np.asarray(identifier.nb_pc, dtype=np.float32)
        walk = (identifier.tk_nextmove, identifier._rowbase, identifier.tk_output)  # noqa: SLF001
        encode = identifier._encode  # noqa: SLF001
    except (ImportError, AttributeError):  # another py3langid inside: its public ranking
        return lambda text: dict(identifier.rank(text))
    classes = list(identifier.nb_classes)
    first = {label: classes.index(label) for label in classes}
    aliases = [(first[label], i) for i, label in enumerate(classes) if i != first[label]]  # uz: two columns
    labels, columns = list(first), list(first.values())

    def scores(text: str) -> dict[str, float]:
        visits = visit_counts(*walk, encode(text))
        if not visits:
            return dict(identifier.rank(text))
        idx = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
        counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
        values = (np.log1p(counts) @ table.take(idx, axis=0) + prior).tolist()
        for keep, dupe in aliases:
            values[keep] = max(values[keep], values[dupe])
        return dict(zip(labels, [values[i] for i in columns]))
    return scores


FOREIGN_ANY = re.compile("[" + "".join(sorted(set().union(*(letters for letters, _ in FOREIGN_LETTERS.values()))))
                         + "]")  # every letter some language cannot write: one pass finds them all


def _ruled_out(lang: str, foreign: dict[str, int], letters: int, script: str) -> bool:
    """Whether the text's letters rule ``lang`` out; ``foreign`` counts the letters of the text that
    some language cannot write (FOREIGN_ANY)."""
    key = "uz_latin" if lang == "uz" and script == "Latn" else lang
    if not foreign or key not in FOREIGN_LETTERS:
        return False
    alphabet, needed = FOREIGN_LETTERS[key]
    # In longer text a quoted name or slogan ("Мы вместе" in Uzbek) must not rule a language out.
    return sum(n for char, n in foreign.items() if char in alphabet) >= max(needed, 0.02 * letters)


def _decide(cleaned: str, script: str, letters: int) -> str:
    # The model's cost grows with length and 120 characters already decide; letters see it all.
    sample = cleaned if len(cleaned) <= MODEL_CHARS else cleaned[:cleaned.rfind(" ", 0, MODEL_CHARS) + 1 or MODEL_CHARS]
    scores = _scorer()(sample)
    ranked = sorted(SCRIPT_LANGUAGES[script], key=scores.__getitem__, reverse=True)
    lower = cleaned.lower()
    foreign = Counter(FOREIGN_ANY.findall(lower))
    allowed = [lang for lang in ranked if not _ruled_out(lang, foreign, letters, script)]
    if not allowed:
        return ranked[0]
    best = allowed[0]
    if len(allowed) == 1:
        return best
    cues = Cues(lower)
    if script == "Latn":
        if {best, allowed[1]} == {"az", "tr"}:  # Turkish never writes ə, q, x: without them, the cues weigh in
            margin = scores["az"] - scores["tr"]
            if abs(margin) < CLOSE_CALL:
                margin += CUE_WEIGHT * cues.azerbaijani_against_turkish()
            return "az" if margin > 0 else "tr"
        return best
    # Cyrillic languages the model mixes up, settled with the cues of aggregator.language_cues.
    if {best, allowed[1]} == {"kk", "ky"}:  # the model knows these two apart least: the cues decide
        evidence = cues.kazakh_against_kyrgyz()
        if evidence:
            loser = "ky" if evidence > 0 else "kk"
            allowed.remove(loser)
            best = allowed[0]
    if "ru" not in allowed:
        return best
    # Russian, when its letters allow it, is weighed against the best other language: each cue for or
    # against it moves the model's log-likelihood margin by CUE_WEIGHT. Only close calls need the cues.
    other = best if best != "ru" else allowed[1]
    margin = scores["ru"] - scores[other]
    if abs(margin) < CLOSE_CALL:
        margin += CUE_WEIGHT * (cues.russian_against_bulgarian() if other == "bg" else cues.russian_against(other))
    return "ru" if margin > 0 else other


def _detect_clean(cleaned: str, counts: dict[str, int] | None = None) -> str | None:
    counts = _script_counts(cleaned) if counts is None else counts
    total = sum(counts.values())
    if total < MIN_SCRIPT_LETTERS:
        return None
    script, top = max(counts.items(), key=lambda item: item[1])
    if top / total < 0.5 or (total < MIN_LETTERS and script not in SCRIPT_DECIDES):
        return None
    if script in SCRIPT_DECIDES:
        return SCRIPT_DECIDES[script]
    if script in ("Cyrl", "Latn"):
        return _decide(cleaned, script, total)
    return None


PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _might_mix(text: str, counts: dict[str, int]) -> bool:
    """Cheap test for text that may hold two languages: two scripts, or several paragraphs (posts
    mixing languages do it paragraph by paragraph). Only such text is weighed sentence by sentence,
    which keeps single-paragraph posts at one model call."""
    total = sum(counts.values())
    if total and max(counts.values()) / total < 0.9:
        return True
    return bool(PARAGRAPH_BREAK.search(text))


def _shares(text: str) -> dict[str, int]:
    """Letters per language, decided sentence by sentence (short sentences lean on the next)."""
    shares: dict[str, int] = {}
    pending = ""
    for chunk in SENTENCES.split(text or ""):
        cleaned = clean_text(pending + " " + chunk)
        letters = len(LETTER.findall(cleaned))
        if letters < 25:
            pending = cleaned
            continue
        pending = ""
        lang = _detect_clean(cleaned)
        if lang:
            shares[lang] = shares.get(lang, 0) + letters
    if pending:
        lang = _detect_clean(pending)
        if lang:
            shares[lang] = shares.get(lang, 0) + len(LETTER.findall(pending))
    return shares


@lru_cache(maxsize=65536)
def _analyse(text: str) -> tuple[str | None, tuple[str, ...]]:
    cleaned = clean_text(text or "")
    counts = _script_counts(cleaned)
    if not _might_mix(text or "", counts):
        return _detect_clean(cleaned, counts), ()
    shares = _shares(text)
    if not shares:
        return _detect_clean(cleaned), ()
    ranked = sorted(shares.items(), key=lambda item: -item[1])
    total = sum(shares.values())
    return ranked[0][0], tuple(lang for lang, letters in ranked[1:] if letters >= 0.1 * total)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the main language of ``text``, or None when too short or too mixed to tell."""
    return _analyse(text)[0]


def detect_languages(text: str, hint: str | None = None) -> tuple[str | None, list[str]]:
    """Main language and the other languages of a post, each with at least a tenth of its letters.

    ``hint`` is the platform's own label (Mastodon ``language``, Bluesky ``langs``, ``xml:lang``):
    used when the text alone cannot tell.
    """
    main, others = _analyse(text)
    if main is None and hint and hint.split("-")[0].lower() in OURS:
        main = hint.split("-")[0].lower()
    if not others and main is not None and len(text or "") > 200:
        # A long post may mix languages without a letter giving it away: weigh its sentences.
        shares = _shares(text)
        total = sum(shares.values())
        others = tuple(lang for lang, letters in sorted(shares.items(), key=lambda item: -item[1])
                       if lang != main and letters >= 0.1 * total)
    return main, list(others)


def script_of(text: str) -> str | None:
    """The main script (ISO 15924) of a text: tells Uzbek Latin from Uzbek Cyrillic."""
    counts = _script_counts(clean_text(text))
    return max(counts, key=counts.get) if counts else None
