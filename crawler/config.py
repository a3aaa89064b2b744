"""Every NEWS_* setting, its type and its default: written here once.

Components, the CLI and the re-clean all build a `NewsConfig` from Scrapy
settings (`NewsConfig.from_settings`), so a default never lives in two places.
The cleaning part of a crawl's configuration is recorded in its `crawls` row,
so a later re-clean of the database uses the thresholds the crawl used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


@dataclass(frozen=True)
class NewsConfig:
    db: str = "data/news.db"  # NEWS_DB: SQLite file; empty switches storage off
    db_batch_size: int = 200  # NEWS_DB_BATCH_SIZE: items per write transaction
    db_timeout: float = 30.0  # NEWS_DB_TIMEOUT: seconds a write waits for a reader's lock
    store_raw: bool = True  # NEWS_STORE_RAW: keep zlib-compressed response bodies in `pages`
    warc_dir: str = ""  # NEWS_WARC_DIR: write every response to WARC files here; `pages` points into them
    warc_max_bytes: int = 1 << 30  # NEWS_WARC_MAX_BYTES: a WARC file is rotated past this size
    archive_only: bool = False  # NEWS_ARCHIVE_ONLY: an ingest run: requests are answered from WARC, never fetched
    follow_depth: int = 2  # NEWS_FOLLOW_DEPTH: link hops followed from HTML start pages
    disk_frontier: bool = True  # NEWS_DISK_FRONTIER: pending requests on disk (TMPDIR)
    default_timezone: str = ""  # NEWS_DEFAULT_TIMEZONE: zone for naive dates ("" = infer)
    dates_enabled: bool = True  # NEWS_DATES_ENABLED
    dates_min_year: int = 1990  # NEWS_DATES_MIN_YEAR: earlier dates are rejected (too_old)
    dates_future_tolerance_minutes: float = 60.0  # NEWS_DATES_FUTURE_TOLERANCE_MINUTES
    repeats_enabled: bool = True  # NEWS_REPEATS_ENABLED: strip in-article repeated blocks
    furniture_enabled: bool = True  # NEWS_FURNITURE_ENABLED: strip paywall calls and "related" headings
    boilerplate_enabled: bool = True  # NEWS_BOILERPLATE_ENABLED: learn and strip site boilerplate
    boilerplate_min_articles: int = 5  # NEWS_BOILERPLATE_MIN_ARTICLES
    boilerplate_min_share: float = 0.1  # NEWS_BOILERPLATE_MIN_SHARE
    boilerplate_max_chars: int = 300  # NEWS_BOILERPLATE_MAX_CHARS (CJK counted double)
    mentions_enabled: bool = True  # NEWS_MENTIONS_ENABLED: date expressions in the body
    # NEWS_TITLE_AFFIX_MIN_PAGES: a part a site repeats at the ends of this many of its page titles
    # (its name, a section label) is taken off its titles; 0 switches the learning off
    title_affix_min_pages: int = 3
    # NEWS_LEARN_PAGES: a site's first article pages the thorough path learns its parser from (the
    # body's container, the dates it needs); its next pages skip generic extraction. 0: never learn
    learn_pages: int = 4
    # NEWS_LEARN_SAMPLE: one page in this many of a site with a learned parser also runs the
    # thorough path, to check the parser; a site whose checks stop agreeing is learned again
    learn_sample: int = 10
    # NEWS_LEARN_MIN_PAGES: a site is learned only when the archive holds this many of its pages:
    # an attempt costs about 100 ms and fails on a third to half of the sites, a learned page saves
    # about 15 ms (bench/learned_cost.py); on dragnet's sites of 8-23 pages, 8 or 12 here cost more
    # CPU than they saved, and 8 lowered the held half's body F1 (bench/README.md, issue 33)
    learn_min_pages: int = 25
    # NEWS_PROFILES_DIR: the folder of your own site profiles, read after the bundled ones (a
    # profile of the same name replaces the bundled one); "" = $XDG_CONFIG_HOME/news-crawler/sites,
    # by default ~/.config/news-crawler/sites (crawler/profiles.py, docs/profiles.md)
    profiles_dir: str = ""
    contact: str = ""  # NEWS_CONTACT: URL or e-mail for the User-Agent
    incremental: bool = True  # NEWS_INCREMENTAL: fetch stored articles again only when due or changed
    revisit: str = "1d=1h,7d=1d,30d=7d"  # NEWS_REVISIT: AGE=INTERVAL rules; older articles: never by age
    retry_after_max: float = 300.0  # NEWS_RETRY_AFTER_MAX: longest Retry-After honoured (s); longer: dropped
    site_page_budget: int = 20000  # NEWS_SITE_PAGE_BUDGET: responses per site per run (0 = no limit)
    allow_private: bool = False  # NEWS_ALLOW_PRIVATE: let a crawl of public sites reach private addresses
    # NEWS_WORKERS: processes that extract pages beside the crawl (0 = in the crawl's process;
    # -1 = one per core on a machine with two or more, once a crawl passes its first pages)
    workers: int = -1
    redis_url: str = ""  # NEWS_REDIS_URL: redis://host:port/db switches on the distributed mode ("" = off)
    redis_prefix: str = "news"  # NEWS_REDIS_PREFIX: the Redis keys of one shared frontier start with it
    redis_idle_close: float = 0.0  # NEWS_REDIS_IDLE_CLOSE: s of empty frontier before a worker stops (0 = never)
    redis_heartbeat: float = 15.0  # NEWS_REDIS_HEARTBEAT: s of silence before a worker's held requests are requeued
    progress: bool = False  # NEWS_PROGRESS: a live progress line on a terminal (the `crawl` command sets it)

    # The settings that decide what a stored body is: recorded per crawl, reused by re-clean.
    CLEANING = (
        "repeats_enabled",
        "furniture_enabled",
        "boilerplate_enabled",
        "boilerplate_min_articles",
        "boilerplate_min_share",
        "boilerplate_max_chars",
        "mentions_enabled",
        "title_affix_min_pages",
    )

    @staticmethod
    def setting_name(field_name: str) -> str:
        return "NEWS_" + field_name.upper()

    @classmethod
    def from_settings(cls, settings: BaseSettings | Mapping[str, Any]) -> NewsConfig:
        """Read every NEWS_* setting that is set; the rest keep their defaults.

        A value of the wrong type names the setting in its error."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = cls.setting_name(f.name)
            raw = settings.get(name)
            if raw is None:
                continue
            values[f.name] = _coerce(name, raw, type(f.default))
        return cls(**values)

    def cleaning(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.CLEANING}

    def with_cleaning(self, recorded: Mapping[str, Any], keep: Collection[str] = ()) -> NewsConfig:
        """This config with the recorded cleaning values, except the fields named in keep."""
        changes = {k: v for k, v in recorded.items() if k in self.CLEANING and k not in keep}
        return dataclasses.replace(self, **changes)

    def as_settings(self) -> dict[str, Any]:
        return {self.setting_name(f.name): getattr(self, f.name) for f in fields(self)}


def _as_bool(raw: Any) -> bool:
    """As Scrapy's Settings.getbool reads a value (-s NAME=1, "True", "false", 0), without
    importing Scrapy: storage and the command line read this config too."""
    if isinstance(raw, str):
        text = raw
        if text in {"1", "True", "true"}:
            return True
        if text in {"0", "False", "false"}:
            return False
        raise ValueError(raw)
    return bool(int(raw))


def _coerce(name: str, raw: Any, kind: type) -> Any:
    try:
        if kind is bool:
            return _as_bool(raw)
        if kind is str:
            return str(raw)
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting {name}: {raw!r} is not a valid {kind.__name__}") from exc


DEFAULTS = NewsConfig()
SETTING_NAMES = tuple(NewsConfig.setting_name(f.name) for f in fields(NewsConfig))
