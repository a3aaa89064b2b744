"""news-crawler profiles list|check: the site profiles, and whether their selectors still hold."""

from __future__ import annotations

import sys

import click

from crawler.cli.common import (
    news_config,
    open_existing,
    project_settings,
    setting_option,
)


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

    from crawler.cli.profilecheck import ProfileReport, check_fixtures, check_stored
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
