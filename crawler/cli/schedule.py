"""news-crawler schedule: one long-lived process that runs sites crawl after crawl, on their schedules."""

from __future__ import annotations

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
from crawler.crawl.targets import limit_settings
from crawler.schedule.policy import PolicyError, Schedule


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
    from crawler.crawl.daemon import run_daemon
    from crawler.profiles import load_profiles

    settings = project_settings(overrides)
    config = news_config(settings)
    path = db or config.db
    if targets:
        plan = parse_targets(targets)
    else:
        plan = parse_targets(tuple(name for name, p in sorted(load_profiles().items()) if p.schedule))
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
    check_database(path, config.db_timeout)
    limits = limit_settings(max_pages, parse_duration_option(max_time, "--max-time"), max_errors)
    settings.setdict({"NEWS_DB": path, "LOG_LEVEL": log_level, **limits}, priority="cmdline")
    sys.exit(run_daemon(settings, path, plans, once, lambda line: click.echo(line)))
