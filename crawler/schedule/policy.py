"""When to fetch a stored article again, and how often a site runs: pure, no Scrapy, no SQL.

Revisit policy (NEWS_REVISIT, e.g. "1d=1h,7d=1d,30d=7d"): an article published less than 1 day
ago is fetched again when its last fetch is at least 1 hour old; less than 7 days: 1 day;
less than 30 days: 7 days; older: never, unless a sitemap `lastmod` or feed `updated` date
newer than the last fetch says it changed. A conditional GET (If-None-Match /
If-Modified-Since) makes a due revisit cheap when nothing changed (304).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$", re.I)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class PolicyError(ValueError):
    """A policy, interval or cron expression that cannot be read; the message says which and why."""


def parse_duration(text: str) -> timedelta:
    """'15m', '1h', '1d', '2w', '30s' -> timedelta."""
    match = _DURATION.match(text or "")
    if not match:
        raise PolicyError(f"{text!r} is not a duration (use 30s, 15m, 1h, 1d, 2w)")
    seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if seconds <= 0:
        raise PolicyError(f"{text!r} is not a positive duration")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class RevisitPolicy:
    """(age limit, revisit interval) pairs, youngest first."""

    rules: tuple[tuple[timedelta, timedelta], ...]

    @classmethod
    def parse(cls, text: str) -> RevisitPolicy:
        if not text.strip():
            return cls(())
        rules = []
        for part in text.split(","):
            age, sep, every = part.partition("=")
            if not sep:
                raise PolicyError(f"revisit rule {part.strip()!r} is not AGE=INTERVAL (e.g. 1d=1h)")
            rules.append((parse_duration(age), parse_duration(every)))
        rules.sort()
        return cls(tuple(rules))

    def interval(self, published: datetime | None, now: datetime) -> timedelta | None:
        """How long after its last fetch an article of this age is due; None: never by age."""
        if published is None:
            # No date: treat as young for its first week after first sight, then old.
            return self.rules[0][1] if self.rules else None
        age = now - published
        for limit, every in self.rules:
            if age < limit:
                return every
        return None

    def due(
        self,
        published: datetime | None,
        fetched: datetime | None,
        now: datetime,
        listing_date: datetime | None = None,
    ) -> tuple[bool, str]:
        """Whether to fetch a stored article again, and why (the reason is counted in stats)."""
        if fetched is None:
            return True, "never_fetched"
        if listing_date is not None and listing_date > fetched:
            return True, "listing_newer"
        every = self.interval(published, now)
        if every is None:
            return False, "old"
        if now - fetched >= every:
            return True, "revisit_due"
        return False, "fresh"


def parse_time(value: str | None) -> datetime | None:
    """An ISO-8601 value as stored (UTC instant or bare date) -> aware datetime; None if unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Schedule:
    """How often a site runs: a fixed interval ('15m') or a cron expression ('*/15 * * * *')."""

    text: str
    every: timedelta | None = None
    cron: str | None = None

    @classmethod
    def parse(cls, text: str) -> Schedule:
        text = (text or "").strip()
        if _DURATION.match(text):
            return cls(text, every=parse_duration(text))
        from croniter import croniter  # only when a cron expression is used

        if not croniter.is_valid(text):
            raise PolicyError(f"{text!r} is neither an interval (15m, 1h, 1d) nor a cron expression (*/15 * * * *)")
        return cls(text, cron=text)

    def next_after(self, moment: datetime) -> datetime:
        if self.every is not None:
            return moment + self.every
        from croniter import croniter

        assert self.cron is not None
        result: datetime = croniter(self.cron, moment).get_next(datetime)
        return result
