"""The page processor's inputs from what a run knows (its configuration, a site's profile and
learned models): one place for the crawl and the ingest."""

from __future__ import annotations

from datetime import timedelta

from crawler.config import NewsConfig
from crawler.page.dates import DateRules
from crawler.page.process import PageRules, SiteSnapshot
from crawler.profiles import SiteProfile
from crawler.text.dates import get_tz
from crawler.text.timezones import stated_zone


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


def site_snapshot(
    profile: SiteProfile | None,
    tz_argument: str | None,
    boilerplate: frozenset[str] = frozenset(),
    affixes: frozenset[str] = frozenset(),
) -> SiteSnapshot:
    """What the page processor knows of a site: its profile's part (name, selectors, article URL
    patterns, stated zone, language) and what storage learned of it."""
    tz, tz_source = stated_zone(profile.timezone if profile else None, tz_argument)
    return SiteSnapshot(
        name=profile.name if profile else None,
        title=profile.title if profile else None,
        language=profile.language if profile else None,
        timezone=tz,
        timezone_source=tz_source,
        selectors=profile.selectors if profile else None,
        article_urls=tuple(profile.article_urls) if profile else (),
        boilerplate=boilerplate,
        affixes=affixes,
    )
