"""news-crawler serve: Datasette on the database, read-only, on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.cli.common import news_config, open_for_reading, project_settings, setting_option

if TYPE_CHECKING:
    pass


@click.command("serve")
@click.argument("db", required=False)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (keep 127.0.0.1 unless you mean it)."
)
@click.option("--port", type=int, default=8001, show_default=True, help="Port (0: any free port).")
@click.option(
    "--get", "get_path", default=None, metavar="PATH", help="Print one page (e.g. /news/search.json?q=停戦) and exit."
)
@setting_option
def serve(db: str | None, host: str, port: int, get_path: str | None, overrides: tuple[str, ...]) -> None:
    """Browse a news database in Datasette, read-only, with search in Japanese.

    Opens DB (default: the NEWS_DB setting) with our plugin: the article_list
    page (newest first, click a title for the article), a search box that finds
    Japanese words of any length, canned queries (search, latest, articles per
    day with a chart, why a URL is not an article, crawl history). Safe to leave
    open while a crawl writes (WAL; Datasette only reads). Migrates an older
    database first (builds its search index).

    \b
    Examples:
        news-crawler serve
        news-crawler serve data/news.db --port 8080
        news-crawler serve --get "/news/search.json?q=停戦&_shape=array"
    """
    from datasette.cli import cli as datasette_cli

    from crawler.datasette import SERVE_SETTINGS

    config = news_config(project_settings(overrides))
    path = db or config.db
    open_for_reading(path, config).db.conn.close()  # ours, migrated (search index), or one clear error
    name = Path(path).stem
    # A database on a read-only disk or folder is served immutable (no -wal or -shm needed).
    writable = os.access(path, os.W_OK) and os.access(Path(path).resolve().parent, os.W_OK)
    args = ["serve", *([path] if writable else ["-i", path]), "--host", host, "--port", str(port)]
    for setting, value in SERVE_SETTINGS.items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        args += ["--setting", setting, text]
    if get_path:
        args += ["--get", get_path]
    else:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            click.echo(f"warning: serving on {host}: reachable from other machines (read-only)", err=True)
        shown = port or "PORT"
        click.echo(f"Serving {path} read-only: http://{host}:{shown}/{name}/article_list  (Ctrl-C to stop)", err=True)
    datasette_cli.main(args=args, prog_name="datasette", standalone_mode=True)
