"""The shared frontier: scrapy-redis's scheduler, queue and dupefilter, adapted.

What scrapy-redis 0.9.1 does by itself, and what is changed here (each measured with Scrapy 2.19):

- Its scheduler flushes the queue and the dupefilter when a worker closes unless
  SCHEDULER_PERSIST is on: one worker that stops would wipe the frontier of all. Here the
  frontier is always kept; the writer clears the dupefilter when a run has drained.
- Its queue pops a request and forgets it: a worker killed with 32 requests in flight loses
  them. Here a pop moves the request, in one Lua script, into the worker's `inflight` hash; the
  request is released (acknowledged) only when its result is safe in Redis (the batch with its
  article is pushed) or it ended without one. A worker whose heartbeat expires has its held
  requests put back in the queue by the other workers. The heartbeat is sent by a thread of
  its own, so a reactor busy for a few seconds (a huge page, a pool starting) is not taken for
  dead; it stops beating when the reactor has shown no life for STALLED_AFTER heartbeats.
- Its dupefilter fingerprints URLs its own way; here it uses the crawl's fingerprinter (one
  fetch per story: tracking parameters, www, AMP variants are one request).
- Seeds it makes from Redis data carry dont_filter=True, so a seed page is fetched twice when a
  page links back to it. Here a seed is fetched once per push and also marked seen.
- It passes the deprecated `spider=` argument to Scrapy's stats; these classes do not.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

import redis
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.config import NewsConfig
from crawler.crawl.distributed.keys import Keys

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

HELD = "news_held"  # request meta: the id under which the worker holds the request in Redis
STALLED_AFTER = 20  # heartbeats (of ttl seconds) without a sign of life from the reactor: a hung worker

# Pop the best request and hold it under a fresh id, atomically: killed between the two, a
# worker would otherwise lose the request.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local id = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], id, r[1])
return {id, r[1]}
"""


# The same for a WARC file seed: popped from the list and held in the worker's files hash.
_TAKE_FILE = """
local r = redis.call('LPOP', KEYS[1])
if not r then return false end
local id = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], id, r)
return {id, r}
"""


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)


class Frontier:
    """One worker's side of the shared frontier: its identity, heartbeat, held requests."""

    def __init__(self, config: NewsConfig, crawler: Crawler | None = None) -> None:
        self.server = connect(config.redis_url)
        self.keys = Keys(config.redis_prefix)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.idle_close = config.redis_idle_close
        # A worker counts as alive for `ttl` seconds after its last heartbeat, sent every third of it.
        self.ttl = max(1.0, config.redis_heartbeat)
        self.crawler = crawler
        self.queue: HeldQueue | None = None
        self.dupefilter: NewsDupeFilter | None = None
        self.pending_acks: list[str] = []
        self._empty_since: float | None = None
        self._hosts: set[str] = set()
        self._hosts_read = 0.0
        self._beat = 0.0
        self._lively = time.monotonic()  # the reactor's last call to heartbeat()
        self._beating: threading.Event | None = None
        self._beat_thread: threading.Thread | None = None
        self._pop = self.server.register_script(_POP)
        self._take_file = self.server.register_script(_TAKE_FILE)

    @classmethod
    def of(cls, crawler: Crawler) -> Frontier:
        frontier: Frontier | None = getattr(crawler, "_news_frontier", None)
        if frontier is None:
            frontier = cls(NewsConfig.from_settings(crawler.settings), crawler)
            crawler._news_frontier = frontier  # type: ignore[attr-defined]
        return frontier

    def _count(self, key: str, n: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, n)

    @property
    def held_key(self) -> str:
        return self.keys.inflight(self.worker_id)

    # -- held requests --------------------------------------------------------

    def pop(self) -> tuple[str, bytes] | None:
        found = self._pop(keys=[self.keys.requests, self.held_key, f"{self.held_key}:n"])
        if not found:
            return None
        held, data = found
        return held.decode() if isinstance(held, bytes) else str(held), data

    def ack(self, request: Request | None) -> None:
        """The request's result is buffered: release it with the next batch pushed."""
        if request is not None and (held := request.meta.pop(HELD, None)):
            self.pending_acks.append(held)

    def take_acks(self) -> list[str]:
        acks, self.pending_acks = self.pending_acks, []
        return acks

    # -- liveness and recovery ---------------------------------------------------

    def heartbeat(self, force: bool = False) -> None:
        """Called by the reactor as it works: marks the worker alive and takes back what dead
        workers held. The key itself is refreshed by the beating thread, started here."""
        now = self._lively = time.monotonic()
        if self._beating is None:
            self._beating = threading.Event()
            self._beat_thread = threading.Thread(
                target=self._beat_forever, args=(self._beating,), name="news-beat", daemon=True
            )
            self._beat_thread.start()
        if force or now - self._beat >= self.ttl / 3:
            self._beat = now
            self._alive()
            self.recover()
            self.recover_files()

    def _alive(self) -> None:
        self.server.set(self.keys.worker(self.worker_id), str(int(time.time())), px=int(self.ttl * 1000))

    def _beat_forever(self, stopped: threading.Event) -> None:
        while not stopped.wait(self.ttl / 3):
            if time.monotonic() - self._lively > STALLED_AFTER * self.ttl:
                continue  # the reactor is stuck: let the key expire, so others take back what it holds
            try:
                self._alive()
            except redis.RedisError as exc:  # the reactor's own calls will report the outage
                logger.debug("heartbeat not sent: %s", exc)

    def recover(self) -> int:
        """Put back in the queue the requests held by workers whose heartbeat has expired."""
        if self.queue is None:
            return 0
        put_back = 0
        prefix = self.keys.inflight("")
        for raw in self.server.scan_iter(match=self.keys.inflight_pattern):
            key = raw.decode()
            owner = key[len(prefix) :]
            if owner.endswith(":n") or owner == self.worker_id or self.server.exists(self.keys.worker(owner)):
                continue
            claim = f"{self.keys.prefix}:recovering:{self.worker_id}:{owner}"
            try:
                self.server.rename(key, claim)  # only one worker wins a dead worker's requests
            except redis.ResponseError:
                continue
            for data in self.server.hvals(claim):
                self.queue.push_encoded(data if isinstance(data, bytes) else str(data).encode())
                put_back += 1
            self.server.delete(claim, f"{key}:n")
            logger.warning("worker %s stopped answering: %d requests it held are back in the queue", owner, put_back)
        if put_back:
            self._count("news/redis/recovered", put_back)
        return put_back

    # -- WARC files (an ingest spread over workers: each takes whole files) -------------

    def take_file(self) -> tuple[str, dict[str, Any]] | None:
        """The next WARC file seed, held by this worker until release_file (or its death)."""
        key = self.keys.files(self.worker_id)
        found = self._take_file(keys=[self.keys.warcs, key, f"{key}:n"])
        if not found:
            return None
        held, data = found
        return (held.decode() if isinstance(held, bytes) else str(held)), json.loads(data)

    def release_file(self, held: str) -> None:
        self.server.hdel(self.keys.files(self.worker_id), held)

    def recover_files(self) -> int:
        """WARC files held by workers whose heartbeat has expired go back to the list, whole
        (their records already stored are skipped by the next reader: storage upserts)."""
        put_back = 0
        prefix = self.keys.files("")
        for raw in self.server.scan_iter(match=self.keys.files_pattern):
            owner = raw.decode()[len(prefix) :]
            if owner.endswith(":n") or owner == self.worker_id or self.server.exists(self.keys.worker(owner)):
                continue
            claim = f"{self.keys.prefix}:recovering-files:{self.worker_id}:{owner}"
            try:
                self.server.rename(raw, claim)
            except redis.ResponseError:
                continue
            seeds = self.server.hvals(claim)
            if seeds:
                self.server.rpush(self.keys.warcs, *seeds)
                put_back += len(seeds)
            self.server.delete(claim, f"{raw.decode()}:n")
            logger.warning("worker %s stopped answering: %d WARC files it read are back in the list", owner, len(seeds))
        if put_back:
            self._count("news/redis/files_recovered", put_back)
        return put_back

    def stop(self) -> None:
        """A clean stop: no longer a live worker (whatever it still holds goes back to the queue)."""
        if self._beating is not None and self._beat_thread is not None:
            self._beating.set()
            self._beat_thread.join(timeout=5)  # no beat after the key is gone
        self.server.delete(self.keys.worker(self.worker_id))
        if self.server.hlen(self.held_key) == 0:
            self.server.delete(self.held_key, f"{self.held_key}:n")
        files = self.keys.files(self.worker_id)
        if self.server.hlen(files) == 0:
            self.server.delete(files, f"{files}:n")

    # -- seeds, hosts, idleness --------------------------------------------------

    def next_seeds(self, count: int) -> list[dict[str, Any]]:
        raw: Any = self.server.lpop(self.keys.seeds, count) or []
        seeds = []
        for item in raw:
            try:
                seeds.append(json.loads(item))
            except ValueError:
                logger.warning("ignored a seed that is not JSON: %r", item[:200])
        return seeds

    def hosts(self) -> set[str]:
        now = time.monotonic()
        if now - self._hosts_read > 2.0:
            self._hosts = {h.decode() for h in self.server.smembers(self.keys.hosts)}  # type: ignore[union-attr]
            self._hosts_read = now
        return self._hosts

    def drained(self) -> bool:
        """Nothing to fetch anywhere: no seeds, no queued requests, no request held by any worker;
        no WARC file waiting or being read."""
        if (
            self.server.llen(self.keys.seeds)
            or self.server.zcard(self.keys.requests)
            or self.server.llen(self.keys.warcs)
        ):
            return False
        for pattern in (self.keys.inflight_pattern, self.keys.files_pattern):
            for raw in self.server.scan_iter(match=pattern):
                if not raw.decode().endswith(":n") and self.server.hlen(raw):
                    return False
        return True

    def may_close(self) -> bool:
        """Whether an idle worker may stop: NEWS_REDIS_IDLE_CLOSE seconds of a drained frontier
        (never when it is 0). Counted from when the frontier was first seen drained, so a
        worker started before the seeds were pushed waits for them."""
        if not self.idle_close or not self.drained():
            self._empty_since = None
            return False
        now = time.monotonic()
        if self._empty_since is None:
            self._empty_since = now
        return now - self._empty_since >= self.idle_close


class HeldQueue(PriorityQueue):
    """scrapy-redis's priority queue; a pop holds the request in the worker's inflight hash."""

    def __init__(self, server: redis.Redis, spider: Spider, key: str, frontier: Frontier) -> None:
        super().__init__(server=server, spider=spider, key=key, serializer=None)
        self.frontier = frontier

    def pop(self, timeout: int = 0) -> Request | None:
        found = self.frontier.pop()
        if found is None:
            return None
        held, data = found
        request = self._decode_request(data)
        request.meta[HELD] = held
        return request

    def push_encoded(self, data: bytes) -> None:
        self.push(self._decode_request(data))


class NewsDupeFilter(RFPDupeFilter):
    def __init__(self, server: redis.Redis, key: str, crawler: Crawler) -> None:
        super().__init__(server, key=key, debug=False)
        self.fingerprinter = crawler.request_fingerprinter

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def log(self, request: Request, spider: Spider | None = None) -> None:
        pass  # counted by the scheduler (news/redis/filtered), as Scrapy's own counts dupefilter/filtered


class NewsScheduler(RedisScheduler):
    """The Redis scheduler when NEWS_REDIS_URL is set; otherwise Scrapy's own, with its pending
    requests on disk (crawler/crawl/spill.py)."""

    frontier: Frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        config = NewsConfig.from_settings(crawler.settings)
        # An ingest worker reads whole WARC files and keeps their requests to itself (another
        # machine may not have the file): only its batches go through Redis.
        if not config.redis_url or config.archive_only:
            from crawler.crawl.spill import SpillScheduler

            return SpillScheduler.from_crawler(crawler)
        frontier = Frontier.of(crawler)
        keys = frontier.keys
        scheduler = cls(
            server=frontier.server,
            persist=True,  # never flush the shared frontier when one worker closes
            queue_key=keys.requests,
            dupefilter=NewsDupeFilter(frontier.server, keys.dupefilter, crawler),
            dupefilter_key=keys.dupefilter,
        )
        scheduler.stats = crawler.stats
        scheduler.frontier = frontier
        frontier.dupefilter = scheduler.df
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = HeldQueue(self.server, spider, self.queue_key, self.frontier)
        self.frontier.queue = self.queue
        self.frontier.heartbeat(force=True)
        if len(self.queue):
            logger.info("joining a shared frontier of %d requests", len(self.queue))

    def close(self, reason: str) -> None:
        pass  # the frontier is shared: it outlives any one worker

    def enqueue_request(self, request: Request) -> bool:
        held = request.meta.pop(HELD, None)  # a retry or redirect of a held request goes back
        if not request.dont_filter and self.df.request_seen(request):
            self.stats.inc_value("news/redis/filtered")
            if held:
                self.frontier.pending_acks.append(held)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        if held:
            self.frontier.pending_acks.append(held)
        return True

    def next_request(self) -> Request | None:
        self.frontier.heartbeat()
        request: Request | None = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self) > 0
