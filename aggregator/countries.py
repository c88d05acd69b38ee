"""Country of a post: its source's country (issue #5 adds content-based tagging for multi-country sources)."""

from __future__ import annotations


def post_countries(source_country: str | None, given: str | None = None) -> list[str]:
    """Countries of a post, main one first."""
    main = given or source_country
    return [main] if main else []
