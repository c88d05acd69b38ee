"""Near duplicates: a MinHash sketch (datasketch) of word pairs finds candidates, exact word sets confirm them.

A cross-post is the same story reworded for another platform: emoji and hashtags added, links
changed, often trimmed to its first sentences. So the test that confirms a candidate pair is the
*containment* of the shorter post's content words in the longer one, not their Jaccard
similarity, plus a check that the two do not report different numbers in the same place (two
deliveries on the same day are written alike but count different families). Measured on
bench/dedup/*.toml; `bench/dedup.py` prints precision, recall and speed.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from aggregator.language import MENTION_OR_TAG, URL

MIN_WORDS = 6  # shorter posts ("Спасибо всем!") are never near-grouped: too little to tell stories apart
WINDOW_SECONDS = 7 * 24 * 3600  # a cross-post appears within a week of its original
MIN_CONTAINMENT = 0.6  # share of the shorter post's content words found in the longer (tuned on the tune split)
MIN_PHRASE_CONTAINMENT = 0.4  # ... and of its word pairs: a cross-post copies phrases, not only vocabulary
LEAD_WORDS = 60  # the sketch covers a post's lead: a teaser of a long article copies its start, and the
# Jaccard similarity of a 40-word teaser with a whole 400-word article (0.1) is too low for LSH to find
NUM_PERM = 128
BANDS, ROWS = 64, 2  # LSH: two equal min-hashes in any of 64 bands make a candidate (catches Jaccard ~0.2 of word pairs)
MAX_BUCKET = 64  # a band key shared by more posts is boilerplate: link neighbours only, not every pair

# Uzbek is written in Latin and Cyrillic, and one organization's website and Telegram channel may use
# different scripts for the same story, so Cyrillic is folded to Uzbek Latin spelling (apostrophes
# dropped, ye/yo folded to e) before comparing. Other languages are only ever compared with themselves,
# so the same folding is harmless for them.
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяўқғҳәіңөұүһ",
    "a b v g d e e j z i y k l m n o p r s t u f x s ch sh sh _ y _ e yu ya o q g h a i ng o u u h".split()))
_FOLD = str.maketrans({k: ("" if v == "_" else v) for k, v in _CYRILLIC.items()})
_APOSTROPHE = re.compile(r"[ʻʼ‘’'`]")  # o‘, oʻ and o' spell one Uzbek letter
# Letters, digits and combining marks: language.clean_text drops Devanagari vowel signs, which splits
# Hindi words into consonants, so this module keeps its own word pattern.
_WORD = re.compile(r"[\w\u0300-\u036f\u0900-\u0963\u0966-\u097f\u0981-\u0dff]+")
_DIGIT_GROUP = re.compile(r"(?<=\d)[ ,.\u00a0\u202f](?=\d{3}(?!\d))")  # "10 000", "10,000" -> "10000"


_NOT_TEXT = re.compile(f"{URL.pattern}|{MENTION_OR_TAG.pattern}")  # what language.clean_text drops first


def _raw_words(text: str) -> list[str]:
    text = _NOT_TEXT.sub(" ", text)
    text = _DIGIT_GROUP.sub("", text)
    return _WORD.findall(_APOSTROPHE.sub("", text.casefold()))


@lru_cache(maxsize=1 << 18)
def _fold_word(word: str) -> tuple[str, int]:
    """A word in Latin letters and a 32-bit hash of it (cached: a corpus repeats its words)."""
    folded = word.translate(_FOLD).replace("ye", "e").replace("yo", "e")
    return folded, zlib.crc32(folded.encode())


def fold_words(text: str) -> list[str]:
    """The words of a post without links, hashtags, mentions, emoji and punctuation; case- and script-folded."""
    return [f for f, _ in map(_fold_word, _raw_words(text)) if f]


def content_words(words: Sequence[str]) -> frozenset[str]:
    """Words that carry the story: numbers and words of four letters or more (no particles or prepositions)."""
    return frozenset(w for w in words if len(w) >= 4 or w.isdigit())


def containment(a: frozenset, b: frozenset) -> float:
    """Share of the smaller set found in the larger one."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _numbers_in_context(words: Sequence[str]) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for i, word in enumerate(words):
        if not word.isdigit():
            continue
        if i > 0 and not words[i - 1].isdigit():
            found.setdefault(("before", words[i - 1]), set()).add(word)
        if i + 1 < len(words) and not words[i + 1].isdigit():
            found.setdefault(("after", words[i + 1]), set()).add(word)
    return found


def _same_number(x: str, y: str) -> bool:
    """Equal, or equal up to the thousands or millions a word spelt out ("26 тысяч" against "26000")."""
    return x == y or x in (y + "000", y + "000000") or y in (x + "000", x + "000000")


def numbers_conflict(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when two posts report different numbers: none in common, or different ones next to the same word.

    "450 ta oilaga" against "380 ta oilaga" is another delivery; a copy may drop numbers, or add a time
    its original spelt in words, as long as one number is shared.
    """
    numbers_a = {w for w in a if w.isdigit()}
    numbers_b = {w for w in b if w.isdigit()}
    if not numbers_a or not numbers_b:
        return False
    if not any(_same_number(x, y) for x in numbers_a for y in numbers_b):
        return True
    context_a, context_b = _numbers_in_context(a), _numbers_in_context(b)
    for key in context_a.keys() & context_b.keys():
        for x in context_a[key] - numbers_b:
            for y in context_b[key] - numbers_a:
                if not _same_number(x, y):
                    return True
    return False


@dataclass(frozen=True)
class Profile:
    """What the confirmation step needs of one post."""

    words: tuple[str, ...]
    content: frozenset[str]


def profile(text: str) -> Profile:
    """The words and content words of a post."""
    return _profile_of(fold_words(text))


def _profile_of(words: Sequence[str]) -> Profile:
    return Profile(tuple(words), content_words(words))


def _phrases(words: Sequence[str]) -> frozenset[int]:
    return frozenset(map(hash, zip(words, words[1:])))


def same_story(a: Profile, b: Profile) -> bool:
    """The confirmation rule for a candidate pair (time and source are checked by the caller)."""
    if len(a.words) < MIN_WORDS or len(b.words) < MIN_WORDS:
        return False
    if containment(a.content, b.content) < MIN_CONTAINMENT:
        return False
    if containment(_phrases(a.words), _phrases(b.words)) < MIN_PHRASE_CONTAINMENT:
        return False
    return not numbers_conflict(a.words, b.words)


def _pair_hashes(word_hashes: np.ndarray) -> np.ndarray:
    """32-bit hashes of consecutive word pairs (the shingles the sketch is made of), from word hashes."""
    mixed = (word_hashes[:-1] << np.uint64(32)) | word_hashes[1:]
    mixed ^= mixed >> np.uint64(29)
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(32)
    return mixed.astype(np.uint32)


def sketches(hashes: Sequence[np.ndarray]) -> np.ndarray:
    """One MinHash signature (NUM_PERM uint32 values) per post's shingle hashes, as rows of a matrix."""
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=int)
    empty = minhash.hashvalues
    signature = np.empty((len(hashes), NUM_PERM), dtype=np.uint32)
    for row, values in enumerate(hashes):
        # One MinHash reused: MinHash.bulk builds (and re-validates) a fresh one per post, which took half
        # the sketching time. update_batch replaces hashvalues with a new array, so `empty` stays empty.
        minhash.hashvalues = empty
        minhash.update_batch(values)
        signature[row] = minhash.hashvalues
    return signature


@lru_cache(maxsize=MAX_BUCKET)
def _far_pairs(size: int) -> np.ndarray:
    """Index pairs (i, j) with j > i + 1 in a bucket of this size; neighbours are linked separately."""
    return np.stack(np.triu_indices(size, k=2), axis=1)


def candidate_pairs(signature: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Pairs (i < j) of rows sharing a band of their signatures and published within WINDOW_SECONDS.

    The banding of datasketch's MinHashLSH, done on the whole matrix at once: each band key is tagged
    with the post's week and the next week, so only posts at most a window apart can meet
    (indexing and querying 100,000 posts in MinHashLSH with 64 bands takes ~20 s; this ~2 s).
    """
    n = len(signature)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    block = (seconds // WINDOW_SECONDS).astype(np.uint64)
    rows = np.concatenate([np.arange(n), np.arange(n)])
    tags = np.concatenate([block, block + np.uint64(1)]) * np.uint64(0x9E3779B97F4A7C15)
    wide = signature.astype(np.uint64)
    found = []
    for band in range(BANDS):
        start = band * ROWS
        key = (wide[:, start] << np.uint64(32)) | wide[:, start + 1]
        key = np.concatenate([key, key]) ^ tags
        order = np.argsort(key, kind="stable")
        key, members = key[order], rows[order]
        same = key[1:] == key[:-1]
        if not same.any():
            continue
        found.append(np.stack([members[:-1][same], members[1:][same]], axis=1))  # neighbours in a bucket
        # Buckets of three or more: every pair, unless the bucket is boilerplate.
        edges = np.diff(np.concatenate([[0], same.view(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        sizes = ends - starts + 1
        for s, size in zip(starts[(sizes > 2) & (sizes <= MAX_BUCKET)], sizes[(sizes > 2) & (sizes <= MAX_BUCKET)]):
            bucket = members[s:s + size]
            found.append(bucket[_far_pairs(int(size))])
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    codes = np.unique(pairs[:, 0] * n + pairs[:, 1])
    pairs = np.stack([codes // n, codes % n], axis=1)
    close = np.abs(seconds[pairs[:, 0]] - seconds[pairs[:, 1]]) <= WINDOW_SECONDS
    return pairs[close]


def near_duplicate_pairs(texts: Sequence[str], seconds: Sequence[float],
                         sources: Sequence[str | None]) -> list[tuple[int, int]]:
    """Index pairs of posts that tell the same story: within a week, from different sources, confirmed.

    ``sources`` are source ids; a source never near-duplicates itself (a channel's daily reports look
    alike), ``None`` means unknown.
    """
    eligible: list[int] = []  # posts long enough to compare, oldest first
    folded: list[str] = []  # one string per post: a list of words per post would cost ~10x the memory
    word_hashes: list[int] = []
    ends: list[int] = []
    for i in sorted(range(len(texts)), key=seconds.__getitem__):
        words = [w for w in map(_fold_word, _raw_words(texts[i])) if w[0]]
        if len(words) < MIN_WORDS:
            continue
        eligible.append(i)
        folded.append(" ".join(w for w, _ in words))
        word_hashes.extend(h for _, h in words[:LEAD_WORDS])
        ends.append(len(word_hashes))
    if len(eligible) < 2:
        return []
    # Pairs across the boundary of two posts are computed too, and left out by the slices below.
    pairs = _pair_hashes(np.array(word_hashes, dtype=np.uint64))
    starts = [0, *ends[:-1]]
    signature = sketches([pairs[start:end - 1] for start, end in zip(starts, ends)])
    del pairs, word_hashes
    times = np.asarray(seconds, dtype=np.int64)[eligible]

    # Candidates come sorted, each post meeting only posts of its week, so a small cache of profiles
    # holds all a pair needs.
    @lru_cache(maxsize=16384)
    def profile_at(k: int) -> Profile:
        return _profile_of(folded[k].split())

    result = []
    for a, b in candidate_pairs(signature, times).tolist():
        i, j = eligible[a], eligible[b]
        if sources[i] is not None and sources[i] == sources[j]:
            continue
        if same_story(profile_at(a), profile_at(b)):
            result.append((i, j))
    return result
