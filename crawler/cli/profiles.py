"""news-crawler profiles list|new|check|learned|learn: the site profiles (bundled and the
user's own, NEWS_PROFILES_DIR), drafting one for a new site, and whether their selectors hold."""

from __future__ import annotations

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
    """Site profiles: list them, start one for a site of yours, check that their selectors hold.

    Profiles are read from the bundled folder and from yours (the NEWS_PROFILES_DIR setting,
    default ~/.config/news-crawler/sites); yours add sites or replace bundled ones by name."""


@profiles_group.command("list")
@click.option("--db", default=None, help="SQLite file whose learned parsers are listed too (default: NEWS_DB).")
@setting_option
def profiles_list(db: str | None, overrides: tuple[str, ...]) -> None:
    """Every profile: name, domains, schedule, entry points, whose it is; then the sites' learned parsers."""
    from crawler.profiles import SITES_DIR, load_profiles_and_problems, user_dir

    project_settings(overrides)  # NEWS_PROFILES_DIR
    profiles, problems = load_profiles_and_problems()
    for name, profile in sorted(profiles.items()):
        whose = "bundled" if profile.path is not None and profile.path.parent == SITES_DIR else "yours"
        click.echo(
            f"{name:15} {', '.join(profile.allowed_domains):28} every {profile.schedule or '-':5} "
            f"{len(profile.entry_points)} entry points  {whose:7}  {profile.title or ''}"
        )
    click.echo(f"(your profiles: {user_dir()})", err=True)
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
@click.option(
    "--save",
    is_flag=True,
    help="Write it into your profiles folder (NEWS_PROFILES_DIR): the site's profile from now on.",
)
@setting_option
def profiles_learn(site: str, db: str | None, out: str | None, save: bool, overrides: tuple[str, ...]) -> None:
    """Write a site's learned parser out as a profile YAML to edit (its body and drop selectors,
    with its agreement figures as comments). With --save it goes into your profiles folder and
    is the site's profile from the next run.

    \b
    Examples:
        news-crawler profiles learn example.com --db data/archive.db --out example.yaml
        news-crawler profiles learn example.com --db data/archive.db --save
    """
    from crawler.page.learn import LearnedParser

    rows = _parser_rows(db, overrides, site)
    if not rows:
        raise click.ClickException(f"no learned parser for {site!r} (`news-crawler profiles learned` lists them)")
    row = rows[0]
    if row["state"] != "active" or not row["parser"]:
        raise click.ClickException(f"{site}: no active parser ({row['state']}: {row['reason']})")
    text = profile_yaml(site, LearnedParser.from_json(row["parser"]), row)
    if save:
        from crawler.profiles import user_dir

        target = user_dir() / f"{profile_name(site)}.yaml"
        if target.exists():
            raise click.ClickException(f"{target} exists: edit it, or move it away first")
        target.parent.mkdir(parents=True, exist_ok=True)
        out = str(target)
    if out:
        from pathlib import Path

        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"{out}: profile {profile_name(site)!r} written", err=True)
    else:
        click.echo(text, nl=False)


def profile_name(site: str) -> str:
    from crawler.discovery.urls import profile_name_for

    return profile_name_for(site)


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


@profiles_group.command("new")
@click.argument("url")
@click.option("--name", default=None, help="The profile's name (default: from the host, e.g. example-com).")
@click.option("--pages", type=int, default=4, show_default=True, help="Story pages linked from URL read to learn from.")
@click.option("--force", is_flag=True, help="Replace a profile of yours of the same name.")
@setting_option
def profiles_new(url: str, name: str | None, pages: int, force: bool, overrides: tuple[str, ...]) -> None:
    """Start a profile for a site of yours from its front page (or one of its articles).

    Fetches URL and up to --pages of the stories it links to (robots.txt obeyed), guesses where
    the site keeps its body and headline from them, and writes NAME.yaml, with a fixture per
    article page read, into your profiles folder (NEWS_PROFILES_DIR, default
    ~/.config/news-crawler/sites). Nothing in the installed package changes.

    \b
    Examples:
        news-crawler profiles new https://www.example.com/news/
        news-crawler profiles check example-com && news-crawler crawl example-com
    """
    from crawler.cli.newprofile import Fetcher, write_profile
    from crawler.crawl.middlewares import user_agent
    from crawler.page.draft import draft_profile, story_links
    from crawler.profiles import ProfileError, host_matches, load_profiles, user_dir

    settings = project_settings(overrides)
    # Two profiles for one host leave it with none (a URL is read with the one profile that
    # matches it): a site already covered is replaced by name, never doubled.
    covering = [p for p in load_profiles().values() if host_matches(url, p) and p.name != name]
    if covering:
        raise click.ClickException(
            f"profile {covering[0].name!r} ({covering[0].path}) already covers this site: "
            f"give --name {covering[0].name} to write yours in its place"
        )
    explicit = (settings.getpriority("USER_AGENT") or 0) > 0 and settings.get("USER_AGENT")
    fetcher = Fetcher(explicit or user_agent(news_config(settings).contact))
    start = fetcher.page(url)
    read: list[Any] = []
    for link in story_links(start, pages * 3):
        if len(read) >= pages:
            break
        try:
            read.append(fetcher.page(link))
        except click.ClickException as exc:  # one bad link does not end the draft
            click.echo(f"skipped {exc.message}", err=True)
    draft = draft_profile(start, read, name, fetcher.sitemaps)
    try:
        path = write_profile(draft, user_dir(), force)
    except ProfileError as exc:
        raise click.ClickException(f"the drafted profile does not load: {exc}") from exc
    selectors = draft.profile.get("selectors") or {}
    chosen = ", ".join(f"{k} {v!r}" for k, v in selectors.items()) or "none (generic extraction)"
    new = draft.profile["name"]
    click.echo(f"{path}: profile {new!r} for {', '.join(draft.profile['allowed_domains'])}")
    click.echo(f"  read {1 + len(read)} pages, {len(draft.articles)} of them articles; selectors: {chosen}")
    click.echo(f"  {len(draft.articles)} fixtures in {path.parent / 'fixtures' / new}")
    click.echo(f"Next: news-crawler profiles check {new}    # then: news-crawler crawl {new}")


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

    from crawler.cli.profilecheck import ProfileReport, check_fixtures, check_stored, fixtures_of
    from crawler.profiles import load_profiles_and_problems

    config = news_config(project_settings(overrides))  # first: NEWS_PROFILES_DIR says where yours are
    profiles, problems = load_profiles_and_problems()
    bad = {path.stem: reason for path, reason in problems.items()}
    for name, reason in bad.items():
        if not names or name in names:
            click.echo(f"{name}: FAILED, left out of every run: {reason}")
    names = tuple(n for n in names if n not in bad)
    unknown = [n for n in names if n not in profiles]
    if unknown:
        raise click.BadParameter(f"no profile {unknown[0]!r} (profiles: {', '.join(sorted(profiles))})")
    path = db or config.db
    store = open_for_reading(path, config) if Path(path).exists() else None
    failed = False
    for name in names or tuple(sorted(profiles)):
        report = ProfileReport(name)
        check_fixtures(profiles[name], report, fixtures_of(profiles[name]))
        if store is not None:
            check_stored(profiles[name], report, store.db, limit)
        for line in report.lines():
            click.echo(line)
        failed |= not report.ok
    failed |= bool(bad)
    if store is None:
        click.echo(f"(no database at {path}: only fixtures were checked)", err=True)
    sys.exit(1 if failed else 0)
