"""Scrapy's scheduler with the pending requests on disk, in a folder thrown away at the end.

A sitemap of 100,000 URLs puts 100,000 requests in the scheduler at once; in memory they cost
about 2.4 KB each (bench/throughput.py: 425 MB resident from the first minute of a
100,000-page crawl). Scrapy keeps pending requests on disk only with JOBDIR, which also makes
the crawl resumable; this gives the disk queues alone: a fresh folder in the system's temporary
folder (TMPDIR; point it at a disk where /tmp is a RAM-backed tmpfs), removed when the crawl
closes. Not next to the database: a full disk there must stop the crawl with one clear error
(tests/test_faults.py), not fail the queues too. The request fingerprints
stay in memory, as with Scrapy's own dupefilter. A request that cannot be pickled falls back to
the memory queue (Scrapy counts `scheduler/unserializable`).

A crawl that is killed leaves its folder (named with its process id); the next crawl removes
the folders whose process is gone.

NEWS_DISK_FRONTIER=0, or a JOBDIR of the user's own, gives Scrapy's scheduler unchanged.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.utils.job import job_dir
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.config import NewsConfig
from crawler.schedule.locks import pid_alive

PREFIX = "news-frontier-"


def _remove_orphans() -> None:
    """Folders left by crawls that were killed (no close ran): their process is gone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


class SpillScheduler(Scheduler):
    folder: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        config = NewsConfig.from_settings(crawler.settings)
        if not config.disk_frontier or job_dir(crawler.settings):
            return Scheduler.from_crawler(crawler)
        _remove_orphans()
        folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        settings = crawler.settings
        # Scrapy's own from_crawler, with the throwaway folder as the job directory of the
        # queues only (the dupefilter reads JOBDIR, unset: its fingerprints stay in memory).
        scheduler = cls(
            dupefilter=build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler),
            jobdir=folder,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
        scheduler.folder = folder
        return scheduler

    def _dqpush(self, request: Any) -> bool:
        try:
            return super()._dqpush(request)
        except OSError:
            # The disk is full (or gone): the request waits in memory instead, counted.
            assert self.stats is not None
            self.stats.inc_value("news/frontier/disk_error")
            return False

    def close(self, reason: str) -> Any:
        # Scrapy writes the disk queues' state for a resume; the folder is thrown away, so only
        # the queues are closed, and a full disk does not fail the close.
        try:
            if self.dqs is not None:
                self.dqs.close()
        except OSError:
            pass
        finally:
            if self.folder:
                shutil.rmtree(self.folder, ignore_errors=True)
        return self.df.close(reason)
