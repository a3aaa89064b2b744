"""`news-crawler schedule`: one long-lived process running sites crawl after crawl.

Scrapy's AsyncCrawlerRunner on the asyncio reactor, so crawls follow one another (and run side
by side, one per site, each with its own politeness) without restarting the reactor. Before
each run the site's lock is taken (schedule.locks): a site still running, here or in another
process (a cron job), is not started twice; the refusal is one line and the site's next turn
comes as usual. SIGINT / SIGTERM: no new run starts, the running ones are asked to stop (they
close as Scrapy does on a shutdown: the pipelines write the current batch and the run's row),
and the process exits 0 once they have.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import Settings

from crawler.crawl.logformatter import quiet_network_tracebacks
from crawler.crawl.targets import Target, one_line
from crawler.schedule.locks import SiteBusyError, SiteLock
from crawler.schedule.policy import Schedule

TICK = 0.5  # seconds between looks at the plan


class Daemon:
    def __init__(
        self,
        settings: Settings,
        db_path: str,
        plans: list[tuple[Target, Schedule]],
        once: bool,
        say: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.db_path = db_path
        self.plans = plans
        self.once = once
        self.say = say
        self.stopping = asyncio.Event()
        self.running: dict[str, tuple[asyncio.Task[None], Crawler]] = {}
        self.failures = 0

    def stop(self) -> None:
        if not self.stopping.is_set():
            self.say(f"{_now()} stop requested: no new runs; letting {len(self.running)} running crawl(s) finish")
            self.stopping.set()

    async def run(self) -> int:
        from scrapy.crawler import AsyncCrawlerRunner

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop)
        runner = AsyncCrawlerRunner(self.settings)
        due = {target.key: datetime.now(UTC) for target, _ in self.plans}
        started: set[str] = set()
        self.say(f"{_now()} scheduling {', '.join(f'{t.key} every {s.text}' for t, s in self.plans)}")
        while not self.stopping.is_set():
            now = datetime.now(UTC)
            for target, schedule in self.plans:
                if target.key in self.running or (self.once and target.key in started) or now < due[target.key]:
                    continue
                due[target.key] = schedule.next_after(now)
                started.add(target.key)
                self._start(runner, target)
            if self.once and len(started) == len(self.plans) and not self.running:
                break
            try:
                await asyncio.wait_for(self.stopping.wait(), TICK)
            except TimeoutError:
                pass
        if self.running:
            for _, crawler in list(self.running.values()):
                await crawler.stop_async()
            await asyncio.gather(*(task for task, _ in self.running.values()), return_exceptions=True)
        self.say(f"{_now()} scheduler stopped")
        return 1 if self.failures and self.once else 0

    def _start(self, runner: Any, target: Target) -> None:
        lock = SiteLock(self.db_path, target.key)
        try:
            lock.acquire()
        except SiteBusyError as exc:
            self.say(f"{_now()} {target.key}: {exc}")
            return
        note = lock.stale_takeover()
        if note:
            self.say(f"{_now()} {target.key}: {note}")
        crawler = runner.create_crawler("news")
        task = runner.crawl(crawler, **target.spider_kwargs)
        self.running[target.key] = (task, crawler)
        task.add_done_callback(lambda t: self._finished(target, crawler, lock, t))

    def _finished(self, target: Target, crawler: Crawler, lock: SiteLock, task: asyncio.Task[None]) -> None:
        lock.release()
        self.running.pop(target.key, None)
        if not task.cancelled() and task.exception() is not None:
            self.failures += 1
            self.say(f"{_now()} {target.key}: the crawl failed: {task.exception()}")
            return
        crawl_id = crawler.stats.get_value("news/crawl_id") if crawler.stats else None
        row = _crawl_row(self.db_path, crawl_id)
        if row is None:
            self.failures += 1
            self.say(f"{_now()} {target.key}: the crawl ended without a record (see the log)")
            return
        if row.get("status") == "failed":
            self.failures += 1
        self.say(one_line(row))
        if not row.get("pages_fetched") and row.get("status") != "failed":
            # A dead site or a wrong URL: under cron it must not look like a success.
            self.failures += 1
            self.say(f"{_now()} {target.key}: nothing fetched (is the site up and the URL right?)")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _crawl_row(db_path: str, crawl_id: int | None) -> dict[str, Any] | None:
    if crawl_id is None:
        return None
    from crawler.storage import open_db

    db = open_db(db_path)
    try:
        rows = list(db.query("select * from crawls where id = ?", [crawl_id]))
    finally:
        db.conn.close()
    return rows[0] if rows else None


def run_daemon(
    settings: Settings, db_path: str, plans: list[tuple[Target, Schedule]], once: bool, say: Callable[[str], None]
) -> int:
    """Run the plan until stopped (or, with once, until every site ran once); the exit status."""
    from scrapy.utils.defer import deferred_f_from_coro_f
    from scrapy.utils.log import configure_logging
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import reactor as installed

    reactor: Any = installed

    configure_logging(settings)
    quiet_network_tracebacks()
    daemon = Daemon(settings, db_path, plans, once, say)
    result: dict[str, int] = {}

    @deferred_f_from_coro_f
    async def main() -> None:
        try:
            result["code"] = await daemon.run()
        finally:
            reactor.callLater(0, reactor.stop)

    reactor.callWhenRunning(main)
    reactor.run(installSignalHandlers=False)  # the daemon's own handlers stop it cleanly
    return result.get("code", 1)
