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


_SKIPPED = {"script", "style", "noscript", "template"}


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: paragraphs kept as blank-line breaks, whitespace folded."""
    from lxml import etree, html as lxml_html

    if not html or "<" not in html:
        return "\n\n".join(" ".join(p.split()) for p in (html or "").split("\n\n") if p.strip())
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html_to_text(re.sub(r"<[^>]*>", " ", html).replace("<", " "))
    parts: list[str] = []
    skipping = 0
    # iterwalk, not recursion: hostile posts may nest thousands of elements deep.
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _SKIPPED:
                skipping += 1
            elif not skipping:
                if tag == "br":
                    parts.append("\n")
                elif tag in _BLOCKS:
                    parts.append("\n\n")
                if element.text and tag:
                    parts.append(element.text)
        else:
            if tag in _SKIPPED:
                skipping -= 1
            elif not skipping and tag in _BLOCKS and tag != "br":
                parts.append("\n\n")
            if element.tail and not skipping and element is not root:
                parts.append(element.tail)
    paragraphs = []
    for block in "".join(parts).split("\n\n"):
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
