"""news-crawler profiles list|check: the site profiles, and whether their selectors still hold."""

from __future__ import annotations

import re
import sys
from typing import Any

import click

from crawler.cli.common import (
    news_config,
    open_for_reading,
    project_settings,
    setting_option,
)


@click.group("profiles")
def profiles_group() -> None:
    """Site profiles: list them, and check that their selectors still match."""


@profiles_group.command("list")
@click.option("--db", default=None, help="SQLite file whose learned parsers are listed too (default: NEWS_DB).")
@setting_option
def profiles_list(db: str | None, overrides: tuple[str, ...]) -> None:
    """Every profile: name, domains, schedule, entry points; then the sites' learned parsers."""
    from crawler.profiles import load_profiles_and_problems

    profiles, problems = load_profiles_and_problems()
    for name, profile in sorted(profiles.items()):
        click.echo(
            f"{name:15} {', '.join(profile.allowed_domains):28} every {profile.schedule or '-':5} "
            f"{len(profile.entry_points)} entry points  {profile.title or ''}"
        )
    for path, reason in problems.items():
        click.echo(f"{path.stem:15} left out: {reason}")
    rows = _parser_rows(db, overrides)
    if rows:
        click.echo(f"\nLearned parsers ({len(rows)} sites; `news-crawler profiles learned` for each one):")
        states: dict[str, int] = {}
        for row in rows:
            states[row["state"]] = states.get(row["state"], 0) + 1
        click.echo("  " + ", ".join(f"{state} {n}" for state, n in sorted(states.items())))


def _parser_rows(db: str | None, overrides: tuple[str, ...], site: str | None = None) -> list[dict[str, Any]]:
    from pathlib import Path

    from crawler.storage.siteparsers import parser_rows

    config = news_config(project_settings(overrides))
    path = db or config.db
    if not Path(path).exists():
        return []
    return parser_rows(open_for_reading(path, config).db, site)


@profiles_group.command("learned")
@click.option("--db", default=None, help="SQLite file (default: the NEWS_DB setting).")
@setting_option
def profiles_learned(db: str | None, overrides: tuple[str, ...]) -> None:
    """The sites' learned parsers (table site_parsers): state, body selector, and how their
    samples agree with the thorough path.

    \b
    Example:
        news-crawler profiles learned --db data/archive.db
    """
    rows = _parser_rows(db, overrides)
    if not rows:
        click.echo("No learned parsers (`news-crawler ingest` learns them).")
        return
    click.echo(f"{'site':32} {'state':10} {'body selector':28} {'pages':>6} {'doubtful':>8} {'agreed':>9} {'F1':>5}")
    for r in rows:
        agreed = f"{r['samples_agreed'] or 0}/{r['samples'] or 0}"
        f1 = f"{r['sample_body_f1']:.2f}" if r["sample_body_f1"] is not None else "-"
        selector = r["body_selector"] if r["state"] == "active" else f"({r['reason']})"
        click.echo(f"{r['site'][:32]:32} {r['state']:10} {(selector or '-')[:28]:28} {r['pages'] or 0:>6} "
                   f"{r['doubtful'] or 0:>8} {agreed:>9} {f1:>5}")  # fmt: skip


@profiles_group.command("learn")
@click.argument("site")
@click.option("--db", default=None, help="SQLite file (default: the NEWS_DB setting).")
@click.option("--out", "out", default=None, help="Write the YAML here instead of the standard output.")
@setting_option
def profiles_learn(site: str, db: str | None, out: str | None, overrides: tuple[str, ...]) -> None:
    """Write a site's learned parser out as a profile YAML to edit (its body and drop selectors,
    with its agreement figures as comments). Put the file among the profiles to make it the
    site's profile.

    \b
    Example:
        news-crawler profiles learn example.com --db data/archive.db --out example.yaml
    """
    from crawler.page.learn import LearnedParser

    rows = _parser_rows(db, overrides, site)
    if not rows:
        raise click.ClickException(f"no learned parser for {site!r} (`news-crawler profiles learned` lists them)")
    row = rows[0]
    if row["state"] != "active" or not row["parser"]:
        raise click.ClickException(f"{site}: no active parser ({row['state']}: {row['reason']})")
    text = profile_yaml(site, LearnedParser.from_json(row["parser"]), row)
    if out:
        from pathlib import Path

        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"{out}: profile {profile_name(site)!r} written", err=True)
    else:
        click.echo(text, nl=False)


def profile_name(site: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", site.lower()).strip("-") or "site"


def profile_yaml(site: str, parser: Any, row: dict[str, Any]) -> str:
    import yaml

    host = site.split(":")[0]
    data: dict[str, Any] = {
        "name": profile_name(site),
        "allowed_domains": [host],
        "start_urls": [f"https://{site}/"],
        "selectors": {"body": parser.body, **({"drop": parser.drop} if parser.drop else {})},
    }
    head = (
        f"# Learned by news-crawler from {row['pages_learned']} pages of {site} ({row['learned_at']}).\n"
        f"# Since: {row['pages'] or 0} pages by the learned path, {row['doubtful'] or 0} doubtful; "
        f"{row['samples_agreed'] or 0} of {row['samples'] or 0} samples agreed with the thorough path"
        + (f" (body F1 {row['sample_body_f1']:.2f})" if row["sample_body_f1"] is not None else "")
        + ".\n# Check start_urls (add sitemaps or feeds) before crawling it; `news-crawler profiles check` checks it.\n"
    )
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


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
    from crawler.profiles import load_profiles_and_problems

    profiles, problems = load_profiles_and_problems()
    bad = {path.stem: reason for path, reason in problems.items()}
    for name, reason in bad.items():
        if not names or name in names:
            click.echo(f"{name}: FAILED, left out of every run: {reason}")
    names = tuple(n for n in names if n not in bad)
    unknown = [n for n in names if n not in profiles]
    if unknown:
        raise click.BadParameter(f"no profile {unknown[0]!r} (profiles: {', '.join(sorted(profiles))})")
    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_for_reading(path, config) if Path(path).exists() else None
    failed = False
    for name in names or tuple(sorted(profiles)):
        report = ProfileReport(name)
        check_fixtures(profiles[name], report)
        if store is not None:
            check_stored(profiles[name], report, store.db, limit)
        for line in report.lines():
            click.echo(line)
        failed |= not report.ok
    failed |= bool(bad)
    if store is None:
        click.echo(f"(no database at {path}: only fixtures were checked)", err=True)
    sys.exit(1 if failed else 0)
