"""Curation: the curation.toml file, applying it to the store, and the commands that edit it."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.run import aggregate
from marathon.cli import cli
from marathon.config import load_config
from marathon.curation import (Curation, Featured, Hidden, demo_curation_path, find_curation, load_curation)
from marathon.errors import ConfigError
from marathon.model import Post
from marathon.store import apply_curation, featured_posts, has_post, iter_posts, open_store, upsert_posts


def _post(post_id: str, text: str, day: int = 1, source: str = "kz-nvn-tg") -> Post:
    return Post(id=post_id, source_id=source, platform="telegram", url=f"http://127.0.0.1:8765/s/x/{post_id}",
                published=datetime(2020, 4, day, 10, tzinfo=timezone.utc), text=text, native_id=post_id)


POSTS = [
    _post("p1", "Еріктілер қарт адамдарға азық-түлік жеткізді. #BIRGEMIZ", 1),
    _post("p2", "Волонтёры доставили лекарства пожилым людям. #МыВместе", 2),
    _post("p3", "Volunteers delivered food parcels to large families today. #WeAreTogether", 3),
    _post("spam", "Зарабатывай от 500$ в неделю, не выходя из дома! Пиши в личку.", 4),
]


@pytest.fixture
def db(db_path):
    db = open_store(db_path)
    upsert_posts(db, POSTS)
    return db


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "curation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# The file

def test_a_curation_file_lists_featured_posts_in_order_with_captions_and_hidden_posts_with_reasons(tmp_path):
    path = write(tmp_path, """
[[featured]]
post = "p2"
caption = { en = "Medicine for the elderly", uz-Cyrl = "Кексаларга дори" }

[[featured]]
post = "p1"

[[hidden]]
post = "spam"
reason = "spam"
""")
    curation = load_curation(path)
    assert curation.featured == (Featured("p2", {"en": "Medicine for the elderly", "uz-Cyrl": "Кексаларга дори"}),
                                 Featured("p1", {}))
    assert curation.hidden == (Hidden("spam", "spam"),)


def test_the_bundled_demo_curation_file_is_valid_and_features_posts_of_several_countries():
    curation = load_curation(demo_curation_path())
    assert 4 <= len(curation.featured) <= 5
    assert len({f.post.split("-")[0] for f in curation.featured}) == len(curation.featured)
    assert {locale for f in curation.featured for locale in f.caption} == {
        "en", "ru", "kk", "ky", "uz", "uz-Cyrl", "az", "hy", "hi"}
    assert [h.reason for h in curation.hidden] == ["off-topic: paid advertisement"]


@pytest.mark.parametrize("text, message", [
    ('[[featured]]\npost = "p1"\ncaptoin = { en = "x" }\n',
     r"curation.toml:3: captoin: unknown key in \[\[featured\]\]; did you mean 'caption'\?"),
    ('[[featured]]\ncaption = { en = "x" }\n', r"curation.toml:1: post: missing required key"),
    ('[[featured]]\npost = "p1"\n\n[[hidden]]\npost = "spam"\n', r"curation.toml:4: reason: missing required key"),
    ('[[hidden]]\npost = "spam"\nreason = "  "\n', r"curation.toml:3: reason: expected a non-empty string"),
    ('[[featured]]\npost = "p1"\n\n[[featured]]\npost = "p1"\n',
     r"curation.toml:5: post: 'p1' is already featured \(line 2\)"),
    ('[[featured]]\npost = "p1"\ncaption = { en = "x", kz = "y" }\n',
     r"curation.toml:3: caption: unknown locale 'kz'; expected one of en, ru, kk"),
    ('[[featured]]\npost = "p1"\ncaption = "Best post"\n', r"curation.toml:3: caption: expected a table of locale"),
    ('[[featured]]\npost = 12\n', r"curation.toml:2: post: expected a post id"),
    ('[[feature]]\npost = "p1"\n', r"curation.toml:1: feature: unknown top-level key.*did you mean 'featured'\?"),
    ('[[featured]]\npost = "p1\n', r"curation.toml:2:\d+: invalid TOML"),
])
def test_each_mistake_in_the_file_is_reported_with_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_curation(path)
    assert re.search(message, str(error.value)), str(error.value)
    assert str(error.value).startswith(str(path))


def test_the_default_curation_file_sits_next_to_the_sources_file_and_is_optional(tmp_path):
    sources = tmp_path / "site" / "sources.toml"
    sources.parent.mkdir()
    assert find_curation(None, sources) is None
    (sources.parent / "curation.toml").write_text('[[hidden]]\npost = "spam"\nreason = "spam"\n', encoding="utf-8")
    assert find_curation(None, sources).hidden == (Hidden("spam", "spam"),)
    with pytest.raises(ConfigError, match="file not found"):
        find_curation(tmp_path / "missing.toml", sources)


# The store

def test_featured_posts_come_in_the_file_order_with_their_captions(db):
    apply_curation(db, Curation(featured=(Featured("p3", {"en": "Food for families"}), Featured("p1", {}),
                                          Featured("p2", {"ru": "Лекарства", "kk": "Дәрі"}))))
    assert [(p.id, c) for p, c in featured_posts(db)] == [
        ("p3", {"en": "Food for families"}), ("p1", {}), ("p2", {"ru": "Лекарства", "kk": "Дәрі"})]


def test_hidden_posts_are_left_out_of_the_site_lists_but_exported_with_their_reason(db, db_path):
    apply_curation(db, Curation(featured=(Featured("spam", {}), Featured("p1", {})), hidden=(Hidden("spam", "spam"),)))
    assert "spam" not in {p.id for p in iter_posts(db)}
    assert [p.id for p, _ in featured_posts(db)] == ["p1"]
    hidden = next(p for p in iter_posts(db, include_hidden=True) if p.id == "spam")
    assert hidden.hidden_reason == "spam"
    exported = {p["id"]: p for p in map(json.loads, run("export", "--db", str(db_path)).stdout.splitlines())}
    assert set(exported) == {p.id for p in POSTS}
    assert exported["spam"]["hidden_reason"] == "spam" and exported["p1"]["hidden_reason"] is None


def test_hiding_a_post_hides_its_cross_posts_too(db):
    db.execute("UPDATE posts SET duplicate_of = 'spam' WHERE id = 'p3'")
    apply_curation(db, Curation(hidden=(Hidden("spam", "spam"),)))
    assert {p.id for p in iter_posts(db)} == {"p1", "p2"}
    assert {p.id for p in iter_posts(db, include_hidden=True)} == {"p1", "p2", "p3", "spam"}


def test_the_site_plans_without_hidden_posts_or_their_cross_posts(db):
    from marathon.site_reads import post_summaries

    db.execute("UPDATE posts SET duplicate_of = 'spam' WHERE id = 'p3'")
    apply_curation(db, Curation(hidden=(Hidden("spam", "spam"),)))
    assert [row.id for row in post_summaries(db)] == [p.id for p in iter_posts(db)] == ["p2", "p1"]


def test_a_featured_cross_post_stands_for_the_post_shown_in_its_place(db):
    db.execute("UPDATE posts SET duplicate_of = 'p1' WHERE id = 'p2'")
    apply_curation(db, Curation(featured=(Featured("p2", {"en": "Caption"}), Featured("p1", {}), Featured("p3", {}))))
    assert [(p.id, c) for p, c in featured_posts(db)] == [("p1", {"en": "Caption"}), ("p3", {})]


def test_a_post_not_in_the_store_is_reported_and_curated_once_it_is_crawled(db):
    curation = Curation(featured=(Featured("later", {"en": "Soon"}),), hidden=(Hidden("gone", "spam"),))
    assert apply_curation(db, curation) == ["later", "gone"]
    assert featured_posts(db) == []
    upsert_posts(db, [_post("later", "Volunteers planted 500 trees in the city park today. #WeAreTogether", 9)])
    report = aggregate(db, load_config(), curation=curation)
    assert report.curation_missing == ["gone"]
    assert [(p.id, c) for p, c in featured_posts(db)] == [("later", {"en": "Soon"})]


def test_removing_entries_from_the_file_unfeatures_and_unhides_the_posts(db, tmp_path):
    path = write(tmp_path, '[[featured]]\npost = "p1"\n\n[[featured]]\npost = "p2"\n\n'
                           '[[hidden]]\npost = "spam"\nreason = "spam"\n')
    aggregate(db, load_config(), curation=load_curation(path))
    assert [p.id for p, _ in featured_posts(db)] == ["p1", "p2"]
    write(tmp_path, '[[featured]]\npost = "p2"\n')
    aggregate(db, load_config(), curation=load_curation(path))
    assert [p.id for p, _ in featured_posts(db)] == ["p2"]
    assert "spam" in {p.id for p in iter_posts(db)}


def test_curation_survives_a_recrawl_with_edited_text_and_a_retagging_run(db):
    curation = Curation(featured=(Featured("p1", {"kk": "Біргеміз"}),), hidden=(Hidden("spam", "advert"),))
    aggregate(db, load_config(), curation=curation)
    edited = _post("p1", "Еріктілер қарт адамдарға азық-түлік пен дәрі жеткізді. #BIRGEMIZ", 1)
    spam_again = _post("spam", "Зарабатывай от 900$ в неделю! Пиши в личку, осталось 5 мест.", 4)
    assert upsert_posts(db, [edited, spam_again, *POSTS[1:3]]) == (0, 2)
    aggregate(db, load_config(), retag=True)  # no curation file given: the store keeps what it had
    assert [(p.id, c, p.text) for p, c in featured_posts(db)] == [("p1", {"kk": "Біргеміз"}, edited.text)]
    assert "spam" not in {p.id for p in iter_posts(db)}


def test_importing_an_exported_hidden_post_does_not_hide_it_without_the_curation_file(db, db_path, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)  # no curation.toml here: the import applies none
    apply_curation(db, Curation(hidden=(Hidden("spam", "spam"),)))
    dump = tmp_path / "posts.jsonl"
    dump.write_text(run("export", "--db", str(db_path)).stdout, encoding="utf-8")
    assert '"hidden_reason": "spam"' in dump.read_text(encoding="utf-8")
    other = tmp_path / "other.db"
    assert run("import", str(dump), "--db", str(other)).exit_code == 0
    assert "spam" in {p.id for p in iter_posts(open_store(other))}


# The commands

def test_feature_adds_posts_in_order_and_position_moves_one_keeping_the_comments(tmp_path, db_path, db):
    path = write(tmp_path, "# Curated by the KZ team\n\n[[featured]]   # top story\npost = \"p1\"\n")
    assert run("feature", "p2", "--curation", str(path), "--db", str(db_path)).exit_code == 0
    result = run("feature", "p3", "--caption", "en=Food parcels", "--caption", "uz-Cyrl=Озиқ-овқат",
                 "--position", "1", "--curation", str(path), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "p3 featured at position 1 of 3" in result.output
    text = path.read_text(encoding="utf-8")
    assert "# Curated by the KZ team" in text and "# top story" in text
    assert '"\n[[' not in text  # a blank line before every table, as a person writes it
    curation = load_curation(path)
    assert [(f.post, f.caption) for f in curation.featured] == [
        ("p3", {"en": "Food parcels", "uz-Cyrl": "Озиқ-овқат"}), ("p1", {}), ("p2", {})]
    # The command applies the file to the store at once, so `marathon build` shows it.
    assert [p.id for p, _ in featured_posts(db)] == ["p3", "p1", "p2"]


def test_feature_of_a_featured_post_updates_its_captions_and_keeps_the_others(tmp_path):
    path = write(tmp_path, '[[featured]]\npost = "p1"\ncaption = { en = "Old", ru = "Старый" }\n')
    assert run("feature", "p1", "--caption", "en=New", "--caption", "hy=Նոր", "--curation", str(path)).exit_code == 0
    assert load_curation(path).featured == (Featured("p1", {"en": "New", "ru": "Старый", "hy": "Նոր"}),)


def test_hide_and_unhide_edit_the_file_and_leave_no_empty_list_behind(tmp_path):
    path = write(tmp_path, '# featured first\n[[featured]]\npost = "p1"\n')
    result = run("hide", "spam", "--reason", "off-topic", "--curation", str(path))
    assert result.exit_code == 0, result.output
    assert load_curation(path).hidden == (Hidden("spam", "off-topic"),)
    assert run("unhide", "spam", "--curation", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "hidden" not in text and "# featured first" in text
    assert load_curation(path).featured == (Featured("p1", {}),)
    assert run("unfeature", "p1", "--curation", str(path)).exit_code == 0
    assert load_curation(path) == Curation(path=str(path))


def test_hide_without_a_reason_is_a_usage_error(tmp_path):
    result = run("hide", "spam", "--curation", str(tmp_path / "curation.toml"))
    assert result.exit_code == 2 and "--reason" in result.output
    assert not (tmp_path / "curation.toml").exists()


def test_a_caption_in_an_unknown_locale_is_a_usage_error(tmp_path):
    result = run("feature", "p1", "--caption", "kz=Біргеміз", "--curation", str(tmp_path / "curation.toml"))
    assert result.exit_code == 2 and "'kz': expected one of en, ru, kk" in result.output


def test_unfeature_of_a_post_that_is_not_featured_says_so(tmp_path):
    path = write(tmp_path, '[[featured]]\npost = "p1"\n')
    result = run("unfeature", "p9", "--curation", str(path))
    assert result.exit_code == 1 and "'p9' is not featured" in str(result.exception)


def test_commands_refuse_to_edit_an_invalid_file_and_name_its_line(tmp_path):
    path = write(tmp_path, '[[featured]]\npost = "p1"\ncaption = { xx = "?" }\n')
    result = run("feature", "p2", "--curation", str(path))
    assert result.exit_code == 1 and re.search(r"curation.toml:3: caption: unknown locale 'xx'", str(result.exception))
    assert "p2" not in path.read_text(encoding="utf-8")


def test_feature_warns_about_a_post_id_not_in_the_store(tmp_path, db_path, db):
    path = tmp_path / "curation.toml"
    result = run("feature", "p-typo", "--curation", str(path), "--db", str(db_path))
    assert result.exit_code == 0
    assert "post p-typo is not in the store" in " ".join(result.stderr.split())
    assert load_curation(path).featured == (Featured("p-typo", {}),)


def test_aggregate_applies_the_curation_file_of_the_current_directory(tmp_path, db_path, db, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, '[[featured]]\npost = "p2"\n\n[[hidden]]\npost = "p1"\nreason = "duplicate story"\n')
    result = run("aggregate", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "1 / 1" in result.output
    assert [p.id for p, _ in featured_posts(db)] == ["p2"]
    assert "p1" not in {p.id for p in iter_posts(db)}


# The demo

def test_the_demo_site_store_has_every_curated_post_featured_or_hidden(demo_site):
    db_path, _, _ = demo_site
    db = open_store(db_path)
    curation = load_curation(demo_curation_path())
    assert all(has_post(db, post_id) for post_id in curation.post_ids())
    featured = featured_posts(db)
    assert len(featured) == len(curation.featured)
    assert {p.country for p, _ in featured} >= {"RU", "KZ", "KG", "UZ", "IN"}
    assert featured[0][1]["hy"].startswith("Մարաթոնը")
    shown = {p.id for p in iter_posts(db)}
    assert not {h.post for h in curation.hidden} & shown
