"""Choose a published (or modified) date among a page's signals, and cross-check them.

Pure: the dates pipeline adapts it. Candidates come best first (see
crawler/extract/dates.py for the priority); the first one that parses and
is plausible wins, with two refinements:

- precision: when the winner is a bare date and a later signal gives a time
  on that same local day, the timed signal is used (JSON-LD "2022-03-08"
  plus a byline "2022年3月8日 5時12分" gives the minute);
- plausibility: a date later than the reference (fetch time) plus a
  tolerance is "future", one before min_year is "too_old"; both are skipped
  and counted, never stored as fact.

Signals whose local day differs from the winner's by more than one day are
reported as a disagreement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from crawler.text.dates import ParsedDate, get_tz

Parser = Callable[[str], ParsedDate]


@dataclass
class DateChoice:
    value: str | None = None
    raw: str | None = None
    source: str | None = None
    precision: str | None = None
    tz_explicit: bool = False
    error: str | None = None  # why nothing was chosen although there were candidates
    fallback: bool = False  # a higher-priority signal was unreadable or implausible
    disagree: bool = False
    signals: list[dict[str, Any]] = field(default_factory=list)


def local_day(value: str, tz_name: str | None) -> date:
    """The calendar day of a stored value in the site's zone (date-only values are already local)."""
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value).astimezone(get_tz(tz_name) or UTC).date()


def plausibility_error(parsed: ParsedDate, reference: datetime, tolerance: timedelta, min_year: int) -> str | None:
    if parsed.value is None:
        return parsed.error or "unparseable"
    if int(parsed.value[:4]) < min_year:
        return "too_old"
    if len(parsed.value) == 10:
        # A bare date is a local day: allow a day for zones ahead of UTC.
        if date.fromisoformat(parsed.value) > (reference + tolerance + timedelta(days=1)).date():
            return "future"
    elif datetime.fromisoformat(parsed.value) > reference + tolerance:
        return "future"
    return None


def choose_date(
    candidates: list[tuple[str, str]],
    parse: Parser,
    tz_name: str | None,
    reference: datetime,
    tolerance: timedelta = timedelta(hours=1),
    min_year: int = 1990,
) -> DateChoice:
    choice = DateChoice()
    valid: list[tuple[int, str, str, ParsedDate]] = []
    for index, (raw, source) in enumerate(candidates):
        parsed = parse(raw)
        error = plausibility_error(parsed, reference, tolerance, min_year)
        choice.signals.append(
            {"source": source, "raw": raw, "value": parsed.value if error is None else None, "error": error}
        )
        if error is None:
            valid.append((index, raw, source, parsed))
    if not candidates:
        return choice
    if not valid:
        first = choice.signals[0]
        choice.raw, choice.source, choice.error = first["raw"], first["source"], first["error"]
        return choice
    index, raw, source, parsed = valid[0]
    choice.fallback = index > 0
    assert parsed.value is not None
    day = local_day(parsed.value, tz_name)
    if parsed.precision == "day":
        for _, raw2, source2, parsed2 in valid[1:]:
            if parsed2.precision != "day" and parsed2.value and local_day(parsed2.value, tz_name) == day:
                raw, source, parsed = raw2, source2, parsed2
                break
    for _, _, _, other in valid:
        if other.value and abs((local_day(other.value, tz_name) - day).days) > 1:
            choice.disagree = True
    choice.value, choice.raw, choice.source = parsed.value, raw, source
    choice.precision, choice.tz_explicit = parsed.precision, parsed.tz_explicit
    return choice
