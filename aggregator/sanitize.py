"""Sanitize post HTML with nh3 (Ammonia): only formatting and safe links survive."""

from __future__ import annotations

import nh3

from marathon.text import html_to_text

ALLOWED_TAGS = {"p", "br", "a", "b", "strong", "i", "em", "u", "s", "blockquote", "code", "pre", "ul", "ol", "li",
                "h2", "h3", "h4", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitize_html(html: str) -> str:
    """HTML safe to publish: no scripts, styles, event handlers, iframes or images (media are listed apart)."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener ugc",
                     strip_comments=True).strip()


def plain_text(html: str) -> str:
    return html_to_text(sanitize_html(html))
