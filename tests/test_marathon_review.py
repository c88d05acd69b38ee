"""The review queue (`marathon review`): undecided posts newest first, their flags, filters, and the curation listings."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from marathon.cli import cli
from marathon.curation import load_curation
from marathon.errors import ConfigError, StoreError
from marathon.model import Post, Source
from marathon.review import curation_entries, existing_store, review_queue
from marathon.store import apply_curation, open_store, save_sources, upsert_posts

HASHTAG_TIMELINE = "http://127.0.0.1:8765/api/v1/timelines/tag/WeAreTogether"


def _post(post_id: str, text: str, published: str, lang: str | None, country: str, campaigns: list[str],
          duplicate_of: str | None = None, also_langs: list[str] | None = None) -> Post:
    source = post_id.rsplit("-", 1)[0]
    return Post(id=post_id, source_id=source, platform="telegram", url=f"http://127.0.0.1:8765/s/{post_id}",
                published=datetime.fromisoformat(published), text=text, native_id=post_id, lang=lang,
                country=country, countries=[country], campaigns=campaigns, duplicate_of=duplicate_of,
                also_langs=also_langs or [])


POSTS = [
    _post("ru-rsm-tg-1", "Волонтёры РСМ провели первый международный интернет-марафон «Мы Вместе Online». #МыВместе",
          "2020-05-15T18:00:00+03:00", "ru", "RU", ["we-are-together"]),
    _post("ru-rsm-tg-2", "Студвесна ONLINE: лучшие номера студентов из 32 регионов в эфире марафона. #МыВместе",
          "2020-05-14T12:00:00+03:00", "ru", "RU", ["we-are-together"]),
    _post("ru-rsm-tg-3", "Зарабатывай от 500$ в неделю! http://spam.example/a http://spam.example/b "
                         "http://spam.example/c пиши в личку", "2020-05-13T09:00:00+03:00", "ru", "RU", []),
    _post("kz-nvn-web-1", "Еріктілер қарт адамдарға және көпбалалы отбасыларға азық-түлік жеткізді. #BIRGEMIZ #ВМЕСТЕ",
          "2020-04-02T10:00:00+06:00", "kk", "KZ", ["birgemiz"]),
    _post("kz-nvn-tg-1", "Еріктілер қарт адамдарға және көпбалалы отбасыларға азық-түлік жеткізді. #BIRGEMIZ",
          "2020-04-02T10:30:00+06:00", "kk", "KZ", ["birgemiz"], duplicate_of="kz-nvn-web-1"),
    _post("kz-skma-tg-1", "Волонтёры ЮКМА доставили лекарства пожилым людям. Біз біргеміз! #BIRGEMIZ",
          "2020-04-05T15:00:00+06:00", "ru", "KZ", ["birgemiz"], also_langs=["kk"]),
    _post("kz-skma-tg-2", "👍👍👍 #BIRGEMIZ", "2020-04-06T08:00:00+06:00", None, "KZ", ["birgemiz"]),
    _post("ru-medvol-tg-1", "Медицинские волонтёры Курска приняли 500 звонков на горячей линии за неделю. #МыВместе",
          "2020-04-20T10:00:00+03:00", "ru", "RU", ["we-are-together"]),
    _post("ru-medvol-tg-2", "Медицинские волонтёры Курска приняли 500 звонков на горячей линии за неделю! #МыВместе",
          "2020-04-20T19:00:00+03:00", "ru", "RU", ["we-are-together"], duplicate_of="ru-medvol-tg-1"),
    _post("in-youth-mastodon-1", "आज शाम पूरी कॉलोनी ने बालकनी से घंटियाँ बजाईं और डॉक्टरों को धन्यवाद दिया। #WeAreTogether",
          "2020-03-22T17:10:00+05:30", "hi", "IN", ["we-are-together"]),
]
SOURCES = [Source(id="in-youth-mastodon", name="Yuva Sewa Sangathan", organization="Yuva Sewa Sangathan",
                  country="IN", platform="mastodon", url=HASHTAG_TIMELINE),
           Source(id="ru-rsm-tg", name="РСМ", organization="Russian Youth Union", country="RU", platform="telegram",
                  url="http://127.0.0.1:8765/s/rsm")]
CURATION = """\
[[featured]]
post = "ru-rsm-tg-2"
caption = { ru = "Студвесна в эфире", kk = "Студвесна эфирде" }

[[featured]]
post = "kz-nvn-tg-1"   # a cross-post: the website original is shown in its place

[[featured]]
post = "kz-nvn-web-404"

[[hidden]]
post = "ru-rsm-tg-3"
reason = "spam: paid advertisement"

[[hidden]]
post = "kg-osh-tg-9"
reason = "off-topic"
"""


@pytest.fixture
def db(db_path):
    db = open_store(db_path)
    upsert_posts(db, POSTS, manual_tags=True)  # tags as given, as `marathon import` keeps them
    save_sources(db, SOURCES)
    return db


@pytest.fixture
def curation_path(tmp_path) -> Path:
    path = tmp_path / "curation.toml"
    path.write_text(CURATION, encoding="utf-8")
    return path


def ids(queue) -> list[str]:
    return [item.post.id for item in queue.items]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# The queue

def test_the_queue_lists_shown_posts_newest_first_without_cross_posts(db):
    assert ids(review_queue(db)) == ["ru-rsm-tg-1", "ru-rsm-tg-2", "ru-rsm-tg-3", "ru-medvol-tg-1", "kz-skma-tg-2",
                                     "kz-skma-tg-1", "kz-nvn-web-1", "in-youth-mastodon-1"]


def test_posts_the_curation_file_names_are_decided_even_before_it_is_applied(db, curation_path):
    queue = review_queue(db, load_curation(curation_path))
    assert "ru-rsm-tg-2" not in ids(queue)  # featured
    assert "ru-rsm-tg-3" not in ids(queue)  # hidden
    assert "kz-nvn-web-1" not in ids(queue)  # shown in place of its featured cross-post
    assert queue.total == 5


def test_without_a_curation_file_what_the_store_last_applied_is_decided(db, curation_path):
    apply_curation(db, load_curation(curation_path))
    assert ids(review_queue(db)) == ["ru-rsm-tg-1", "ru-medvol-tg-1", "kz-skma-tg-2", "kz-skma-tg-1",
                                     "in-youth-mastodon-1"]


def test_hiding_a_cross_post_leaves_the_post_shown_in_its_place_in_the_queue(db, tmp_path):
    path = tmp_path / "curation.toml"
    path.write_text('[[hidden]]\npost = "ru-medvol-tg-2"\nreason = "repeated"\n', encoding="utf-8")
    assert "ru-medvol-tg-1" in ids(review_queue(db, load_curation(path)))


@pytest.mark.parametrize("filters, expected", [
    ({"source": "kz-skma-tg"}, ["kz-skma-tg-2", "kz-skma-tg-1"]),
    ({"country": "kz"}, ["kz-skma-tg-2", "kz-skma-tg-1", "kz-nvn-web-1"]),
    ({"lang": "hi"}, ["in-youth-mastodon-1"]),
    ({"lang": "kk"}, ["kz-skma-tg-1", "kz-nvn-web-1"]),  # Russian with Kazakh in it counts too
    ({"campaign": "birgemiz"}, ["kz-skma-tg-2", "kz-skma-tg-1", "kz-nvn-web-1"]),
    ({"since": date(2020, 5, 14)}, ["ru-rsm-tg-1", "ru-rsm-tg-2"]),
    ({"campaign": "we-are-together", "country": "RU", "since": date(2020, 4, 20)},
     ["ru-rsm-tg-1", "ru-rsm-tg-2", "ru-medvol-tg-1"]),
])
def test_filters_narrow_the_queue(db, filters, expected):
    assert ids(review_queue(db, **filters)) == expected


def test_days_counts_back_from_today_by_the_posts_own_date(db):
    today = datetime.now(timezone(timedelta(hours=6))).replace(microsecond=0)
    upsert_posts(db, [_post("kz-nvn-tg-7", "Бүгін еріктілер дәрі-дәрмек жеткізді. #BIRGEMIZ", today.isoformat(),
                            "kk", "KZ", ["birgemiz"])], manual_tags=True)
    assert ids(review_queue(db, days=3)) == ["kz-nvn-tg-7"]


def test_flags_say_why_a_post_needs_a_look(db):
    flags = {item.post.id: item.flags for item in review_queue(db).items}
    assert flags["ru-rsm-tg-3"] == ("no campaign", "3 links")
    assert flags["kz-skma-tg-2"] == ("no language",)
    assert flags["ru-medvol-tg-1"] == ("posted 2 times by the source",)
    assert flags["in-youth-mastodon-1"] == ("open hashtag search",)
    assert flags["ru-rsm-tg-1"] == flags["kz-nvn-web-1"] == flags["kz-skma-tg-1"] == ()


def test_an_item_lists_its_cross_posts(db):
    items = {item.post.id: item for item in review_queue(db).items}
    assert items["kz-nvn-web-1"].copies == ("kz-nvn-tg-1",)


def test_flagged_keeps_flagged_posts_and_limit_caps_the_list_but_not_the_total(db):
    queue = review_queue(db, flagged=True, limit=2)
    assert ids(queue) == ["ru-rsm-tg-3", "ru-medvol-tg-1"]
    assert queue.total == 4
    assert review_queue(db, limit=0).total == len(review_queue(db, limit=0).items) == 8


# The curation listings

def test_featured_entries_come_in_order_with_captions_and_notes(db, curation_path):
    entries = curation_entries(db, load_curation(curation_path), "featured")
    assert [(e.rank, e.post_id) for e in entries] == [(1, "ru-rsm-tg-2"), (2, "kz-nvn-tg-1"), (3, "kz-nvn-web-404")]
    assert entries[0].caption == {"ru": "Студвесна в эфире", "kk": "Студвесна эфирде"}
    assert entries[0].notes == ()
    assert entries[1].notes == ("a cross-post: kz-nvn-web-1 is featured in its place",)
    assert entries[2].post is None
    assert entries[2].notes == (f"not in the store (not crawled yet, or a typo? {curation_path}:8)",)


def test_hidden_entries_come_with_reasons_and_a_missing_post_is_noted(db, curation_path):
    entries = curation_entries(db, load_curation(curation_path), "hidden")
    assert [(e.post_id, e.reason) for e in entries] == [("ru-rsm-tg-3", "spam: paid advertisement"),
                                                        ("kg-osh-tg-9", "off-topic")]
    assert entries[0].post.text.startswith("Зарабатывай")
    assert entries[1].post is None and "not in the store" in entries[1].notes[0]


def test_a_store_that_does_not_exist_is_an_error_and_is_not_created(tmp_path):
    with pytest.raises(StoreError, match="no store here; run `marathon crawl` or `marathon import` first"):
        existing_store(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


# The command

def test_piped_review_prints_a_header_and_one_tab_separated_row_per_post(db_path, db, curation_path):
    result = run("review", "--db", str(db_path), "--curation", str(curation_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["id", "date", "source", "lang", "country", "campaigns", "flags", "text"]
    assert lines[1].split("\t")[:7] == ["ru-rsm-tg-1", "2020-05-15 18:00", "ru-rsm-tg", "ru", "RU",
                                        "we-are-together", "-"]
    assert lines[3].split("\t")[5:] == ["birgemiz", "no language", "👍👍👍 #BIRGEMIZ"]
    assert len(lines) == 6
    assert "5 of 5 posts to review, 3 of them flagged" in result.stderr


def test_review_jsonl_gives_one_object_per_post_with_flags_and_copies(db_path, db):
    result = run("review", "--db", str(db_path), "--format", "jsonl", "--country", "KZ")
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in objects] == ["kz-skma-tg-2", "kz-skma-tg-1", "kz-nvn-web-1"]
    assert objects[2]["copies"] == ["kz-nvn-tg-1"] and objects[2]["campaigns"] == ["birgemiz"]
    assert objects[0]["flags"] == ["no language"] and objects[0]["lang"] is None
    assert objects[1]["published"] == "2020-04-05T15:00:00+06:00"


def test_review_options_reach_the_queue(db_path, db):
    result = run("review", "--db", str(db_path), "--lang", "hi", "--since", "2020-01-01", "--flagged")
    assert [line.split("\t")[0] for line in result.stdout.splitlines()[1:]] == ["in-youth-mastodon-1"]
    assert "open hashtag search" in result.stdout


def test_review_featured_and_hidden_list_the_curation_and_warn_about_missing_posts(db_path, db, curation_path):
    result = run("review", "--db", str(db_path), "--curation", str(curation_path), "--featured", "--hidden")
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == ["rank", "id", "date", "source", "caption", "note", "text"]
    assert rows[1][:5] == ["1", "ru-rsm-tg-2", "2020-05-14 12:00", "ru-rsm-tg",
                           "ru: Студвесна в эфире; kk: Студвесна эфирде"]
    assert rows[3][:2] == ["3", "kz-nvn-web-404"] and rows[3][5].startswith("not in the store")
    assert rows[4] == ["id", "date", "source", "reason", "note", "text"]
    assert rows[5][:5] == ["ru-rsm-tg-3", "2020-05-13 09:00", "ru-rsm-tg", "spam: paid advertisement", "-"]
    assert "1 featured entry names a post not in the store" in result.stderr
    assert "1 hidden entry names a post not in the store" in result.stderr


def test_review_featured_jsonl_says_whether_each_post_is_in_the_store(db_path, db, curation_path):
    result = run("review", "--db", str(db_path), "--curation", str(curation_path), "--featured", "--format", "jsonl")
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["rank"], o["id"], o["in_store"]) for o in objects] == [
        (1, "ru-rsm-tg-2", True), (2, "kz-nvn-tg-1", True), (3, "kz-nvn-web-404", False)]


def test_review_uses_curation_toml_in_the_current_directory(db_path, db, curation_path, monkeypatch):
    monkeypatch.chdir(curation_path.parent)
    result = run("review", "--db", str(db_path), "--format", "jsonl")
    assert "ru-rsm-tg-2" not in result.stdout and "ru-rsm-tg-1" in result.stdout


def test_review_without_a_store_fails_with_one_line_and_creates_none(tmp_path):
    result = run("review", "--db", str(tmp_path / "nope.db"))
    assert result.exit_code == 1
    assert isinstance(result.exception, StoreError) and "nope.db: no store here" in str(result.exception)
    assert not (tmp_path / "nope.db").exists()


def test_review_reports_a_bad_curation_file_with_its_line(db_path, db, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[hidden]]\npost = "ru-rsm-tg-3"\nreasn = "spam"\n', encoding="utf-8")
    result = run("review", "--db", str(db_path), "--curation", str(bad))
    assert result.exit_code == 1
    assert isinstance(result.exception, ConfigError) and str(result.exception).startswith(f"{bad}:3: reasn")


@pytest.mark.parametrize("args", [("--since", "2020-05-01", "--days", "7"), ("--featured", "--country", "KZ")])
def test_options_that_do_not_go_together_are_a_usage_error(db_path, db, args):
    result = run("review", "--db", str(db_path), *args)
    assert result.exit_code == 2
