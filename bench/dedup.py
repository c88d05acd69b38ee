"""Dedup benchmark: quality on the labelled cross-posts of bench/dedup/*.toml, speed on 100,000 synthetic posts.

Prints pairwise precision and recall of `aggregator.dedup.group_duplicates` on the eval split (and the
tune split the thresholds were chosen on), the recall on the demo's own `cross_post_of` pairs, then the
time and peak memory to group N synthetic posts made from the demo texts with ~10% cross-posts.
Run: .venv/bin/python bench/dedup.py [--posts 100000] [--seed 1] [--split eval]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import resource
import sys
import time
import tomllib
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aggregator import similarity  # noqa: E402
from aggregator.dedup import group_duplicates  # noqa: E402
from marathon.demo.content import all_demo_posts  # noqa: E402

LABELLED = Path(__file__).resolve().parent / "dedup"


def _utc(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def labelled_posts(split: str | None) -> list[dict]:
    """Posts of the labelled families (all, or one split), each with its family, story and language."""
    posts = []
    for path in sorted(LABELLED.glob("*.toml")):
        with path.open("rb") as fh:
            families = tomllib.load(fh)["family"]
        for family in families:
            if split and family["split"] != split:
                continue
            for post in family["post"]:
                stamp = post["time"] if "T" in post["time"] else f"{family['date']}T{post['time']}"
                published = datetime.fromisoformat(stamp + family["offset"])
                key = f"{family['id']}-{post['story']}-{post['platform']}"
                posts.append({"id": key, "family": family["id"], "story": post["story"], "lang": path.stem,
                              "source_id": f"{family['org']}-{post['platform']}", "platform": post["platform"],
                              "url": f"https://{family['org']}.example/{post['platform']}/{key}",
                              "text": post["text"].strip(), "published_utc": _utc(published)})
    return posts


def grouped_pairs(duplicates: dict[str, str], ids: list[str]) -> set[frozenset[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for post_id in ids:
        groups[duplicates.get(post_id, post_id)].append(post_id)
    return {frozenset(p) for members in groups.values() for p in itertools.combinations(members, 2)}


def score(posts: list[dict], use_sources: bool = True) -> dict:
    """Pairwise precision/recall of one grouping run over all the given posts together."""
    rows = [dict(p, source_id=p["source_id"] if use_sources else None) for p in posts]
    predicted = grouped_pairs(group_duplicates(rows), [p["id"] for p in posts])
    by_id = {p["id"]: p for p in posts}
    truth = {frozenset((a["id"], b["id"])) for a, b in itertools.combinations(posts, 2)
             if a["family"] == b["family"] and a["story"] == b["story"]}
    lookalikes = sum(1 for a, b in itertools.combinations(posts, 2) if a["family"] == b["family"] and a["story"] != b["story"])
    hits = predicted & truth
    wrong = sorted(tuple(sorted(p)) for p in predicted - truth)
    missed = sorted(tuple(sorted(p)) for p in truth - predicted)
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pair in truth:
        lang = by_id[next(iter(pair))]["lang"]
        per_lang[lang][1] += 1
        per_lang[lang][0] += pair in predicted
    return {"precision": len(hits) / len(predicted) if predicted else 1.0, "recall": len(hits) / len(truth),
            "duplicate_pairs": len(truth), "lookalike_pairs": lookalikes, "wrong": wrong, "missed": missed,
            "per_lang": dict(sorted(per_lang.items()))}


def score_pairs_alone(posts: list[dict]) -> tuple[float, float]:
    """Precision/recall when each labelled pair is grouped on its own: no help from a third copy."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(posts, 2):
        if a["family"] != b["family"]:
            continue
        grouped = bool(group_duplicates([a, b]))
        same = a["story"] == b["story"]
        tp += grouped and same
        fp += grouped and not same
        fn += same and not grouped
    return tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn)


def score_without_numbers(posts: list[dict]) -> dict:
    """The grouping without the numbers check, to show what it adds."""
    check = similarity.numbers_conflict
    similarity.numbers_conflict = lambda a, b: False
    try:
        return score(posts)
    finally:
        similarity.numbers_conflict = check


def report_quality(split: str) -> None:
    for name in ("tune", split) if split != "tune" else ("tune",):
        posts = labelled_posts(name)
        for use_sources in (True, False):
            result = score(posts, use_sources)
            label = "" if use_sources else "  (source rule off: similarity alone)"
            print(f"labelled {name:5}: precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
                  f"({result['duplicate_pairs']} duplicate pairs, {result['lookalike_pairs']} look-alike pairs, "
                  f"{len(posts)} posts){label}")
            if use_sources:
                print("    recall by language: " + "  ".join(f"{k} {h}/{n}" for k, (h, n) in result["per_lang"].items()))
            for a, b in result["wrong"]:
                print(f"    wrongly grouped: {a} + {b}")
            for a, b in result["missed"]:
                print(f"    missed: {a} + {b}")
        precision, recall = score_pairs_alone(posts)
        print(f"    each pair grouped alone (no third copy to link through): precision {precision:.3f}  recall {recall:.3f}")
        result = score_without_numbers(posts)
        print(f"    without the numbers check: precision {result['precision']:.3f}  recall {result['recall']:.3f}")


def report_demo() -> None:
    demo = all_demo_posts()
    rows = [{"id": f"{p.source_id}:{p.id}", "source_id": p.source_id, "platform": p.source_id.rsplit("-", 1)[-1],
             "url": f"https://demo.example/{p.source_id}/{p.id}", "text": p.text, "published_utc": _utc(p.date)}
            for p in demo]
    duplicates = group_duplicates(rows)
    planted = {frozenset((f"{p.source_id}:{p.id}", p.cross_post_of)) for p in demo if p.cross_post_of}
    predicted = grouped_pairs(duplicates, [r["id"] for r in rows])
    print(f"demo cross_post_of pairs: {len(planted & predicted)}/{len(planted)} grouped, "
          f"{len(predicted - planted)} other pairs grouped among {len(rows)} demo posts")


# --- synthetic corpus ---------------------------------------------------------------------------

EMOJI = "🔥🙏❤️💙🎉📢👉✅📦💊🤝🌍👏🎓📺☎️🧺🌷"
MORE = {"ru": "Подробнее на сайте.", "kk": "Толығырақ сайтта.", "ky": "Кененирээк сайтта.", "uz": "Batafsil saytda.",
        "az": "Ətraflı saytımızda.", "hy": "Մանրամասները՝ կայքում։", "hi": "पूरी जानकारी वेबसाइट पर।",
        "en": "More on our website."}
HASHTAGS = ["#МыВместе", "#WeAreTogether", "#BIRGEMIZ", "#Біргеміз", "#ВМЕСТЕ", "#SaxovatVaKomak", "#БизБиргебиз",
            "#BizBirlikdəyik", "#ՄենքՄիասինԵնք", "#हमसाथहैं", "#МыВместеOnline", "#волонтеры"]
SENTENCE = re.compile(r"(?<=[.!?։।])\s+")
WORD = re.compile(r"\S+")
PLATFORMS = ["website", "rss", "telegram", "vk", "mastodon", "bluesky", "youtube"]


def _mutate(sentence: str, vocabulary: list[str], rng: random.Random, rate: float, numbers: bool = True) -> str:
    """Replace words at random (and every number, unless told not to): another story in the same words."""
    out = []
    for word in WORD.findall(sentence):
        if word[0].isdigit() and numbers:
            out.append(str(rng.randint(2, 5000)))
        elif rng.random() < rate:
            out.append(rng.choice(vocabulary))
        else:
            out.append(word)
    return " ".join(out)


def _splice(sentences: list[str], rng: random.Random) -> str:
    """The start of one demo sentence and the end of another: the Hindi demo has only ~40 sentences."""
    head, tail = rng.choice(sentences).split(), rng.choice(sentences).split()
    return " ".join(head[:rng.randint(2, max(2, len(head) - 2))] + tail[rng.randint(1, len(tail) - 2):])


def synthetic_posts(count: int, seed: int) -> tuple[list[dict], set[frozenset[str]]]:
    """Posts of 100 organizations on six platforms over 2020-2026 (half in the spring 2020 peak); ~10% cross-posts.

    An original is sentences spliced from two demo sentences of its language (4-10 on websites and
    feeds, 2-4 elsewhere) with a third of the words swapped, so stories share phrasing the way one campaign's posts do (two unrelated
    posts become LSH candidates about as often as two unrelated demo posts: ~1.5%). A cross-post keeps the
    first 1-3 sentences, adds emoji, changes hashtags, link and a word or two. About 1% are re-crawls of
    a URL with tracking parameters.
    """
    rng = random.Random(seed)
    sentences: dict[str, list[str]] = defaultdict(list)
    vocabulary: dict[str, list[str]] = defaultdict(list)
    for post in all_demo_posts():
        for paragraph in post.paragraphs:
            sentences[post.lang].extend(s for s in SENTENCE.split(paragraph) if len(s.split()) >= 4)
        vocabulary[post.lang].extend(w for w in WORD.findall(post.text) if w.isalpha())
    langs = sorted(sentences)
    orgs = [(f"org{i}", rng.choice(langs)) for i in range(100)]
    start, peak = datetime(2020, 1, 1, tzinfo=timezone.utc), datetime(2020, 3, 15, tzinfo=timezone.utc)
    posts: list[dict] = []
    planted: set[frozenset[str]] = set()
    while len(posts) < count:
        org, lang = rng.choice(orgs)
        platform = rng.choice(["website", "rss", "telegram", "telegram", "vk", "mastodon"])
        when = (peak + timedelta(seconds=rng.uniform(0, 92 * 86400)) if rng.random() < 0.5
                else start + timedelta(seconds=rng.uniform(0, 6.8 * 365 * 86400)))
        length = rng.randint(4, 10) if platform in ("website", "rss") else rng.randint(2, 4)
        story = [_mutate(_splice(sentences[lang], rng), vocabulary[lang], rng, 0.35) for _ in range(length)]
        pid = f"p{len(posts)}"
        text = " ".join(story) + " " + " ".join(rng.sample(HASHTAGS, 2))
        posts.append({"id": pid, "source_id": f"{org}-{platform}", "platform": platform,
                      "url": f"https://{org}.example/{platform}/{pid}", "text": text, "published_utc": _utc(when)})
        if rng.random() < 0.11:  # a cross-post of this story on another platform of the same organization
            other = rng.choice([p for p in PLATFORMS if p != platform])
            kept = story[:rng.randint(1, min(3, len(story)))]
            if len(" ".join(kept).split()) < 10:
                kept = story[:2]
            copy = _mutate(" ".join(kept), vocabulary[lang], rng, 0.04, numbers=False)
            if rng.random() < 0.5:
                copy += " " + MORE[lang]
            copy = f"{rng.choice(EMOJI)} {copy} {rng.choice(EMOJI)} {rng.choice(HASHTAGS)} https://{org}.example/{pid}"
            cid = f"c{len(posts)}"
            posts.append({"id": cid, "source_id": f"{org}-{other}", "platform": other,
                          "url": f"https://{org}.example/{other}/{cid}", "text": copy,
                          "published_utc": _utc(when + timedelta(minutes=rng.uniform(5, 2 * 24 * 60)))})
            planted.add(frozenset((pid, cid)))
        if rng.random() < 0.01:  # the same post crawled again through a tracking link
            rid = f"r{len(posts)}"
            posts.append(dict(posts[-1], id=rid, url=posts[-1]["url"] + "/?utm_source=tg"))
            planted.add(frozenset((posts[-2]["id"], rid)))
    return posts[:count], planted


def report_speed(count: int, seed: int) -> None:
    posts, planted = synthetic_posts(count, seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    duplicates = group_duplicates(posts)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ids = {p["id"] for p in posts}
    planted = {p for p in planted if p <= ids}
    predicted = grouped_pairs(duplicates, [p["id"] for p in posts])
    story_of = {post_id: post_id for post_id in ids}  # a re-crawl of a cross-post belongs to its original too
    for pair in sorted(planted, key=lambda pair: max(int(i[1:]) for i in pair)):
        a, b = sorted(pair, key=lambda i: int(i[1:]))
        story_of[b] = story_of[a]
    print(f"synthetic: {count} posts ({len(planted)} planted duplicate pairs) grouped in {seconds:.1f} s; "
          f"peak RSS {rss_after:.0f} MiB ({rss_before:.0f} MiB before grouping)")
    strays = {post_id for pair in predicted for post_id in pair if len({story_of[i] for i in pair}) > 1}
    largest = max(Counter(duplicates.values()).values(), default=0) + 1
    print(f"    planted pairs grouped: {len(planted & predicted)}/{len(planted)}; posts grouped with another story: "
          f"{len(strays)} (synthetic stories that share spliced sentences); largest group {largest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--split", choices=["tune", "eval"], default="eval")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    report_quality(args.split)
    report_demo()
    if not args.skip_speed:
        report_speed(args.posts, args.seed)


if __name__ == "__main__":
    main()
