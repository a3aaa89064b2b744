"""Write articles to SQLite in batches; keep one `crawls` row per run and a `drops` row per drop."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.storage import ArticleStore, open_db
from crawler.storage.db import now_iso, page_row
from crawler.text.boilerplate import BoilerplateRule

logger = logging.getLogger(__name__)


class StoragePipeline:
    def __init__(
        self, crawler: Any, path: str, batch_size: int, store_raw: bool, rule: BoilerplateRule | None = None
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.batch_size = batch_size
        self.store_raw = store_raw
        self.buffer: list[dict[str, Any]] = []
        self.drops: list[dict[str, Any]] = []
        self.dropped_pages: list[dict[str, Any]] = []
        self.store: ArticleStore | None = None
        self.crawl_id: int | None = None
        self.totals = {"inserted": 0, "updated": 0, "unchanged": 0}
        self.rule = rule or BoilerplateRule()
        self.sites: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        settings = crawler.settings
        path = settings.get("NEWS_DB")
        if not path:
            raise NotConfigured("NEWS_DB is empty: articles are not stored")
        pipeline = cls(
            crawler,
            path,
            max(1, settings.getint("NEWS_DB_BATCH_SIZE", 200)),
            settings.getbool("NEWS_STORE_RAW", True),
            BoilerplateRule(
                min_articles=settings.getint("NEWS_BOILERPLATE_MIN_ARTICLES", 5),
                min_share=settings.getfloat("NEWS_BOILERPLATE_MIN_SHARE", 0.1),
                max_chars=settings.getint("NEWS_BOILERPLATE_MAX_CHARS", 300),
            ),
        )
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        mentions = self.crawler.settings.getbool("NEWS_MENTIONS_ENABLED", True)
        self.store = ArticleStore(open_db(self.path), self.rule, mentions)
        args = {
            "spider": spider.name,
            "start_urls": list(getattr(spider, "start_urls", [])),
            "site": getattr(getattr(spider, "profile", None), "name", None),
        }
        self.crawl_id = self.store.start_crawl(args)
        self.stats.set_value("news/crawl_id", self.crawl_id)
        logger.info("storing articles in %s (crawl %s)", self.path, self.crawl_id)

    def process_item(self, item: Any) -> Any:
        row = ItemAdapter(item).asdict()
        if not self.store_raw:
            row.pop("raw_html", None)
        self.buffer.append(row)
        self.sites.add(row.get("site") or "")
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any = None) -> None:
        adapter = ItemAdapter(item)
        reason = getattr(exception, "reason", type(exception).__name__)
        url = adapter.get("url") or (response.url if response is not None else None)
        self.drops.append(
            {
                "crawl_id": self.crawl_id,
                "url": url,
                "reason": reason,
                "message": str(exception),
                "title": adapter.get("title"),
                "dropped_at": now_iso(),
            }
        )
        raw = adapter.get("raw_html")
        if self.store_raw and url and raw is not None:
            self.dropped_pages.append(page_row(url, adapter.asdict(), self.crawl_id))
        if len(self.drops) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.store is None:
            return
        if self.buffer:
            counts = self.store.upsert_articles(self.buffer, self.crawl_id)
            for key, value in counts.items():
                self.totals[key] = self.totals.get(key, 0) + value
                self.stats.inc_value(f"news/storage/{key}", value)
            self.buffer = []
        if self.drops:
            self.store.record_drops(self.drops)
            self.drops = []
        if self.dropped_pages:
            self.store.record_pages(self.dropped_pages)
            self.dropped_pages = []

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        # Runs after every pipeline has closed, so drops made at close time are in.
        if self.store is None or self.crawl_id is None:
            return
        self.flush()
        # Learn each crawled site's boilerplate from all its stored articles, and re-clean
        # the articles a change touches: the result does not depend on crawl order.
        for site, report in self.store.learn_boilerplate(self.sites).items():
            for key, value in report.items():
                self.stats.inc_value(f"news/boilerplate/{key}", value)
            if report["added"] or report["removed"]:
                logger.info("site %s: %s", site, report)
        for key, value in self.store.crawl_report(self.crawl_id).items():
            self.stats.set_value(f"news/clean/{key}", value)
        stats = self.stats.get_stats()
        drops = {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("news/drop/")}
        errors = {
            k[len("news/") :]: v
            for k, v in stats.items()
            if k.startswith(("news/fetch/", "news/extract/", "news/dates/published_", "news/dates/modified_"))
            and not k.endswith(("_normalised", "_missing"))
        }
        for key in ("news/pages/non_html", "news/pages/charset_mismatch"):
            if stats.get(key):
                errors[key[len("news/") :]] = stats[key]
        self.store.finish_crawl(
            self.crawl_id,
            status="finished" if reason == "finished" else "failed",
            finish_reason=reason,
            pages_fetched=stats.get("response_received_count", 0),
            articles_inserted=self.totals["inserted"],
            articles_updated=self.totals["updated"],
            articles_unchanged=self.totals["unchanged"],
            items_dropped=sum(drops.values()),
            drops=drops,
            errors=errors,
            stats={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()},
        )
        self.store.db.close()
