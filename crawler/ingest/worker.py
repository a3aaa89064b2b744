"""An ingest worker: one archived record read by file and offset, and processed whole.

The run's snapshot (every profile, what storage learned of each site, the processing rules)
is handed to each worker once, when it starts; a job is then the record's place and what the
first pass listed for its URL, and its result the page's outcome: the row, the decision and the
counts, never the HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.archive.warc import read_record, read_response
from crawler.discovery.urls import site_key, strip_fragment
from crawler.ingest.records import Listed
from crawler.ingest.rules import site_snapshot
from crawler.page.kind import is_html, listing_kind
from crawler.page.learn import Agreement, LearnedParser
from crawler.page.learnsite import Learned, checked, learn_site
from crawler.page.process import PageOutcome, PageRules, RawPage, SiteSnapshot, process_page
from crawler.profiles import SiteProfile, profile_for_url


@dataclass(frozen=True)
class Job:
    path: str
    offset: int
    url: str
    fetched_at: str | None
    last_modified: str | None
    listed: Listed | None = None
    parser: LearnedParser | None = None  # the site's learned parser: its fast path
    sample: bool = False  # run both paths: the thorough row is stored, the learned one compared
    site: str = ""  # the site key (the profile's name, else the registrable host)


@dataclass
class Result:
    job: Job
    outcome: PageOutcome
    status: int = 0
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # ETag, Last-Modified: the fetch state
    check: Agreement | None = None  # a sampled page: how the learned row compared
    missing: int = 0  # bytes of the record that never arrived (a truncated archive): a partial page


@dataclass
class Snapshot:
    """What every worker knows for the whole run."""

    profiles: dict[str, SiteProfile]
    boilerplate: dict[str, frozenset[str]]
    affixes: dict[str, frozenset[str]]
    rules: PageRules
    tz_argument: str | None = None
    _sites: dict[str, tuple[SiteProfile | None, SiteSnapshot]] = field(default_factory=dict)

    def site(self, url: str) -> tuple[SiteProfile | None, SiteSnapshot]:
        """The profile owning the URL's host and the processor's snapshot of its site (per host)."""
        host = url.split("/", 3)[2] if "//" in url else url
        known = self._sites.get(host)
        if known is None:
            profile = profile_for_url(url, self.profiles)
            key = profile.name if profile else site_key(url)
            snapshot = site_snapshot(
                profile, self.tz_argument, self.boilerplate.get(key, frozenset()), self.affixes.get(key, frozenset())
            )
            known = self._sites[host] = (profile, snapshot)
        return known


class _State:
    """The worker process's snapshot, set once by `start` (a pool's initializer)."""

    snapshot: Snapshot | None = None


def start(snapshot: Snapshot) -> None:
    _State.snapshot = snapshot


def run(job: Job) -> Result:
    assert _State.snapshot is not None, "ingest worker used before start()"
    return work(job, _State.snapshot)


def work(job: Job, snapshot: Snapshot) -> Result:
    url = strip_fragment(job.url)
    try:
        got = read_record(job.path, job.offset)
    except ValueError as exc:
        out = PageOutcome("other", "archive_unreadable", {"error": str(exc)[:300]})
        out.count("news/fetch/archive_unreadable")
        return Result(job, out)
    status, headers, body = got.status, got.headers, got.body
    fields = {k.lower(): v for k, v in headers}
    kept = {k: fields[k.lower()] for k in ("ETag", "Last-Modified") if k.lower() in fields}
    ctype = fields.get("content-type", "")
    result = Result(job, PageOutcome("other", "none"), status, None, kept, missing=got.missing)
    if not 200 <= status < 300:
        # As a crawl records an HTTP error (redirects are not followed in an archive).
        out = PageOutcome("other", f"http_{status}")
        out.count(f"news/fetch/http_{status}")
        result.outcome = out
        return result
    kind = listing_kind(ctype, body)
    if kind != "html":
        # A sitemap or feed inside an archive is a listing; its entries are not fetched.
        result.outcome = PageOutcome("listing", kind, {"archived": True})
        result.outcome.count("news/pages/fetched")
        return result
    if not is_html(ctype, url, body):
        out = PageOutcome("other", "non_html", {"content_type": ctype})
        out.count("news/pages/fetched")
        out.count("news/pages/non_html")
        result.outcome = out
        return result
    _, site = snapshot.site(url)
    page = raw_page(job, url, body, ctype, status, got.missing)
    if job.parser is not None and job.sample:
        result.outcome, result.check = checked(page, site, snapshot.rules, job.parser)
    else:
        result.outcome = process_page(page, site, snapshot.rules, job.parser)
    result.outcome.count("news/pages/fetched")
    if result.outcome.row is not None:
        result.encoding = result.outcome.row.get("encoding")
    return result


def raw_page(job: Job, url: str, body: bytes, content_type: str, status: int, missing: int = 0) -> RawPage:
    raw, source, _changed, title = job.listed or (None, None, None, None)
    return RawPage(
        missing=missing,
        url=url,
        body=body,
        content_type=content_type,
        status=status,
        fetched_at=job.fetched_at or "",
        last_modified=job.last_modified,
        listed_date=raw,
        listed_date_source=source,
        listed_title=title,
    )


def learn(samples: list[tuple[Job, dict[str, Any]]]) -> Learned:
    """A site's parser from the thorough rows of its first pages (their records read again)."""
    assert _State.snapshot is not None, "ingest worker used before start()"
    return learn_from(samples, _State.snapshot)


def learn_from(samples: list[tuple[Job, dict[str, Any]]], snapshot: Snapshot) -> Learned:
    pages: list[tuple[RawPage, dict[str, Any]]] = []
    site: SiteSnapshot | None = None
    for job, row in samples:
        try:
            status, headers, body, _ = read_response(job.path, job.offset)
        except ValueError:
            continue
        ctype = next((v for k, v in headers if k.lower() == "content-type"), "")
        url = strip_fragment(job.url)
        site = snapshot.site(url)[1]
        pages.append((raw_page(job, url, body, ctype, status), row))
    if site is None:
        return Learned(None, "too_few_pages", 0)
    return learn_site(pages, site, snapshot.rules)
