"""What the commands share: project settings with -s overrides, the NewsConfig, opening our
database, --site, targets and run limits."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from crawler.crawl.targets import Target, TargetError, group_targets
from crawler.profiles import use_profiles_dir
from crawler.schedule.policy import PolicyError, parse_duration

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.config import NewsConfig
    from crawler.storage import ArticleStore

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
        settings.setmodule("crawler.crawl.settings", priority="project")
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="-s")
        settings.set(name.strip(), value, priority="cmdline")
    # The one setting read outside a crawler's settings: profiles are looked up by name from
    # every process (the crawl, its workers, scheduled runs), which all inherit the environment.
    use_profiles_dir(str(settings.get("NEWS_PROFILES_DIR") or ""))
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


def open_for_reading(path: str, config: NewsConfig) -> ArticleStore:
    """Our database at path opened read-only (a read command never needs write access: a
    read-only disk or folder, an archive copy), or one clear error."""
    from crawler.storage import ArticleStore, DatabaseError, open_reader

    try:
        return ArticleStore(open_reader(path, config.db_timeout), config)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc


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


def parse_duration_option(value: str | None, option: str) -> Any:
    if not value or value.strip() in {"0", "0s"}:
        return None
    try:
        return parse_duration(value)
    except PolicyError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


class BadInput(click.ClickException):
    """Bad input from the command line: one line, "Error: ...", exit status 2 (as a usage error),
    before anything is created."""

    exit_code = 2


def parse_targets(texts: tuple[str, ...]) -> list[Target]:
    try:
        return group_targets(list(texts))
    except (TargetError, PolicyError) as exc:
        raise BadInput(str(exc)) from exc


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


def check_database(path: str, timeout: float) -> None:
    """Before any crawl: refuse another application's file, a newer schema, a locked database."""

    from crawler.storage.database import DatabaseError, check_writable, open_db

    try:
        open_db(path, timeout).conn.close()  # created and migrated here, so a failure is one line
        check_writable(path, timeout)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
