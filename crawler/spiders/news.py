"""Spider `news`: sitemaps, feeds or pages in; article items out.

    scrapy crawl news -a start_urls=URL[,URL...] [-a tz=Asia/Tokyo] [-a follow_depth=2]
    scrapy crawl news -a site=NAME [-a start_urls=...]

Each start URL may be a sitemap (index or urlset, gzipped or not), an RSS/Atom
feed, or an HTML page. From HTML pages, same-host links are followed up to
`follow_depth` hops (NEWS_FOLLOW_DEPTH, default 2); URLs listed by sitemaps and
feeds are fetched but their links are not followed, since the listing is the
site's own statement of what its articles are.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.discovery.feeds import maybe_gunzip, parse_listing, sniff_kind
from crawler.discovery.links import netloc, should_follow, storage_url, strip_fragment
from crawler.extract import extract_page
from crawler.extract.article import ExtractError
from crawler.extract.encoding import redecode
from crawler.items import Article
from crawler.profiles import SiteProfile, get_profile
from crawler.text.dates import get_tz

logger = logging.getLogger(__name__)

_XML_TYPES = ("xml", "rss", "atom", "gzip", "x-gzip", "octet-stream")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        start_urls: str | None = None,
        site: str | None = None,
        tz: str | None = None,
        follow_depth: str | int | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.profile: SiteProfile | None = get_profile(site) if site else None
        urls = _split(start_urls) if isinstance(start_urls, str) else list(start_urls or [])
        if not urls and self.profile:
            urls = list(self.profile.entry_points)
        if not urls:
            raise ValueError("give -a start_urls=URL[,URL...] or -a site=NAME")
        self.start_urls = urls
        if tz and get_tz(tz) is None:
            raise ValueError(f"unknown timezone {tz!r}")
        self.tz_argument = tz
        self._follow_depth_arg = follow_depth
        # Ad-hoc crawls stay on the hosts (with port) of their start URLs; a
        # profile adds its domains, and start URLs given with it (a mirror) too.
        self.hosts = {netloc(u) for u in urls}
        if self.profile:
            self.hosts |= set(self.profile.allowed_domains)
            if not start_urls:
                self.hosts = set(self.profile.allowed_domains)
        self.allow: list[re.Pattern[str]] = list(self.profile.allow) if self.profile else []
        self.deny: list[re.Pattern[str]] = list(self.profile.deny) if self.profile else []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        depth = spider._follow_depth_arg
        spider.follow_depth = int(depth if depth is not None else crawler.settings.getint("NEWS_FOLLOW_DEPTH", 2))
        return spider

    def _inc(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(key, count)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={"news_depth": 0})

    # -- responses ---------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        self._inc("news/pages/fetched")
        kind = self._listing_kind(response)
        if kind != "html":
            yield from self._parse_listing(response, kind)
            return
        if not isinstance(response, HtmlResponse):
            self._inc("news/pages/non_html")
            logger.info("skipped non-HTML response %s (%s)", response.url, response.headers.get("Content-Type"))
            return
        yield from self._parse_html(response)

    def _listing_kind(self, response: Response) -> str:
        ctype = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        body = response.body
        looks_xml = any(t in ctype for t in _XML_TYPES) or body[:2] == b"\x1f\x8b" or body.lstrip()[:5] == b"<?xml"
        if not looks_xml:
            return "html"
        try:
            return sniff_kind(maybe_gunzip(body))
        except (OSError, ValueError, EOFError):
            return "html"

    def _parse_listing(self, response: Response, kind: str) -> Iterator[Any]:
        try:
            listing = parse_listing(response.body)
        except (ValueError, OSError, EOFError) as exc:
            self._inc("news/discovery/bad_listing")
            logger.warning("could not read %s as %s: %s", response.url, kind, exc)
            return
        self._inc(f"news/discovery/{listing.kind}")
        for entry in listing.entries:
            url = strip_fragment(response.urljoin(entry.url))
            if not should_follow(url, self.hosts, [], self.deny, check_extension=listing.kind != "sitemapindex"):
                self._inc("news/discovery/offsite_or_denied")
                continue
            self._inc(f"news/discovery/{listing.kind}_urls")
            meta = {
                "news_depth": self.follow_depth,
                "news_listing_date": entry.published_raw,
                "news_listing_date_source": entry.published_source,
            }
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta=meta)

    def _is_article_url(self, url: str) -> bool | None:
        if self.profile and self.profile.article_urls:
            return any(p.search(url) for p in self.profile.article_urls)
        return None

    def _parse_html(self, response: HtmlResponse) -> Iterator[Any]:
        url = strip_fragment(response.url)
        decoded = redecode(response.text, response.body, response.encoding)
        if decoded.repaired:
            self._inc("news/pages/charset_mismatch")
            logger.warning(
                "%s: declared charset %s garbles the text; decoded as %s", url, response.encoding, decoded.encoding
            )
        try:
            page = extract_page(
                decoded.text,
                url,
                selectors=self.profile.selectors if self.profile else None,
                article_url=self._is_article_url(url),
            )
        except ExtractError as exc:
            self._inc("news/extract/unparseable")
            logger.warning("could not parse %s: %s", url, exc)
            return
        except Exception as exc:  # a bug on hostile input must not end the crawl
            self._inc(f"news/extract/error/{type(exc).__name__}")
            logger.exception("extraction failed on %s", url)
            return
        for warning in page.warnings:
            self._inc(f"news/extract/{warning}")
        depth = response.meta.get("news_depth", 0)
        if depth < self.follow_depth:
            yield from self._follow_links(response, depth)
        if not page.is_article:
            self._inc("news/pages/listing")
            return
        self._inc("news/pages/article")
        published = list(page.published_candidates)
        if response.meta.get("news_listing_date"):
            # The feed's or sitemap's date ranks below the page's own signals, above the URL.
            listed = (response.meta["news_listing_date"], response.meta["news_listing_date_source"])
            at = next((i for i, (_, source) in enumerate(published) if source == "url"), len(published))
            published.insert(at, listed)
        tz, tz_source = None, None
        if self.profile and self.profile.timezone:
            tz, tz_source = self.profile.timezone, "profile"
        elif self.tz_argument:
            tz, tz_source = self.tz_argument, "argument"
        yield Article(
            url=storage_url(url, page.canonical_url),
            fetched_url=url,
            canonical_url=page.canonical_url,
            site=self.profile.name if self.profile else (page.site_name or netloc(url)),
            title=page.title,
            blocks=page.blocks,
            authors=page.authors,
            language=page.language or (self.profile.language if self.profile else None),
            section=page.section,
            description=page.description,
            image_url=page.image_url,
            published_candidates=published,
            modified_candidates=page.modified_candidates,
            timezone=tz,
            timezone_source=tz_source,
            extractor=page.extractor,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            http_status=response.status,
            encoding=decoded.encoding,
            raw_html=response.body,
        )

    def _follow_links(self, response: TextResponse, depth: int) -> Iterator[scrapy.Request]:
        for href in response.xpath("//a/@href").getall():
            url = strip_fragment(response.urljoin(href.strip()))
            if should_follow(url, self.hosts, self.allow, self.deny):
                yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={"news_depth": depth + 1})

    # -- failures ----------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            self._inc(f"news/fetch/http_{status}")
            logger.warning("HTTP %s for %s", status, request.url)
        elif failure.check(IgnoreRequest):
            # Forbidden by robots.txt, or filtered by a middleware.
            robots = "robots.txt" in failure.getErrorMessage()
            self._inc("news/fetch/robots_forbidden" if robots else "news/fetch/ignored")
            logger.info("not fetched %s: %s", request.url, failure.getErrorMessage())
        else:
            name = failure.type.__name__ if failure.type else "Error"
            self._inc(f"news/fetch/error/{name}")
            logger.warning("failed to fetch %s: %s", request.url, failure.getErrorMessage())
