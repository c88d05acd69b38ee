"""Atom feeds per locale, written with the standard library's XML writer (escaping done right)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.sax.saxutils import XMLGenerator

from jinja2 import Environment

from marathon.model import Post
from site_builder.plan import PostRef, SitePlan
from site_builder.routes import path_for

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(title: str, feed_url: str, site_url: str, posts: list[Post], post_url, locale: str) -> bytes:
    """An Atom 1.0 document of ``posts`` (newest first); ``post_url(post)`` gives each entry's link."""
    import io

    buffer = io.StringIO()
    xml = XMLGenerator(buffer, "utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("feed", {"xmlns": ATOM, "xml:lang": locale})

    def element(name: str, text: str, attrs: dict | None = None) -> None:
        xml.startElement(name, attrs or {})
        xml.characters(text)
        xml.endElement(name)

    updated = max((p.published for p in posts), default=datetime(2020, 1, 1, tzinfo=timezone.utc))
    element("title", title)
    element("id", feed_url)
    element("updated", updated.isoformat())
    xml.startElement("link", {"rel": "self", "href": feed_url}); xml.endElement("link")
    xml.startElement("link", {"rel": "alternate", "href": site_url}); xml.endElement("link")
    for post in posts:
        xml.startElement("entry", {})
        link = post_url(post)
        element("id", link)
        element("title", post.title or post.text[:90])
        xml.startElement("link", {"rel": "alternate", "href": link}); xml.endElement("link")
        element("published", post.published.isoformat())
        element("updated", post.published.isoformat())
        xml.startElement("author", {})
        element("name", post.author or post.organization or post.source_id)
        xml.endElement("author")
        for tag in post.hashtags:
            xml.startElement("category", {"term": tag}); xml.endElement("category")
        element("content", post.html or post.text, {"type": "html" if post.html else "text"})
        xml.endElement("entry")
    xml.endElement("feed")
    xml.endDocument()
    return buffer.getvalue().encode("utf-8")


FEED_SIZE = 50


@dataclass
class FeedSpec:
    """A feed as planned: what it lists, not yet its title (names of countries come from CLDR data,
    loaded only where a feed is written)."""

    path: str
    page_path: str
    kind: str  # "site", "country" or "campaign"
    key: str  # the country code or campaign slug
    locale: str
    post_ids: list[str]
    links: dict[str, str] = field(default_factory=dict)  # post id -> its page's path for this locale

    def signature(self, fingerprint: str, plan: SitePlan) -> str:
        versions = [(i, plan.by_id[i].version) for i in self.post_ids]
        blob = json.dumps([fingerprint, self.path, self.kind, self.key, versions, self.links], ensure_ascii=False)
        return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


def feed_title(feed: FeedSpec, env: Environment) -> str:
    """'marathon', 'Қазақстан — marathon', '#МыВместе — marathon' in the feed's locale."""
    title = env.globals["site_title"]
    if feed.kind == "country":
        return f"{env.filters['country_name'](feed.key)} — {title}"
    if feed.kind == "campaign":
        return f"{env.globals['campaign_name'](feed.key)} — {title}"
    return title


def feed_specs(plan: SitePlan, locales: tuple[str, ...]) -> list[FeedSpec]:
    """Atom feeds per locale: the whole site, each country, each campaign (50 newest each)."""
    specs = []
    for locale in locales:
        lists: list[tuple[str, str, list[PostRef]]] = [("site", "", plan.posts)]
        lists += [("country", code, refs) for code, refs in plan.countries.items()]
        lists += [("campaign", slug, refs) for slug, refs in plan.campaigns.items() if refs]
        for kind, key, refs in lists:
            feed_path = path_for("feed" if kind == "site" else f"{kind}-feed", locale, key)
            page_path = path_for("home" if kind == "site" else kind, locale, key)
            newest = refs[:FEED_SIZE]
            specs.append(FeedSpec(feed_path, page_path, kind, key, locale, [r.id for r in newest],
                                  {r.id: plan.post_path(r, locale) for r in newest}))
    return specs
