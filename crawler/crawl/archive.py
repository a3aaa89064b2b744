"""Web archives through the crawl: WARC records in as Scrapy responses (spider `news-archive`,
`news-crawler ingest`), and fetched responses out as WARC records (NEWS_WARC_DIR).

In: the spider's start() walks each WARC file and yields, for every HTTP response record, a
request for the record's URL that carries where the record is (`news_warc_path`, `news_warc`);
`ArchiveMiddleware`, first in the downloader chain, answers it from the file, so nothing is
fetched and the response goes through exactly what a fetched page goes through: the news
spider's parse, the page decision, extraction, every pipeline, storage, boilerplate learning and
near-duplicates. The record's WARC-Date is the fetch time; its HTTP Last-Modified is a modified
signal. Records that are not pages (request, metadata, revisit, warcinfo), damaged records and
records the filters leave out are counted by reason, per file. An ingest run never uses the
network: a request without a record behind it (a redirect, a listing's link) is dropped and
recorded.

Out: `WarcRecorder`, last before the download, writes each response (and its request) as it came
off the wire to rotating gzipped WARC files (crawler/archive/writer.py) and tells storage where
the record is, so `pages` keeps a pointer instead of a compressed copy.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes

from crawler.archive.warc import DECODED_AWAY, Record, read_record, scan
from crawler.archive.writer import WarcWriter
from crawler.config import NewsConfig
from crawler.crawl.faults import FaultDrop
from crawler.crawl.signals import archive_file_read
from crawler.crawl.spider import NewsSpider, SpiderArgumentError, _split
from crawler.crawl.workpool import available_cores
from crawler.discovery.urls import strip_fragment
from crawler.ingest.records import FilterError, RecordFilter, iso, listed_dates
from crawler.ingest.run import ArchiveFile

logger = logging.getLogger(__name__)

WAIT_FOR_FILES = 1.0  # seconds an ingest worker waits before looking for a pushed WARC file again


class ArchiveSpider(NewsSpider):
    """`scrapy crawl news-archive -a warc=FILE[,FILE...]` (or `news-crawler ingest`, which adds the
    registry of files, resuming and URLs of WARC files). Filters: -a site=PROFILE|HOST[,...],
    -a language=ja[,en], -a since=YYYY-MM-DD, -a until=YYYY-MM-DD (the record's WARC-Date, UTC),
    -a url_pattern=REGEX."""

    name = "news-archive"
    needs_start = False
    news_quick_stop = False  # every record is read: a stop leaves the rest to the resume
    custom_settings = {
        # The pages were fetched when the archive was made: no robots.txt, delays or retries now.
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "RETRY_ENABLED": False,
        "REDIRECT_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "NEWS_INCREMENTAL": False,
        "NEWS_ARCHIVE_ONLY": True,
        # Reading an archive is bound by the cost of a page, not by the network: one extraction
        # process per core from the first record (bench/archive.py: 52 pages/s with none, 83 with
        # two, on two cores; the crawl's default waits for its first pages); -s NEWS_WORKERS=0
        # keeps everything in one process.
        "NEWS_WORKERS": available_cores(),
    }

    def __init__(
        self,
        warc: str | None = None,
        files: list[ArchiveFile] | None = None,
        site: str | None = None,
        language: str | None = None,
        since: str | None = None,
        until: str | None = None,
        url_pattern: str | None = None,
        tz: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(None, None, tz, 0, *args, **kwargs)
        self.files = list(files or []) + [ArchiveFile(None, path) for path in _split(warc)]
        if not self.files and not kwargs.get("distributed"):
            raise SpiderArgumentError("nothing to ingest: give -a warc=FILE[,FILE...]")
        self.set_filters(site, language, since, until, url_pattern)
        self.counts: dict[int | None, Counter[str]] = {}  # per file: records by what happened to them
        self.records: Counter[int | None] = Counter()  # per file: records read
        self.read_whole: set[int | None] = set()  # files walked to their end
        self.bytes_total = 0
        self.bytes_read = 0

    @classmethod
    def check_filters(cls, **filters: Any) -> None:
        """Raise SpiderArgumentError for filters that cannot start an ingest (before one starts)."""
        cls.__new__(cls).set_filters(**filters)

    def set_filters(
        self,
        site: str | None = None,
        language: str | None = None,
        since: str | None = None,
        until: str | None = None,
        url_pattern: str | None = None,
    ) -> None:
        """Which records become pages (a file pushed to a worker carries its own)."""
        try:
            self.filter = RecordFilter.of(site, language, since, until, url_pattern)
        except FilterError as exc:
            raise SpiderArgumentError(str(exc)) from exc
        self.languages = self.filter.languages

    def archive_progress(self, elapsed: float, stored: int) -> str:
        """The progress line of an ingest (crawler/crawl/progress.py): records read and their rate,
        files done, articles stored, and the time left from the share of the bytes read."""
        records = sum(self.records.values())
        rate = records / max(elapsed, 1e-6)
        share = self.bytes_read / self.bytes_total if self.bytes_total else 0.0
        left = f"{elapsed * (1 - share) / share:.0f} s left" if share > 0.01 else "time left unknown"
        return (
            f"records {records} · {rate:.0f} records/s · files {len(self.read_whole)}/{len(self.files)} · "
            f"articles {stored} · {share:.0%} read · {left}"
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArchiveSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.follow_depth = 0  # an archive is read, never crawled: no link is followed
        assert isinstance(spider, ArchiveSpider)
        return spider

    # -- which records become pages ------------------------------------------

    def skip_reason(self, record: Record) -> str | None:
        """Why a record is not made a page (counted under this name), or None."""
        profile = self.profile_for(record.url) if record.url and record.kind == "response" else None
        return self.filter.skip_reason(record, profile)

    def _count(self, file_id: int | None, reason: str) -> None:
        self.counts.setdefault(file_id, Counter())[reason] += 1
        self._inc(f"news/archive/{reason}")

    async def start(self) -> AsyncIterator[Any]:
        if self.frontier is not None:
            async for request in self._files_from_frontier():
                yield request
            return
        sizes = {archive.path: os.path.getsize(archive.path) for archive in self.files}
        self.bytes_total = sum(sizes.values())
        for archive in self.files:
            for request in self._read(archive):
                yield request

    def _read(self, archive: ArchiveFile) -> Iterator[scrapy.Request]:
        """A request for every response record of the file that becomes a page; the rest counted."""
        self.counts[archive.id] = Counter()  # a file read again (taken back from a dead worker) counts anew
        self.records[archive.id] = 0
        listed = listed_dates(archive.path)
        done_before = self.bytes_read
        for record in scan(archive.path):
            self.bytes_read = done_before + record.offset
            self.records[archive.id] += 1
            self._inc("news/archive/records")
            reason = self.skip_reason(record)
            if reason is not None:
                self._count(archive.id, reason)
                if reason in {"corrupt", "truncated"}:
                    logger.warning("%s: %s record at offset %d (%s)", archive.path, reason, record.offset, record.error)
                continue
            if record.offset in archive.done:
                self._count(archive.id, "already_stored")
                continue
            # Read as pages all the same (a 404 is a `decisions` row, as in a crawl); counted apart.
            if record.status != 200:
                self._count(archive.id, f"response_http_{record.status}")
            elif not record.is_html:
                self._count(archive.id, "response_not_html")
            else:
                self._count(archive.id, "response")
            assert record.url is not None
            raw, source, changed, title = listed.get(strip_fragment(record.url), (None, None, None, None))
            yield scrapy.Request(
                record.url,
                callback=self.parse,
                errback=self.on_error,
                dont_filter=True,  # the same URL twice in an archive: both records are read
                meta={
                    "news_warc": (archive.id, record.offset),
                    "news_warc_path": archive.path,
                    "news_fetched_at": iso(record.date),
                    "news_last_modified": record.headers.get("Last-Modified"),
                    "news_depth": 0,
                    "news_listing_date": raw,
                    "news_listing_date_source": source,
                    "news_listing_title": title,
                    "news_listing_changed": changed or raw,
                    "dont_redirect": True,
                    "dont_retry": True,
                },
            )
        self.read_whole.add(archive.id)
        self.bytes_read = done_before + os.path.getsize(archive.path)

    # -- the distributed mode: whole files taken from Redis ---------------------

    async def _files_from_frontier(self) -> AsyncIterator[scrapy.Request]:
        """Take WARC files pushed with `news-crawler redis push-warc`, one at a time, and read each
        whole here (its requests stay in this worker: another machine may not have the file).
        When every request of a file has ended, the file is reported (and released) through the
        Redis storage component, after the batches that hold its records."""
        assert self.frontier is not None
        while True:
            self.frontier.heartbeat(force=True)  # alive before holding a file: others must not take it back
            taken = self.frontier.take_file()
            if taken is None:
                if self.frontier.may_close():
                    return
                await asyncio.sleep(WAIT_FOR_FILES)
                continue
            held, seed = taken
            archive = ArchiveFile(seed.get("file_id"), seed["path"], set(seed.get("done") or []))
            self.set_filters(**(seed.get("filters") or {}))
            self.files.append(archive)
            self.bytes_total += os.path.getsize(archive.path)
            logger.info("worker %s reads %s", self.frontier.worker_id, archive.path)
            for request in self._read(archive):
                yield request
            await self._until_quiet()
            counts = dict(self.counts.get(archive.id, {}))
            self.crawler.signals.send_catch_log(
                archive_file_read, file_id=archive.id, records=self.records[archive.id], counts=counts, held=held
            )

    async def _until_quiet(self) -> None:
        """Wait until nothing of this worker is in flight: every request of the file has ended."""
        engine = self.crawler.engine
        assert engine is not None
        while True:
            scheduler = engine.scheduler
            pending = scheduler is not None and scheduler.has_pending_requests()
            scraping = engine.scraper.slot is not None and not engine.scraper.slot.is_idle()
            if not engine.downloader.active and not scraping and not pending:
                return
            await asyncio.sleep(0.1)

    def _idle(self) -> None:
        """An idle ingest worker stays up while files may still come (NEWS_REDIS_IDLE_CLOSE)."""
        assert self.frontier is not None
        if self.frontier.may_close():
            return
        raise DontCloseSpider

    # -- pages ---------------------------------------------------------------

    def _parse_listing(self, response: Response, kind: str) -> Any:
        # A sitemap or feed inside an archive is a listing; its entries are not fetched.
        self.decide(response.url, "listing", kind, {"archived": True}, origin=response.meta.get("news_warc"))
        return iter(())

    async def _parse_html(self, response: Any) -> AsyncIterator[Any]:
        async for result in super()._parse_html(response):
            language = (result.get("language") or "").lower() if isinstance(result, scrapy.Item) else None
            if self.languages and language is not None and language.split("-")[0] not in self.languages:
                # The page's own decision said article; this one, later, says why it is not stored.
                self.decide(response.url, "other", "filtered_language", {"language": language},
                            origin=response.meta.get("news_warc"))  # fmt: skip
                self._count(response.meta.get("news_warc", (None,))[0], "filtered_language")
                continue
            yield result


class ArchiveMiddleware:
    """Downloader middleware, first in the chain: a request for an archived record is answered
    from its WARC file. In an ingest run (NEWS_ARCHIVE_ONLY), any other request is dropped and
    recorded (`archive_only`): reading an archive never touches the network."""

    def __init__(self, archive_only: bool) -> None:
        self.archive_only = archive_only

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        return cls(crawler.settings.getbool("NEWS_ARCHIVE_ONLY"))

    def process_request(self, request: Request) -> Response | None:
        path = request.meta.get("news_warc_path")
        if path is None:
            if self.archive_only:
                raise FaultDrop("archive_only", f"not fetched in an archive run: {request.url}")
            return None
        offset = request.meta["news_warc"][1]
        try:
            got = read_record(path, offset)
        except ValueError as exc:
            raise FaultDrop("archive_unreadable", str(exc)[:300]) from exc
        status, headers, body = got.status, got.headers, got.body
        request.meta["news_missing"] = got.missing  # a record cut short: the page is partial
        # The archive is the raw page's home: `pages` points at the record instead of copying it.
        request.meta["news_warc_written"] = (path, offset)
        kept = [(k, v) for k, v in headers if k.lower() not in DECODED_AWAY]
        ctype = next((v for k, v in kept if k.lower() == "content-type"), "")
        cls = responsetypes.from_args(headers={b"Content-Type": ctype.encode("latin-1")}, url=request.url, body=body)
        return cls(url=request.url, status=status, headers=kept, body=body, request=request)


class WarcRecorder:
    """Downloader middleware, last before the download (NEWS_WARC_DIR): every response, and the
    request that asked for it, written to WARC as they came off the wire (before decompression
    and redirects), with a `warcinfo` record at the start of each file. The record's place goes
    in `response.meta["news_warc_written"]`, where storage finds it for `pages`."""

    def __init__(self, writer: WarcWriter) -> None:
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        config = NewsConfig.from_settings(crawler.settings)
        if not config.warc_dir or crawler.settings.getbool("NEWS_ARCHIVE_ONLY"):
            # Off by default (NEWS_WARC_DIR is not set: raw pages are kept in the database).
            # Without a message Scrapy says nothing: every run printed a "Disabled ..." warning.
            raise NotConfigured()
        recorder = cls(WarcWriter(config.warc_dir, config.warc_max_bytes, software=crawler.settings.get("USER_AGENT")))
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def process_response(self, request: Request, response: Response) -> Response:
        if "news_warc_path" in request.meta:  # read from an archive: already in one
            return response
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]
        req_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in request.headers.items() for v in vs]
        place = self.writer.write(
            url=response.url,
            method=request.method,
            request_headers=req_headers,
            status=response.status,
            response_headers=headers,
            body=response.body,
            ip=str(response.ip_address) if response.ip_address else None,
        )
        request.meta["news_warc_written"] = place  # response.meta once the response is tied to it
        return response

    def spider_opened(self, spider: scrapy.Spider) -> None:
        # The target in the file name: the profile, else the first start URL's host.
        profile = getattr(spider, "profile", None)
        starts = getattr(spider, "start_urls", None) or []
        label = profile.name if profile is not None else (urlsplit(starts[0]).netloc if starts else spider.name)
        self.writer.set_target(label)

    def spider_closed(self) -> None:
        self.writer.close()


class WarcDownloadSpider(scrapy.Spider):
    """`news-crawler ingest` with http(s) URLs of WARC files: each fetched through Scrapy (robots.txt,
    the User-Agent, retries) into a local folder, then ingested like a local file. A file already
    downloaded whole (its `.part` renamed) is not fetched again."""

    name = "news-warc-download"
    custom_settings = {"DOWNLOAD_MAXSIZE": 0, "DOWNLOAD_WARNSIZE": 0, "DOWNLOAD_TIMEOUT": 3600}

    def __init__(self, urls: list[str], directory: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls = urls
        self.start_urls = urls  # what the fault rules read: WARC files on 127.0.0.1 are local by choice
        self.directory = directory
        self.saved: dict[str, str] = {}  # URL -> local path
        self.failed: dict[str, str] = {}  # URL -> why

    @staticmethod
    def local_name(url: str) -> str:
        name = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "archive.warc.gz"
        return re.sub(r"[^\w.-]", "_", name)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            target = Path(self.directory) / self.local_name(url)
            if target.exists():
                self.saved[url] = str(target)
                continue
            yield scrapy.Request(url, callback=self.save, errback=self.failed_download, dont_filter=True,
                                 meta={"news_target": str(target)})  # fmt: skip

    def save(self, response: Response) -> None:
        target = Path(response.meta["news_target"])
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        part.write_bytes(response.body)
        part.rename(target)
        self.saved[response.url] = str(target)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("news/archive/downloaded")

    def failed_download(self, failure: Any) -> None:
        request = failure.request
        self.failed[request.url] = failure.getErrorMessage()[:200]
