"""Config loading: valid files load, every mistake is reported with file, line and a hint."""

from __future__ import annotations

import pytest

from marathon.config import bundled_path, load_config, load_sources
from marathon.errors import ConfigError

GOOD = '''
[[source]]
id = "kz-nvn-web"
name = "National Volunteer Network"
organization = "National Volunteer Network"
country = "KZ"
platform = "website"
url = "http://127.0.0.1:8765/nvn/news/"
'''


def write(tmp_path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_demo_sources_and_config_load():
    sources = load_sources(bundled_path("sources.toml"))
    assert {s.country for s in sources} == {"RU", "KZ", "KG", "UZ", "AZ", "AM", "IN"}
    assert {c.slug for c in load_config(bundled_path("marathon.toml")).campaigns} >= {"we-are-together", "birgemiz"}


def test_a_valid_source_loads_with_its_defaults(tmp_path):
    (source,) = load_sources(write(tmp_path, GOOD))
    assert (source.id, source.country, source.platform, source.max_pages) == ("kz-nvn-web", "KZ", "website", 20)


def test_a_misspelt_platform_names_the_line_and_suggests_the_right_one(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_sources(write(tmp_path, GOOD.replace('"website"', '"websit"')))
    assert str(err.value) == (f"{tmp_path / 'sources.toml'}:7: platform: expected one of rss, website, telegram, "
                              "youtube, mastodon, bluesky, vk, got 'websit'; did you mean 'website'?")


def test_an_unknown_key_is_refused_with_a_hint(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.toml:9: contry: unknown key in \[\[source\]\]; did you mean 'country'\?"):
        load_sources(write(tmp_path, GOOD + 'contry = "KZ"\n'))


def test_a_missing_required_key_names_the_table_line(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.toml:2: url: missing required key"):
        load_sources(write(tmp_path, GOOD.replace('url = "http://127.0.0.1:8765/nvn/news/"\n', "")))


def test_an_unknown_country_code_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r":6: country: expected an ISO 3166-1 alpha-2 code"):
        load_sources(write(tmp_path, GOOD.replace('"KZ"', '"Kazakhstan"')))


def test_a_toml_syntax_error_gives_line_and_column(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.toml:4:\d+: invalid TOML"):
        load_sources(write(tmp_path, GOOD.replace('name = "National Volunteer Network"', 'name = "unterminated')))


def test_duplicate_source_ids_are_refused_naming_both_lines(tmp_path):
    with pytest.raises(ConfigError, match=r":11: id: duplicate source id 'kz-nvn-web' \(first at line 3\)"):
        load_sources(write(tmp_path, GOOD + GOOD))


def test_a_missing_file_is_reported_as_such(tmp_path):
    with pytest.raises(ConfigError, match="nothing.toml: file not found"):
        load_sources(tmp_path / "nothing.toml")


def test_a_broken_css_selector_is_refused_at_load_time_with_its_line(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.toml:9: selectors: link = 'h2 a\[' is not a CSS selector"):
        load_sources(write(tmp_path, GOOD + 'selectors = { link = "h2 a[" }\n'))


def test_an_unknown_selector_name_is_refused_with_a_hint(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown selector 'contnet'.*did you mean 'content'\?"):
        load_sources(write(tmp_path, GOOD + 'selectors = { contnet = "article" }\n'))
