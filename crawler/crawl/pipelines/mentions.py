"""Find the date expressions in each article body, resolved against its publication day (for the
items of a spider of the user's own: the news spiders' pages come finished from the page
processor)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.config import NewsConfig
from crawler.crawl.workpool import WorkPool
from crawler.items import ProcessedArticle
from crawler.page.clean import mention_fields


class MentionsPipeline:
    def __init__(self, stats: StatsCollector, pool: WorkPool | None = None) -> None:
        self.stats = stats
        self.pool = pool or WorkPool(0)  # a worker process finds them when there are workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MentionsPipeline:
        if not NewsConfig.from_settings(crawler.settings).mentions_enabled:
            raise NotConfigured("NEWS_MENTIONS_ENABLED is off")
        assert crawler.stats is not None
        return cls(crawler.stats, WorkPool.of(crawler))

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ProcessedArticle):
            return item
        adapter = ItemAdapter(item)
        mentions, counts = await self.pool.run(
            mention_fields, adapter.get("body") or "", adapter.get("published_at"), adapter.get("timezone")
        )
        adapter["date_mentions"] = mentions
        for key, value in counts.items():
            self.stats.inc_value(key, value)
        return item
