"""The command line, `news-crawler` (or `python -m crawler`): a small click group, one module a
command; what the commands share is in `common`."""

from __future__ import annotations

import click

from crawler.cli.crawl import crawl_command
from crawler.cli.demo import demo
from crawler.cli.distributed import redis_group
from crawler.cli.export import export
from crawler.cli.ingest import ingest
from crawler.cli.profiles import profiles_group
from crawler.cli.reclean import reclean
from crawler.cli.report import report
from crawler.cli.runs import runs_command
from crawler.cli.schedule import schedule_command
from crawler.cli.search import search
from crawler.cli.serve import serve


@click.group()
@click.version_option(package_name=None, version=__import__("crawler").__version__)
def cli() -> None:
    """news-crawler: crawl news sites into a clean SQLite database.

    \b
    Examples:
        news-crawler demo
        news-crawler demo --db /tmp/news.db
        news-crawler export --db data/news.db > articles.jsonl
        scrapy crawl news -a start_urls=https://example.com/sitemap.xml -s NEWS_DB=data/news.db
    """


for _command in (
    demo,
    crawl_command,
    schedule_command,
    runs_command,
    export,
    ingest,
    search,
    serve,
    report,
    reclean,
    profiles_group,
    redis_group,
):
    cli.add_command(_command)


def main() -> None:
    """The `news-crawler` console script."""
    cli(prog_name="news-crawler")
