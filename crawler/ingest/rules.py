"""The page processor's rules from the run's configuration: one place for the crawl and the ingest."""

from __future__ import annotations

from datetime import timedelta

from crawler.config import NewsConfig
from crawler.page.dates import DateRules
from crawler.page.process import PageRules
from crawler.text.dates import get_tz


def page_rules(config: NewsConfig) -> PageRules:
    """The page processor's settings from the run's NewsConfig; an unknown default zone refused."""
    default_tz = config.default_timezone or None
    if default_tz and get_tz(default_tz) is None:
        raise ValueError(f"NEWS_DEFAULT_TIMEZONE: unknown zone {default_tz!r}")
    dates = (
        DateRules(default_tz, timedelta(minutes=config.dates_future_tolerance_minutes), config.dates_min_year)
        if config.dates_enabled
        else None
    )
    return PageRules(dates, config.repeats_enabled, config.furniture_enabled, config.mentions_enabled)
