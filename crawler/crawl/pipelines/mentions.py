"""Find the date expressions in each article body, resolved against its publication day."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler.config import NewsConfig
from crawler.crawl.workpool import WorkPool
from crawler.text.finalize import article_mentions


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
        adapter = ItemAdapter(item)
        published = adapter.get("published_at")
        if not published:
            # Relative expressions ("7日", "yesterday") cannot be resolved without it.
            self.stats.inc_value("news/mentions/skipped_no_published_date")
        mentions = await self.pool.run(article_mentions, adapter.get("body") or "", published, adapter.get("timezone"))
        adapter["date_mentions"] = mentions
        self.stats.inc_value("news/mentions/found", len(mentions))
        return item
