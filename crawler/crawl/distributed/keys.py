"""The Redis keys of one shared frontier, all under one prefix (NEWS_REDIS_PREFIX)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "news"

    @property
    def requests(self) -> str:  # scrapy-redis priority queue (sorted set of encoded requests)
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:  # request fingerprints seen in the current run (set)
        return f"{self.prefix}:dupefilter"

    @property
    def seeds(self) -> str:  # JSON seeds pushed by `news-crawler redis push` (list)
        return f"{self.prefix}:seeds"

    @property
    def hosts(self) -> str:  # hosts the run may follow links to (set)
        return f"{self.prefix}:hosts"

    @property
    def items(self) -> str:  # JSON batches waiting for the writer (list)
        return f"{self.prefix}:items"

    @property
    def stats(self) -> str:  # the run's counters, summed over workers (hash)
        return f"{self.prefix}:stats"

    @property
    def writer(self) -> str:  # the writer's lock: "host pid" (string with a TTL)
        return f"{self.prefix}:writer"

    @property
    def warcs(self) -> str:  # JSON seeds of WARC files pushed by `news-crawler redis push-warc` (list)
        return f"{self.prefix}:warcs"

    def files(self, worker_id: str) -> str:  # WARC files a worker is reading (hash: id -> seed)
        return f"{self.prefix}:files:{worker_id}"

    @property
    def files_pattern(self) -> str:
        return f"{self.prefix}:files:*"

    def worker(self, worker_id: str) -> str:  # a worker's heartbeat (string with a TTL)
        return f"{self.prefix}:worker:{worker_id}"

    def inflight(self, worker_id: str) -> str:  # requests a worker holds (hash: id -> encoded request)
        return f"{self.prefix}:inflight:{worker_id}"

    @property
    def worker_pattern(self) -> str:
        return f"{self.prefix}:worker:*"

    @property
    def inflight_pattern(self) -> str:
        return f"{self.prefix}:inflight:*"
