"""Atom feeds per locale, written with the standard library's XML writer (escaping done right)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.sax.saxutils import XMLGenerator

from marathon.config import Config
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
    path: str
    page_path: str
    title: str
    locale: str
    refs: list[PostRef]
    links: dict[str, str] = field(default_factory=dict)

    def signature(self, fingerprint: str) -> str:
        blob = json.dumps([fingerprint, self.path, self.title, [(r.id, r.version) for r in self.refs], self.links],
                          ensure_ascii=False)
        return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


def feed_specs(plan: SitePlan, config: Config, environments: dict) -> list[FeedSpec]:
    """Atom feeds per locale: the whole site, each country, each campaign (50 newest each)."""
    specs = []
    for locale in config.site.locales:
        env = environments[locale]
        title = env.globals["site_title"]
        country_name, campaign_name = env.filters["country_name"], env.globals["campaign_name"]
        specs.append(FeedSpec(path_for("feed", locale), path_for("home", locale), title, locale, plan.posts))
        specs += [FeedSpec(path_for("country-feed", locale, code), path_for("country", locale, code),
                           f"{country_name(code)} — {title}", locale, refs) for code, refs in plan.countries.items()]
        specs += [FeedSpec(path_for("campaign-feed", locale, slug), path_for("campaign", locale, slug),
                           f"{campaign_name(slug)} — {title}", locale, refs)
                  for slug, refs in plan.campaigns.items() if refs]
    for spec in specs:
        spec.refs = spec.refs[:FEED_SIZE]
        spec.links = {r.id: plan.post_path(r, spec.locale) for r in spec.refs}
    return specs
