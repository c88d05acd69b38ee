"""The CLI: import/export round trip, errors as messages, and every command documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from marathon.cli import cli

README = Path(__file__).parent.parent / "README.md"

POSTS = [
    {"id": "kz-nvn-web-birgemiz-1", "source_id": "kz-nvn-web", "platform": "website",
     "url": "http://127.0.0.1:8765/nvn/news/birgemiz-1/", "published": "2020-04-02T10:00:00+06:00",
     "author": "Айгерім", "title": "Біргеміз акциясы басталды",
     "text": "Еріктілер қарт адамдарға азық-түлік пен дәрі-дәрмек жеткізіп жатыр. Біз біргеміз! #BIRGEMIZ #ВМЕСТЕ",
     "html": "<p>Еріктілер қарт адамдарға азық-түлік пен дәрі-дәрмек жеткізіп жатыр. Біз біргеміз! #BIRGEMIZ #ВМЕСТЕ</p>",
     "hashtags": ["BIRGEMIZ", "ВМЕСТЕ"], "organization": "National Volunteer Network",
     "media": [{"type": "image", "url": "http://127.0.0.1:8765/media/a.svg"}]},
    {"id": "am-rc-1", "source_id": "am-redcross-web", "platform": "website",
     "url": "http://127.0.0.1:8765/redcross/news/kits/", "published": "2021-03-01T12:00:00+04:00",
     "author": "", "title": "Սննդի փաթեթներ",
     "text": "Կարմիր Խաչի կամավորները սննդի և հիգիենայի փաթեթներ բաժանեցին տարեց մարդկանց։",
     "hashtags": [], "lang": "hy", "country": "AM", "campaigns": [], "organization": "Armenian Red Cross Youth",
     "media": []},
]


def run(*args, **kwargs):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)
    return result


def test_import_tags_untagged_posts_and_export_gives_them_back(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS), encoding="utf-8")
    db = str(tmp_path / "store.db")
    assert run("import", str(source), "--db", db).exit_code == 0
    exported = tmp_path / "out.jsonl"
    assert run("export", "--db", db, "--format", "jsonl", "-o", str(exported)).exit_code == 0
    back = {p["id"]: p for p in map(json.loads, exported.read_text(encoding="utf-8").splitlines())}
    assert set(back) == {p["id"] for p in POSTS}
    kz = back["kz-nvn-web-birgemiz-1"]
    assert (kz["lang"], kz["country"], kz["campaigns"]) == ("kk", None, ["birgemiz"])
    for original in POSTS:
        for key in ("source_id", "platform", "url", "published", "author", "title", "text", "organization", "media"):
            assert back[original["id"]][key] == original[key], key
    assert back["am-rc-1"]["lang"] == "hy" and back["am-rc-1"]["country"] == "AM"


def test_exported_posts_import_into_a_new_store_unchanged(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS), encoding="utf-8")
    first, second = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    run("import", str(source), "--db", first)
    one = run("export", "--db", first).stdout
    (tmp_path / "one.jsonl").write_text(one, encoding="utf-8")
    run("import", str(tmp_path / "one.jsonl"), "--db", second)
    strip = lambda text: [{k: v for k, v in json.loads(line).items() if k != "fetched"} for line in text.splitlines()]
    assert strip(run("export", "--db", second).stdout) == strip(one)


def test_a_bad_jsonl_line_is_reported_with_its_number(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(POSTS[1], ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(source), "--db", str(tmp_path / "s.db")])
    assert result.exit_code != 0
    assert re.search(r"bad.jsonl:2: not valid JSON", str(result.exception))


def test_export_without_db_reads_the_documented_default_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARATHON_DB")  # set for every test by conftest.py
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(POSTS[1], ensure_ascii=False) + "\n", encoding="utf-8")
    run("import", str(source))
    assert (tmp_path / ".marathon" / "marathon.db").exists()
    assert json.loads(run("export").stdout)["id"] == "am-rc-1"


def test_every_command_has_help_and_is_documented_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help, name
        assert run(name, "--help").exit_code == 0
        assert f"marathon {name}" in readme, f"README does not document `marathon {name}`"


def test_demo_no_serve_builds_the_site_and_export_then_reads_its_posts(tmp_path):
    import subprocess
    import sys

    demo = subprocess.run([sys.executable, "-m", "marathon.cli", "demo", "--no-serve", "--port", "0"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    for line in ("Sources crawled", "Sources failed", "Posts new", "Posts updated", "Pages written", "Time taken"):
        assert line in demo.stdout
    assert (tmp_path / "output" / "en" / "index.html").exists()
    exported = subprocess.run([sys.executable, "-m", "marathon.cli", "export"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    posts = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(posts) >= 150
    assert {p["country"] for p in posts} == {"RU", "KZ", "KG", "UZ", "AZ", "AM", "IN"}


def test_an_error_quoting_toml_tables_is_printed_as_written(tmp_path, monkeypatch, capsys):
    from marathon.cli import main

    curation = tmp_path / "curation.toml"
    curation.write_text('[[hiden]]\npost = "kg-osh-tg-1"\nreason = "spam"\n', encoding="utf-8")
    monkeypatch.setattr("sys.argv", ["marathon", "hide", "kg-osh-tg-2", "--reason", "spam",
                                     "--curation", str(curation), "--db", str(tmp_path / "none.db")])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 1
    printed = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "curation.toml:1: hiden: unknown top-level key" in printed
    assert "[[featured]] and [[hidden]] tables; did you mean 'hidden'?" in printed
