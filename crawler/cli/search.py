"""news-crawler search: full-text search of stored articles from the terminal, Japanese included."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from crawler.cli.common import news_config, open_for_reading, project_settings, setting_option

if TYPE_CHECKING:
    pass


@click.command("search")
@click.argument("query")
@click.option("--db", default=None, help="SQLite file to search (default: the NEWS_DB setting, data/news.db).")
@click.option("--site", default=None, help="Only this site: its key or its name.")
@click.option("--language", default=None, help="Only this language (ja, en).")
@click.option("--limit", type=int, default=10, show_default=True)
@setting_option
def search(
    query: str, db: str | None, site: str | None, language: str | None, limit: int, overrides: tuple[str, ...]
) -> None:
    """Full-text search, Japanese included: every word must match, best first.

    The same index and query form as Datasette's search box (`serve`): 停戦 (two
    characters) finds exactly the articles containing it.

    \b
    Examples:
        news-crawler search 停戦
        news-crawler search "避難ルート" --site demo-nhk
        news-crawler search "ウクライナ election"
    """
    from crawler.storage.search import search as run_search

    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_for_reading(path, config)
    hits = list(run_search(store.db, query, site=site, language=language, limit=limit))
    for hit in hits:
        click.echo(f"{hit['published_local'] or '':25}  {hit['site']:16}  {hit['title']}")
        click.echo(f"    {hit['snippet'].replace('<mark>', '[').replace('</mark>', ']')}")
        click.echo(f"    {hit['url']}")
    click.echo(f"{len(hits)} articles" + (f" (first {limit})" if len(hits) == limit else ""), err=True)
