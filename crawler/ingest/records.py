"""Which WARC records become pages (the filters of an ingest), and the first pass over a file's
sitemaps and feeds. Shared by the engine-free ingest and the `news-archive` spider."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

from crawler.archive.warc import Record, read_response, scan
from crawler.discovery.feeds import parse_listing
from crawler.discovery.urls import netloc, strip_fragment
from crawler.profiles import ProfileError, SiteProfile, get_profile, host_matches

LISTING_TYPES = ("xml", "rss", "atom")
LISTING_SUFFIXES = (".xml", ".xml.gz", ".rss", ".atom")

# (published raw, its source, changed raw, listed title) of a URL a sitemap or feed lists
Listed = tuple[str | None, str | None, str | None, str | None]


class FilterError(ValueError):
    """A filter that cannot start an ingest; the message is one line."""


def iso(date: str | None) -> str | None:
    if not date:
        return None
    try:
        return datetime.fromisoformat(date.replace("Z", "+00:00")).astimezone(UTC).isoformat(timespec="seconds")
    except ValueError:
        return None


def _split(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return value
    return [v.strip() for v in value.split(",") if v.strip()]


def _day(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
    except ValueError as exc:
        raise FilterError(f"{name} must be a day, YYYY-MM-DD, not {value!r}") from exc


@dataclass
class RecordFilter:
    """-a site=PROFILE|HOST[,...], language=ja[,en], since/until=YYYY-MM-DD (the record's
    WARC-Date, UTC), url_pattern=REGEX."""

    sites: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    since: str | None = None
    until: str | None = None
    url_pattern: re.Pattern[str] | None = None

    @classmethod
    def of(
        cls,
        site: str | list[str] | None = None,
        language: str | list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        url_pattern: str | None = None,
    ) -> RecordFilter:
        sites = _split(site)
        for name in sites:
            if "." not in name and ":" not in name:
                try:
                    get_profile(name)
                except ProfileError as exc:
                    raise FilterError(str(exc)) from exc
        try:
            pattern = re.compile(url_pattern) if url_pattern else None
        except re.error as exc:
            raise FilterError(f"url_pattern {url_pattern!r} is not a regular expression: {exc}") from exc
        return cls(sites, {x.lower() for x in _split(language)}, _day(since, "since"), _day(until, "until"), pattern)

    def site_ok(self, url: str) -> bool:
        if not self.sites:
            return True
        host = netloc(url).split(":")[0]
        for name in self.sites:
            if "." in name or ":" in name:
                wanted = name.lower().removeprefix("www.")
                if host == wanted or host.endswith("." + wanted) or netloc(url) == name.lower():
                    return True
            elif host_matches(url, get_profile(name)):
                return True
        return False

    def skip_reason(self, record: Record, profile: SiteProfile | None) -> str | None:
        """Why a record is not made a page (counted under this name), or None. profile: the one
        owning the record's host, whose deny patterns a crawl would obey."""
        if record.kind != "response":
            return record.kind  # request, metadata, revisit, warcinfo, resource, corrupt, truncated
        if not record.url or not record.url.startswith(("http://", "https://")):
            return "no_http_url"
        day = (iso(record.date) or "")[:10]
        if (self.since and day < self.since) or (self.until and day > self.until):
            return "filtered_date"
        if not self.site_ok(record.url):
            return "filtered_site"
        if self.url_pattern is not None and not self.url_pattern.search(record.url):
            return "filtered_url"
        if profile is not None and any(pattern.search(record.url) for pattern in profile.deny):
            return "denied_by_profile"  # as a crawl never requests what the site's profile denies
        return None

    def language_ok(self, language: str | None) -> bool:
        return not self.languages or (language or "").lower().split("-")[0] in self.languages


def listed_dates(path: str) -> dict[str, Listed]:
    """A first pass over the file's sitemaps and feeds: the date each lists for a URL, which a
    crawl hands to the page it fetches from the listing (a signal below the page's own), and
    the title it lists the URL under (one more title signal)."""
    return first_pass(path, keep=0)[0]


# Records of a file the first pass keeps for the second (what they say, not their bodies: about
# 600 bytes each): the second then does not walk the file again. Walking it is decompressing all
# of it, most of a millisecond of the main process's CPU a page (bench/README.md, "Issue 33 again").
KEEP_RECORDS = 100_000


def first_pass(path: str, keep: int | None = None) -> tuple[dict[str, Listed], Counter[str], list[Record] | None]:
    """(listed_dates, the HTML pages the file holds per host, every record of the file in order
    or None when it holds more than `keep`, KEEP_RECORDS unless said): the second says which sites
    have pages enough to be worth learning a parser for."""
    keep = KEEP_RECORDS if keep is None else keep
    listed: dict[str, Listed] = {}
    hosts: Counter[str] = Counter()
    records: list[Record] | None = [] if keep else None
    for record in scan(path):
        if records is not None:
            records.append(record)
            if len(records) > keep:
                records = None
        if record.kind != "response" or record.status != 200 or not record.url:
            continue
        if record.is_html:
            hosts[netloc(record.url)] += 1
        xmlish = any(t in (record.content_type or "") for t in LISTING_TYPES)
        if not xmlish and not record.url.split("?")[0].endswith(LISTING_SUFFIXES):
            continue
        try:
            listing = parse_listing(read_response(path, record.offset)[2])
        except (ValueError, OSError, EOFError):
            continue
        for entry in listing.entries:
            if entry.published_raw or entry.title:
                url = strip_fragment(urljoin(record.url, entry.url))
                listed[url] = (entry.published_raw, entry.published_source, entry.changed_raw, entry.title)
    return listed, hosts, records
