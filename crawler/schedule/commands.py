"""The command-line side of scheduling: `crawl`, `schedule` and `runs` (added to crawler.cli)."""

from __future__ import annotations

import sys
from typing import Any

import click

from crawler.clicommon import news_config, open_existing, project_settings, setting_option
from crawler.schedule.policy import PolicyError, Schedule, parse_duration
from crawler.schedule.runner import Target, TargetError, group_targets, limit_settings, one_line


def _duration(value: str | None, option: str) -> Any:
    if not value or value.strip() in {"0", "0s"}:
        return None
    try:
        return parse_duration(value)
    except PolicyError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


def _targets(texts: tuple[str, ...]) -> list[Target]:
    try:
        return group_targets(list(texts))
    except (TargetError, PolicyError) as exc:
        raise click.BadParameter(str(exc), param_hint="SITE|URL") from exc


limit_options = [
    click.option("--max-pages", type=int, default=None, help="Stop a run after this many responses."),
    click.option("--max-time", default=None, metavar="DURATION", help="Stop a run after this long (30s, 15m, 2h)."),
    click.option("--max-errors", type=int, default=None, help="Stop a run after this many errors."),
    click.option(
        "--log-level", default="ERROR", show_default=True, help="Scrapy log level (the summary lists problems)."
    ),
]


def with_limits(fn: Any) -> Any:
    for option in reversed(limit_options):
        fn = option(fn)
    return fn


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
    stopped at a limit you set, 1 otherwise.

    \b
    Examples:
        news-crawler crawl nhk
        news-crawler crawl https://example.com/sitemap.xml --max-pages 500
        news-crawler crawl demo-nhk --max-time 10m --db /tmp/news.db
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.report import summarize
    from crawler.schedule.locks import SiteBusyError, SiteLock
    from crawler.storage import open_db

    settings = project_settings(overrides)
    config = news_config(settings)
    path = db or config.db
    plan = _targets(targets)
    limits = limit_settings(max_pages, _duration(max_time, "--max-time"), max_errors)
    patience = _duration(wait, "--wait")
    _check_database(path, config.db_timeout)
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
    sys.exit(1 if failed else 0)


@click.command("schedule")
@click.argument("targets", nargs=-1, metavar="[SITE|URL...]")
@click.option(
    "--every",
    default=None,
    metavar="INTERVAL|CRON",
    help="Run every target this often (15m, 1h, 1d, or a cron expression); default: each profile's schedule.",
)
@click.option("--once", is_flag=True, help="Run each target once and exit (for cron or a systemd timer).")
@click.option("--db", default=None, help="SQLite file to write (default: the NEWS_DB setting, data/news.db).")
@with_limits
@setting_option
def schedule_command(
    targets: tuple[str, ...],
    every: str | None,
    once: bool,
    db: str | None,
    max_pages: int | None,
    max_time: str | None,
    max_errors: int | None,
    log_level: str,
    overrides: tuple[str, ...],
) -> None:
    """Run sites on their schedules in one long-lived process, crawl after crawl.

    Without SITE arguments, every profile with a `schedule:` field runs. Sites
    run side by side, each at most once at a time (locked across processes),
    each incremental. One line per finished run. SIGINT or SIGTERM stops
    cleanly: no new run starts, running crawls write their current batch and
    their record, then the process exits 0.

    \b
    Examples:
        news-crawler schedule                       # every profile with a schedule
        news-crawler schedule nhk --every 15m
        news-crawler schedule nhk demo-nhk --once   # from cron: one run each
        news-crawler schedule nhk --every "*/30 6-23 * * *"
    """
    from crawler.profiles import load_profiles
    from crawler.schedule.daemon import run_daemon

    settings = project_settings(overrides)
    config = news_config(settings)
    path = db or config.db
    if targets:
        plan = _targets(targets)
    else:
        plan = _targets(tuple(name for name, p in sorted(load_profiles().items()) if p.schedule))
        if not plan:
            raise click.UsageError("no profile has a schedule: name the sites to run and give --every")
    override = None
    if every:
        try:
            override = Schedule.parse(every)
        except PolicyError as exc:
            raise click.BadParameter(str(exc), param_hint="--every") from exc
    plans = []
    for target in plan:
        schedule = override or target.schedule
        if schedule is None:
            if once:
                schedule = Schedule.parse("1d")  # one run: the interval is never used
            else:
                raise click.BadParameter(f"{target.key} has no schedule: give --every", param_hint="--every")
        plans.append((target, schedule))
    _check_database(path, config.db_timeout)
    limits = limit_settings(max_pages, _duration(max_time, "--max-time"), max_errors)
    settings.setdict({"NEWS_DB": path, "LOG_LEVEL": log_level, **limits}, priority="cmdline")
    sys.exit(run_daemon(settings, path, plans, once, lambda line: click.echo(line)))


def _check_database(path: str, timeout: float) -> None:
    """Before any crawl: refuse another application's file, a newer schema, a locked database."""

    from crawler.storage.database import DatabaseError, check_writable, open_db

    try:
        open_db(path, timeout).conn.close()  # created and migrated here, so a failure is one line
        check_writable(path, timeout)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc


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
    store = open_existing(path, config)
    where, params = ("where site = ?", [site]) if site else ("", [])
    rows = list(store.db.query(f"select * from crawls {where} order by id desc limit ?", [*params, limit]))
    for row in reversed(rows):
        click.echo(one_line(row))
    if not rows:
        click.echo(f"no runs in {path}" + (f" for site {site!r}" if site else ""), err=True)


@click.group("profiles")
def profiles_group() -> None:
    """Site profiles: list them, and check that their selectors still match."""


@profiles_group.command("list")
def profiles_list() -> None:
    """Every profile: name, domains, schedule, entry points."""
    from crawler.profiles import load_profiles

    for name, profile in sorted(load_profiles().items()):
        click.echo(
            f"{name:15} {', '.join(profile.allowed_domains):28} every {profile.schedule or '-':5} "
            f"{len(profile.entry_points)} entry points  {profile.title or ''}"
        )


@profiles_group.command("check")
@click.argument("names", nargs=-1, metavar="[NAME...]")
@click.option("--db", default=None, help="SQLite file whose stored pages are checked (default: NEWS_DB).")
@click.option("--limit", type=int, default=500, show_default=True, help="Stored pages checked per profile.")
@setting_option
def profiles_check(names: tuple[str, ...], db: str | None, limit: int, overrides: tuple[str, ...]) -> None:
    """Run each profile over its fixtures and over its site's stored pages; report selector misses.

    A selector that matches nothing (a layout change) is listed per field with an example URL.
    Nothing is written. Exit status 1 when a fixture differs or a selector missed.

    \b
    Examples:
        news-crawler profiles check
        news-crawler profiles check asahi nhk --db data/news.db
    """
    from pathlib import Path

    from crawler.profilecheck import ProfileReport, check_fixtures, check_stored
    from crawler.profiles import load_profiles

    profiles = load_profiles()
    unknown = [n for n in names if n not in profiles]
    if unknown:
        raise click.BadParameter(f"no profile {unknown[0]!r} (profiles: {', '.join(sorted(profiles))})")
    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_existing(path, config) if Path(path).exists() else None
    failed = False
    for name in names or tuple(sorted(profiles)):
        report = ProfileReport(name)
        check_fixtures(profiles[name], report)
        if store is not None:
            check_stored(profiles[name], report, store.db, limit)
        for line in report.lines():
            click.echo(line)
        failed |= not report.ok
    if store is None:
        click.echo(f"(no database at {path}: only fixtures were checked)", err=True)
    sys.exit(1 if failed else 0)
