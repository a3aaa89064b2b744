"""What every command shares: project settings with -s overrides, the NewsConfig, opening our database."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

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
