"""news-crawler ingest: WARC files (local, globbed, or fetched by URL) through the same page
processor as a crawl, without the crawl engine, into the database; resumable, and idempotent per
file."""

from __future__ import annotations

import functools
import glob
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from crawler.cli.common import news_config, project_settings, setting_option

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")  # .arc.warc.gz ends in .warc.gz


def expand(paths: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(local files, URLs): globs expanded, folders read for *.warc and *.warc.gz, in order."""
    files: list[str] = []
    urls: list[str] = []
    for item in paths:
        if item.startswith(("http://", "https://")):
            urls.append(item)
            continue
        matches = sorted(glob.glob(item)) if any(c in item for c in "*?[") else [item]
        if not matches:
            raise click.BadParameter(f"{item}: no file matches", param_hint="PATH")
        for match in matches:
            p = Path(match)
            if p.is_dir():
                files.extend(str(f) for f in sorted(p.iterdir()) if f.name.endswith(WARC_SUFFIXES))
            elif p.exists():
                files.append(str(p))
            else:
                raise click.BadParameter(f"{match}: no such file", param_hint="PATH")
    return files, urls


def archive_filters(fn: Any) -> Any:
    """The record filters of an ingest, as options packed into one `filters` argument (shared by
    `ingest` and `redis push-warc`)."""
    options = [
        click.option("--site", default=None, metavar="SITE[,SITE]", help="Only these hosts, domains or profiles."),
        click.option("--language", default=None, metavar="LANG[,LANG]", help="Only articles in these languages."),
        click.option("--since", default=None, metavar="DAY", help="Only records fetched on or after this day (UTC)."),
        click.option("--until", default=None, metavar="DAY", help="Only records fetched on or before this day."),
        click.option("--url-pattern", default=None, metavar="REGEX", help="Only records whose URL matches."),
    ]

    @functools.wraps(fn)
    def packed(*args: Any, **kwargs: Any) -> Any:
        kwargs["filters"] = {name: kwargs.pop(name) for name in FILTERS}
        return fn(*args, **kwargs)

    for option in reversed(options):
        packed = option(packed)
    return packed


DAMAGED_LINES = 20  # damaged records named one a line, per file; the rest counted

FILTERS = ("site", "language", "since", "until", "url_pattern")


def check_archives(files: list[str], filters: dict[str, Any]) -> None:
    """Refuse, in one line and before anything starts, bad filters and files that are not WARC."""
    check_filters(filters)
    refused = readable(files)
    if refused:
        raise click.UsageError(next(iter(refused.values())))


def check_filters(filters: dict[str, Any]) -> None:
    from crawler.ingest.records import FilterError, RecordFilter

    try:
        RecordFilter.of(**filters)
    except FilterError as exc:
        raise click.UsageError(str(exc)) from exc


def readable(files: list[str]) -> dict[str, str]:
    """The files that are not archives warcio reads, each with its one-line reason."""
    from crawler.archive.warc import NotWarcError, check_warc

    refused: dict[str, str] = {}
    for file in files:
        try:
            check_warc(file)
        except NotWarcError as exc:
            refused[file] = str(exc)
    return refused


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, metavar="PATH|URL...")
@click.option("--db", default=None, help="SQLite file to write (default: the NEWS_DB setting, data/news.db).")
@archive_filters
@click.option("--download-dir", default=None, help="Where WARC files given by URL are saved (default: beside the DB).")
@click.option("--log-level", default="ERROR", show_default=True, help="Log level (the summary lists problems).")
@setting_option
def ingest(
    paths: tuple[str, ...],
    db: str | None,
    filters: dict[str, Any],
    download_dir: str | None,
    log_level: str,
    overrides: tuple[str, ...],
) -> None:
    """Read WARC files into the database through the page processor a crawl uses.

    Each HTTP response record becomes a page, as if it had just been fetched: page
    decision, extraction, dates (the record's WARC-Date is the fetch time), cleaning,
    boilerplate learning, near-duplicates, the same `decisions` rows and counts. Worker
    processes (NEWS_WORKERS, one per core by default) read the records themselves; one
    writer stores the rows in batches. Other
    records (request, metadata, revisit, warcinfo), damaged ones and those the filters
    leave out are counted per file (table warc_files). A file ingested whole is skipped
    next time; a run that was stopped goes on from the records not yet stored.

    \b
    Examples:
        news-crawler demo --warc data/demo-news.warc.gz
        news-crawler ingest data/demo-news.warc.gz --db data/archive.db
        news-crawler ingest 'crawl-data/CC-NEWS/2024/01/*.warc.gz' --site nhk --language ja
        news-crawler ingest https://example.org/news-2024.warc.gz --since 2024-01-01
    """
    from crawler.cli.summary import summarize
    from crawler.ingest.records import RecordFilter
    from crawler.ingest.run import ArchiveFile, Ingest, default_workers, terminal_progress
    from crawler.storage import ArticleStore, DatabaseError, open_db
    from crawler.storage import archives as registry
    from crawler.storage.runs import last_crawl

    settings = project_settings(overrides)
    config = news_config(settings)
    path = db or config.db
    local, urls = expand(paths)
    check_filters(filters)
    # A file that is not an archive is named and left out; the others are read (exit status 1 at
    # the end). Only when nothing readable is left is it a refusal (exit status 2).
    refused = readable(local)
    local = [f for f in local if f not in refused]
    if refused and not local and not urls:
        raise click.UsageError("\n".join(refused.values()))
    for reason in refused.values():
        click.echo(f"skipped {reason}", err=True)
    try:
        store = open_db(path, config.db_timeout)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    started = time.monotonic()
    _configure_logging(log_level)
    downloaded: list[str] = []
    if urls:
        downloaded = _download(urls, download_dir or str(Path(path).resolve().parent / "warc-downloads"), settings)
        bad = readable(downloaded)
        refused.update(bad)
        downloaded = [f for f in downloaded if f not in bad]
        if bad and not local and not downloaded:
            raise click.UsageError("\n".join(refused.values()))
        for reason in bad.values():
            click.echo(f"skipped {reason}", err=True)
    files: list[ArchiveFile] = []
    for file in [*local, *downloaded]:
        row = registry.register(store, file, source=file)
        if row["state"] == "done":
            click.echo(f"{row['name']}: already ingested ({row['records']} records), skipped")
            continue
        files.append(ArchiveFile(row["id"], str(Path(file).resolve()), registry.done_offsets(store, row["id"])))
    if not files:
        click.echo("Nothing to ingest.")
        if refused:
            sys.exit(1)
        return
    config = replace(config, db=path)
    run = Ingest(ArticleStore(store, config), config, RecordFilter.of(**filters), default_workers(config),
                 progress=terminal_progress if config.progress or sys.stderr.isatty() else None)  # fmt: skip
    run.run(files)
    crawl = last_crawl(open_db(path))
    crawl_id = crawl["id"] if crawl else None
    for archive in files:
        report = run.reports.get(archive.id)
        counts = dict(sorted((report.counts if report else {}).items()))
        records = report.records if report else 0
        whole = bool(report and report.whole) and run.reason == "finished"
        assert archive.id is not None  # registered above
        if whole:
            registry.finish(store, archive.id, records, counts, crawl_id)
        else:
            registry.progress(store, archive.id, records, counts, crawl_id)
        for line in (report.damaged if report else [])[:DAMAGED_LINES]:
            click.echo(line, err=True)  # what a reader of the archive must know, at any log level
        if report and len(report.damaged) > DAMAGED_LINES:
            click.echo(f"{archive.path}: {len(report.damaged) - DAMAGED_LINES} more damaged records", err=True)
        state_word = "done" if whole else "not finished (run it again to go on)"
        click.echo(f"{Path(archive.path).name}: {records} records, {state_word}: {json.dumps(counts)}")
    if crawl is not None:
        for line in summarize(crawl, path):
            click.echo(line)
    click.echo(f"Ingest finished in {time.monotonic() - started:.1f} s.")
    if refused:
        click.echo(f"{len(refused)} file(s) not read (named above); the others were ingested", err=True)
    if run.reason != "finished" or refused:
        sys.exit(1)


def _configure_logging(level: str) -> None:
    import logging

    logging.basicConfig(level=level.upper(), format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")


def _download(urls: list[str], directory: str, settings: Any) -> list[str]:
    """WARC files given by URL, fetched through Scrapy (robots.txt, the User-Agent, retries)
    into a local folder; a file downloaded whole before is not fetched again."""
    from scrapy.crawler import CrawlerProcess

    from crawler.crawl.archive import WarcDownloadSpider

    process = CrawlerProcess(settings)
    downloader = process.create_crawler(WarcDownloadSpider)
    process.crawl(downloader, urls=urls, directory=directory)
    process.start()
    spider = downloader.spider
    assert isinstance(spider, WarcDownloadSpider)
    for url, why in spider.failed.items():
        click.echo(f"could not download {url}: {why}", err=True)
    return [spider.saved[u] for u in urls if u in spider.saved]
