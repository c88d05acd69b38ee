"""Decode what servers send, including Cyrillic pages whose charset label lies."""

from __future__ import annotations

import re

# Legacy Cyrillic encodings still served by older Russian and Central Asian sites.
FALLBACKS = ("cp1251", "koi8_r")


def _lowercase_share(text: str) -> float:
    """Real Cyrillic prose is mostly lowercase; the wrong legacy codec flips most letters' case."""
    cyrillic = [c for c in text if "\u0400" <= c <= "\u04ff"]
    if not cyrillic:
        return 0.0
    return sum(c.islower() for c in cyrillic) / len(cyrillic)


def decode_body(body: bytes, declared: str | None = None) -> str:
    """Text of a response: the declared charset when the bytes fit it, else the best legacy codec."""
    declared = (declared or "").lower().replace("-", "").replace("_", "")
    if declared in ("cp1251", "windows1251", "koi8r"):
        # Single-byte codecs decode any bytes: judge the result instead of trusting the label.
        candidates = [body.decode(codec, errors="replace") for codec in FALLBACKS]
        return max(candidates, key=_lowercase_share)
    for codec in ([declared] if declared else []) + ["utf-8"]:
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    candidates = [body.decode(codec, errors="replace") for codec in FALLBACKS]
    return max(candidates, key=_lowercase_share)


def utf8_xml(body: bytes) -> bytes:
    """An XML document re-encoded as UTF-8 if its bytes are not what it claims (e.g. cp1251 labelled UTF-8)."""
    declared = re.search(rb'encoding=["\']([\w.-]+)["\']', body[:200])
    codec = declared.group(1).decode("ascii", "replace") if declared else "utf-8"
    try:
        body.decode(codec)
        return body
    except (UnicodeDecodeError, LookupError):
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", decode_body(body, None))
        return ('<?xml version="1.0" encoding="utf-8"?>' + text).encode("utf-8")
