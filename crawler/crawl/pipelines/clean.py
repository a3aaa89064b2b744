"""Make the article's body from its raw blocks: repeats and the site's learned boilerplate removed;
and its title without the site's learned title affixes (its name, its section labels).

The news spiders' pages are finished whole by the page processor (crawler/page/process.py) and
pass through here untouched; this does the same work, with the same functions, for the items of
a spider of the user's own (the add-on). The site models are read from the database once a run
(crawler/crawl/sitemodels.py), so the body this pipeline emits is the body stored.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.config import NewsConfig
from crawler.crawl.sitemodels import SiteModels
from crawler.crawl.workpool import WorkPool
from crawler.items import ProcessedArticle
from crawler.page.clean import cleaned_fields, stored_title


class CleanPipeline:
    def __init__(
        self, stats: StatsCollector, config: NewsConfig, pool: WorkPool | None = None, models: SiteModels | None = None
    ) -> None:
        self.stats = stats
        self.config = config
        self.pool = pool or WorkPool(0)
        self.models = models or SiteModels(config)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        assert crawler.stats is not None
        config = NewsConfig.from_settings(crawler.settings)
        return cls(crawler.stats, config, WorkPool.of(crawler), SiteModels.of(crawler))

    def open_spider(self) -> None:
        self.models.load()  # when the run opens: the models as they are before its first page

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ProcessedArticle):
            return item
        adapter = ItemAdapter(item)
        site = adapter.get("site") or ""
        title = stored_title(adapter, self.models.affixes.get(site, frozenset()))
        if title != adapter.get("title"):
            adapter["title"] = title
            self.stats.inc_value("news/titles/affix_stripped")
        fields, counts = await self.pool.run(
            cleaned_fields,
            adapter.get("title"),
            list(adapter.get("raw_blocks") or []),
            self.models.boilerplate.get(site, frozenset()),
            self.config.repeats_enabled,
            self.config.furniture_enabled,
        )
        for key, value in fields.items():
            adapter[key] = value
        for key, value in counts.items():
            self.stats.inc_value(key, value)
        return item
