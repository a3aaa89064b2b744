"""What `crawl` and `schedule` share: targets (a profile or URLs) and their site locks, the
settings a run gets from its limits, and one line of summary per finished run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from crawler.discovery.urls import site_key, start_url_problem
from crawler.profiles import ProfileError, get_profile, load_profiles
from crawler.schedule.policy import Schedule


class TargetError(ValueError):
    """An unknown profile, a bad URL: the message names it."""


@dataclass(frozen=True)
class Target:
    """One thing to crawl: a site profile by name, or start URLs of one site."""

    key: str  # the site key its runs are locked and recorded under
    spider_kwargs: dict[str, Any] = field(default_factory=dict)
    schedule: Schedule | None = None

    @classmethod
    def parse(cls, text: str) -> Target:
        if text.startswith(("http://", "https://")):
            problem = start_url_problem(text)
            if problem:
                raise TargetError(problem)
            return cls(site_key(text), {"start_urls": text})
        try:
            profile = get_profile(text)
        except ProfileError as exc:
            known = ", ".join(sorted(load_profiles())) or "none"
            raise TargetError(f"{text!r} is neither a URL nor a site profile (profiles: {known}): {exc}") from None
        schedule = Schedule.parse(profile.schedule) if profile.schedule else None
        return cls(profile.name, {"site": profile.name}, schedule)


def group_targets(texts: list[str]) -> list[Target]:
    """Targets in the order given; URLs of one site are crawled together, as one run."""
    targets: list[Target] = []
    urls: dict[str, list[str]] = {}
    for text in texts:
        target = Target.parse(text)
        if "start_urls" in target.spider_kwargs:
            if target.key not in urls:
                urls[target.key] = []
                targets.append(target)
            urls[target.key].append(text)
        else:
            targets.append(target)
    return [
        Target(t.key, {"start_urls": ",".join(urls[t.key])}) if "start_urls" in t.spider_kwargs else t for t in targets
    ]


def limit_settings(max_pages: int | None, max_time: timedelta | None, max_errors: int | None) -> dict[str, Any]:
    """Scrapy's CloseSpider extension does the stopping; a limit that is hit ends the run
    as `stopped` with Scrapy's reason (closespider_pagecount, _timeout, _errorcount)."""
    settings: dict[str, Any] = {}
    if max_pages:
        settings["CLOSESPIDER_PAGECOUNT"] = max_pages
    if max_time:
        settings["CLOSESPIDER_TIMEOUT"] = max_time.total_seconds()
    if max_errors:
        settings["CLOSESPIDER_ERRORCOUNT"] = max_errors
    return settings


def run_sites(crawl: dict[str, Any]) -> str:
    """What a run crawled, in a word: its site, else the sites of its start URLs ("demo: two sites
    at once" once showed as "-"), else the spider (an ingest)."""
    if crawl.get("site"):
        return str(crawl["site"])
    try:
        args = json.loads(crawl.get("spider_args") or "{}")
    except ValueError:
        args = {}
    sites = sorted({site_key(u) for u in args.get("start_urls") or [] if isinstance(u, str)})
    if sites:
        return "+".join(sites) if len(sites) <= 3 else f"{sites[0]}+{len(sites) - 1} more"
    return str(args.get("spider") or "-")


def one_line(crawl: dict[str, Any]) -> str:
    """A run in one line: what `schedule` prints after each run and `runs` shows per row."""
    took = crawl.get("elapsed_seconds")
    took_text = f" in {took:.1f} s" if isinstance(took, (int, float)) else ""
    return (
        f"{crawl.get('started_at', '?')} {run_sites(crawl)}: crawl {crawl['id']} {crawl.get('status')}"
        f"{took_text}: {crawl.get('requests') or 0} requests, "
        f"{crawl.get('articles_inserted') or 0} new, {crawl.get('articles_updated') or 0} changed, "
        f"{crawl.get('articles_unchanged') or 0} unchanged, {crawl.get('not_modified') or 0} not modified, "
        f"{crawl.get('skipped') or 0} not due, {crawl.get('items_dropped') or 0} dropped"
    )
