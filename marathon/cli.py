"""The ``marathon`` command: one subcommand per public function, no logic of its own.

Exit codes: 0 success; 1 an error the user can fix (bad config, bad input file, store problem);
2 a usage error. A crawl with failing sources still exits 0: failures are reported per source.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from marathon.config import load_config, load_sources
from marathon.curation import demo_curation_path, find_curation, load_curation
from marathon.errors import MarathonError
from marathon.store import default_db_path, open_store

console = Console(stderr=True)
DB_HELP = "SQLite store (default: $MARATHON_DB or ./.marathon/marathon.db)."
OUT_HELP = "Directory the site is published to (default: ./output)."
CONFIG_HELP = "Site and campaign config (default: ./marathon.toml, else the bundled one)."
CURATION_HELP = "Curation file of featured and hidden posts (default: curation.toml next to the sources file)."
CURATION_CWD_HELP = "Curation file of featured and hidden posts (default: ./curation.toml if present)."


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=console, transient=True)


def _crawl(sources, db_path, config):
    from crawler.run import crawl

    with _progress() as progress:
        task = progress.add_task("Crawling sources", total=len(sources))
        report = crawl(sources, db_path, config.crawl,
                       progress=lambda done, total: progress.update(task, completed=done, total=total))
    for run in report.failed:
        console.print(f"[yellow]source {escape(run['source_id'])} {run['status']}:[/] {escape(str(run['error']))}")
    from crawler.media import cache_media

    with console.status("Fetching post images into the media cache"):
        media = cache_media(open_store(db_path), config.crawl)
    if media.failed:
        console.print(f"[yellow]media:[/] {media.failed} image(s) could not be cached; their posts show no image")
    return report


def _aggregate(db, config, curation=None, retag=False):
    from aggregator.run import aggregate

    with console.status("Tagging posts"):
        report = aggregate(db, config, retag=retag, curation=curation)
    for post_id in report.curation_missing:
        console.print(f"[yellow]warning:[/] {escape(str(curation.path))}: post {escape(post_id)} is not in the store "
                      "(not crawled yet, or a typo?)")
    return report


def _build(db, config, out, full: bool = False):
    from site_builder.build import build_site

    with console.status("Building the site"):
        report = build_site(db, config, out, full=full)
    if report.missing_media:
        console.print(f"[yellow]media:[/] {len(report.missing_media)} cached image file(s) are gone from "
                      f"the media directory; their pages show a broken image until the files are back")
    return report


def _summary(title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)


@click.group()
@click.version_option(package_name="marathon")
def cli() -> None:
    """marathon: gather campaign posts from many platforms into one multilingual digest site."""


@cli.command()
@click.option("--no-serve", is_flag=True, help="Stop after the build instead of serving the site.")
@click.option("--port", default=8000, show_default=True, help="Port to serve the site on (a free one if taken).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), help=OUT_HELP)
def demo(no_serve: bool, port: int, db_path: Path | None, out: Path) -> None:
    """Run the main job on the bundled demo network: crawl it, tag, build the site and serve it."""
    from marathon.demo.server import DEMO_PORT, start_demo_network
    from marathon.serve import free_port, make_site_server

    started = time.perf_counter()
    db_path = db_path or default_db_path()
    network = start_demo_network(free_port(DEMO_PORT))
    console.print(f"Demo network of {len(network.sources)} sources on {network.base_url}")
    site_port = free_port(port)
    config = load_config()
    config = replace(config, site=replace(config.site, base_url=f"http://127.0.0.1:{site_port}/"))
    curation = load_curation(demo_curation_path())
    try:
        report = _crawl(network.sources, db_path, config)
    except BaseException:
        network.stop()
        raise
    db = open_store(db_path)
    tagged = _aggregate(db, config, curation)
    build = _build(db, config, out)
    _summary("marathon demo", [
        ("Sources crawled", f"{len(report.ok)} of {len(report.runs)}"),
        ("Sources failed", str(len(report.failed))),
        ("Posts new", str(report.posts_new)),
        ("Posts updated", str(report.posts_updated)),
        ("Posts on the site", str(build.posts)),
        ("Languages", ", ".join(f"{k}: {v}" for k, v in sorted(tagged.languages.items(), key=lambda kv: -kv[1]) if k)),
        ("Duplicates grouped", str(tagged.duplicates)),
        ("Featured / hidden", f"{tagged.featured} / {tagged.hidden}"),
        ("Pages written", str(build.pages)),
        ("Store", str(db_path)),
        ("Site", str(out)),
        ("Time taken", f"{time.perf_counter() - started:.1f} s"),
    ])
    network.stop()  # post images are in the site's own /media/ now
    if no_serve:
        return
    server = make_site_server(out, site_port)
    click.echo(f"Serving the site at http://127.0.0.1:{site_port}/  (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("sources.toml"), show_default=True, help="Sources file (TOML).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("--curation", "curation_file", type=click.Path(dir_okay=False, path_type=Path), help=CURATION_HELP)
def crawl(sources_file: Path, db_path: Path | None, config_file: Path | None, curation_file: Path | None) -> None:
    """Crawl every source in the sources file into the store, then tag the new posts and apply curation."""
    sources = load_sources(sources_file)
    config = load_config(config_file)
    curation = find_curation(curation_file, sources_file)
    db_path = db_path or default_db_path()
    report = _crawl(sources, db_path, config)
    tagged = _aggregate(open_store(db_path), config, curation)
    _summary("marathon crawl", [
        ("Sources crawled", f"{len(report.ok)} of {len(report.runs)}"), ("Sources failed", str(len(report.failed))),
        ("Posts new", str(report.posts_new)), ("Posts updated", str(report.posts_updated)),
        ("Posts tagged", str(tagged.tagged)), ("Time taken", f"{report.seconds:.1f} s")])


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("--retag", is_flag=True, help="Tag every post again, not only changed ones.")
@click.option("--curation", "curation_file", type=click.Path(dir_okay=False, path_type=Path), help=CURATION_CWD_HELP)
def aggregate(db_path: Path | None, config_file: Path | None, retag: bool, curation_file: Path | None) -> None:
    """Tag stored posts (language, country, campaigns), group duplicates and apply curation."""
    config, curation = load_config(config_file), find_curation(curation_file)
    report = _aggregate(open_store(db_path), config, curation, retag=retag)
    _summary("marathon aggregate", [("Posts tagged", str(report.tagged)), ("Duplicates", str(report.duplicates)),
                                    ("Featured / hidden", f"{report.featured} / {report.hidden}"),
                                    ("Time taken", f"{report.seconds:.1f} s")])


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), help=OUT_HELP)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("--full", is_flag=True, help="Render every page, not only those that changed since the last build.")
def build(db_path: Path | None, out: Path, config_file: Path | None, full: bool) -> None:
    """Build the site from the store and publish it atomically at --out.

    Only pages whose content changed are rendered again; --full renders all."""
    report = _build(open_store(db_path), load_config(config_file), out, full)
    _summary("marathon build", [("Posts", str(report.posts)), ("Pages", str(report.pages)),
                                ("Pages rendered", str(report.rendered)),
                                ("Search shards indexed", f"{report.indexed_shards} of {report.search_shards}"),
                                ("Site", str(out)), ("Time taken", f"{report.seconds:.1f} s")])


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), help=OUT_HELP)
@click.option("--port", default=8000, show_default=True, help="Port (a free one if taken).")
def serve(out: Path, port: int) -> None:
    """Serve the built site on 127.0.0.1."""
    from marathon.serve import free_port, make_site_server

    if not (out / "index.html").exists():
        raise click.ClickException(f"{out}/index.html not found: run `marathon build` first")
    port = free_port(port)
    server = make_site_server(out, port)
    click.echo(f"Serving the site at http://127.0.0.1:{port}/  (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("--curation", "curation_file", type=click.Path(dir_okay=False, path_type=Path), help=CURATION_CWD_HELP)
def import_(file: str, db_path: Path | None, config_file: Path | None, curation_file: Path | None) -> None:
    """Import posts from a JSONL file (one post per line); posts without tags are tagged."""
    from marathon.model import read_jsonl
    from marathon.store import upsert_posts

    config, curation = load_config(config_file), find_curation(curation_file)
    stream = click.open_file(file, encoding="utf-8")
    posts = list(read_jsonl(stream, origin=file))
    db = open_store(db_path)
    new, updated = upsert_posts(db, posts, manual_tags=True)
    report = _aggregate(db, config, curation)
    _summary("marathon import", [("Posts read", str(len(posts))), ("Posts new", str(new)),
                                 ("Posts updated", str(updated)), ("Posts tagged", str(report.tagged))])


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="File (default: stdout).")
def export(db_path: Path | None, fmt: str, output: str) -> None:
    """Export every stored post as JSONL, newest first (hidden posts too, with their hidden_reason)."""
    from marathon.model import write_jsonl
    from marathon.store import iter_posts

    db = open_store(db_path)
    with click.open_file(output, "w", encoding="utf-8") as fh:
        for line in write_jsonl(iter_posts(db, include_hidden=True)):
            fh.write(line)


CURATION_OPTION_HELP = "Curation file to edit (default: ./curation.toml, created if missing)."
POST_DB_HELP = DB_HELP + " Used to check the post id and to apply the change at once."


def _curated(curation, post_id: str, db_path: Path | None) -> None:
    """After editing the file: warn about an unknown post id, and apply the file to the store if there is one."""
    from marathon.store import apply_curation, has_post

    db_path = db_path or default_db_path()
    if not Path(db_path).exists():
        console.print(f"[yellow]warning:[/] no store at {escape(str(db_path))}, so the post id {escape(post_id)} was not checked; "
                      "the change applies at the next crawl or `marathon aggregate`")
        return
    db = open_store(db_path)
    if not has_post(db, post_id):
        console.print(f"[yellow]warning:[/] post {escape(post_id)} is not in the store {escape(str(db_path))} "
                      "(not crawled yet, or a typo? `marathon export` lists the ids)")
    apply_curation(db, curation)


def _captions(ctx, param, values: tuple[str, ...]) -> dict[str, str]:
    from marathon.config import UI_LOCALES

    captions = {}
    for value in values:
        locale, sep, text = value.partition("=")
        if not sep or not text.strip():
            raise click.BadParameter(f"{value!r}: expected LOCALE=TEXT, e.g. ru='Лучший пост недели'")
        if locale not in UI_LOCALES:
            raise click.BadParameter(f"{locale!r}: expected one of {', '.join(UI_LOCALES)}")
        captions[locale] = text.strip()
    return captions


def _curation_command(function):
    function = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=POST_DB_HELP)(function)
    function = click.option("--curation", "curation_file", type=click.Path(dir_okay=False, path_type=Path),
                            default=Path("curation.toml"), help=CURATION_OPTION_HELP)(function)
    return click.argument("post_id", metavar="ID")(function)


@cli.command()
@_curation_command
@click.option("--caption", "captions", multiple=True, callback=_captions, metavar="LOCALE=TEXT",
              help="Caption in one UI locale (en ru kk ky uz uz-Cyrl az hy hi); repeat for more.")
@click.option("--position", type=click.IntRange(min=1), help="Place in the featured list, 1 = top (default: last).")
def feature(post_id: str, curation_file: Path, db_path: Path | None, captions: dict[str, str],
            position: int | None) -> None:
    """Feature post ID on the site (or update its captions and place) in the curation file."""
    from marathon.curation import feature_post

    curation = feature_post(curation_file, post_id, captions, position)
    rank = next(i for i, f in enumerate(curation.featured, 1) if f.post == post_id)
    click.echo(f"{curation_file}: {post_id} featured at position {rank} of {len(curation.featured)}")
    if post_id in {h.post for h in curation.hidden}:
        console.print(f"[yellow]note:[/] {escape(post_id)} is also hidden; hidden posts are not shown as featured")
    _curated(curation, post_id, db_path)


@cli.command()
@_curation_command
def unfeature(post_id: str, curation_file: Path, db_path: Path | None) -> None:
    """Remove post ID from the featured posts in the curation file."""
    from marathon.curation import unfeature_post

    curation = unfeature_post(curation_file, post_id)
    click.echo(f"{curation_file}: {post_id} no longer featured")
    _curated(curation, post_id, db_path)


@cli.command()
@_curation_command
@click.option("--reason", required=True, help="Why the post is hidden (e.g. spam, off-topic); kept in the file.")
def hide(post_id: str, curation_file: Path, db_path: Path | None, reason: str) -> None:
    """Hide post ID from the site (kept in the store and in `marathon export`)."""
    from marathon.curation import hide_post

    curation = hide_post(curation_file, post_id, reason)
    click.echo(f"{curation_file}: {post_id} hidden ({reason.strip()})")
    _curated(curation, post_id, db_path)


@cli.command()
@_curation_command
def unhide(post_id: str, curation_file: Path, db_path: Path | None) -> None:
    """Show a hidden post ID on the site again."""
    from marathon.curation import unhide_post

    curation = unhide_post(curation_file, post_id)
    click.echo(f"{curation_file}: {post_id} shown again")
    _curated(curation, post_id, db_path)


REVIEW_CURATION_HELP = ("Curation file whose posts count as decided (default: ./curation.toml if present, "
                        "else what the store last applied).")


def _print_rows(rows: list[dict], columns: tuple[str, ...], fmt: str, title: str, warn: str) -> None:
    """JSON lines, a rich table on a terminal, or tab-separated lines when piped."""
    from marathon.review import jsonl_lines, plain_lines, rich_table

    if fmt == "jsonl":
        lines = jsonl_lines(rows)
    elif sys.stdout.isatty():
        Console().print(rich_table(rows, columns, title, warn))
        return
    else:
        lines = plain_lines(rows, columns)
    for line in lines:
        click.echo(line, nl=False)


def _print_curation(entries: list, kind: str, fmt: str, where: str, db_path: Path | None) -> None:
    from marathon.review import FEATURED_COLUMNS, HIDDEN_COLUMNS

    rows = [e.to_json() for e in entries] if fmt == "jsonl" else [e.row() for e in entries]
    columns = FEATURED_COLUMNS if kind == "featured" else HIDDEN_COLUMNS
    _print_rows(rows, columns, fmt, f"{kind.capitalize()} posts ({where})", "note")
    missing = sum(e.post is None for e in entries)
    if missing:
        names = "entry names a post" if missing == 1 else "entries name posts"
        console.print(f"[yellow]warning:[/] {missing} {kind} {names} not in the store "
                      f"{escape(str(db_path or default_db_path()))}", highlight=False)


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--curation", "curation_file", type=click.Path(dir_okay=False, path_type=Path),
              help=REVIEW_CURATION_HELP)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only posts published on or after this date (the post's own date).")
@click.option("--days", type=click.IntRange(min=0), help="Only posts published in the last N days.")
@click.option("--source", help="Only posts of this source id.")
@click.option("--country", metavar="CC", help="Only posts tagged with this country (ISO code, e.g. KZ).")
@click.option("--lang", metavar="xx", help="Only posts in this language, main or second (ISO 639-1, e.g. kk).")
@click.option("--campaign", metavar="SLUG", help="Only posts tagged with this campaign.")
@click.option("--flagged", is_flag=True, help="Only posts flagged as needing a look.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="List at most N posts (0: all).")
@click.option("--featured", "list_featured", is_flag=True, help="List the featured posts instead, in order.")
@click.option("--hidden", "list_hidden", is_flag=True, help="List the hidden posts instead, with reasons.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True,
              help="table: a table on a terminal, tab-separated lines when piped; jsonl: one JSON object a line.")
def review(db_path: Path | None, curation_file: Path | None, since: datetime | None, days: int | None,
           source: str | None, country: str | None, lang: str | None, campaign: str | None, flagged: bool, limit: int,
           list_featured: bool, list_hidden: bool, fmt: str) -> None:
    """List shown posts nobody has featured or hidden yet, newest first, flagging those that need a look.

    --featured and --hidden list the curation instead, and say when an entry names a post not in the store."""
    from marathon.review import QUEUE_COLUMNS, curation_entries, curation_from_store, existing_store, review_queue

    if since and days is not None:
        raise click.UsageError("give --since or --days, not both")
    filters = since or days is not None or source or country or lang or campaign or flagged
    if (list_featured or list_hidden) and filters:
        raise click.UsageError("--featured and --hidden list the whole curation; filters apply to the queue only")
    db = existing_store(db_path)
    curation = find_curation(curation_file)
    if list_featured or list_hidden:
        if curation is None:
            console.print("[yellow]note:[/] no ./curation.toml: listing the curation the store last applied",
                          highlight=False)
            curation = curation_from_store(db)
        for kind in [k for k, wanted in (("featured", list_featured), ("hidden", list_hidden)) if wanted]:
            _print_curation(curation_entries(db, curation, kind), kind, fmt, curation.path, db_path)
        return
    queue = review_queue(db, curation, since=since.date() if since else None, days=days, source=source,
                         country=country, lang=lang, campaign=campaign, flagged=flagged, limit=limit)
    rows = [i.to_json() for i in queue.items] if fmt == "jsonl" else [i.row() for i in queue.items]
    _print_rows(rows, QUEUE_COLUMNS, fmt, "Posts to review", "flags")
    if fmt == "table":
        flagged_count = sum(bool(i.flags) for i in queue.items)
        more = " (--limit 0 lists all)" if queue.total > len(queue.items) else ""
        console.print(f"{len(queue.items)} of {queue.total} post{'s' * (queue.total != 1)} to review, "
                      f"{flagged_count} of them flagged{more}", highlight=False)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except MarathonError as exc:
        # Messages quote config files and pages: "[[hidden]]" is TOML, not rich markup.
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
