"""The site plan: what it reads from the store, and when it hands each post on to be compared."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from marathon.config import bundled_path, load_config
from marathon.model import Post, make_post_id
from marathon.site_reads import copies_per_post, shown_post_groups
from marathon.store import open_store, save_tags, upsert_posts
from site_builder.plan import home_locale, make_plan

LOCALES = ("en", "ru", "kk", "ky", "uz", "uz-Cyrl", "az", "hy", "hi")
START = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)


def _store(tmp_path, count: int = 6):
    """``count`` Kyrgyz posts a day apart, newest last, and the config."""
    db = open_store(tmp_path / "s.db")
    posts = [Post(id=make_post_id("kg-osh-tg", str(n)), source_id="kg-osh-tg", platform="telegram",
                  url=f"http://127.0.0.1/osh/{n}", native_id=str(n), published=START + timedelta(days=n * 20),
                  text=f"Ош шаарынын жаштары {n}-жолу кайрымдуулук акциясын өткөрүштү #BIRGEMIZ",
                  organization="Youth of Osh") for n in range(count)]
    upsert_posts(db, posts)
    save_tags(db, [{"id": p.id, "lang": "ky", "country": "KG", "countries": ["KG"], "campaigns": ["birgemiz"]}
                   for p in posts])
    return db, [p.id for p in posts], load_config(bundled_path("marathon.toml"))


def test_each_post_is_handed_on_while_the_store_is_still_being_read(tmp_path):
    db, ids, config = _store(tmp_path)
    seen = []
    plan = make_plan(db, config, on_post=lambda plan, ref, n: seen.append((ref.id, n, len(plan.posts))))
    newest_first = ids[::-1]
    assert [(post_id, n) for post_id, n, _ in seen] == list(zip(newest_first, range(len(ids))))
    # The n-th post is handed on as soon as it is read, not once all six are.
    assert [read_so_far for _, _, read_so_far in seen] == [1, 2, 3, 4, 5, 6]
    assert [ref.id for ref in plan.posts] == newest_first


def test_the_page_budget_is_fixed_before_the_first_post_is_handed_on(tmp_path):
    db, ids, config = _store(tmp_path)  # 1 and 21 March, 10 and 30 April, 20 May, 9 June 2024
    when_handed_on = {}

    def note(plan, ref, n):
        when_handed_on[ref.id] = (plan.translated_from, plan.post_pages(ref))

    plan = make_plan(db, config, budget=6 + 3 * 8, on_post=note)  # room for three, but April has two
    assert plan.translated_from == plan.posts[1].month == "2024-05"
    for ref in plan.posts:
        assert when_handed_on[ref.id] == (plan.translated_from, plan.post_pages(ref))
    assert len(plan.post_pages(plan.posts[1])) == 9 and len(plan.post_pages(plan.posts[2])) == 1


def test_a_post_with_cross_posts_is_handed_on_once_all_of_them_are_read(tmp_path):
    db, ids, config = _store(tmp_path)
    # ids[3] has a copy newer than itself (ids[5], read first) and one older (ids[1], read after it);
    # ids[2] has one newer copy (ids[4]) and one hidden (ids[0], never read).
    for original, copy in ((ids[3], ids[5]), (ids[3], ids[1]), (ids[2], ids[4]), (ids[2], ids[0])):
        db.execute("UPDATE posts SET duplicate_of = ? WHERE id = ?", [original, copy])
    db.execute("UPDATE posts SET hidden_reason = 'spam' WHERE id = ?", [ids[0]])
    db.conn.commit()
    handed = {}
    plan = make_plan(db, config, on_post=lambda plan, ref, n: handed.setdefault(
        ref.id, (n, [other.id for other in plan.also_on.get(ref.id, [])], len(plan.by_id))))
    assert handed[ids[2]] == (1, [ids[4]], 4)  # in the stream: its one shown copy was read before it
    assert handed[ids[3]] == (0, [ids[5], ids[1]], 5)  # after the read, when its older copy was read too
    assert list(handed) == [ids[2], ids[3]]  # copies are not shown posts
    assert plan.also_on == {ids[3]: [plan.by_id[ids[5]], plan.by_id[ids[1]]], ids[2]: [plan.by_id[ids[4]]]}


def test_the_store_counts_shown_posts_by_month_and_tags_and_each_posts_copies(tmp_path):
    db, ids, _ = _store(tmp_path)
    db.execute("UPDATE posts SET duplicate_of = ? WHERE id = ?", [ids[0], ids[1]])
    db.execute("UPDATE posts SET hidden_reason = 'spam' WHERE id = ?", [ids[2]])
    save_tags(db, [{"id": ids[3], "lang": "ru", "country": "KG", "countries": ["KG", "KZ"], "campaigns": []}])
    # Posts on 1 March, 21 March (a copy), 10 April (hidden), 30 April, 20 May, 9 June 2024.
    groups = sorted(shown_post_groups(db))
    assert [(g.month, g.lang, g.countries, g.campaigns, g.count) for g in groups] == [
        ("2024-03", "ky", ["KG"], ["birgemiz"], 1), ("2024-04", "ru", ["KG", "KZ"], [], 1),
        ("2024-05", "ky", ["KG"], ["birgemiz"], 1), ("2024-06", "ky", ["KG"], ["birgemiz"], 1)]
    assert {g.organization for g in groups} == {"Youth of Osh"}
    assert copies_per_post(db) == {ids[0]: 1}


def test_the_store_counts_its_groups_from_an_index_without_sorting_the_posts(tmp_path):
    db, _, _ = _store(tmp_path)
    statements = []
    db.conn.set_trace_callback(statements.append)
    shown_post_groups(db)
    db.conn.set_trace_callback(None)
    query_plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statements[-1]}"))
    assert "idx_posts_shown_groups" in query_plan and "TEMP B-TREE" not in query_plan


def test_each_listing_is_handed_on_once_it_holds_every_post_it_shows(tmp_path, monkeypatch):
    monkeypatch.setattr("site_builder.plan.LISTING_PAGES", 1)
    db, ids, config = _store(tmp_path, count=8)
    save_tags(db, [{"id": ids[n], "lang": "ru", "country": "KZ", "countries": ["KZ"], "campaigns": []} for n in (0, 6)])
    config = replace(config, site=replace(config.site, posts_per_page=3))  # a listing shows its newest three
    handed = []
    plan = make_plan(db, config, on_listing=lambda plan, kind, key, refs: handed.append(
        (kind, key, [ref.id for ref in refs], len(plan.posts), plan.listing_totals[(kind, key)])))
    newest_first = ids[::-1]
    kyrgyz = [i for i in newest_first if i not in (ids[0], ids[6])]
    assert ("language", "ky", kyrgyz[:3], 4, 6) in handed  # after the fourth post read, of eight
    assert ("country", "KG", kyrgyz[:3], 4, 6) in handed
    assert ("campaign", "birgemiz", kyrgyz[:3], 4, 6) in handed
    assert ("organization", "youth-of-osh", newest_first[:3], 3, 8) in handed
    # Kazakhstan has two posts, the newest and the oldest: its listing is whole only at the end.
    assert ("country", "KZ", [ids[6], ids[0]], 8, 2) in handed and ("language", "ru", [ids[6], ids[0]], 8, 2) in handed
    assert len(handed) == 6
    assert plan.listing_totals == {(kind, key): len(refs) for kind, listings in (
        ("country", plan.countries), ("campaign", plan.campaigns), ("organization", plan.organizations),
        ("language", plan.languages)) for key, refs in listings.items() if refs}


@pytest.mark.parametrize("head, locale", [
    ("Кексаларга дори-дармон етказиб берилди", "uz-Cyrl"),
    ("Keksalarga dori-darmon yetkazib berildi", "uz"),
    ("O‘zbekiston yoshlari #BIRGEMIZ Тошкент", "uz"),  # more Latin letters than Cyrillic ones
    ("", "uz"),
])
def test_an_uzbek_post_is_placed_in_the_locale_of_its_script(head, locale):
    assert home_locale("uz", head, LOCALES, "en") == locale


def test_a_plan_that_disagrees_with_the_stores_counts_fails_the_build_and_keeps_the_site(tmp_path, monkeypatch):
    from marathon.errors import BuildError
    from marathon.site_reads import ShownGroup
    from site_builder.build import build_site

    db, ids, config = _store(tmp_path)
    out = tmp_path / "output"
    build_site(db, config, out, search=False)
    before = (out / "en" / "index.html").read_bytes()
    real = shown_post_groups

    def one_too_many(db):  # as a bug in either count would make them
        groups = real(db)
        return groups + [ShownGroup(groups[0].month, "ky", "KG", ["KG"], [], None, 1)]

    monkeypatch.setattr("site_builder.plan.shown_post_groups", one_too_many)
    with pytest.raises(BuildError, match="disagrees with the store's count"):
        build_site(db, config, out, search=False, full=True)
    assert (out / "en" / "index.html").read_bytes() == before


def test_without_an_iso_month_for_every_post_the_plan_hands_posts_on_after_the_read(tmp_path, monkeypatch):
    db, ids, config = _store(tmp_path)
    real = shown_post_groups
    # A month the store could not read off a date (never written so; the plan reads defensively).
    monkeypatch.setattr("site_builder.plan.shown_post_groups",
                        lambda db: [group._replace(month=None) for group in real(db)])
    seen, listings = [], []
    plan = make_plan(db, config, budget=6 + 2 * 8, on_post=lambda plan, ref, n: seen.append(
        (ref.id, n, len(plan.posts), plan.post_pages(ref))), on_listing=lambda *args: listings.append(args))
    assert [(post_id, n, read) for post_id, n, read, _ in seen] == [(i, n, 6) for n, i in enumerate(ids[::-1])]
    assert [pages for *_, pages in seen] == [plan.post_pages(ref) for ref in plan.posts]
    assert plan.translated_from == "2024-05" and listings == []
