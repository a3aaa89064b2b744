"""Feed exports (`-o` / `-O` / FEEDS) that hold what the database holds.

Scrapy's FeedExporter writes each item as it is scraped. Ours cleans a site's body with the
boilerplate model known when the crawl starts, and after the crawl learns the model from every
stored article and re-cleans the rows it touches; on a site's first crawl nothing is known at
the start, so a plain feed would carry boilerplate the database no longer has.

This exporter is Scrapy's own (formats, storages, filters, batches, `overwrite` all apply), with
one change while the crawl stores into SQLite: it remembers only the URLs of the items scraped
(memory: one URL an item, no bodies), waits for the storage component to finish the run
(`storage_closed`), then reads those articles back from the database in the item's own shape
and exports them, in the order they were scraped. Without a database (NEWS_DB empty), in the
distributed mode (the writer stores elsewhere) or when the storage pipeline is not enabled, it
is Scrapy's exporter unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter

from crawler.config import NewsConfig
from crawler.crawl.signals import storage_closed

logger = logging.getLogger(__name__)

ReadArticles = Callable[[list[str]], dict[str, dict[str, Any]]]  # URLs -> stored articles by URL
BATCH = 500  # articles read back at a time


class DatabaseFeedExporter(FeedExporter):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabaseFeedExporter:
        exporter = super().from_crawler(crawler)
        config = NewsConfig.from_settings(crawler.settings)
        exporter.from_database = bool(config.db) and not config.redis_url
        crawler.signals.connect(exporter.engine_started, signal=signals.engine_started)
        crawler.signals.connect(exporter.storage_closed, signal=storage_closed)
        return exporter

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.from_database = False
        self.urls: list[str] = []
        self._stored = asyncio.Event()
        self._read: ReadArticles | None = None

    def engine_started(self) -> None:
        # Only when our storage pipeline is really in the chain (a project may leave it out).
        from crawler.crawl.pipelines.local import LocalStoragePipeline

        engine = self.crawler.engine
        chain = getattr(getattr(getattr(engine, "scraper", None), "itemproc", None), "middlewares", ())
        if not any(isinstance(p, LocalStoragePipeline) for p in chain):
            self.from_database = False

    def item_scraped(self, item: Any, spider: Spider) -> None:
        url = item.get("url") if self.from_database and hasattr(item, "get") else None
        if url:
            self.urls.append(url)
        else:  # no database to read back from, or not an article of ours: exported as it is
            super().item_scraped(item, spider)

    def storage_closed(self, read: ReadArticles | None, crawl_id: int | None) -> None:
        self._read = read
        self._stored.set()

    async def close_spider(self, spider: Spider) -> None:
        if self.from_database:
            await self._stored.wait()  # the storage component's run is complete (or failed)
            self._export_stored(spider)
        await super().close_spider(spider)

    def _export_stored(self, spider: Spider) -> None:
        stats = self.crawler.stats
        assert stats is not None
        if self._read is None:
            # The run did not finish storing (a full disk): the database does not hold it whole.
            logger.error("feed export: the database does not hold this run's %d articles", len(self.urls))
            stats.set_value("news/feed/not_stored", len(self.urls))
            return
        for start in range(0, len(self.urls), BATCH):
            batch = self.urls[start : start + BATCH]
            articles = self._read(batch)
            for url in batch:
                article = articles.get(url)
                if article is None:
                    stats.inc_value("news/feed/missing_from_database")
                    continue
                super().item_scraped(article, spider)
        stats.set_value("news/feed/from_database", len(self.urls))
