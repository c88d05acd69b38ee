"""URL helpers shared by spiders and API clients."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` set, keeping its own query (httpx 0.28's ``params=`` would replace it)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    # ':' '@' ',' '*' stay readable (Bluesky DIDs such as did:plc:abc, masked tokens).
    return urlunsplit(parts._replace(query=urlencode(query + list(params.items()), safe=":@,*")))
