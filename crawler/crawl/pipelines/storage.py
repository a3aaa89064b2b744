"""The storage component named in ITEM_PIPELINES: one name for both modes.

With NEWS_REDIS_URL set, batches go to Redis and the one writer stores them
(`distributed.pipeline`); otherwise this process writes SQLite itself (`local`). The choice is
made here, above both, so neither of the two imports the other's module.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.config import NewsConfig
from crawler.crawl.distributed.pipeline import RedisStoragePipeline
from crawler.crawl.pipelines.local import LocalStoragePipeline


class StoragePipeline(LocalStoragePipeline):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LocalStoragePipeline:
        if NewsConfig.from_settings(crawler.settings).redis_url:
            return RedisStoragePipeline.from_crawler(crawler)
        return super().from_crawler(crawler)
