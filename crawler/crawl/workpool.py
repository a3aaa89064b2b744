"""Page extraction in worker processes, so a crawl uses more than the one core Scrapy runs on.

Scrapy's reactor and every callback run on one core. Extraction (HTML parse, trafilatura, the
date and title signals) is pure and is most of a page's CPU time, so with `NEWS_WORKERS=N` the
spider hands each page to one of N worker processes and awaits the result while the reactor goes
on fetching. Nothing else changes: the result is the same `ExtractedPage` the in-process call
returns (tests compare the stored rows of both paths). The pipelines' other pure steps go to the
same pool (cleaning, date mentions, the body's signature); what keeps state (the site models
read at the start, storage) stays in the crawl's process.

- Bounded: at most `4 * N` pages wait for a worker; a callback that finds the pool full waits
  too, and Scrapy's own limit on responses in processing then holds back downloads, so memory
  stays flat however long the crawl.
- Workers come from a fork server (a fresh process, whatever threads the crawl has), with the
  extraction modules imported once; they ignore SIGINT, so Ctrl-C reaches the crawl, which
  shuts the pool down cleanly when the spider closes.
- The pool starts on a thread of its own: starting a worker waits for the fork server's imports
  (2.6 s here, more on a slow machine), and a reactor frozen that long stops fetching and misses
  its Redis heartbeat (a distributed worker's WARC file was then taken back and read twice). A
  page that needs the pool meanwhile awaits it; the reactor goes on.
- A worker that dies (killed, out of memory) breaks the pool: the page is extracted in-process,
  counted as `news/pool/broken`, and a new pool is started for the next pages.
- By default (`NEWS_WORKERS=-1`) a machine with two cores or more gets one worker per core, so
  a user has the fast path without knowing the setting; the pool starts only after the crawl's
  first AUTO_WARMUP tasks (50 pages: a page is one task, the page processor), so a small crawl
  (the demo, a 20-page site) never pays for starting it.
  (Starting it earlier, after half a second of in-process work, was tried: 181 real pages,
  five runs each, median 62.6 against 65.2 ms a page, within the noise; the demo then started a
  pool it did not need.)
  `NEWS_WORKERS=0` keeps everything in the crawl's process.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
T = TypeVar("T")
PENDING_PER_WORKER = 4
AUTO_WARMUP = 50  # tasks run in-process before the default pool starts (a page is one: process_page)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this process may use (containers, taskset)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_workers(setting: int) -> tuple[int, int]:
    """(workers, tasks in-process first) for a NEWS_WORKERS value: -1 is one per core on a
    machine with two or more (a lone core gains nothing from a second process), after
    AUTO_WARMUP tasks; an explicit number starts at once."""
    if setting >= 0:
        return setting, 0
    cores = available_cores()
    return (cores, AUTO_WARMUP) if cores >= 2 else (0, 0)


_PRELOAD = ["crawler.page.warmup"]  # imported once, by the fork server (see that module)


def _quiet_worker(crawl_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle
    threading.Thread(target=_end_with, args=(crawl_pid,), name="news-end-with-crawl", daemon=True).start()


def _end_with(pid: int) -> None:
    """A worker lives no longer than its crawl. A crawl killed outright (the OOM killer, kill -9, a
    container stopped) cannot stop its pool, and its workers, waiting for work that never comes,
    kept their fork server alive too: three processes of about 100 MB each, for good."""
    try:
        handle = os.pidfd_open(pid)  # readable when that process has ended (Linux 5.3+)
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while True:
            time.sleep(2)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass  # alive, another user's: the number was taken again, keep waiting
    os._exit(0)


class WorkPool:
    def __init__(self, workers: int, on_event: Callable[[str], None] | None = None, warmup: int = 0) -> None:
        self.workers = max(0, workers)
        self.warmup = warmup  # calls made in this process before the pool starts
        # An explicit pool is awaited by the first page; the default one (after a warm-up) starts
        # while pages go on in this process, so the crawl never stands still for it.
        self._await_start = warmup == 0
        self._on_event = on_event or (lambda _key: None)
        self._executor: ProcessPoolExecutor | None = None
        self._starting: Future[ProcessPoolExecutor] | None = None
        self._slots: asyncio.Semaphore | None = None

    @classmethod
    def of(cls, crawler: Crawler) -> WorkPool:
        """The crawl's one pool, shared by the spider (extraction) and storage (signatures);
        stopped when the engine stops, after storage's last write."""
        pool: WorkPool | None = getattr(crawler, "_news_work_pool", None)
        if pool is None:
            from scrapy import signals

            from crawler.config import NewsConfig

            def count(key: str) -> None:
                if crawler.stats is not None:
                    crawler.stats.inc_value(key)

            workers, warmup = resolve_workers(NewsConfig.from_settings(crawler.settings).workers)
            pool = cls(workers, count, warmup)
            crawler._news_work_pool = pool  # type: ignore[attr-defined]
            crawler.signals.connect(pool.close, signal=signals.engine_stopped)
        return pool

    def _launch(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        executor = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_quiet_worker, initargs=(os.getpid(),)
        )
        # Each worker is started by a submit that finds none idle: start them all here, off the reactor.
        for started in [executor.submit(os.getpid) for _ in range(self.workers)]:
            started.result()
        return executor

    def _start(self) -> Future[ProcessPoolExecutor]:
        if self._starting is None:
            starting: Future[ProcessPoolExecutor] = Future()

            def launch() -> None:
                try:
                    starting.set_result(self._launch())
                except BaseException as exc:  # the awaiting page sees it
                    starting.set_exception(exc)

            logger.info("starting %d worker processes (%d tasks of the warm-up left)", self.workers, self.warmup)
            self._on_event("news/pool/started")
            threading.Thread(target=launch, name="news-pool-start", daemon=True).start()
            self._starting = starting
        return self._starting

    async def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = await asyncio.wrap_future(self._start())
        return self._executor

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a worker process (in this one when the pool has no workers)."""
        if not self.workers:
            return fn(*args)
        if self.warmup > 0:
            self.warmup -= 1
            return fn(*args)
        if self._executor is None and not self._await_start and not self._start().done():
            return fn(*args)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers * PENDING_PER_WORKER)
        async with self._slots:
            try:
                executor = await self._pool()
            except Exception as exc:  # no worker could start (no /dev/shm, processes refused)
                self._on_event("news/pool/unavailable")
                logger.warning("worker processes could not start (%s); pages are extracted in the crawl's process", exc)
                self.workers = 0
                self._discard()
                return fn(*args)
            try:
                return await asyncio.wrap_future(executor.submit(fn, *args))
            except BrokenProcessPool:
                self._on_event("news/pool/broken")
                logger.warning("a worker process died; this page is extracted in the crawl's process")
                self._discard()
                return fn(*args)

    def _discard(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._starting = None

    def close(self) -> None:
        """Stop the workers (after the pages they hold): the crawl is over."""
        if self._executor is None and self._starting is not None:
            try:
                self._executor = self._starting.result()  # a start still under way: wait, then stop it
            except Exception:
                pass  # never started: nothing to stop
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._starting = None
