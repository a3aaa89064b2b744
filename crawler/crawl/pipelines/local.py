"""The one-process storage component: articles written to SQLite in batches, exactly as they
leave the pipelines, and the run's record kept. (`storage.StoragePipeline` picks this or the
distributed mode's subclass, which sends the same batches to Redis.)

The raw page of each article (and of each dropped item) is taken from the response, which
Scrapy hands to the item_scraped / item_dropped signals: it never travels in the item.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.config import NewsConfig
from crawler.crawl.signals import page_decided, page_not_modified, storage_closed
from crawler.crawl.workpool import WorkPool
from crawler.discovery.urls import canonicalize, site_key
from crawler.items import ProcessedArticle, shallow_dict
from crawler.storage import ArticleStore, open_db
from crawler.storage.articles import read_articles
from crawler.storage.closing import close_run
from crawler.storage.pages import compressed, page_row
from crawler.storage.runs import finish_crawl, start_crawl
from crawler.storage.siteparsers import record_parsers
from crawler.storage.sql import now_iso
from crawler.text.prepared import Prepared
from crawler.text.shingles import signature_bytes

logger = logging.getLogger(__name__)

RESERVE_BYTES = 256 * 1024  # room set aside on the database's disk for the run's end (a full disk)


class Batch(NamedTuple):
    """What one write transaction stores (taken from the pipeline's buffers)."""

    articles: list[dict[str, Any]]
    pages: list[dict[str, Any]]
    drops: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    seen: list[dict[str, Any]]
    not_modified: list[str]
    signatures: dict[str, bytes | None]
    archived: list[tuple[int, int]]  # WARC records (file id, offset) whose outcome this batch stores
    prepared: dict[str, Prepared]  # what the workers made for storage (index forms, block keys), by URL


class LocalStoragePipeline:
    """Buffers items, pages and decisions; writes them in batches.

    During a crawl each batch is written on a thread of its own while the reactor goes on:
    SQLite does its work (indexes, the full-text triggers, the commit) without Python's lock, so
    the core Scrapy runs on is not held by the write. One batch at a time: the callback that
    fills the next batch waits for the one before, so buffers stay bounded. Outside a running
    event loop (tests, tools) and at close, batches are written in the caller's thread."""

    def __init__(self, crawler: Crawler, config: NewsConfig) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.config = config
        self.buffer: list[dict[str, Any]] = []
        self.pages: list[dict[str, Any]] = []
        self.drops: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.seen: list[dict[str, Any]] = []  # fetch_state rows of the articles in the buffer
        self.not_modified: list[str] = []
        self.signatures: dict[str, bytes | None] = {}  # MinHash of each buffered body, by URL
        self.archived: list[tuple[int, int]] = []  # ingested records whose outcome is buffered
        self.prepared: dict[str, Prepared] = {}  # index forms and block keys made with the page
        self.batch_size = config.db_batch_size
        self.pool = WorkPool.of(crawler)
        self.store: ArticleStore | None = None
        self.stopped: str | None = None  # why storage stopped (a full disk)
        self._closing: asyncio.Future[None] | None = None
        self.crawl_id: int | None = None
        self.totals = {"inserted": 0, "updated": 0, "unchanged": 0}
        self.sites: set[str] = set()
        self._writer: ThreadPoolExecutor | None = None
        self._writing: asyncio.Task[None] | None = None  # the batch on the writer thread
        self._starting: asyncio.Future[None] | None = None  # a write started by page_decided

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LocalStoragePipeline:
        config = NewsConfig.from_settings(crawler.settings)
        if not config.db:
            raise NotConfigured("NEWS_DB is empty: articles are not stored")
        pipeline = cls(crawler, config)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.page_decided, signal=page_decided)
        crawler.signals.connect(pipeline.page_not_modified, signal=page_not_modified)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        # The connection is handed to the writer thread (never used by two threads at once).
        db = open_db(self.config.db, self.config.db_timeout, check_same_thread=False)
        self.store = ArticleStore(db, self.config)
        args = {
            "spider": getattr(spider, "name", None),
            "start_urls": list(getattr(spider, "start_urls", [])),
            "site": getattr(getattr(spider, "profile", None), "name", None),
        }
        starts = list(getattr(spider, "start_urls", []))
        profile_name = getattr(getattr(spider, "profile", None), "name", None)
        one_site = len({site_key(u) for u in starts}) == 1
        site: str | None = profile_name or (site_key(starts[0]) if one_site else None)
        self.crawl_id = self._start_crawl(args, site)
        self._reserve()
        self.stats.set_value("news/crawl_id", self.crawl_id)
        logger.info("storing articles in %s (crawl %s)", self.config.db, self.crawl_id)

    def _start_crawl(self, args: dict[str, Any], site: str | None, patience: float = 60.0) -> int:
        """The run's row; while another writer holds the database, wait and try again (up to a
        minute) rather than fail before the first page."""
        assert self.store is not None
        deadline = time.monotonic() + patience
        while True:
            try:
                return start_crawl(self.store.db, args, self.config.cleaning(), site)
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                    raise
                self.stats.inc_value("news/storage/locked_retry")
                logger.warning("%s is locked by another writer; waiting to start the crawl", self.config.db)
                time.sleep(1.0)

    async def process_item(self, item: Any) -> Any:
        article = shallow_dict(item)
        # The signature of the body is made here, in a worker process when there are workers
        # (NEWS_WORKERS), and handed to near-duplicate linking with the batch.
        if isinstance(item, ProcessedArticle):
            self.signatures[article["url"]] = item._news_signature  # made with the page, in its worker call
            if item._news_prepared is not None:
                self.prepared[article["url"]] = item._news_prepared
        else:
            self.signatures[article["url"]] = await self.pool.run(signature_bytes, article.get("body") or "")
        self.buffer.append(article)
        self.sites.add(article.get("site") or "")
        return item

    def compressed_pages(self) -> list[dict[str, Any]]:
        """The buffered page rows with their bodies compressed (a batch that leaves this process)."""
        return [compressed(p) for p in self.pages]

    def _page(self, url: str, response: Response, item: Any) -> None:
        if self.config.store_raw:
            encoding = item.get("encoding") or getattr(response, "encoding", None)
            fetched = item.get("fetched_at") or now_iso()
            warc = response.meta.get("news_warc_written") if response.request is not None else None
            self.pages.append(page_row(url, response.body, self.crawl_id, fetched, response.status, encoding, warc))

    def _seen(self, article_url: str, response: Response) -> None:
        """The fetch_state row(s) of a stored article: under the URL requested (before any
        redirect) and the URL answered, as the incremental middleware will look them up."""
        headers = response.headers
        etag, modified = headers.get(b"ETag"), headers.get(b"Last-Modified")
        try:
            meta = response.meta
        except AttributeError:  # a response built without a request (tests, imports)
            meta = {}
        row = {
            "article_url": article_url,
            "etag": etag.decode("latin-1") if etag else None,
            "last_modified": modified.decode("latin-1") if modified else None,
            "listing_date": meta.get("news_listing_changed"),
            "fetched_at": now_iso(),
            "http_status": response.status,
        }
        urls = {canonicalize(u) for u in [*meta.get("redirect_urls", []), response.url]}
        self.seen.extend({**row, "url": url} for url in sorted(urls))

    def item_scraped(
        self, item: Any, response: Response | None, spider: Spider | None = None
    ) -> Coroutine[Any, Any, None] | None:
        adapter = ItemAdapter(item)
        if response is not None and adapter.get("url"):
            self._page(adapter["url"], response, adapter)
            self._seen(adapter["url"], response)
        self._archived(response)
        if len(self.buffer) >= self.batch_size:
            return self._flush_soon()
        return None

    def item_dropped(
        self, item: Any, response: Response | None, exception: DropItem, spider: Spider | None = None
    ) -> Coroutine[Any, Any, None] | None:
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
        if url and response is not None:
            self._page(url, response, adapter)
        self._archived(response)
        if len(self.drops) >= self.batch_size:
            return self._flush_soon()
        return None

    def _archived(self, response: Response | None) -> None:
        """An ingested record's outcome is in the buffers: mark it done with them (resuming)."""
        origin = response.meta.get("news_warc") if response is not None and response.request is not None else None
        if origin is not None and origin[0] is not None:
            self.archived.append((origin[0], origin[1]))

    def page_decided(self, decision: dict[str, Any]) -> None:
        origin = decision.pop("warc", None)
        if origin is not None and origin[0] is not None:
            self.archived.append((origin[0], origin[1]))
        self.decisions.append({**decision, "crawl_id": self.crawl_id, "decided_at": now_iso()})
        if len(self.decisions) >= self.batch_size * 4 and (self._starting is None or self._starting.done()):
            # Sent with send_catch_log, which does not wait: the write is started, not awaited
            # (one such start at a time; what comes meanwhile goes with it or the next batch).
            soon = self._flush_soon()
            if soon is not None:
                self._starting = asyncio.ensure_future(soon)

    def _final_flush(self, attempts: int = 10) -> None:
        """The last batch, retried while another writer keeps the database locked."""
        for _ in range(attempts):
            pending = self.buffer or self.pages or self.drops or self.decisions or self.seen or self.not_modified
            if not pending or self.stopped:
                return
            self.flush()
            if self.buffer or self.pages or self.drops or self.decisions:
                time.sleep(min(self.config.db_timeout, 2.0))
        if self.buffer:
            logger.error(
                "%s stayed locked: %d articles of the last batch not written", self.config.db, len(self.buffer)
            )

    def _reserve(self) -> None:
        """Set aside a little room on the database's disk (`NEWS_DB-reserve`): when the disk
        fills during the crawl, freeing it is what lets the run's end still be recorded."""
        try:
            Path(self.config.db + "-reserve").write_bytes(bytes(RESERVE_BYTES))
        except OSError:
            self._release_reserve()  # no room for it now: the crawl goes on without one

    def _release_reserve(self) -> None:
        Path(self.config.db + "-reserve").unlink(missing_ok=True)

    def _finish_after_full_disk(self, reason: str) -> None:
        assert self.store is not None and self.crawl_id is not None
        self._release_reserve()
        try:
            finish_crawl(self.store.db, self.crawl_id, status="failed", finish_reason="disk_full",
                         errors={"storage/disk_full": 1})  # fmt: skip
        except sqlite3.OperationalError as exc:  # no room even for the run's row: the next run marks it
            logger.error("%s: could not record the end of crawl %s (%s)", self.config.db, self.crawl_id, exc)
        self.store.db.close()

    def page_not_modified(self, url: str) -> None:
        self.not_modified.append(url)

    def _take(self) -> Batch:
        batch = Batch(self.buffer, self.pages, self.drops, self.decisions, self.seen, self.not_modified,
                      self.signatures, self.archived, self.prepared)  # fmt: skip
        self.buffer, self.pages, self.drops, self.decisions = [], [], [], []
        self.seen, self.not_modified, self.signatures, self.archived = [], [], {}, []
        self.prepared = {}
        return batch

    def _put_back(self, batch: Batch) -> None:
        """A batch that could not be written goes back in front of what came since."""
        self.buffer[:0], self.pages[:0], self.drops[:0] = batch.articles, batch.pages, batch.drops
        self.decisions[:0], self.seen[:0], self.not_modified[:0] = batch.decisions, batch.seen, batch.not_modified
        self.signatures = {**batch.signatures, **self.signatures}
        self.archived[:0] = batch.archived
        self.prepared = {**batch.prepared, **self.prepared}

    def _write(self, batch: Batch) -> dict[str, int]:
        assert self.store is not None
        return self.store.write_batch(
            batch.articles, batch.pages, batch.drops, self.crawl_id, batch.decisions, batch.seen,
            batch.not_modified, batch.signatures, batch.archived, batch.prepared,
        )  # fmt: skip

    def flush(self) -> None:
        """Write what is buffered now, in this thread."""
        if self.store is None or self.stopped:
            return
        batch = self._take()
        try:
            counts = self._write(batch)
        except Exception as exc:
            self._write_failed(batch, exc)  # kept; what it cannot handle is raised again
            return
        self._count(counts)

    def _flush_soon(self) -> Coroutine[Any, Any, None] | None:
        """Start writing the buffers on the writer thread; the coroutine returned waits only for
        the batch before (back-pressure), not for this one. Without a running event loop the
        buffers are written now."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return None
        return self._start_write()

    async def _start_write(self) -> None:
        while self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)
        if self.store is None or self.stopped or self._nothing_buffered():
            return
        self._writing = asyncio.ensure_future(self._write_in_thread(self._take()))

    def _nothing_buffered(self) -> bool:
        return not (self.buffer or self.pages or self.drops or self.decisions or self.seen or self.not_modified)

    async def _write_in_thread(self, batch: Batch) -> None:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="news-storage")
        try:
            counts = await asyncio.get_running_loop().run_in_executor(self._writer, self._write, batch)
        except Exception as exc:
            try:
                self._write_failed(batch, exc)
            except Exception:
                # No caller waits for this write's result: said here. The batch stays buffered
                # and is tried again with the next one, as a write in the caller's thread would.
                self.stats.inc_value("news/storage/write_error")
                logger.exception("writing a batch to %s failed; kept, tried again at the next flush", self.config.db)
            return
        self._count(counts)

    async def _drain(self) -> None:
        """Wait for the batch on the writer thread; then the thread may go."""
        if self._starting is not None:
            await asyncio.shield(self._starting)
        if self._writing is not None:
            await asyncio.shield(self._writing)
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    def _write_failed(self, batch: Batch, exc: Exception) -> None:
        self._put_back(batch)  # nothing is dropped
        if not isinstance(exc, sqlite3.OperationalError):
            raise exc
        if "locked" in str(exc) or "busy" in str(exc):
            # Another writer held the database past NEWS_DB_TIMEOUT: keep the batch and try
            # again at the next flush; the crawl goes on.
            self.stats.inc_value("news/storage/locked_retry")
            logger.warning("%s is locked by another writer; batch kept, retried at the next flush", self.config.db)
            return
        if "full" not in str(exc):
            raise exc
        # A full disk: what was committed stays (each batch is its own transaction); stop the
        # crawl cleanly instead of fetching pages that cannot be kept.
        self.stopped = f"{self.config.db}: disk full ({exc}); crawl stopped, committed articles kept"
        logger.error(self.stopped)
        self.stats.set_value("news/storage/disk_full", 1)
        if self.crawler.engine is not None:
            self._closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="disk_full"))

    def _count(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.totals[key] = self.totals.get(key, 0) + value
            self.stats.inc_value(f"news/storage/{key}", value)

    def close_spider(self) -> Coroutine[Any, Any, None] | None:
        if self._writing is None and self._writer is None and self._starting is None:
            self.flush()
            return None
        return self._close_after_writes()

    async def _close_after_writes(self) -> None:
        await self._drain()
        self.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # Runs after every pipeline has closed, so drops made at close time are in.
        complete = False
        try:
            complete = self._close_run(reason, spider)
        finally:
            self._release_reserve()
            # Whatever happened, once: the feed exporter waits for this to write its feeds.
            read = self._read_stored if complete else None
            self.crawler.signals.send_catch_log(storage_closed, read=read, crawl_id=self.crawl_id)

    def _read_stored(self, urls: list[str]) -> dict[str, dict[str, Any]]:
        """Stored articles by URL in the item's shape (for the feed exporter, after the run)."""
        db = open_db(self.config.db, self.config.db_timeout, create=False)
        try:
            return read_articles(db, urls)
        finally:
            db.close()

    def _close_run(self, reason: str, spider: Spider | None = None) -> bool:
        """Learn, re-clean and record the run; whether the database holds the run's articles whole."""
        if self.store is None or self.crawl_id is None:
            return False
        self._final_flush()
        if self.stopped:  # a full disk: no learning, no re-cleaning; record the end if there is room
            self._finish_after_full_disk(reason)
            return False
        learner = getattr(spider, "learner", None)
        if learner is not None and learner.reports():
            record_parsers(self.store.db, learner.reports())  # what the run learned of its sites, and how it held
        try:
            added = close_run(self.store, self.crawl_id, self.sites, self.totals, reason, self.stats.get_stats())
            for key, value in added.items():
                self.stats.set_value(key, value)
        except sqlite3.OperationalError as exc:
            if "full" not in str(exc):
                raise
            self.stopped = f"{self.config.db}: disk full ({exc}); crawl stopped, committed articles kept"
            logger.error(self.stopped)
            self._finish_after_full_disk(reason)
            return False
        self.store.db.close()
        return True
