"""Match posts to campaigns by hashtag and phrase, folding case, Unicode form and look-alike letters."""

from __future__ import annotations

import re
import unicodedata

from marathon.config import Campaign
from marathon.text import HASHTAG, find_hashtags

# Letters that look alike across scripts, folded to one form so #BIRGEMIZ, #Біргеміз and a
# Russian keyboard's "Биргемиз" meet; ё/е and Kazakh letters typed with their Russian stand-ins.
LOOKALIKES = str.maketrans({
    "і": "и", "i": "и", "ı": "и", "ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у",
    "һ": "х", "ў": "у", "ҳ": "х", "ʻ": "'", "ʼ": "'", "‘": "'", "’": "'", "`": "'",
    "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "k": "к", "l": "л", "m": "м", "n": "н",
    "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "c": "ц", "y": "ы", "x": "кс",
    "j": "ж", "q": "к", "w": "в", "ə": "а",
})


def fold(value: str) -> str:
    """A matching key: NFKC, case-folded, look-alike letters merged, separators dropped."""
    value = unicodedata.normalize("NFKC", value).casefold()
    value = value.translate(LOOKALIKES)
    return re.sub(r"[\s_\-'.]+", "", value)


def _phrase_form(value: str) -> str:
    """Running text for phrase matching: case-folded, ё as е, one apostrophe, single spaces."""
    value = unicodedata.normalize("NFKC", value).casefold().replace("ё", "е")
    value = re.sub(r"[ʻʼ‘’`]", "'", value)
    return " ".join(value.split())


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in order of appearance, without '#', each once."""
    return find_hashtags(text)


class CampaignMatcher:
    """Built once per run from the config's campaigns."""

    def __init__(self, campaigns: tuple[Campaign, ...] | list[Campaign]):
        self.by_tag: dict[str, list[str]] = {}
        self.phrases: list[tuple[re.Pattern, str]] = []
        for campaign in campaigns:
            for tag in campaign.hashtags:
                self.by_tag.setdefault(fold(tag), []).append(campaign.slug)
            for phrase in campaign.phrases:
                pattern = r"(?<!\w)" + re.escape(_phrase_form(phrase)) + r"(?!\w)"
                self.phrases.append((re.compile(pattern), campaign.slug))

    def match(self, text: str, hashtags: list[str]) -> list[str]:
        """Campaign slugs of a post, in config order of first match."""
        found: list[str] = []
        for tag in hashtags:
            for slug in self.by_tag.get(fold(tag), []):
                if slug not in found:
                    found.append(slug)
        normalized = _phrase_form(HASHTAG.sub(" ", text or ""))
        for pattern, slug in self.phrases:
            if slug not in found and pattern.search(normalized):
                found.append(slug)
        return found
