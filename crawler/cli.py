"""Command line: python -m crawler <command>."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

DEMO_PORTS = (8701, 8702)


@click.group()
@click.version_option(package_name=None, version=__import__("crawler").__version__)
def cli() -> None:
    """news-crawler: crawl news sites into a clean SQLite database.

    \b
    Examples:
        python -m crawler demo
        python -m crawler demo --db /tmp/news.db
        scrapy crawl news -a start_urls=https://example.com/sitemap.xml -s NEWS_DB=data/news.db
    """


def _crawl_settings(db: str, log_level: str) -> object:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
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
    return settings


@cli.command()
@click.option("--db", default="data/news.db", show_default=True, help="SQLite file to write.")
@click.option(
    "--serve", is_flag=True, help="Only serve the demo sites (until Ctrl-C) so you can run `scrapy crawl` yourself."
)
@click.option("--log-level", default="WARNING", show_default=True, help="Scrapy log level for the crawl.")
def demo(db: str, serve: bool, log_level: str) -> None:
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
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.demo.server import demo_servers, free_or_zero, start_urls
    from crawler.report import summarize
    from crawler.storage import open_db

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
        process = CrawlerProcess(_crawl_settings(db, log_level))
        process.crawl("news", start_urls=",".join(urls))
        process.start()
        elapsed = time.monotonic() - started
    database = open_db(db)
    rows = list(database.query("select * from crawls order by id desc limit 1"))
    if not rows:
        click.echo("The crawl did not start: see the log above.", err=True)
        sys.exit(1)
    for line in summarize(rows[0], db):
        click.echo(line)
    click.echo(f"Demo finished in {elapsed:.1f} s.")
    venv_bin = os.path.relpath(Path(sys.executable).parent)
    click.echo("Next:")
    metadata = os.path.relpath(Path(__file__).parent / "datasette" / "metadata.json")
    click.echo(f"  {venv_bin}/datasette serve -i {db} -m {metadata}    # browse in Datasette (read-only)")
    click.echo(f"  {venv_bin}/python -m crawler export --db {db} > articles.jsonl    # export JSONL")
    if rows[0].get("status") != "finished":
        sys.exit(1)


@cli.command()
@click.option("--db", default="data/news.db", show_default=True, help="SQLite file to read.")
@click.option("--site", default=None, help="Only this site (the `site` column).")
@click.option(
    "-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout)."
)
def export(db: str, site: str | None, output: click.utils.LazyFile) -> None:
    """Write articles as JSON Lines, one object per article, date mentions nested.

    JSON columns (authors, date_signals) are decoded; each record carries its
    date_mentions (surface, offset in body, value, precision, kind).

    \b
    Examples:
        python -m crawler export > articles.jsonl
        python -m crawler export --db data/news.db --site NHKデモニュース -o nhk.jsonl
    """
    import json

    from crawler.storage.db import iter_export

    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}: run a crawl first (python -m crawler demo)")
    import sqlite_utils

    count = 0
    for record in iter_export(sqlite_utils.Database(db), site):
        output.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    click.echo(f"{count} articles exported", err=True)


@cli.command()
@click.option("--db", default="data/news.db", show_default=True, help="SQLite file to re-process.")
@click.option("--site", default=None, help="Only this site (the `site` column).")
@click.option(
    "--extract/--no-extract",
    default=True,
    show_default=True,
    help="Re-run extraction over the stored raw pages; --no-extract only re-cleans the stored raw blocks.",
)
@click.option("--jobs", type=int, default=None, help="Extraction worker processes (default: one per core).")
def reclean(db: str, site: str | None, extract: bool, jobs: int | None) -> None:
    """Re-run extraction and cleaning over stored pages, without fetching.

    After a change of rules, extractor or a site profile: every stored raw page
    (table pages) is extracted again, the sites' boilerplate is learned again
    from all their articles, and every article touched is re-cleaned (body,
    stripped_blocks, date_mentions, near-duplicate links). Dates are kept.

    \b
    Examples:
        python -m crawler reclean
        python -m crawler reclean --site nhk
        python -m crawler reclean --no-extract    # only re-learn boilerplate and re-clean
    """
    from crawler.reprocess import count_pages, reextract
    from crawler.storage import ArticleStore, open_db

    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}: run a crawl first (python -m crawler demo)")
    store = ArticleStore(open_db(db))
    started = time.monotonic()
    if extract:
        total = count_pages(store, site)
        with click.progressbar(length=total, label=f"re-extracting {total} pages", file=sys.stderr) as bar:
            counts = reextract(store, site, jobs, bar.update)
        elapsed = time.monotonic() - started
        rate = counts["pages"] / elapsed if elapsed else 0.0
        click.echo(
            f"{counts['pages']} pages re-extracted in {elapsed:.1f} s ({rate:.0f} pages/s): "
            f"{counts['changed']} articles changed, {counts['unparseable']} unparseable, "
            f"{counts['boilerplate']} boilerplate blocks learned"
        )
    else:
        report = store.learn_boilerplate([site] if site else None)
        for name, r in sorted(report.items()):
            click.echo(
                f"{name}: {r['boilerplate']} boilerplate blocks (+{r['added']} -{r['removed']}), "
                f"{r['recleaned']} articles re-cleaned"
            )
        click.echo(f"done in {time.monotonic() - started:.1f} s")
