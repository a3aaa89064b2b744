"""A live progress line on a terminal: pages fetched, articles stored, rate (NEWS_PROGRESS).

A Scrapy extension; off unless NEWS_PROGRESS is set (the `crawl` command sets it) and stderr
is a terminal, so logs, pipes and cron mail never get carriage returns.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.config import NewsConfig


class ProgressLine:
    def __init__(self, crawler: Crawler, out: TextIO, label: str) -> None:
        self.crawler = crawler
        self.out = out
        self.label = label
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        if not NewsConfig.from_settings(crawler.settings).progress or not sys.stderr.isatty():
            # Off by default (no progress line: NEWS_PROGRESS is off or stderr is not a terminal).
            # Without a message Scrapy says nothing: every run printed a "Disabled ..." warning.
            raise NotConfigured()
        extension = cls(crawler, sys.stderr, "")
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def line(self) -> str:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        archive = getattr(self.crawler.spider, "archive_progress", None)
        if callable(archive):  # an ingest: records, files and the time left, from bytes read
            return self.label + archive(time.monotonic() - self.started, stats.get("item_scraped_count", 0))
        pages = stats.get("response_received_count", 0)
        stored = stats.get("item_scraped_count", 0)
        skipped = sum(v for k, v in stats.items() if k.startswith("news/incremental/skipped_"))
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return (
            f"{self.label}pages {pages} · articles {stored} · not due {skipped} · "
            f"{pages / elapsed:.1f} pages/s · {elapsed:.0f} s"
        )

    def show(self) -> None:
        self.out.write("\r\033[K" + self.line())
        self.out.flush()

    def spider_opened(self) -> None:
        spider = self.crawler.spider
        name = getattr(getattr(spider, "profile", None), "name", None)
        self.label = f"[{name}] " if name else ""
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(1.0)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show()
        self.out.write("\n")
        self.out.flush()
