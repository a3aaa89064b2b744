"""The engine-free ingest: the one writer of a run.

The writer walks each file once (after the first pass over its sitemaps and feeds), counts and
filters its records, and hands each page's place to the workers; they read the record
themselves, process the page whole and send back its outcome. Outcomes come back in the
file's order and are applied in batches: the article rows, their raw page (a pointer into the
WARC file, never a copy), the fetch state, the drops, the `decisions` rows and the records
marked done (resume by file and offset). At the end each site's title affixes and boilerplate
are learned and the run's row written, exactly as a crawl ends.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from crawler.archive.warc import Record, scan
from crawler.config import NewsConfig
from crawler.discovery.urls import canonicalize, site_key, strip_fragment
from crawler.ingest import worker
from crawler.ingest.learning import Learner
from crawler.ingest.records import RecordFilter, first_pass, iso
from crawler.ingest.rules import page_rules
from crawler.page.learn import LearnedParser
from crawler.page.learnsite import Learned
from crawler.page.process import PageOutcome
from crawler.profiles import SiteProfile, load_profiles, profile_for_url
from crawler.storage import ArticleStore
from crawler.storage.boilerplate import read_models
from crawler.storage.closing import close_run
from crawler.storage.pages import page_row
from crawler.storage.runs import start_crawl
from crawler.storage.siteparsers import read_parsers, record_parsers
from crawler.storage.sql import now_iso
from crawler.storage.titleaffixes import read_affixes
from crawler.text.prepared import Prepared

logger = logging.getLogger(__name__)

IN_FLIGHT_PER_WORKER = 16  # pages handed out ahead of the writer, per worker: bounded memory
# Pages held back while their site's parser is being learned (a job is a file offset: small). Past
# this the site held longest goes on without waiting.
HOLD_MAX = 2000
PRELOAD = ["crawler.page.warmup"]  # imported once by the fork server: every worker starts warm


@dataclass
class ArchiveFile:
    """One WARC file of a run: its id in `warc_files` (None outside the registry), its path, and
    the offsets of its records already stored by an earlier run."""

    id: int | None
    path: str
    done: set[int] = field(default_factory=set)


@dataclass
class FileReport:
    records: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    whole: bool = False  # walked to its end, every page's outcome written
    damaged: list[str] = field(default_factory=list)  # a line for each corrupt or truncated record


def row_kept(out: PageOutcome) -> bool:
    return out.row is not None and out.drop is None


class Ingest:
    """One ingest run into an open store: `run(files)`, then `reports` and `reason`."""

    def __init__(
        self,
        store: ArticleStore,
        config: NewsConfig,
        filters: RecordFilter,
        workers: int,
        tz: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.filters = filters
        self.workers = workers
        self.progress = progress
        self.profiles = load_profiles()
        self._by_host: dict[str, SiteProfile | None] = {}
        db = config.db
        self.snapshot = worker.Snapshot(
            profiles=self.profiles,
            boilerplate=read_models(db) if config.boilerplate_enabled and db else {},
            affixes=read_affixes(db) if config.title_affix_min_pages and db else {},
            rules=page_rules(config),
            tz_argument=tz,
        )
        parsers = {site: LearnedParser.from_json(text) for site, text in read_parsers(db).items()}
        self.learner = Learner[worker.Job](parsers, config.learn_pages, config.learn_sample, config.learn_min_pages)
        self._learning: list[tuple[str, Future[Learned]]] = []
        self._pool_ref: ProcessPoolExecutor | None = None
        self.stats: Counter[str] = Counter()
        self.reports: dict[int | None, FileReport] = {}
        self.reason = "finished"
        self.crawl_id: int | None = None
        self.totals = {"inserted": 0, "updated": 0, "unchanged": 0}
        self.sites: set[str] = set()
        self._batch = _Batch()
        self.started = time.monotonic()
        self.bytes_total = 0
        self.bytes_read = 0
        self.files_done = 0
        self.file_count = 0
        self._last_progress = 0.0

    # -- the run -------------------------------------------------------------

    def run(self, files: list[ArchiveFile]) -> None:
        self.crawl_id = start_crawl(
            self.store.db, {"spider": "news-archive", "start_urls": [], "site": None}, self.config.cleaning(), None
        )
        self.file_count = len(files)
        self.bytes_total = sum(os.path.getsize(f.path) for f in files)
        pool = self._pool_ref = self._pool()
        try:
            for archive in files:
                self._file(archive, pool)
            for name, future in self._learning:  # what is still being learned: kept for the next run
                self._took(name, future)
            self._learning = []
        except KeyboardInterrupt:
            self.reason = "shutdown"
            logger.warning("ingest stopped by the user; what was read is kept, run it again to go on")
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            self._flush()
            self._close()

    def _pool(self) -> ProcessPoolExecutor | None:
        if self.workers <= 0:
            worker.start(self.snapshot)
            return None
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=worker.start,
                                   initargs=(self.snapshot,))  # fmt: skip

    def _file(self, archive: ArchiveFile, pool: ProcessPoolExecutor | None) -> None:
        report = self.reports[archive.id] = FileReport()
        listed, hosts, records = first_pass(archive.path)
        for host, pages in hosts.items():
            profile = self._profile(f"http://{host}/")
            self.learner.expect(profile.name if profile else site_key(f"http://{host}/"), pages)
        done_before = self.bytes_read
        self._pending: deque[Future[worker.Result] | worker.Result] = deque()
        self._held: dict[str, deque[worker.Job]] = {}
        self._ready: deque[worker.Job] = deque()  # pages to hand out: released ones first, then the file's
        for job in self._jobs(archive, report, listed, records):
            self.bytes_read = done_before + job.offset
            self._ready.append(job)
            self._pump(archive, pool)
            if sum(map(len, self._held.values())) > HOLD_MAX:
                self._release(oldest=True)
                self._pump(archive, pool)
        # The rest: outcomes, then what is being learned, then the pages that waited for it.
        while self._pending or self._held or self._learning or self._ready:
            if self._ready:
                self._pump(archive, pool)
            elif self._pending:
                self._apply(archive, _result(self._pending.popleft()))
                self._release()
            elif self._learning:
                name, future = self._learning.pop(0)
                self._took(name, future)
                self._release()
            else:
                self._release(everything=True)
        self._flush()
        report.whole = True
        self.files_done += 1
        self.bytes_read = done_before + os.path.getsize(archive.path)

    def _pump(self, archive: ArchiveFile, pool: ProcessPoolExecutor | None) -> None:
        """Hand out the ready pages, one at a time, applying outcomes whenever the window is full:
        each page goes out with what its site is known to need at that moment."""
        window = max(1, self.workers) * IN_FLIGHT_PER_WORKER
        while self._ready:
            self._offer(self._ready.popleft(), pool)
            while len(self._pending) >= window:
                self._apply(archive, _result(self._pending.popleft()))
                self._release()

    def _offer(self, job: worker.Job, pool: ProcessPoolExecutor | None) -> None:
        """Hand a page out, or hold it while its site's parser is being learned."""
        if self.learner.waiting(job.site):
            self._held.setdefault(job.site, deque()).append(job)
            self.stats["news/learned/held"] += 1
            return
        parser, sample = self.learner.for_job(job.site)
        job = replace(job, parser=parser, sample=sample)
        self._pending.append(pool.submit(worker.run, job) if pool is not None else worker.run(job))

    def _release(self, oldest: bool = False, everything: bool = False) -> None:
        """Make ready the held pages of each site no longer waiting (of all sites, or of the site
        held longest, when told: those go on without the parser)."""
        for site in list(self._held):
            if everything or oldest or not self.learner.waiting(site):
                jobs = self._held.pop(site)
                if everything or oldest:
                    self.learner.give_up_waiting(site)
                self._ready.extendleft(reversed(jobs))
                if oldest:
                    return

    def _jobs(
        self, archive: ArchiveFile, report: FileReport, listed: dict[str, Any], records: list[Record] | None
    ) -> Iterator[worker.Job]:
        for record in records if records is not None else scan(archive.path):
            report.records += 1
            self.stats["news/archive/records"] += 1
            profile = self._profile(record.url) if record.url else None
            reason = self.filters.skip_reason(record, profile)
            if reason is not None:
                self._count(report, reason)
                if reason in {"corrupt", "truncated"}:
                    line = f"{archive.path}: {reason} record at offset {record.offset} ({record.error})"
                    report.damaged.append(line)
                    logger.warning("%s", line)
                continue
            if record.offset in archive.done:
                self._count(report, "already_stored")
                continue
            # Read as pages all the same (a 404 is a `decisions` row, as in a crawl); counted apart.
            if record.status != 200:
                self._count(report, f"response_http_{record.status}")
            elif not record.is_html:
                self._count(report, "response_not_html")
            else:
                self._count(report, "response")
            assert record.url is not None
            self.stats["response_received_count"] += 1
            self.stats[f"downloader/response_status_count/{record.status}"] += 1
            yield worker.Job(
                archive.path,
                record.offset,
                record.url,
                iso(record.date) or now_iso(),
                record.headers.get("Last-Modified"),
                listed.get(strip_fragment(record.url)),
                site=profile.name if profile else site_key(record.url),
            )
            self._tick()

    def _profile(self, url: str) -> SiteProfile | None:
        host = url.split("/", 3)[2] if "//" in url else url
        if host not in self._by_host:
            self._by_host[host] = profile_for_url(url, self.profiles)
        return self._by_host[host]

    def _count(self, report: FileReport, reason: str) -> None:
        report.counts[reason] += 1
        self.stats[f"news/archive/{reason}"] += 1

    # -- outcomes --------------------------------------------------------------

    def _apply(self, archive: ArchiveFile, result: worker.Result) -> None:
        out, job = result.outcome, result.job
        place = (archive.id, job.offset)
        url = strip_fragment(job.url)
        self.stats.update(out.counts)
        if out.selector_misses and out.kind == "article":
            self._selector_misses(url, out.selector_misses)
        for line in out.warnings:
            logger.warning("%s", line)
        if out.error:
            logger.error("%s", out.error)
        self._learn(result)
        if result.missing:
            report = self.reports[archive.id]
            report.counts["partial"] += 1  # also among the page's own counts (news/pages/partial)
            line = (f"{archive.path}: truncated record at offset {job.offset} ({result.missing} bytes missing): "
                    f"{url} read from what arrived" + (", stored as partial" if row_kept(out) else ""))  # fmt: skip
            report.damaged.append(line)
            logger.warning("%s", line)
        batch = self._batch
        row = out.row
        if row is not None and not self.filters.language_ok(row.get("language")):
            # The page's own decision said article; this one, later, says why it is not stored.
            self._decide(url, out.kind, out.reason, out.signals, None)
            self._decide(url, "other", "filtered_language", {"language": row.get("language")}, place)
            self._count(self.reports[archive.id], "filtered_language")
            return
        self._decide(url, out.kind, out.reason, out.signals, None if out.kind == "article" else place)
        if row is None:
            return
        warc = (archive.path, job.offset)
        if out.drop is not None:
            self.stats[f"news/drop/{out.drop}"] += 1
            batch.drops.append({"crawl_id": self.crawl_id, "url": row.get("url") or url, "reason": out.drop,
                                "message": f"{out.drop}: {row.get('url') or url}", "title": row.get("title"),
                                "dropped_at": now_iso()})  # fmt: skip
            self._page(row.get("url") or url, result, warc)
            if archive.id is not None:
                batch.archived.append((archive.id, job.offset))
            return
        batch.articles.append(row)
        batch.signatures[row["url"]] = out.signature
        if out.prepared is not None:
            batch.prepared[row["url"]] = out.prepared
        self.sites.add(row.get("site") or site_key(url))
        self._page(row["url"], result, warc)
        batch.seen.append(
            {
                "url": canonicalize(url),
                "article_url": row["url"],
                "etag": result.headers.get("ETag"),
                "last_modified": result.headers.get("Last-Modified"),
                "listing_date": (job.listed[2] or job.listed[0]) if job.listed else None,
                "fetched_at": now_iso(),
                "http_status": result.status,
            }
        )
        if archive.id is not None:
            batch.archived.append((archive.id, job.offset))
        if len(batch.articles) >= self.config.db_batch_size:
            self._flush()

    def _learn(self, result: worker.Result) -> None:
        """Hand the outcome to the learner; start learning a site that has its pages; take what
        finished learning."""
        out, job = result.outcome, result.job
        row = out.row if out.kind == "article" and out.drop is None else None
        site = (out.row or {}).get("site") or ""
        if not site:
            profile = self._profile(job.url)
            site = profile.name if profile else site_key(job.url)
        pages = self.learner.seen(site, job, row, out.counts, result.check)
        if pages is not None:
            self.stats["news/learned/attempts"] += 1
            pool = self._pool_ref
            if pool is None:
                self.learner.learned(site, worker.learn(pages))
            else:
                future = pool.submit(worker.learn, pages)
                self.learner.started(site, future)
                self._learning.append((site, future))
        if self._learning:
            still = []
            for name, future in self._learning:
                if future.done():
                    self._took(name, future)
                else:
                    still.append((name, future))
            self._learning = still

    def _took(self, site: str, future: Future[Learned]) -> None:
        try:
            outcome = future.result()
        except Exception:  # a bug in learning must not end the ingest: the site stays thorough
            logger.exception("learning the parser of %s failed", site)
            self.stats["news/learned/error"] += 1
            return
        self.stats["news/learned/sites" if outcome.parser else "news/learned/not_learned"] += 1
        self.learner.learned(site, outcome)

    def _selector_misses(self, url: str, misses: list[str]) -> None:
        """The layout-change alarm, as a crawl raises it: a profile selector that found nothing."""
        profile = self._profile(url)
        if profile is None:
            return
        for name in misses:
            key = f"news/profile/{profile.name}/selector_miss/{name}"
            if not self.stats[key]:
                logger.warning("profile %s: selector for %s matched nothing on %s (layout change?); "
                               "`news-crawler profiles check` lists every miss", profile.name, name, url)  # fmt: skip
            self.stats[key] += 1

    def _page(self, url: str, result: worker.Result, warc: tuple[str, int]) -> None:
        if self.config.store_raw:
            fetched = (result.outcome.row or {}).get("fetched_at") or now_iso()
            self._batch.pages.append(page_row(url, b"", self.crawl_id, fetched, result.status, result.encoding, warc))

    def _decide(self, url: str, kind: str, reason: str, signals: dict[str, Any], place: Any) -> None:
        self.stats[f"news/decisions/{kind}/{reason}"] += 1
        self._batch.decisions.append({"url": url, "kind": kind, "reason": reason, "signals": signals or {},
                                      "links": 0, "crawl_id": self.crawl_id, "decided_at": now_iso()})  # fmt: skip
        if place is not None and place[0] is not None:
            self._batch.archived.append(place)
        if len(self._batch.decisions) >= self.config.db_batch_size * 4:
            self._flush()

    def _flush(self) -> None:
        batch, self._batch = self._batch, _Batch()
        if batch.empty():
            return
        counts = self.store.write_batch(batch.articles, batch.pages, batch.drops, self.crawl_id, batch.decisions,
                                        batch.seen, [], batch.signatures, batch.archived, batch.prepared)  # fmt: skip
        for key, value in counts.items():
            self.totals[key] = self.totals.get(key, 0) + value
            self.stats[f"news/storage/{key}"] += value

    def _close(self) -> None:
        assert self.crawl_id is not None
        self._learning = []  # (a run stopped by the user: what was being learned is learned next time)
        reports = self.learner.reports()
        if reports:
            with self.store.db.atomic():
                record_parsers(self.store.db, reports)
        self.stats["elapsed_time_seconds"] = round(time.monotonic() - self.started, 3)  # type: ignore[assignment]
        self.stats["news/crawl_id"] = self.crawl_id
        stats: dict[str, Any] = {**self.stats, "finish_reason": self.reason}
        added = close_run(self.store, self.crawl_id, self.sites, self.totals, self.reason, stats)
        self.stats.update({k: v for k, v in added.items() if isinstance(v, int)})
        if self.progress is not None:
            self.progress("")

    # -- the progress line ---------------------------------------------------

    def line(self) -> str:
        """records read and their rate, files done, articles stored, the time left (by bytes)."""
        elapsed = time.monotonic() - self.started
        records = self.stats["news/archive/records"]
        rate = records / max(elapsed, 1e-6)
        share = self.bytes_read / self.bytes_total if self.bytes_total else 0.0
        left = f"{elapsed * (1 - share) / share:.0f} s left" if share > 0.01 else "time left unknown"
        stored = sum(self.totals.values())
        return (
            f"records {records} · {rate:.0f} records/s · files {self.files_done}/{self.file_count} · "
            f"articles {stored} · {share:.0%} read · {left}"
        )

    def _tick(self) -> None:
        now = time.monotonic()
        if self.progress is not None and now - self._last_progress >= 1.0:
            self._last_progress = now
            self.progress(self.line())


@dataclass
class _Batch:
    articles: list[dict[str, Any]] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    drops: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)
    signatures: dict[str, bytes | None] = field(default_factory=dict)
    archived: list[tuple[int, int]] = field(default_factory=list)
    prepared: dict[str, Prepared] = field(default_factory=dict)

    def empty(self) -> bool:
        return not (self.articles or self.pages or self.drops or self.decisions or self.archived)


def _result(item: Future[worker.Result] | worker.Result) -> worker.Result:
    return item.result() if isinstance(item, Future) else item


def terminal_progress(line: str) -> None:
    """The progress line on a terminal, redrawn in place; nothing when stderr is not one."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[2K" + line if line else "\r\x1b[2K")
        sys.stderr.flush()


def default_workers(config: NewsConfig) -> int:
    """NEWS_WORKERS: -1 (the default) one per core on a machine with two or more; 0 in-process."""
    if config.workers >= 0:
        return config.workers
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return cores if cores >= 2 else 0
