"""Scrapy's scheduler with the pending requests on disk, in a folder thrown away at the end.

A sitemap of 100,000 URLs puts 100,000 requests in the scheduler at once; in memory they cost
about 2.4 KB each (bench/throughput.py: 425 MB resident from the first minute of a
100,000-page crawl). Scrapy keeps pending requests on disk only with JOBDIR, which also makes
the crawl resumable; this gives the disk queues alone: a fresh folder next to the database
(not /tmp, often a RAM-backed tmpfs), removed when the crawl closes. The request fingerprints
stay in memory, as with Scrapy's own dupefilter. A request that cannot be pickled falls back to
the memory queue (Scrapy counts `scheduler/unserializable`).

NEWS_DISK_FRONTIER=0, or a JOBDIR of the user's own, gives Scrapy's scheduler unchanged.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.utils.job import job_dir
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.config import NewsConfig


class SpillScheduler(Scheduler):
    folder: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        config = NewsConfig.from_settings(crawler.settings)
        if not config.disk_frontier or job_dir(crawler.settings):
            return Scheduler.from_crawler(crawler)
        near = Path(config.db).resolve().parent if config.db else None
        if near is not None:
            near.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix=".news-frontier-", dir=near)
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

    def close(self, reason: str) -> Any:
        try:
            return super().close(reason)
        finally:
            if self.folder:
                shutil.rmtree(self.folder, ignore_errors=True)
