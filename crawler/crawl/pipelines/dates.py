"""Choose and normalise published/modified dates (ISO-8601 UTC), keeping raw strings and every signal."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.config import NewsConfig
from crawler.text.dates import ParsedDate, get_tz, parse_date
from crawler.text.signals import choose_date
from crawler.text.timezones import STATED_SOURCES, resolve_timezone

logger = logging.getLogger(__name__)


class DatesPipeline:
    def __init__(self, stats: StatsCollector, default_tz: str | None, tolerance: timedelta, min_year: int) -> None:
        self.stats = stats
        self.default_tz = default_tz
        self.tolerance = tolerance
        self.min_year = min_year
        # Per-crawl cache: bylines and feed dates repeat a lot within a site.
        # Relative forms depend on the fetch time, so they are not cached.
        self._cache: dict[tuple[str, str, str | None], ParsedDate] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatesPipeline:
        config = NewsConfig.from_settings(crawler.settings)
        if not config.dates_enabled:
            raise NotConfigured("NEWS_DATES_ENABLED is off")
        default_tz = config.default_timezone or None
        if default_tz and get_tz(default_tz) is None:
            raise ValueError(f"NEWS_DEFAULT_TIMEZONE: unknown zone {default_tz!r}")
        tolerance = timedelta(minutes=config.dates_future_tolerance_minutes)
        assert crawler.stats is not None
        return cls(crawler.stats, default_tz, tolerance, config.dates_min_year)

    def _parse(self, raw: str, tz: str, language: str | None, reference: datetime) -> ParsedDate:
        key = (raw, tz, language)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        parsed = parse_date(raw, tz, [language] if language else None, reference)
        if parsed.method != "relative" and parsed.error != "no_reference":
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = parsed
        return parsed

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        tz, source = resolve_timezone(
            adapter.get("timezone"),
            adapter.get("timezone_source"),
            self.default_tz,
            adapter.get("language"),
            adapter["url"],
        )
        adapter["timezone"], adapter["timezone_source"] = tz, source
        assumed = source not in STATED_SOURCES
        language = adapter.get("language")
        try:
            reference = datetime.fromisoformat(adapter.get("fetched_at") or "")
        except ValueError:
            reference = datetime.now(UTC)
        found = adapter.get("date_signals") or {}
        signals: dict[str, Any] = {}
        for field in ("published", "modified"):
            candidates = [(c["raw"], c["source"]) for c in found.get(field) or []]
            choice = choose_date(
                candidates,
                lambda raw: self._parse(raw, tz, language, reference),
                tz,
                reference,
                self.tolerance,
                self.min_year,
            )
            adapter[f"{field}_at"] = choice.value
            adapter[f"{field}_raw"] = choice.raw
            adapter[f"{field}_source"] = choice.source
            signals[field] = choice.signals
            if field == "published":
                adapter["published_local"] = choice.local
                adapter["published_precision"] = choice.precision
                adapter["published_tz_assumed"] = bool(
                    choice.value and assumed and not choice.tz_explicit and choice.precision == "minute"
                )
                if adapter["published_tz_assumed"]:
                    self.stats.inc_value("news/dates/assumed_tz")
            if not candidates:
                self.stats.inc_value(f"news/dates/{field}_missing")
            elif choice.value is None:
                self.stats.inc_value(f"news/dates/{field}_{choice.error}")
                logger.warning("unreadable %s date %r (%s) on %s", field, choice.raw, choice.error, adapter["url"])
            else:
                self.stats.inc_value(f"news/dates/{field}_normalised")
                for signal in choice.signals:
                    if signal["error"] in {"future", "too_old"}:
                        self.stats.inc_value(f"news/dates/{field}_rejected_{signal['error']}")
                if choice.fallback:
                    self.stats.inc_value(f"news/dates/{field}_fallback")
                if choice.disagree:
                    self.stats.inc_value(f"news/dates/{field}_signals_disagree")
        published, modified = adapter.get("published_at"), adapter.get("modified_at")
        if published and modified and len(published) == len(modified) and modified < published:
            self.stats.inc_value("news/dates/modified_before_published")
        adapter["date_signals"] = signals
        return item
