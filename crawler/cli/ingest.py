"""news-crawler ingest: WARC files (local, globbed, or fetched by URL) through the same spider and
pipelines as a crawl, into the database; resumable, and idempotent per file."""

from __future__ import annotations

import functools
import glob
import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from crawler.cli.common import news_config, project_settings, setting_option

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.warc.gz")


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


FILTERS = ("site", "language", "since", "until", "url_pattern")


def check_archives(files: list[str], filters: dict[str, Any]) -> None:
    """Refuse, in one line and before anything starts, bad filters and files that are not WARC."""
    from crawler.archive.warc import NotWarcError, check_warc
    from crawler.crawl.archive import ArchiveSpider
    from crawler.crawl.spider import SpiderArgumentError

    try:
        ArchiveSpider.check_filters(**filters)
        for file in files:
            check_warc(file)
    except (SpiderArgumentError, NotWarcError) as exc:
        raise click.UsageError(str(exc)) from exc


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, metavar="PATH|URL...")
@click.option("--db", default=None, help="SQLite file to write (default: the NEWS_DB setting, data/news.db).")
@archive_filters
@click.option("--download-dir", default=None, help="Where WARC files given by URL are saved (default: beside the DB).")
@click.option("--log-level", default="ERROR", show_default=True, help="Scrapy log level (the summary lists problems).")
@setting_option
def ingest(
    paths: tuple[str, ...],
    db: str | None,
    filters: dict[str, Any],
    download_dir: str | None,
    log_level: str,
    overrides: tuple[str, ...],
) -> None:
    """Read WARC files into the database through the news spider and every pipeline.

    Each HTTP response record becomes a page, as if it had just been fetched: page
    decision, extraction, dates (the record's WARC-Date is the fetch time), cleaning,
    boilerplate learning, near-duplicates, the same `decisions` rows and counts. Other
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
    from scrapy.crawler import CrawlerProcess

    from crawler.cli.summary import summarize
    from crawler.crawl.archive import ArchiveFile, ArchiveSpider, WarcDownloadSpider
    from crawler.storage import DatabaseError, open_db
    from crawler.storage import archives as registry
    from crawler.storage.runs import last_crawl

    settings = project_settings(overrides)
    config = news_config(settings)
    path = db or config.db
    local, urls = expand(paths)
    check_archives(local, filters)
    try:
        store = open_db(path, config.db_timeout)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    settings.setdict({"NEWS_DB": path, "LOG_LEVEL": log_level, "NEWS_PROGRESS": True}, priority="cmdline")
    state: dict[str, Any] = {"files": [], "skipped": [], "refused": None, "crawler": None}

    def plan(downloaded: list[str]) -> list[ArchiveFile]:
        files: list[ArchiveFile] = []
        for file in [*local, *downloaded]:
            row = registry.register(store, file, source=file)
            if row["state"] == "done":
                state["skipped"].append(row)
                continue
            files.append(ArchiveFile(row["id"], str(Path(file).resolve()), registry.done_offsets(store, row["id"])))
        return files

    process = CrawlerProcess(settings)
    started = time.monotonic()

    def run_ingest(_: Any = None, downloader: Any = None) -> Any:
        downloaded: list[str] = []
        if downloader is not None:
            spider = downloader.spider
            for url, why in spider.failed.items():
                click.echo(f"could not download {url}: {why}", err=True)
            downloaded = [spider.saved[u] for u in urls if u in spider.saved]
            try:
                check_archives(downloaded, filters)
            except click.UsageError as exc:
                state["refused"] = exc.message
                return None
        files = plan(downloaded)
        state["files"] = files
        if not files:
            return None
        crawler = process.create_crawler(ArchiveSpider)
        state["crawler"] = crawler
        return process.crawl(crawler, files=files, **filters)

    if urls:
        directory = download_dir or str(Path(path).resolve().parent / "warc-downloads")
        downloader = process.create_crawler(WarcDownloadSpider)
        deferred = process.crawl(downloader, urls=urls, directory=directory)
        deferred.addCallback(run_ingest, downloader=downloader)
    else:
        run_ingest()
    process.start()
    if state["refused"]:
        raise click.UsageError(state["refused"])
    for row in state["skipped"]:
        click.echo(f"{row['name']}: already ingested ({row['records']} records), skipped")
    crawler = state["crawler"]
    if crawler is None:
        click.echo("Nothing to ingest.")
        return
    spider: ArchiveSpider = crawler.spider
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    crawl = last_crawl(open_db(path))
    crawl_id = crawl["id"] if crawl else None
    for file in state["files"]:
        counts = dict(sorted(spider.counts.get(file.id, {}).items()))
        records = spider.records.get(file.id, 0)
        whole = file.id in spider.read_whole and reason == "finished"
        if whole:
            registry.finish(store, file.id, records, counts, crawl_id)
        else:
            registry.progress(store, file.id, records, counts, crawl_id)
        state_word = "done" if whole else "not finished (run it again to go on)"
        click.echo(f"{Path(file.path).name}: {records} records, {state_word}: {json.dumps(counts)}")
    if crawl is not None:
        for line in summarize(crawl, path):
            click.echo(line)
    click.echo(f"Ingest finished in {time.monotonic() - started:.1f} s.")
    if reason != "finished":
        sys.exit(1)
