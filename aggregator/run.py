"""aggregate(db, config) -> AggregateReport: tag every changed post, group duplicates, apply curation."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from aggregator.campaigns import CampaignMatcher, extract_hashtags
from aggregator.countries import CountryMatcher, post_countries
from aggregator.dedup import group_duplicates
from aggregator.language import detect_languages
from aggregator.sanitize import plain_text, sanitize_html
from marathon.config import Config
from marathon.curation import Curation
from marathon.store import apply_curation, save_tags

log = logging.getLogger(__name__)


@dataclass
class AggregateReport:
    tagged: int = 0
    duplicates: int = 0
    languages: Counter = field(default_factory=Counter)
    featured: int = 0
    hidden: int = 0
    curation_missing: list[str] = field(default_factory=list)  # ids the curation file names, not in the store
    seconds: float = 0.0


def _config_digest(config: Config) -> str:
    campaigns = [(c.slug, c.hashtags, c.phrases) for c in config.campaigns]
    countries = sorted((code, list(aliases)) for code, aliases in config.countries.items())
    return hashlib.sha1(json.dumps([campaigns, countries], ensure_ascii=False).encode()).hexdigest()[:10]


def tag_post(row: dict, source_country: str | None, organization: str | None, matcher: CampaignMatcher,
             countries: CountryMatcher | None = None, from_content: bool = False) -> dict:
    """The tag columns of one stored post row."""
    manual = set(json.loads(row.get("manual_tags") or "[]"))
    html = sanitize_html(row.get("html") or "") if row.get("html") else ""
    text = plain_text(html) if html else (row.get("text") or "")
    hashtags = list(dict.fromkeys(json.loads(row.get("hashtags") or "[]") + extract_hashtags(text)))
    tags: dict = {"id": row["id"], "html": html, "text": text, "hashtags": hashtags}
    if "lang" not in manual:
        tags["lang"], tags["also_langs"] = detect_languages((row.get("title") or "") + "\n\n" + text, row.get("lang_hint"))
    mentioned = countries.find((row.get("title") or "") + "\n" + text) if countries and from_content else []
    given = row.get("country") if "country" in manual else None
    tags["countries"] = post_countries(source_country or row.get("country"), given, mentioned, from_content)
    if "country" not in manual:
        tags["country"] = tags["countries"][0] if tags["countries"] else None
    if "campaigns" not in manual:
        tags["campaigns"] = matcher.match((row.get("title") or "") + "\n" + text, hashtags)
    if organization and not row.get("organization"):
        tags["organization"] = organization
    return tags


def aggregate(db: sqlite_utils.Database, config: Config, retag: bool = False,
              curation: Curation | None = None) -> AggregateReport:
    """Tag posts whose text or the campaign config changed since last time, then mark duplicates.

    With ``curation``, the store's featured and hidden posts become exactly the file's; without it
    they are left as they are.
    """
    started = time.perf_counter()
    report = AggregateReport()
    matcher = CampaignMatcher(config.campaigns)
    digest = _config_digest(config)
    countries = CountryMatcher(config.countries)
    sources = {r["id"]: r for r in db.query(
        "SELECT s.id, s.country, s.country_from_content, o.name AS organization "
        "FROM sources s LEFT JOIN organizations o ON o.id = s.organization_id")}
    batch = []
    for row in db.query("SELECT * FROM posts"):
        stamp = f"{row['content_hash']}:{digest}"
        if not retag and row.get("tagged_hash") == stamp:
            continue
        source = sources.get(row["source_id"], {})
        tags = tag_post(row, source.get("country"), source.get("organization"), matcher, countries,
                        bool(source.get("country_from_content")))
        tags["tagged_hash"] = stamp
        batch.append(tags)
    report.tagged = save_tags(db, batch)
    duplicates = group_duplicates(db.query("SELECT id, source_id, url, text, platform, published_utc FROM posts"))
    with db.conn:
        db.execute("UPDATE posts SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL")
        for post_id, shown in duplicates.items():
            db.execute("UPDATE posts SET duplicate_of = ? WHERE id = ?", [shown, post_id])
    report.duplicates = len(duplicates)
    if curation is not None:
        report.curation_missing = apply_curation(db, curation)
        report.featured, report.hidden = len(curation.featured), len(curation.hidden)
        for post_id in report.curation_missing:
            # Not fatal: the post may not be crawled yet; it is curated once it arrives.
            log.warning("%s: post %s is not in the store (not crawled yet, or a typo?)", curation.path, post_id)
    report.languages = Counter(r["lang"] for r in db.query("SELECT lang FROM posts"))
    report.seconds = time.perf_counter() - started
    return report
