"""aggregate(db, config) -> AggregateReport: tag every changed post, then group duplicates."""

from __future__ import annotations

import hashlib
import json
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
from marathon.store import save_tags


@dataclass
class AggregateReport:
    tagged: int = 0
    duplicates: int = 0
    languages: Counter = field(default_factory=Counter)
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


def aggregate(db: sqlite_utils.Database, config: Config, retag: bool = False) -> AggregateReport:
    """Tag posts whose text or the campaign config changed since last time, then mark duplicates."""
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
    report.languages = Counter(r["lang"] for r in db.query("SELECT lang FROM posts"))
    report.seconds = time.perf_counter() - started
    return report
