"""The ``marathon`` command: one subcommand per public function, no logic of its own.

Exit codes: 0 success; 1 an error the user can fix (bad config, bad input file, store problem);
2 a usage error. A crawl with failing sources still exits 0: failures are reported per source.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from marathon.config import load_config, load_sources
from marathon.errors import MarathonError
from marathon.store import default_db_path, open_store

console = Console(stderr=True)
DB_HELP = "SQLite store (default: $MARATHON_DB or ./.marathon/marathon.db)."
OUT_HELP = "Directory the site is published to (default: ./output)."
CONFIG_HELP = "Site and campaign config (default: ./marathon.toml, else the bundled one)."


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
        console.print(f"[yellow]source {run['source_id']} {run['status']}:[/] {run['error']}")
    return report


def _aggregate(db, config):
    from aggregator.run import aggregate

    with console.status("Tagging posts"):
        return aggregate(db, config)


def _build(db, config, out):
    from site_builder.build import build_site

    with console.status("Building the site"):
        return build_site(db, config, out)


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
    try:
        report = _crawl(network.sources, db_path, config)
    except BaseException:
        network.stop()
        raise
    db = open_store(db_path)
    tagged = _aggregate(db, config)
    build = _build(db, config, out)
    _summary("marathon demo", [
        ("Sources crawled", f"{len(report.ok)} of {len(report.runs)}"),
        ("Sources failed", str(len(report.failed))),
        ("Posts new", str(report.posts_new)),
        ("Posts updated", str(report.posts_updated)),
        ("Posts on the site", str(build.posts)),
        ("Languages", ", ".join(f"{k}: {v}" for k, v in sorted(tagged.languages.items(), key=lambda kv: -kv[1]) if k)),
        ("Duplicates grouped", str(tagged.duplicates)),
        ("Pages written", str(build.pages)),
        ("Store", str(db_path)),
        ("Site", str(out)),
        ("Time taken", f"{time.perf_counter() - started:.1f} s"),
    ])
    if no_serve:
        network.stop()
        return
    # The demo network keeps running while the site is served: post images are linked from it.
    server = make_site_server(out, site_port)
    click.echo(f"Serving the site at http://127.0.0.1:{site_port}/  (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        network.stop()


@cli.command()
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("sources.toml"), show_default=True, help="Sources file (TOML).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
def crawl(sources_file: Path, db_path: Path | None, config_file: Path | None) -> None:
    """Crawl every source in the sources file into the store, then tag the new posts."""
    sources = load_sources(sources_file)
    config = load_config(config_file)
    db_path = db_path or default_db_path()
    report = _crawl(sources, db_path, config)
    tagged = _aggregate(open_store(db_path), config)
    _summary("marathon crawl", [
        ("Sources crawled", f"{len(report.ok)} of {len(report.runs)}"), ("Sources failed", str(len(report.failed))),
        ("Posts new", str(report.posts_new)), ("Posts updated", str(report.posts_updated)),
        ("Posts tagged", str(tagged.tagged)), ("Time taken", f"{report.seconds:.1f} s")])


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
@click.option("--retag", is_flag=True, help="Tag every post again, not only changed ones.")
def aggregate(db_path: Path | None, config_file: Path | None, retag: bool) -> None:
    """Tag stored posts (language, country, campaigns) and group duplicates."""
    from aggregator.run import aggregate as run_aggregate

    report = run_aggregate(open_store(db_path), load_config(config_file), retag=retag)
    _summary("marathon aggregate", [("Posts tagged", str(report.tagged)), ("Duplicates", str(report.duplicates)),
                                    ("Time taken", f"{report.seconds:.1f} s")])


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), help=OUT_HELP)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help=CONFIG_HELP)
def build(db_path: Path | None, out: Path, config_file: Path | None) -> None:
    """Build the site from the store and publish it atomically at --out."""
    report = _build(open_store(db_path), load_config(config_file), out)
    _summary("marathon build", [("Posts", str(report.posts)), ("Pages written", str(report.pages)),
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
def import_(file: str, db_path: Path | None, config_file: Path | None) -> None:
    """Import posts from a JSONL file (one post per line); posts without tags are tagged."""
    from aggregator.run import aggregate as run_aggregate
    from marathon.model import read_jsonl
    from marathon.store import upsert_posts

    stream = click.open_file(file, encoding="utf-8")
    posts = list(read_jsonl(stream, origin=file))
    db = open_store(db_path)
    new, updated = upsert_posts(db, posts, manual_tags=True)
    report = run_aggregate(db, load_config(config_file))
    _summary("marathon import", [("Posts read", str(len(posts))), ("Posts new", str(new)),
                                 ("Posts updated", str(updated)), ("Posts tagged", str(report.tagged))])


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="File (default: stdout).")
def export(db_path: Path | None, fmt: str, output: str) -> None:
    """Export every stored post as JSONL, newest first."""
    from marathon.model import write_jsonl
    from marathon.store import iter_posts

    db = open_store(db_path)
    with click.open_file(output, "w", encoding="utf-8") as fh:
        for line in write_jsonl(iter_posts(db)):
            fh.write(line)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except MarathonError as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(1)


if __name__ == "__main__":
    main()
