"""Find the date expressions in each article body, resolved against its publication day.

This sets the item's `date_mentions` for feed exports and other consumers; the
stored rows are derived again by storage from the stored body (which may lose
learned boilerplate), so their offsets always point into articles.body.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.text.mentions import find_mentions
from crawler.text.signals import local_day


class MentionsPipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> MentionsPipeline:
        if not crawler.settings.getbool("NEWS_MENTIONS_ENABLED", True):
            raise NotConfigured("NEWS_MENTIONS_ENABLED is off")
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        published = adapter.get("published_at")
        if not published:
            # Relative expressions ("7日", "yesterday") cannot be resolved without it.
            adapter["date_mentions"] = []
            self.stats.inc_value("news/mentions/skipped_no_published_date")
            return item
        day = local_day(published, adapter.get("timezone"))
        mentions = find_mentions(adapter.get("body") or "", day)
        adapter["date_mentions"] = [asdict(m) for m in mentions]
        self.stats.inc_value("news/mentions/found", len(mentions))
        return item
