"""The page's dates chosen and normalised from its signals: the one place this is done (the
page processor, and the dates pipeline for items a spider of the user's own yields)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.text.dates import ParsedDate, parse_date
from crawler.text.signals import choose_date
from crawler.text.timezones import STATED_SOURCES, resolve_timezone

# (raw, zone, language, reference) -> ParsedDate
Parser = Callable[[str, str, str | None, datetime], ParsedDate]


def plain_parse(raw: str, tz: str, language: str | None, reference: datetime) -> ParsedDate:
    return parse_date(raw, tz, [language] if language else None, reference)


@dataclass(frozen=True)
class DateRules:
    """The settings a page's dates are chosen with (NEWS_DEFAULT_TIMEZONE, NEWS_DATES_*)."""

    default_tz: str | None = None
    tolerance: timedelta = timedelta(minutes=60)
    min_year: int = 1990


@dataclass
class DatesOutcome:
    fields: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def choose_dates(item: Mapping[str, Any], rules: DateRules, parse: Parser = plain_parse) -> DatesOutcome:
    """The date fields of an article from its `date_signals` ({raw, source} lists), its zone
    and language; every signal kept with its value or error."""
    tz, source = resolve_timezone(
        item.get("timezone"), item.get("timezone_source"), rules.default_tz, item.get("language"), item["url"]
    )
    out = DatesOutcome({"timezone": tz, "timezone_source": source})
    counts = out.counts

    def inc(key: str) -> None:
        counts[key] = counts.get(key, 0) + 1

    assumed = source not in STATED_SOURCES
    language = item.get("language")
    try:
        reference = datetime.fromisoformat(item.get("fetched_at") or "")
    except ValueError:
        reference = datetime.now(UTC)
    found = item.get("date_signals") or {}
    signals: dict[str, Any] = {}
    for name in ("published", "modified"):
        candidates = [(c["raw"], c["source"]) for c in found.get(name) or []]
        choice = choose_date(
            candidates,
            lambda raw: parse(raw, tz, language, reference),
            tz,
            reference,
            rules.tolerance,
            rules.min_year,
        )
        out.fields[f"{name}_at"] = choice.value
        out.fields[f"{name}_raw"] = choice.raw
        out.fields[f"{name}_source"] = choice.source
        signals[name] = choice.signals
        if choice.votes:
            # Every disagreement on the day, with its sources: a user can query doubtful days
            # (json_extract(date_signals, '$.disagreement.published')).
            signals.setdefault("disagreement", {})[name] = choice.votes
        if name == "published":
            out.fields["published_local"] = choice.local
            out.fields["published_precision"] = choice.precision
            out.fields["published_tz_assumed"] = bool(
                choice.value and assumed and not choice.tz_explicit and choice.precision == "minute"
            )
            if out.fields["published_tz_assumed"]:
                inc("news/dates/assumed_tz")
        if not candidates:
            inc(f"news/dates/{name}_missing")
        elif choice.value is None:
            inc(f"news/dates/{name}_{choice.error}")
            if choice.error != "year_only":  # read, and refused as a publication date: no warning
                out.warnings.append(f"unreadable {name} date {choice.raw!r} ({choice.error}) on {item['url']}")
        else:
            inc(f"news/dates/{name}_normalised")
            for signal in choice.signals:
                if signal["error"] in {"future", "too_old"}:
                    inc(f"news/dates/{name}_rejected_{signal['error']}")
            if choice.fallback:
                inc(f"news/dates/{name}_fallback")
            if choice.disagree:
                inc(f"news/dates/{name}_signals_disagree")
    published, modified = out.fields.get("published_at"), out.fields.get("modified_at")
    if published and modified and len(published) == len(modified) and modified < published:
        inc("news/dates/modified_before_published")
    out.fields["date_signals"] = signals
    return out
