"""A worker's storage: the batches of the ordinary storage pipeline, pushed to Redis for the writer.

Everything up to the batch is the one-process crawl's own code (LocalStoragePipeline: the article
rows, raw pages, fetch state, page decisions, body signatures made in the worker). Only the end
differs: instead of an SQLite transaction, one Redis transaction pushes the batch and releases
the requests whose results it holds, so a request is never released before its article is safe.
Batches also go out every second, so a quiet crawl does not keep results in memory.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response
from twisted.internet import task

from crawler.config import NewsConfig
from crawler.crawl.distributed.batches import encode
from crawler.crawl.distributed.frontier import Frontier
from crawler.crawl.pipelines.local import LocalStoragePipeline
from crawler.crawl.signals import archive_file_read

logger = logging.getLogger(__name__)
PUSH_EVERY = 1.0  # seconds
BATCH = 50  # articles per pushed batch at most


class RedisStoragePipeline(LocalStoragePipeline):
    def __init__(self, crawler: Crawler, config: NewsConfig) -> None:
        super().__init__(crawler, config)
        self.frontier = Frontier.of(crawler)
        self._timer: task.LoopingCall | None = None
        self._counted: dict[str, int] = {}  # counters already added to the run's sums in Redis
        self.batch_size = min(config.db_batch_size, BATCH)
        # WARC files a worker has read whole, each with its counts; pushed after the batches that
        # hold its records' outcomes, and released from the worker's hold in the same transaction.
        self.files_read: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisStoragePipeline:
        pipeline = super().from_crawler(crawler)
        assert isinstance(pipeline, RedisStoragePipeline)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        crawler.signals.connect(pipeline.archive_file_read, signal=archive_file_read)
        return pipeline

    def archive_file_read(self, file_id: int, records: int, counts: dict[str, int], held: str) -> None:
        self.files_read.append({"id": file_id, "records": records, "counts": counts, "held": held})
        self.flush()

    def item_error(
        self, item: Any, response: Response | None, spider: Spider | None = None, failure: Any = None
    ) -> None:
        # A pipeline failed on the item (logged by Scrapy): the request has ended all the same.
        self.frontier.ack(response.request if response is not None else None)

    def open_spider(self) -> None:
        self._timer = task.LoopingCall(self._tick)
        self._timer.start(PUSH_EVERY, now=False)
        logger.info("worker %s: batches go to %s for the writer", self.frontier.worker_id, self.frontier.keys.items)

    def _tick(self) -> None:
        self.flush()
        self.frontier.heartbeat()

    def item_scraped(self, item: Any, response: Response | None, spider: Spider | None = None) -> None:
        self.frontier.ack(response.request if response is not None else None)
        super().item_scraped(item, response, spider)

    def item_dropped(
        self, item: Any, response: Response | None, exception: DropItem, spider: Spider | None = None
    ) -> None:
        self.frontier.ack(response.request if response is not None else None)
        super().item_dropped(item, response, exception, spider)

    def flush(self) -> None:
        acks = self.frontier.take_acks()
        batch = {
            "articles": self.buffer,
            "pages": self.compressed_pages(),  # compressed here: smaller in Redis
            "drops": self.drops,
            "decisions": self.decisions,
            "seen": self.seen,
            "not_modified": self.not_modified,
            "signatures": self.signatures,
            "archived": self.archived,
            "warc_files": self.files_read,
        }
        counters = self._counter_deltas()
        if not any(batch.values()) and not acks and not counters:
            return
        try:
            with self.frontier.server.pipeline(transaction=True) as pipe:
                if any(batch.values()):
                    pipe.rpush(self.frontier.keys.items, encode(batch))
                if acks:  # the requests whose results this batch holds (or that ended without one)
                    pipe.hdel(self.frontier.held_key, *acks)
                for done in self.files_read:  # a WARC file read whole: no longer held by this worker
                    pipe.hdel(self.frontier.keys.files(self.frontier.worker_id), done["held"])
                for key, delta in counters.items():
                    pipe.hincrby(self.frontier.keys.stats, key, delta)
                pipe.execute()
        except redis.RedisError as exc:
            # Kept, with the requests still held: pushed at the next tick.
            self.frontier.pending_acks[:0] = acks
            self.stats.inc_value("news/redis/push_retry")
            logger.warning("could not push a batch to Redis (%s); kept, retried in a second", exc)
            return
        for key, delta in counters.items():
            self._counted[key] = self._counted.get(key, 0) + delta
        self.stats.inc_value("news/redis/batches_pushed")
        self.stats.inc_value("news/redis/articles_pushed", len(self.buffer))
        self.buffer, self.pages, self.drops, self.decisions = [], [], [], []
        self.seen, self.not_modified, self.signatures, self.archived = [], [], {}, []
        self.prepared = {}  # not sent: the writer makes the index forms and block keys itself
        self.files_read = []

    def _flush_soon(self) -> None:
        self.flush()  # a push to Redis: quick, and in order with the acks it carries

    def _counter_deltas(self) -> dict[str, int]:
        """This worker's counters (Scrapy's and ours) grown since the last push: the run's sums in
        Redis stay right whenever a worker stops, even killed (up to its last batch)."""
        deltas = {}
        for key, value in self.stats.get_stats().items():
            if isinstance(value, int) and not isinstance(value, bool) and value != self._counted.get(key, 0):
                deltas[key] = value - self._counted.get(key, 0)
        return deltas

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.flush()  # the last counters
        try:
            self.frontier.stop()
        except redis.RedisError as exc:
            logger.warning("could not sign off from Redis: %s", exc)
