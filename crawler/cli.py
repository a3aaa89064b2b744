"""Command line: python -m crawler <command>."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.config import NewsConfig
    from crawler.storage import ArticleStore

DEMO_PORTS = (8701, 8702)

setting_option = click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a Scrapy or NEWS_* setting, as `scrapy -s` does (repeatable).",
)


def project_settings(overrides: tuple[str, ...] = ()) -> Settings:
    """The project's Scrapy settings plus -s NAME=VALUE overrides (command-line priority)."""
    from scrapy.settings import Settings
    from scrapy.utils.project import get_project_settings

    if os.environ.get("SCRAPY_SETTINGS_MODULE"):
        settings = get_project_settings()
    else:  # ours, without touching the environment (child processes inherit it)
        settings = Settings()
        settings.setmodule("crawler.settings", priority="project")
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="-s")
        settings.set(name.strip(), value, priority="cmdline")
    return settings


def news_config(settings: Settings) -> NewsConfig:
    from crawler.config import NewsConfig

    try:
        return NewsConfig.from_settings(settings)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def open_existing(path: str, config: NewsConfig) -> ArticleStore:
    """Our database at path, or one clear error (missing, not SQLite, another application's)."""
    from crawler.storage import ArticleStore, DatabaseError, open_db

    try:
        return ArticleStore(open_db(path, config.db_timeout, create=False), config)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc


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


def stored_site(store: ArticleStore, site: str | None, path: str) -> str | None:
    """The stored site key a --site option means (key or name), or one clear error."""
    from crawler.storage.export import resolve_site, site_names

    if not site:
        return None
    key = resolve_site(store.db, site)
    if key is None:
        known = ", ".join(site_names(store.db)) or "none"
        raise click.ClickException(f"no articles of site {site!r} in {path} (sites: {known})")
    return key


@cli.command()
@click.option("--db", default="data/news.db", show_default=True, help="SQLite file to write.")
@click.option(
    "--serve", is_flag=True, help="Only serve the demo sites (until Ctrl-C) so you can run `scrapy crawl` yourself."
)
@click.option("--log-level", default="WARNING", show_default=True, help="Scrapy log level for the crawl.")
@setting_option
def demo(db: str, serve: bool, log_level: str, overrides: tuple[str, ...]) -> None:
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
    click.echo(
        f"  {venv_bin}/datasette serve -i {db}    # browse in Datasette (read-only; our plugin adds the metadata)"
    )
    click.echo(f"  {venv_bin}/news-crawler export --db {db} > articles.jsonl    # export JSONL")
    if crawl.get("status") != "finished":
        sys.exit(1)


@cli.command()
@click.option("--db", default=None, help="SQLite file to read (default: the NEWS_DB setting, data/news.db).")
@click.option("--site", default=None, help="Only this site: its key (profile name or host) or its name.")
@click.option(
    "-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout)."
)
@setting_option
def export(db: str | None, site: str | None, output: TextIO, overrides: tuple[str, ...]) -> None:
    """Write articles as JSON Lines, one object per article, date mentions nested.

    JSON columns (authors, date_signals) are decoded; each record carries its
    date_mentions (surface, offset in body, value, precision, kind).

    \b
    Examples:
        news-crawler export > articles.jsonl
        news-crawler export --db data/news.db --site demo-nhk -o nhk.jsonl
    """
    import json

    from crawler.storage.export import iter_export

    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_existing(path, config)
    key = stored_site(store, site, path)
    count = 0
    for record in iter_export(store.db, key):
        output.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    click.echo(f"{count} articles exported" if count else f"no articles in {path}: nothing exported", err=True)


@cli.command()
@click.option("--db", default=None, help="SQLite file to re-process (default: the NEWS_DB setting, data/news.db).")
@click.option("--site", default=None, help="Only this site: its key (profile name or host) or its name.")
@click.option(
    "--extract/--no-extract",
    default=True,
    show_default=True,
    help="Re-run extraction over the stored raw pages; --no-extract only re-cleans the stored raw blocks.",
)
@click.option("--jobs", type=int, default=None, help="Extraction worker processes (default: one per core).")
@setting_option
def reclean(db: str | None, site: str | None, extract: bool, jobs: int | None, overrides: tuple[str, ...]) -> None:
    """Re-run extraction and cleaning over stored pages, without fetching.

    After a change of rules, extractor or a site profile: every stored raw page
    (table pages) is extracted again, the sites' boilerplate is learned again
    from all their articles, and every article touched is re-cleaned (body,
    stripped_blocks, date_mentions, near-duplicate links). Dates are kept.

    The cleaning settings (NEWS_REPEATS_ENABLED, NEWS_BOILERPLATE_*,
    NEWS_MENTIONS_ENABLED) are the ones the database's latest crawl recorded;
    give -s NAME=VALUE to change one.

    \b
    Examples:
        news-crawler reclean
        news-crawler reclean --site nhk
        news-crawler reclean --no-extract    # only re-learn boilerplate and re-clean
        news-crawler reclean -s NEWS_BOILERPLATE_MIN_ARTICLES=20
    """
    from scrapy.settings import SETTINGS_PRIORITIES

    from crawler.config import NewsConfig
    from crawler.reprocess import reextract
    from crawler.storage import ArticleStore
    from crawler.storage.runs import recorded_config
    from crawler.storage.stored_pages import count_stored_pages

    settings = project_settings(overrides)
    config = news_config(settings)
    path = db or config.db
    store = open_existing(path, config)
    given = {
        name
        for name in NewsConfig.CLEANING
        if settings.getpriority(NewsConfig.setting_name(name)) == SETTINGS_PRIORITIES["cmdline"]
    }
    config = config.with_cleaning(recorded_config(store.db), keep=given)
    store = ArticleStore(store.db, config)
    click.echo(
        "cleaning settings: " + ", ".join(f"{NewsConfig.setting_name(k)}={v}" for k, v in config.cleaning().items())
    )
    key = stored_site(store, site, path)
    started = time.monotonic()
    if extract:
        total = count_stored_pages(store.db, key)
        with click.progressbar(length=total, label=f"re-extracting {total} pages", file=sys.stderr) as bar:
            counts = reextract(store, key, jobs, bar.update)
        elapsed = time.monotonic() - started
        rate = counts["pages"] / elapsed if elapsed else 0.0
        click.echo(
            f"{counts['pages']} pages re-extracted in {elapsed:.1f} s ({rate:.0f} pages/s): "
            f"{counts['changed']} articles changed, {counts['unparseable']} unparseable, "
            f"{counts['boilerplate']} boilerplate blocks learned"
        )
    else:
        report = store.learn_boilerplate([key] if key else None)
        for name, r in sorted(report.items()):
            click.echo(
                f"{name}: {r['boilerplate']} boilerplate blocks (+{r['added']} -{r['removed']}), "
                f"{r['recleaned']} articles re-cleaned"
            )
        click.echo(f"done in {time.monotonic() - started:.1f} s")


def main() -> None:
    """The `news-crawler` console script."""
    cli(prog_name="news-crawler")
