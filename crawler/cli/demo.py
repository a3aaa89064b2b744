"""news-crawler demo: serve the bundled offline sites on 127.0.0.1 and crawl them into a database."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.cli.common import project_settings, setting_option

if TYPE_CHECKING:
    from scrapy.settings import Settings


DEMO_PORTS = (8701, 8702)


def _demo_settings(db: str, log_level: str, overrides: tuple[str, ...]) -> Settings:
    settings = project_settings()
    # The demo server is ours and local: no politeness delays.
    settings.setdict(
        {
            "NEWS_DB": db,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "RETRY_TIMES": 1,
            "LOG_LEVEL": log_level,
        },
        priority="cmdline",
    )
    for item in overrides:
        name, _, value = item.partition("=")
        settings.set(name.strip(), value, priority="cmdline")
    return settings


@click.command("demo")
@click.option("--db", default="data/news.db", show_default=True, help="SQLite file to write.")
@click.option(
    "--serve", is_flag=True, help="Only serve the demo sites (until Ctrl-C) so you can run `scrapy crawl` yourself."
)
@click.option("--log-level", default="WARNING", show_default=True, help="Scrapy log level for the crawl.")
@click.option(
    "--warc",
    "warc_path",
    default=None,
    metavar="FILE",
    help="Only write a CC-NEWS-style WARC of the demo sites to FILE (for `news-crawler ingest`), and exit.",
)
@setting_option
def demo(db: str, serve: bool, log_level: str, warc_path: str | None, overrides: tuple[str, ...]) -> None:
    """Serve the bundled demo news sites on 127.0.0.1 and crawl them into DB.

    Two sites are served: a Japanese NHK-style site (sitemap index with a
    gzipped child sitemap, Japanese date forms, Shift_JIS and EUC-JP pages)
    and an English one (RSS and Atom feeds, bad pages, a 404, a 500 and a PDF).
    Ports 8701/8702 are used when free, so re-running updates the same rows.

    \b
    Examples:
        python -m crawler demo
        python -m crawler demo --db /tmp/news.db
        python -m crawler demo --serve
        python -m crawler demo --warc data/demo-news.warc.gz
    """
    if warc_path:
        from crawler.demo.warc import write_demo_warc

        records = write_demo_warc(warc_path)
        click.echo(f"Wrote {records} records (warcinfo, request, response, revisit, metadata) to {warc_path}")
        click.echo(f"Ingest it with: news-crawler ingest {warc_path} --db data/archive.db")
        return
    from scrapy.crawler import CrawlerProcess

    from crawler.cli.summary import summarize
    from crawler.demo.server import demo_servers, free_or_zero, start_urls
    from crawler.storage import open_db
    from crawler.storage.runs import last_crawl

    ja, en = demo_servers(free_or_zero(DEMO_PORTS[0]), free_or_zero(DEMO_PORTS[1]))
    with ja, en:
        urls = start_urls(ja, en)
        click.echo(f"Demo sites: {ja.base_url}/ (Japanese, NHK-style)  {en.base_url}/ (English)")
        if serve:
            click.echo("Crawl them with:")
            click.echo(f"  scrapy crawl news -a start_urls={','.join(urls)} -s NEWS_DB={db}")
            click.echo("Ctrl-C to stop.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return
        started = time.monotonic()
        process = CrawlerProcess(_demo_settings(db, log_level, overrides))
        process.crawl("news", start_urls=",".join(urls))
        process.start()
        elapsed = time.monotonic() - started
    crawl = last_crawl(open_db(db)) if Path(db).exists() else None
    if crawl is None:
        click.echo("The crawl did not start: see the log above.", err=True)
        sys.exit(1)
    for line in summarize(crawl, db):
        click.echo(line)
    click.echo(f"Demo finished in {elapsed:.1f} s.")
    venv_bin = os.path.relpath(Path(sys.executable).parent)
    click.echo("Next:")
    click.echo(f"  {venv_bin}/news-crawler serve {db}    # browse and search in Datasette, read-only, on 127.0.0.1")
    click.echo(f"  {venv_bin}/news-crawler search 停戦 --db {db}    # full-text search, Japanese included")
    click.echo(f"  {venv_bin}/news-crawler export --db {db} > articles.jsonl    # export JSONL")
    if crawl.get("status") != "finished":
        sys.exit(1)
