"""The one writer of the distributed mode: Redis batches into SQLite, then the run's record.

A batch is read (not popped), written in the database's transactions, and only then trimmed
from the list: a writer killed in between writes the batch again when restarted, which changes
nothing (an article with the same content is `unchanged`). One writer at a time: a lock in Redis
with a TTL, renewed while it runs, names its host and PID.

A run is what the workers did between a push and a drained frontier: it opens with the first
batch, and closes when no seed, no queued request, no held request and no batch has been left
for `settle` seconds. Closing is what a one-process crawl does at its end (boilerplate learning
and re-cleaning for the sites written, the `crawls` row with the workers' counters summed);
then the run's dupefilter is cleared, so the next push fetches its listings and due pages again.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import redis

from crawler.crawl.distributed.batches import decode
from crawler.crawl.distributed.frontier import Frontier
from crawler.storage import ArticleStore
from crawler.storage import archives as registry
from crawler.storage.closing import close_run
from crawler.storage.runs import start_crawl

logger = logging.getLogger(__name__)
LOCK_TTL = 30


class WriterBusyError(RuntimeError):
    """Another writer holds the lock of this frontier."""


class Writer:
    def __init__(self, store: ArticleStore, frontier: Frontier, settle: float = 3.0, batches: int = 20) -> None:
        self.store = store
        self.frontier = frontier
        self.server: redis.Redis = frontier.server
        self.keys = frontier.keys
        self.settle = settle
        self.batches = batches  # batches read per round
        self.me = f"{socket.gethostname()} {os.getpid()}"
        self.crawl_id: int | None = None
        self.sites: set[str] = set()
        self.totals: dict[str, int] = {}
        self.written = 0
        self._quiet_since: float | None = None

    def lock(self) -> None:
        if not self.server.set(self.keys.writer, self.me, nx=True, ex=LOCK_TTL):
            holder = self.server.get(self.keys.writer)
            raise WriterBusyError(f"another writer is draining {self.keys.items}: {holder!r}")

    def unlock(self) -> None:
        if self.server.get(self.keys.writer) == self.me.encode():
            self.server.delete(self.keys.writer)

    def drain_once(self) -> int:
        """Write the batches waiting (up to `batches` of them); return how many were written."""
        raw = self.server.lrange(self.keys.items, 0, self.batches - 1)
        if not raw:
            return 0
        if self.crawl_id is None:
            self.crawl_id = start_crawl(self.store.db, {"spider": "news", "mode": "redis"},
                                        self.store.config.cleaning())  # fmt: skip
            logger.info("run %s opened by the first batch", self.crawl_id)
        for text in raw:
            batch = decode(text)
            for rows in (batch["pages"], batch["drops"], batch["decisions"]):
                for row in rows:
                    row["crawl_id"] = self.crawl_id
            counts = self.store.write_batch(
                batch["articles"],
                batch["pages"],
                batch["drops"],
                self.crawl_id,
                batch["decisions"],
                batch["seen"],
                batch["not_modified"],
                batch["signatures"],
                [tuple(r) for r in batch.get("archived") or []],
            )
            for done in batch.get("warc_files") or []:  # a WARC file read whole by a worker
                registry.finish(self.store.db, done["id"], done["records"], done["counts"], self.crawl_id)
            for key, value in counts.items():
                self.totals[key] = self.totals.get(key, 0) + value
            self.sites.update(a.get("site") or "" for a in batch["articles"])
            self.written += len(batch["articles"])
        # Only now, with every batch committed, are they taken off the list.
        self.server.ltrim(self.keys.items, len(raw), -1)
        return len(raw)

    def close_if_drained(self) -> bool:
        """Close the open run once the frontier has stayed drained for `settle` seconds."""
        if self.server.llen(self.keys.items) or not self.frontier.drained():
            self._quiet_since = None
            return False
        now = time.monotonic()
        if self._quiet_since is None:
            self._quiet_since = now
        if now - self._quiet_since < self.settle:
            return False
        self._quiet_since = None
        if self.crawl_id is not None:
            counters: Any = self.server.hgetall(self.keys.stats)
            stats: dict[str, Any] = {k.decode(): int(v) for k, v in counters.items()}
            close_run(self.store, self.crawl_id, self.sites, self.totals, "finished", stats)
            logger.info("run %s closed: %d articles written, %s", self.crawl_id, self.written, self.totals)
            self.crawl_id, self.sites, self.totals = None, set(), {}
        # The run is over: the next push may fetch its listings (and due pages) again.
        self.server.delete(self.keys.stats, self.keys.dupefilter)
        return True

    def run(self, once: bool = False, stop: Callable[[], bool] = lambda: False, poll: float = 0.2) -> int:
        """Drain until stopped (or, with once, until a run has closed); return articles written."""
        self.lock()
        try:
            renewed = time.monotonic()
            while not stop():
                if time.monotonic() - renewed > LOCK_TTL / 3:
                    self.server.expire(self.keys.writer, LOCK_TTL)
                    renewed = time.monotonic()
                if self.drain_once():
                    continue
                had_run = self.crawl_id is not None
                if self.close_if_drained() and once and (had_run or self.written):
                    break
                time.sleep(poll)
        finally:
            self.unlock()
        return self.written
