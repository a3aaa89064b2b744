"""Normalise published/modified dates to ISO-8601 UTC, keeping the raw strings."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.text.dates import ParsedDate, get_tz, parse_date
from crawler.text.timezones import STATED_SOURCES, infer_timezone

logger = logging.getLogger(__name__)


class DatesPipeline:
    def __init__(self, stats: Any, default_tz: str | None) -> None:
        self.stats = stats
        self.default_tz = default_tz
        # Per-crawl cache: bylines and feed dates repeat a lot within a site.
        self._cache: dict[tuple[str, str, str | None], ParsedDate] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DatesPipeline:
        settings = crawler.settings
        if not settings.getbool("NEWS_DATES_ENABLED", True):
            raise NotConfigured("NEWS_DATES_ENABLED is off")
        default_tz = settings.get("NEWS_DEFAULT_TIMEZONE") or None
        if default_tz and get_tz(default_tz) is None:
            raise ValueError(f"NEWS_DEFAULT_TIMEZONE: unknown zone {default_tz!r}")
        return cls(crawler.stats, default_tz)

    def _parse(self, raw: str, tz: str, language: str | None) -> ParsedDate:
        key = (raw, tz, language)
        if key not in self._cache:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = parse_date(raw, tz, [language] if language else None)
        return self._cache[key]

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        tz, source = adapter.get("timezone"), adapter.get("timezone_source")
        if not tz:
            if self.default_tz:
                tz, source = self.default_tz, "setting"
            else:
                tz, source = infer_timezone(adapter.get("language"), adapter["url"])
            adapter["timezone"], adapter["timezone_source"] = tz, source
        assumed = source not in STATED_SOURCES | {"setting"}
        adapter["published_tz_assumed"] = False
        for field in ("published", "modified"):
            raw = adapter.get(f"{field}_raw")
            adapter[f"{field}_at"] = None
            if not raw:
                self.stats.inc_value(f"news/dates/{field}_missing")
                continue
            parsed = self._parse(raw, tz, adapter.get("language"))
            if parsed.value is None:
                self.stats.inc_value(f"news/dates/{field}_{parsed.error}")
                logger.warning("unreadable %s date %r (%s) on %s", field, raw, parsed.error, adapter["url"])
                continue
            adapter[f"{field}_at"] = parsed.value
            self.stats.inc_value(f"news/dates/{field}_normalised")
            tz_guessed = assumed and not parsed.tz_explicit and parsed.precision != "day"
            if field == "published":
                adapter["published_tz_assumed"] = tz_guessed
            if tz_guessed:
                self.stats.inc_value("news/dates/assumed_tz")
        return item
