"""news-crawler crawl: sites (profiles) or URLs crawled now, each under its site lock, with limits."""

from __future__ import annotations

import json
import sys

import click

from crawler.cli.common import (
    check_database,
    news_config,
    parse_duration_option,
    parse_targets,
    project_settings,
    setting_option,
    with_limits,
)
from crawler.crawl.logformatter import quiet_network_tracebacks
from crawler.crawl.targets import limit_settings


@click.command("crawl")
@click.argument("targets", nargs=-1, required=True, metavar="SITE|URL...")
@click.option("--db", default=None, help="SQLite file to write (default: the NEWS_DB setting, data/news.db).")
@click.option("--wait", default="0s", show_default=True, metavar="DURATION",
              help="When a site is already being crawled, wait this long for it before giving up.")  # fmt: skip
@with_limits
@setting_option
def crawl_command(
    targets: tuple[str, ...],
    db: str | None,
    wait: str,
    max_pages: int | None,
    max_time: str | None,
    max_errors: int | None,
    log_level: str,
    overrides: tuple[str, ...],
) -> None:
    """Crawl sites (profile names) or URLs once, incrementally, and print what the run did.

    Each site is locked while it runs, so a second start (another terminal, a
    cron job, the scheduler) waits (--wait) or exits with one line naming the
    process that holds it. Stored articles are fetched again only when due or
    changed (NEWS_INCREMENTAL, NEWS_REVISIT). On a terminal a progress line
    shows pages, articles and rate. Exit status: 0 when every run finished or
    stopped at a limit you set, 1 otherwise (an interrupted run included).

    \b
    Examples:
        news-crawler crawl nhk
        news-crawler crawl https://example.com/sitemap.xml --max-pages 500
        news-crawler crawl demo-nhk --max-time 10m --db /tmp/news.db
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.cli.summary import summarize
    from crawler.schedule.locks import SiteBusyError, SiteLock
    from crawler.storage import open_db

    settings = project_settings(overrides)
    config = news_config(settings)
    path = db or config.db
    plan = parse_targets(targets)
    limits = limit_settings(max_pages, parse_duration_option(max_time, "--max-time"), max_errors)
    patience = parse_duration_option(wait, "--wait")
    check_database(path, config.db_timeout)
    locks: list[SiteLock] = []
    try:
        for target in plan:
            lock = SiteLock(path, target.key)
            locks.append(lock.acquire(wait=patience.total_seconds() if patience else 0.0))
            note = lock.stale_takeover()
            if note:
                click.echo(f"note: {note}", err=True)
    except SiteBusyError as exc:
        for lock in locks:
            lock.release()
        raise click.ClickException(str(exc)) from exc
    settings.setdict({"NEWS_DB": path, "NEWS_PROGRESS": True, "LOG_LEVEL": log_level, **limits}, priority="cmdline")
    quiet_network_tracebacks()
    try:
        process = CrawlerProcess(settings)
        crawlers = []
        for target in plan:
            crawler = process.create_crawler("news")
            process.crawl(crawler, **target.spider_kwargs)
            crawlers.append((target, crawler))
        process.start()
    finally:
        for lock in locks:
            lock.release()
    database = open_db(path)
    failed = False
    for target, crawler in crawlers:
        crawl_id = crawler.stats.get_value("news/crawl_id") if crawler.stats else None
        rows = list(database.query("select * from crawls where id = ?", [crawl_id])) if crawl_id else []
        if not rows:
            click.echo(f"{target.key}: the crawl did not start (see the log above)", err=True)
            failed = True
            continue
        row = rows[0]
        for line in summarize(row, path):
            click.echo(line)
        failed |= (
            row.get("status") not in {"finished", "stopped"} or row.get("finish_reason") == "closespider_errorcount"
        )
        if row.get("finish_reason") == "shutdown":
            # Ctrl-C or SIGTERM: what was fetched is stored, but the run did not get to its end.
            click.echo(f"{target.key}: stopped before its end (interrupted); the next run goes on", err=True)
            failed = True
        elif not row.get("pages_fetched"):
            # A dead site, a wrong URL, a robots.txt that forbids everything: not a success.
            click.echo(f"{target.key}: nothing fetched ({nothing_fetched(row)})", err=True)
            failed = True
    sys.exit(1 if failed else 0)


def nothing_fetched(row: dict[str, object]) -> str:
    """Why a run fetched nothing, from its recorded problems."""
    errors = row.get("errors")
    try:
        problems = json.loads(errors) if isinstance(errors, str) else dict(errors or {})  # type: ignore[call-overload]
    except ValueError:
        problems = {}
    if not problems:
        return "no page answered; check the URL and the site's robots.txt"
    top = ", ".join(f"{k} {v}" for k, v in sorted(problems.items(), key=lambda kv: -kv[1])[:3])
    return f"{top}; is the site up and the URL right?"
