"""Language of a post: script first, then py3langid restricted to our languages and their
neighbours, checked against the letters each language can and cannot write.

langdetect, named in the first design, cannot output kk, ky, uz, az or hy at all; py3langid
restricted to the fourteen languages that matter measures best (docs/tagging.md, bench/langid.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

OURS = ("ru", "kk", "ky", "uz", "az", "hy", "hi", "en")
NEIGHBOURS = ("uk", "be", "tg", "tr", "mn", "bg")
CANDIDATES = OURS + NEIGHBOURS

URL = re.compile(r"https?://\S+|www\.\S+")
MENTION_OR_TAG = re.compile(r"[#@][\w.\u0300-\u036f\u0900-\u0963\u0966-\u097f]+")
NON_LETTER = re.compile(r"[^\w\s'ʻʼ‘’\u0900-\u0963\u0966-\u097f-]+")
SENTENCES = re.compile(r"\n\s*\n|(?<=[.!?։।])\s+")
MIN_LETTERS = 8
MODEL_CHARS = 120

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
# Russian and Bulgarian share most letters and many short words; these tell them apart.
RU_WORDS = {"что", "это", "как", "его", "её", "все", "был", "была", "были", "для", "уже", "только", "если",
            "мы", "вы", "они", "она", "он", "нас", "вас", "их", "так", "тоже", "еще", "ещё", "чтобы", "когда",
            "у", "к", "о", "об", "после", "через", "очень", "свой", "своих", "который", "которые", "где"}
BG_WORDS = {"ще", "са", "със", "във", "към", "това", "тези", "които", "която", "който", "беше", "бяха",
            "през", "след", "около", "всички", "нашите", "някои", "тук", "днес", "вече", "се", "си", "ги",
            "го", "му", "съм", "сме", "сте", "е", "най", "където", "защото", "нито"}
RU_ENDINGS = re.compile(r"\w(?:ого|его|ому|ему|ться|тся|ый|ые|ых|ую|ая|ой|ею|ами|ями)\b")
BG_ENDINGS = re.compile(r"\w(?:ът|ят|ите|ата|ото)\b|\b(?:най|по)-\w")
WORD = re.compile(r"\w+")
SCRIPT_LANGUAGES = {"Cyrl": {"ru", "kk", "ky", "uz", "tg", "mn", "uk", "be", "bg"}, "Latn": {"en", "az", "uz", "tr"}}


def clean_text(text: str) -> str:
    """Text without URLs, mentions, hashtags, emoji and symbols: what a language model should see."""
    text = URL.sub(" ", text)
    text = MENTION_OR_TAG.sub(" ", text)
    text = NON_LETTER.sub(" ", text)
    return " ".join(text.split())


SCRIPTS = {"Cyrl": re.compile(r"[\u0400-\u052f]"), "Latn": re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"),
           "Armn": re.compile(r"[\u0531-\u0587]"), "Deva": re.compile(r"[\u0900-\u0963\u0966-\u097f]")}
LETTER = re.compile(r"[^\W\d_]")


def _script_counts(text: str) -> dict[str, int]:
    """Letters per script (regexes run in C: this is on the hot path of every post)."""
    total = len(LETTER.findall(text))
    counts = {"Cyrl": len(SCRIPTS["Cyrl"].findall(text)), "Latn": len(SCRIPTS["Latn"].findall(text))}
    rest = total - counts["Cyrl"] - counts["Latn"]
    if rest > 0:  # only then look for the other scripts
        counts["Armn"] = len(SCRIPTS["Armn"].findall(text))
        counts["Deva"] = len(SCRIPTS["Deva"].findall(text))
        counts["Other"] = rest - counts["Armn"] - counts["Deva"]
    return {script: n for script, n in counts.items() if n > 0}


@lru_cache(maxsize=1)
def _identifier():
    from py3langid import langid

    return langid._load_identifier(langs=list(CANDIDATES))  # noqa: SLF001 (no public constructor takes langs)


FOREIGN_PATTERNS = {key: (re.compile("[" + "".join(sorted(letters)) + "]"), needed)
                    for key, (letters, needed) in FOREIGN_LETTERS.items()}


def _ruled_out(lang: str, lower: str, letters: int, script: str) -> bool:
    key = "uz_latin" if lang == "uz" and script == "Latn" else lang
    if key not in FOREIGN_PATTERNS:
        return False
    pattern, needed = FOREIGN_PATTERNS[key]
    # In longer text a quoted name or slogan ("Мы вместе" in Uzbek) must not rule a language out.
    return len(pattern.findall(lower)) >= max(needed, 0.02 * letters)


def _russian_or_bulgarian(lower: str) -> str | None:
    """'ru' or 'bg' when the text's letters and short words say so, else None."""
    words = WORD.findall(lower)
    russian = (sum(1 for char in lower if char in "ыэё") + sum(1 for w in words if w in RU_WORDS)
               + len(RU_ENDINGS.findall(lower)))
    # Bulgarian writes ъ before consonants and at word ends (път, градът); Russian only before е ё ю я.
    bulgarian = (len(re.findall(r"ъ(?![еёюя])", lower)) + sum(1 for w in words if w in BG_WORDS)
                 + len(BG_ENDINGS.findall(lower)))
    if russian > bulgarian:
        return "ru"
    if bulgarian > russian:
        return "bg"
    return None


KYRGYZ_SIGNS = re.compile(r"оо|ээ|уу|үү|өө|(?:н|д|т)(?:ун|үн)\b")  # long vowels; genitive -нун/-дүн
KAZAKH_SIGNS = re.compile(r"(?:н|д|т)(?:ың|ің)\b")  # genitive -ның/-дің/-тың


def _kazakh_or_kyrgyz(lower: str) -> str | None:
    """'kk' or 'ky' from Kazakh letters, Kyrgyz long vowels and their genitive endings, else None."""
    kazakh = sum(1 for char in lower if char in "әғқұһі") + len(KAZAKH_SIGNS.findall(lower))
    kyrgyz = len(KYRGYZ_SIGNS.findall(lower))
    if kazakh > kyrgyz:
        return "kk"
    if kyrgyz > kazakh:
        return "ky"
    return None


def _decide(cleaned: str, script: str, letters: int) -> str:
    # The model's cost grows with length and 200 characters already decide; letters see it all.
    sample = cleaned if len(cleaned) <= MODEL_CHARS else cleaned[:cleaned.rfind(" ", 0, MODEL_CHARS) + 1 or MODEL_CHARS]
    scores = {lang: score for lang, score in _identifier().rank(sample) if lang in SCRIPT_LANGUAGES[script]}
    ranked = sorted(scores, key=scores.get, reverse=True)
    lower = cleaned.lower()
    allowed: list[str] = []
    for lang in ranked:  # the two best languages the letters allow are all we need
        if not _ruled_out(lang, lower, letters, script):
            allowed.append(lang)
            if len(allowed) == 2:
                break
    allowed = allowed or ranked[:1]
    best = allowed[0]
    pair = {best, allowed[1]} if len(allowed) > 1 else set()
    if script == "Cyrl" and pair == {"ru", "bg"}:
        return _russian_or_bulgarian(lower) or best
    if script == "Cyrl" and pair == {"kk", "ky"}:
        return _kazakh_or_kyrgyz(lower) or best
    return best


def _detect_clean(cleaned: str, counts: dict[str, int] | None = None) -> str | None:
    counts = _script_counts(cleaned) if counts is None else counts
    total = sum(counts.values())
    if total < MIN_LETTERS:
        return None
    script, top = max(counts.items(), key=lambda item: item[1])
    if top / total < 0.5:
        return None
    if script == "Armn":
        return "hy"
    if script == "Deva":
        return "hi"
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
