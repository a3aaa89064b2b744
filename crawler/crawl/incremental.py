"""Incremental runs: a stored article is requested again only when there is a sign it changed.

A spider middleware, fed by the seen-state in the database (storage.fetchstate), read once when
the spider opens, looks at every request the spider yields, before it reaches Scrapy's
scheduler (so a request left alone costs nothing: measured, dropping 2,000 of them later, in a
downloader middleware, took 6 s):
- a URL never stored as an article is fetched as usual (listing pages, feeds, sitemaps and new
  articles are read on every run);
- a stored article listed with a sitemap `lastmod` / feed date newer than the one it had when
  fetched is fetched again;
- otherwise the revisit policy decides by the article's age (schedule.policy.RevisitPolicy);
  a request that is not due is dropped (counted `news/incremental/skipped_<why>`);
- a due request carries If-None-Match / If-Modified-Since from the stored ETag / Last-Modified.
A downloader middleware (NotModifiedMiddleware) takes the 304 answers: counted
(`news/incremental/not_modified`), reported to storage through the page_not_modified signal,
and going no further (NotModified).
Scrapy's own duplicate filter still removes repeats within a run.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.config import NewsConfig
from crawler.crawl.signals import frontier_seeded, page_not_modified
from crawler.discovery.urls import canonicalize
from crawler.schedule.policy import PolicyError, RevisitPolicy, parse_time
from crawler.storage import open_db
from crawler.storage.fetchstate import Seen, load_seen

logger = logging.getLogger(__name__)


class NotModified(IgnoreRequest):
    """A stored article the server says has not changed (304)."""


def listing_time(raw: str | None) -> datetime | None:
    """A sitemap lastmod (ISO-8601) or feed date (RFC 822 or ISO-8601) as an aware datetime."""
    if not raw:
        return None
    parsed = parse_time(raw.strip())
    if parsed is not None:
        return parsed
    try:
        value = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class IncrementalMiddleware:
    """Spider middleware: drops stored articles that are not due, makes due ones conditional."""

    def __init__(self, crawler: Crawler, config: NewsConfig, policy: RevisitPolicy) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.policy = policy
        self.seen: dict[str, Seen] = {}
        self.skipped_articles: set[str] = set()  # stored articles not fetched this run (not due)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        config = NewsConfig.from_settings(crawler.settings)
        if not config.incremental or not config.db:
            raise NotConfigured("NEWS_INCREMENTAL is off or NEWS_DB is empty: every page is fetched")
        try:
            policy = RevisitPolicy.parse(config.revisit)
        except PolicyError as exc:
            raise ValueError(f"setting NEWS_REVISIT: {exc}") from exc
        middleware = cls(crawler, config, policy)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        # A long-lived worker of the distributed mode reads the seen-state again for each new run.
        crawler.signals.connect(middleware._reload, signal=frontier_seeded)
        return middleware

    def spider_opened(self) -> None:
        if self.config.redis_url:
            self._reload()
            return
        db = open_db(self.config.db, self.config.db_timeout)
        try:
            self.seen = load_seen(db)
        finally:
            db.conn.close()
        self.stats.set_value("news/incremental/known_articles", len(self.seen))

    def _reload(self) -> None:
        """A worker of the distributed mode reads the writer's database read-only (never a lock
        the writer could wait on), at its start and at each new run's seeds."""
        path = Path(self.config.db)
        if not path.is_file():
            # A worker on another machine than the writer's database: every listed page is due.
            logger.info("no database at %s on this worker: incremental decisions are off here", path)
            return
        try:
            conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=self.config.db_timeout)
            try:
                self.seen = load_seen(sqlite_utils.Database(conn))
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:  # not migrated yet (a fresh database): nothing seen
            logger.info("could not read the seen-state of %s (%s): every listed page is due", path, exc)
            return
        self.stats.set_value("news/incremental/known_articles", len(self.seen))

    def keep(self, request: Request) -> bool:
        """Whether to let a request through (adding conditional headers when it is a due revisit)."""
        key = canonicalize(request.url)
        seen = self.seen.get(key)
        if seen is None or request.meta.get("news_force"):
            return True
        listed = listing_time(request.meta.get("news_listing_changed"))
        before = listing_time(seen.listing_date)
        # Changed: listed with a newer date than at the last fetch (or, with none then, than the fetch).
        reference = before or parse_time(seen.fetched_at)
        changed = listed is not None and reference is not None and listed > reference
        now = datetime.now(UTC)
        due, why = (True, "listing_newer") if changed else self.policy.due(
            parse_time(seen.published_at), parse_time(seen.fetched_at), now
        )  # fmt: skip
        if not due:
            self.stats.inc_value(f"news/incremental/skipped_{why}")
            # An article linked from several pages is several requests not made: say how many
            # articles they were too ("82 requests not made" for 37 stored articles puzzled).
            self.skipped_articles.add(key)
            self.stats.set_value("news/incremental/not_due_articles", len(self.skipped_articles))
            return False
        self.stats.inc_value(f"news/incremental/refetch_{why}")
        if seen.etag:
            request.headers.setdefault(b"If-None-Match", seen.etag.encode("latin-1", "replace"))
        if seen.last_modified:
            request.headers.setdefault(b"If-Modified-Since", seen.last_modified.encode("latin-1", "replace"))
        request.meta["news_conditional"] = bool(seen.etag or seen.last_modified)
        return True

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for item in result:
            if not isinstance(item, Request) or self.keep(item):
                yield item

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            if not isinstance(item, Request) or self.keep(item):
                yield item

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            if not isinstance(item, Request) or self.keep(item):
                yield item


class NotModifiedMiddleware:
    """Downloader middleware: a 304 to our conditional GET is counted, reported, and stops there."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NotModifiedMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Any:
        if response.status == 304 and request.meta.get("news_conditional"):
            self.stats.inc_value("news/incremental/not_modified")
            self.crawler.signals.send_catch_log(page_not_modified, url=canonicalize(request.url))
            raise NotModified(f"not modified: {request.url}")
        return response
