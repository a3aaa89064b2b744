"""Rules for a hostile or overloaded web, as downloader middlewares; each drop has a reason.

- Retry-After (429, 503): the request is retried after the delay the server asks for, and the
  host's download slot is slowed to that delay, so the host is not hammered; a delay over
  NEWS_RETRY_AFTER_MAX seconds, or a request already retried RETRY_TIMES times, is dropped
  (`retry_after_too_long`, `retry_after_exhausted`). Without the header Scrapy's own
  RetryMiddleware retries 429/5xx as usual.
- A redirect to a host the crawl does not cover is not followed (`offsite_redirect`).
- A per-site page budget (NEWS_SITE_PAGE_BUDGET responses per site per run) bounds traps an
  endless calendar or `?page=N` could set: past it the site's requests are dropped
  (`site_budget`). Link depth (NEWS_FOLLOW_DEPTH) bounds them too.

A dropped request raises FaultDrop (an IgnoreRequest): the spider records it as a page decision
with its reason and counts `news/fetch/<reason>`; the crawl goes on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import Counter
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.config import NewsConfig
from crawler.discovery.urls import netloc, site_key

logger = logging.getLogger(__name__)


class FaultDrop(IgnoreRequest):
    """A request dropped by one of these rules; `reason` names the rule, `url` the URL to record
    (for a redirect, the one the crawl was asked to fetch)."""

    def __init__(self, reason: str, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.url = url


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) in seconds from now; None if unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _Base:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = NewsConfig.from_settings(crawler.settings)

    def drop(self, reason: str, request: Request, message: str) -> FaultDrop:
        self.stats.inc_value(f"news/fetch/{reason}")
        logger.info("dropped %s (%s): %s", request.url, reason, message)
        return FaultDrop(reason, message, (request.meta.get("redirect_urls") or [request.url])[0])


class RetryAfterMiddleware(_Base):
    RETRY_AFTER_STATUSES = (429, 503)

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_retries = crawler.settings.getint("RETRY_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Any:
        if response.status not in self.RETRY_AFTER_STATUSES:
            return response
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if delay is None:
            return response  # Scrapy's RetryMiddleware decides
        if delay > self.config.retry_after_max:
            limit = self.config.retry_after_max
            raise self.drop("retry_after_too_long", request, f"Retry-After {delay:.0f} s > {limit:.0f} s")
        tries = request.meta.get("news_retry_after", 0)
        if tries >= self.max_retries:
            raise self.drop("retry_after_exhausted", request, f"still {response.status} after {tries} retries")
        self._slow_down(request, delay)
        self.stats.inc_value("news/fetch/retry_after")
        retry = request.replace(dont_filter=True)
        retry.meta["news_retry_after"] = tries + 1
        retry.meta["news_not_before"] = time.monotonic() + delay
        return retry

    async def process_request(self, request: Request) -> None:
        # The retry itself waits as asked (the slot's delay paces the host's other requests).
        wait = request.meta.get("news_not_before", 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def _slow_down(self, request: Request, delay: float) -> None:
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None) if engine else None
        if downloader is None:
            return
        key = downloader.get_slot_key(request)  # Scrapy's own slot for this request's host
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay < delay:
            logger.info("host %s asked to wait %.0f s: slowing it down", key, delay)
            slot.delay = delay


class OffsiteRedirectMiddleware(_Base):
    """Placed after Scrapy's RedirectMiddleware in the request path: it sees the redirected request."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("redirect_urls"):
            return None
        hosts = getattr(self.crawler.spider, "hosts", None)
        if hosts is None:
            return None
        host = netloc(request.url)
        bare = host.split(":")[0]
        if host in hosts or any(bare == h or bare.endswith("." + h) for h in hosts):
            return None
        raise self.drop("offsite_redirect", request, f"redirect from {request.meta['redirect_urls'][0]} to {host}")


def private_host(netloc_or_host: str) -> bool:
    """An IP literal in a private, loopback, link-local or reserved range, or localhost.
    (Names are not resolved here: a public name that resolves to a private address is not seen.)"""
    name = (urlsplit("//" + netloc_or_host).hostname or "").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


class PrivateAddressMiddleware(_Base):
    """A crawl of public sites never fetches a private or loopback address (a link, a redirect,
    an entry point), unless NEWS_ALLOW_PRIVATE is set; a crawl started on such an address (the
    demo, a local mirror) is local by choice and allowed."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.config.allow_private or not private_host(netloc(request.url)):
            return None
        spider = self.crawler.spider
        # Our spider keeps its hosts (in the distributed mode, every pushed site's); another
        # project's spider has start URLs and allowed domains.
        allowed = getattr(spider, "_hosts", None)
        hosts = (allowed() if callable(allowed) else getattr(spider, "hosts", None)) or {
            *(netloc(u) for u in getattr(spider, "start_urls", []) or []),
            *(getattr(spider, "allowed_domains", None) or []),
        }
        if any(private_host(h) for h in hosts):
            return None  # a local crawl by choice
        raise self.drop("private_address", request, f"{netloc(request.url)} is a private or loopback address")


class SiteBudgetMiddleware(_Base):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.pages: Counter[str] = Counter()
        self.warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        budget = self.config.site_page_budget
        if not budget:
            return None
        site = site_key(request.url)
        if self.pages[site] >= budget:
            if site not in self.warned:
                self.warned.add(site)
                logger.warning("site %s reached its page budget (%d, NEWS_SITE_PAGE_BUDGET): no more requests",
                               site, budget)  # fmt: skip
            raise self.drop("site_budget", request, f"{site} reached {budget} pages")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        self.pages[site_key(request.url)] += 1
        return response
