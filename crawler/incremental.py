"""Incremental runs: a stored article is requested again only when there is a sign it changed.

A downloader middleware, fed by the seen-state in the database (storage.fetchstate), read once
when the spider opens:
- a URL never stored as an article is fetched as usual (listing pages, feeds, sitemaps and new
  articles are read on every run);
- a stored article listed with a sitemap `lastmod` / feed date newer than the one it had when
  fetched is fetched again;
- otherwise the revisit policy decides by the article's age (schedule.policy.RevisitPolicy);
  a request that is not due is dropped (NotDue, counted `news/incremental/skipped_<why>`);
- a due request carries If-None-Match / If-Modified-Since from the stored ETag / Last-Modified;
  a 304 answer is counted (`news/incremental/not_modified`), reported to storage through the
  page_not_modified signal, and goes no further (NotModified).
Scrapy's own duplicate filter still removes repeats within a run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.config import NewsConfig
from crawler.discovery.urls import canonicalize
from crawler.schedule.policy import PolicyError, RevisitPolicy, parse_time
from crawler.signals import page_not_modified
from crawler.storage import open_db
from crawler.storage.fetchstate import Seen, load_seen

logger = logging.getLogger(__name__)


class NotDue(IgnoreRequest):
    """A stored article the revisit policy does not fetch again yet."""


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
    def __init__(self, crawler: Crawler, config: NewsConfig, policy: RevisitPolicy) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.policy = policy
        self.seen: dict[str, Seen] = {}

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
        return middleware

    def spider_opened(self) -> None:
        db = open_db(self.config.db, self.config.db_timeout)
        try:
            self.seen = load_seen(db)
        finally:
            db.conn.close()
        self.stats.set_value("news/incremental/known_articles", len(self.seen))

    def process_request(self, request: Request) -> None:
        key = canonicalize(request.url)
        seen = self.seen.get(key)
        if seen is None or request.meta.get("news_force"):
            return None
        listed = listing_time(request.meta.get("news_listing_changed"))
        before = listing_time(seen.listing_date)
        changed = listed is not None and (
            listed > before if before else listed > (parse_time(seen.fetched_at) or listed)
        )
        now = datetime.now(UTC)
        due, why = (True, "listing_newer") if changed else self.policy.due(
            parse_time(seen.published_at), parse_time(seen.fetched_at), now
        )  # fmt: skip
        if not due:
            self.stats.inc_value(f"news/incremental/skipped_{why}")
            raise NotDue(f"stored article not due ({why}): {request.url}")
        self.stats.inc_value(f"news/incremental/refetch_{why}")
        if seen.etag:
            request.headers.setdefault(b"If-None-Match", seen.etag.encode("latin-1", "replace"))
        if seen.last_modified:
            request.headers.setdefault(b"If-Modified-Since", seen.last_modified.encode("latin-1", "replace"))
        request.meta["news_conditional"] = bool(seen.etag or seen.last_modified)
        return None

    def process_response(self, request: Request, response: Response) -> Any:
        if response.status == 304 and request.meta.get("news_conditional"):
            self.stats.inc_value("news/incremental/not_modified")
            self.crawler.signals.send_catch_log(page_not_modified, url=canonicalize(request.url))
            raise NotModified(f"not modified: {request.url}")
        return response
