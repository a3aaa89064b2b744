"""Drop blocks that repeat an earlier block of the same article; set `body`."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.text.blocks import strip_repeated_blocks


class BlocksPipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> BlocksPipeline:
        if not crawler.settings.getbool("NEWS_STRIP_REPEATS", True):
            raise NotConfigured("NEWS_STRIP_REPEATS is off")
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        result = strip_repeated_blocks(adapter.get("blocks") or [])
        adapter["body"] = "\n\n".join(result.kept)
        adapter["blocks_stripped"] = len(result.stripped)
        if result.stripped:
            self.stats.inc_value("news/blocks/stripped", len(result.stripped))
            self.stats.inc_value("news/blocks/articles_with_repeats")
        return item
