"""Make the article's body from its raw blocks: repeats and the site's learned boilerplate removed;
and its title without the site's learned title affixes (its name, its section labels).

The site models are read from the database when the crawl starts, so the body this
pipeline emits is the body stored. When the crawl's own articles change a site's
model, storage re-cleans the rows it touches after the crawl and counts them.

Cleaning is pure, so with worker processes (NEWS_WORKERS) it runs in one of them.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.config import NewsConfig
from crawler.crawl.workpool import WorkPool
from crawler.extract.titles import site_title
from crawler.storage.boilerplate import read_models
from crawler.storage.titleaffixes import read_affixes
from crawler.text.finalize import clean_article


class CleanPipeline:
    def __init__(self, stats: StatsCollector, config: NewsConfig, pool: WorkPool | None = None) -> None:
        self.stats = stats
        self.config = config
        self.pool = pool or WorkPool(0)
        self.models: dict[str, frozenset[str]] = {}
        self.affixes: dict[str, frozenset[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, NewsConfig.from_settings(crawler.settings), WorkPool.of(crawler))

    def open_spider(self) -> None:
        if self.config.boilerplate_enabled and self.config.db:
            self.models = read_models(self.config.db)
        if self.config.title_affix_min_pages and self.config.db:
            self.affixes = read_affixes(self.config.db)

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        self._title(adapter)
        boilerplate = self.models.get(adapter.get("site") or "", frozenset())
        cleaned = await self.pool.run(
            clean_article,
            list(adapter.get("raw_blocks") or []),
            boilerplate,
            self.config.repeats_enabled,
            self.config.furniture_enabled,
        )
        for key, value in cleaned.fields(adapter.get("title")).items():
            adapter[key] = value
        if adapter["blocks_repeat"]:
            self.stats.inc_value("news/blocks/stripped", adapter["blocks_repeat"])
            self.stats.inc_value("news/blocks/articles_with_repeats")
        if adapter["blocks_boilerplate"]:
            self.stats.inc_value("news/blocks/boilerplate_stripped", adapter["blocks_boilerplate"])
        return item

    def _title(self, adapter: ItemAdapter) -> None:
        affixes = self.affixes.get(adapter.get("site") or "")
        extracted = adapter.get("title_extracted") or adapter.get("title")
        if affixes and extracted:
            title = site_title(extracted, adapter.get("page_title"), affixes)
            if title != adapter.get("title"):
                adapter["title"] = title
                self.stats.inc_value("news/titles/affix_stripped")
