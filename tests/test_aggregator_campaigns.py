"""Campaign matching across spellings and scripts; hashtag extraction."""

from __future__ import annotations

import pytest

from aggregator.campaigns import CampaignMatcher, extract_hashtags
from marathon.config import bundled_path, load_config


@pytest.fixture(scope="module")
def matcher() -> CampaignMatcher:
    return CampaignMatcher(load_config(bundled_path("marathon.toml")).campaigns)


@pytest.mark.parametrize("tag, slug", [
    ("#МыВместе", "we-are-together"), ("#мывместе", "we-are-together"), ("#WeAreTogether", "we-are-together"),
    ("#wearetogether", "we-are-together"), ("#МЫВМЕСТЕ", "we-are-together"), ("#ВМЕСТЕ", "birgemiz"),
    ("#BIRGEMIZ", "birgemiz"), ("#Біргеміз", "birgemiz"), ("#Биргемиз", "birgemiz"), ("#birgemiz", "birgemiz"),
    ("#СаховатВаКўмак", "kindness-and-support"), ("#SaxovatVaKomak", "kindness-and-support"),
])
def test_every_spelling_of_a_campaign_hashtag_lands_on_its_campaign(matcher, tag, slug):
    text = f"Волонтёры помогли пожилым людям. {tag}"
    assert matcher.match(text, extract_hashtags(text)) == [slug]


def test_a_campaign_phrase_in_running_text_counts(matcher):
    assert matcher.match("Спасибо всем: мы вместе!", []) == ["we-are-together"]
    assert matcher.match("Saxovat va koʻmak harakati davom etmoqda", []) == ["kindness-and-support"]


def test_a_phrase_inside_another_word_does_not_count(matcher):
    assert matcher.match("Мы вместено", []) == []


def test_unrelated_hashtags_match_nothing(matcher):
    assert matcher.match("#волонтёры #Курск", ["волонтёры", "Курск"]) == []


def test_hashtags_are_extracted_once_each_in_order():
    assert extract_hashtags("#МыВместе и #BIRGEMIZ, снова #МыВместе; a#b не тег") == ["МыВместе", "BIRGEMIZ"]
