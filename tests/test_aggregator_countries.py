"""Countries named in a post's text, in the eight languages, for multi-country sources."""

from __future__ import annotations

import pytest

from aggregator.countries import CountryMatcher, post_countries
from marathon.config import bundled_path, load_config


@pytest.fixture(scope="module")
def matcher() -> CountryMatcher:
    return CountryMatcher(load_config(bundled_path("marathon.toml")).countries)


@pytest.mark.parametrize("text, codes", [
    ("Молодёжь России, Казахстана и Кыргызстана провела марафон", ["RU", "KZ", "KG"]),
    ("Қазақстан мен Өзбекстан жастары бірге", ["KZ", "UZ"]),
    ("Oʻzbekiston va Qozogʻiston yoshlari", ["UZ", "KZ"]),
    ("O'zbekiston yoshlari", ["UZ"]),
    ("Azərbaycan və Ermənistan könüllüləri", ["AZ", "AM"]),
    ("Հայաստանի և Ռուսաստանի երիտասարդները", ["AM", "RU"]),
    ("भारत और कज़ाखस्तान के युवा", ["IN", "KZ"]),
    ("भारत और कजाखस्तान के युवा", ["IN", "KZ"]),
    ("Youth of India, Armenia and Azerbaijan joined", ["IN", "AM", "AZ"]),
])
def test_country_names_in_each_language_and_their_inflections_are_found(matcher, text, codes):
    assert matcher.find(text) == codes


def test_capitals_and_demonyms_from_config_count(matcher):
    assert matcher.find("Волонтёры из Бишкека и казахстанские студенты") == ["KG", "KZ"]


def test_a_name_inside_another_word_does_not_count(matcher):
    assert matcher.find("Индивидуальный подход к каждому, ошибки исправлены") == []


def test_a_multi_country_source_gets_the_countries_its_post_names_main_first():
    assert post_countries("RU", None, ["KZ", "KG"], from_content=True) == ["KZ", "KG"]


def test_a_multi_country_post_naming_no_country_keeps_the_source_country():
    assert post_countries("RU", None, [], from_content=True) == ["RU"]


def test_an_ordinary_source_ignores_countries_named_in_its_posts():
    assert post_countries("KZ", None, ["RU"], from_content=False) == ["KZ"]
