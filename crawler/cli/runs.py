"""news-crawler runs: the recorded runs (crawls) of a database, newest first."""

from __future__ import annotations

import click

from crawler.cli.common import (
    news_config,
    open_for_reading,
    project_settings,
    setting_option,
)
from crawler.crawl.targets import one_line


@click.command("runs")
@click.option("--db", default=None, help="SQLite file to read (default: the NEWS_DB setting, data/news.db).")
@click.option("--site", default=None, help="Only runs of this site key.")
@click.option("--limit", type=int, default=20, show_default=True)
@setting_option
def runs_command(db: str | None, site: str | None, limit: int, overrides: tuple[str, ...]) -> None:
    """The last runs, oldest first, one line each (the `crawls` table; `crawl_history` in Datasette).

    \b
    Examples:
        news-crawler runs
        news-crawler runs --site nhk --limit 5
    """
    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_for_reading(path, config)
    where, params = ("where site = ?", [site]) if site else ("", [])
    rows = list(store.db.query(f"select * from crawls {where} order by id desc limit ?", [*params, limit]))
    for row in reversed(rows):
        click.echo(one_line(row))
    if not rows:
        click.echo(f"no runs in {path}" + (f" for site {site!r}" if site else ""), err=True)
