"""Choose and normalise published/modified dates (ISO-8601 UTC), keeping raw strings and every
signal: for the items of a spider of the user's own (the news spiders' pages come finished from
the page processor, which calls the same `choose_dates`)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.config import NewsConfig
from crawler.crawl.sitemodels import page_rules
from crawler.items import ProcessedArticle
from crawler.page.dates import DateRules, choose_dates
from crawler.text.dates import ParsedDate, parse_date

logger = logging.getLogger(__name__)


class DatesPipeline:
    def __init__(self, stats: StatsCollector, rules: DateRules) -> None:
        self.stats = stats
        self.rules = rules
        # Per-crawl cache: bylines and feed dates repeat a lot within a site.
        # Relative forms depend on the fetch time, so they are not cached.
        self._cache: dict[tuple[str, str, str | None], ParsedDate] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatesPipeline:
        rules = page_rules(NewsConfig.from_settings(crawler.settings)).dates
        if rules is None:
            raise NotConfigured("NEWS_DATES_ENABLED is off")
        assert crawler.stats is not None
        return cls(crawler.stats, rules)

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
        if isinstance(item, ProcessedArticle):
            return item
        adapter = ItemAdapter(item)
        outcome = choose_dates(adapter, self.rules, self._parse)
        for key, value in outcome.fields.items():
            adapter[key] = value
        for key, value in outcome.counts.items():
            self.stats.inc_value(key, value)
        for line in outcome.warnings:
            logger.warning("%s", line)
        return item
