"""Small text helpers shared by the stages."""

from __future__ import annotations

import re
import unicodedata


def slugify(value: str) -> str:
    """A lowercase ASCII-and-letters slug, keeping non-Latin letters (URLs are UTF-8)."""
    value = unicodedata.normalize("NFKC", value).casefold()
    value = re.sub(r"[^\w]+", "-", value, flags=re.UNICODE).strip("-_")
    return value or "item"


_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "figure", "section", "article"}


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: paragraphs kept as blank-line breaks, whitespace folded."""
    from bs4 import BeautifulSoup

    if not html or "<" not in html:
        return "\n\n".join(" ".join(p.split()) for p in (html or "").split("\n\n") if p.strip())
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    raw = soup.get_text()
    paragraphs = []
    for block in raw.split("\n\n"):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


# A hashtag's word: letters, digits, '_' and the combining marks that \w leaves out, which
# Devanagari vowel signs and viramas are (#हमसाथहैं would stop at its first vowel sign).
HASHTAG = re.compile(r"(?<![\w#&])#([\w\u0300-\u036f\u0483-\u0489\u0900-\u0963\u0966-\u097f\u200c\u200d]+)")


def find_hashtags(text: str) -> list[str]:
    """Hashtags in order of first appearance, without '#', each once."""
    return list(dict.fromkeys(HASHTAG.findall(text or "")))
