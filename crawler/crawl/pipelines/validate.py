"""Drop items that cannot be articles: no URL, no title or no body."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.discovery.urls import site_key
from crawler.items import ProcessedArticle


class ArticleDropped(DropItem):
    """Base of every drop this project makes; `reason` is a short stable key."""

    reason = "dropped"

    def __init__(self, message: str = "") -> None:
        super().__init__(f"{self.reason}: {message}" if message else self.reason)


class MissingURL(ArticleDropped):
    reason = "missing_url"


class MissingTitle(ArticleDropped):
    reason = "missing_title"


class MissingBody(ArticleDropped):
    reason = "missing_body"


def validation_error(item: Any) -> ArticleDropped | None:
    """The drop an item deserves, or None when it is a valid article."""
    if not (item.get("url") or "").strip():
        return MissingURL()
    if not (item.get("title") or "").strip():
        return MissingTitle(item["url"])
    if not any((b or "").strip() for b in item.get("raw_blocks") or []):
        return MissingBody(item["url"])
    return None


class ValidatePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ProcessedArticle):
            return item  # validated (and counted) by the page processor
        adapter = ItemAdapter(item)
        error = validation_error(adapter)
        if error is not None:
            self.stats.inc_value(f"news/drop/{error.reason}")
            raise error
        self.stats.inc_value("news/validate/ok")
        # The documented minimum of a spider of the user's own is url, title and raw_blocks: what
        # storage keys on besides is made here (it once failed the whole batch: KeyError 'site').
        for name, value in (("site", site_key(adapter["url"])), ("fetched_url", adapter["url"])):
            if not adapter.get(name):
                try:
                    adapter[name] = value
                except KeyError:  # an item class of theirs without the field: stored without it
                    pass
        return item
