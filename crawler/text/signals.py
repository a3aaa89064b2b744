"""Choose a published (or modified) date among a page's signals, and cross-check them.

Pure: the dates pipeline adapts it. Candidates come best first (see
crawler/extract/dates.py for the priority). Among those that parse and are
plausible, each kind of signal votes for its day with a weight (WEIGHTS); the
day with the most weight wins, and its best-ranked signal is the value, with
three refinements:

- precision: when the winner is a bare date and a later signal gives a time
  on that same local day, the timed signal is used (JSON-LD "2022-03-08"
  plus a byline "2022年3月8日 5時12分" gives the minute);
- plausibility: a date later than the reference (fetch time) plus a
  tolerance is "future", one before min_year is "too_old"; both are skipped
  and counted, never stored as fact;
- reading: an ambiguous "11/01/2023" takes the reading another signal confirms;
- coarse signals: a year or a month ("2004", "2022-06") is kept with its precision and
  never votes for a day; it is the value only when no signal gives a day. A year alone that
  htmldate guessed from the whole page (a copyright line, a counter) is never the value
  (error "year_only").

Signals whose local day differs from the winner's by more than one day are
reported as a disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from crawler.text.dates import ParsedDate, get_tz

Parser = Callable[[str], ParsedDate]
# How much each kind of signal counts when a page's signals disagree on the day (each kind votes
# once, with its best-ranked signal). Measured on the labelled sets of bench/realpages.py
# (dates/, web/): what the page shows a reader where the article is (the dateline under the
# headline, the byline, a <time> or itemprop element, the URL) counts more than metadata only
# machines read; a date the text itself calls "published" counts most; JSON-LD (often the CMS's
# creation time) and htmldate's whole-page guess ("visible", which re-reads the same markup)
# least. A profile's selector is the site's own rule and wins. Ties go to the best-ranked signal.
WEIGHTS = {
    "selector": 10.0,
    "label": 5.0,
    "headline": 3.0,
    "dateline": 3.0,
    "byline": 3.0,
    "itemprop": 3.0,
    "time": 3.0,
    "abbr": 3.0,
    "url": 3.0,
    "meta": 2.0,
    "json-ld": 1.0,
    "visible": 1.0,
}
OTHER_WEIGHT = 2.0  # a feed's or sitemap's date
GUESSES = frozenset({"visible"})  # signals that guess from the whole page, not read where the date is
_AMBIGUOUS = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(.*)$", re.S)
Valid = tuple[int, str, str, ParsedDate]


@dataclass
class DateChoice:
    value: str | None = None
    raw: str | None = None
    source: str | None = None
    precision: str | None = None
    tz_explicit: bool = False
    local: str | None = None  # the publisher's local time with its offset, or the bare date
    error: str | None = None  # why nothing was chosen although there were candidates
    fallback: bool = False  # a higher-priority signal was unreadable or implausible
    disagree: bool = False
    signals: list[dict[str, Any]] = field(default_factory=list)
    # When the readable signals name more than one local day: each day with the weight that
    # voted for it and every source that named it, the chosen day first (date_signals keeps it).
    votes: list[dict[str, Any]] = field(default_factory=list)


def local_day(value: str, tz_name: str | None) -> date | None:
    """The calendar day of a stored value in the site's zone (date-only values are already local);
    None for a month or a year."""
    if len(value) < 10:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value).astimezone(get_tz(tz_name) or UTC).date()


def local_time(parsed: ParsedDate, tz_name: str | None) -> str | None:
    """The publisher's local time: in the offset the page gave, else in the site's zone.

    A time given in UTC ("Z", "+00:00") by a site whose zone is known is shown in that zone,
    since researchers count articles per publisher's local day; a bare date stays as it is."""
    if parsed.value is None or parsed.precision == "day" or len(parsed.value) <= 10:
        return parsed.value
    instant = datetime.fromisoformat(parsed.value)
    if parsed.tz_explicit and parsed.offset_minutes:
        return instant.astimezone(timezone(timedelta(minutes=parsed.offset_minutes))).isoformat()
    return instant.astimezone(get_tz(tz_name) or UTC).isoformat()


def publisher_day(parsed: ParsedDate, tz_name: str | None) -> date:
    """The calendar day where the publisher is: in the offset the page gave, else the site's zone."""
    return date.fromisoformat((local_time(parsed, tz_name) or "")[:10])


def plausibility_error(parsed: ParsedDate, reference: datetime, tolerance: timedelta, min_year: int) -> str | None:
    if parsed.value is None:
        return parsed.error or "unparseable"
    if int(parsed.value[:4]) < min_year:
        return "too_old"
    if len(parsed.value) < 10:
        if parsed.value > reference.date().isoformat()[: len(parsed.value)]:
            return "future"
    elif len(parsed.value) == 10:
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
    valid: list[Valid] = []
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
    coarse = [v for v in valid if len(v[3].value or "") < 10]
    valid = [v for v in valid if v not in coarse]
    # A year alone in htmldate's whole-page guess comes from a copyright line ("© 2020"), a
    # footer or a counter, not from a publication date: it is recorded, never the value.
    guessed = [v for v in coarse if v[2] in GUESSES and v[3].precision == "year"]
    for index, *_ in guessed:
        choice.signals[index]["value"], choice.signals[index]["error"] = None, "year_only"
    coarse = [v for v in coarse if v not in guessed]
    if not valid and not coarse:
        _, choice.raw, choice.source, _ = guessed[0]
        choice.error = "year_only"
        return choice
    if not valid:  # only a year or a month: kept as given, with its precision
        index, raw, source, parsed = coarse[0]
        choice.fallback = index > 0
        choice.value, choice.raw, choice.source, choice.precision = parsed.value, raw, source, parsed.precision
        choice.local = parsed.value
        return choice
    valid = [_read_ambiguous(v, valid, parse, tz_name) for v in valid]
    # A UTC time that another signal gives in the publisher's offset is read in that offset.
    valid = [(i, raw, source, _with_page_offset(parsed, valid)) for i, raw, source, parsed in valid]
    for index, _, _, parsed in valid:
        choice.signals[index]["value"] = parsed.value
    index, raw, source, parsed = _vote(valid, tz_name)
    choice.fallback = valid[0][0] > 0
    assert parsed.value is not None
    day = publisher_day(parsed, tz_name)
    choice.disagree = index != valid[0][0] and publisher_day(valid[0][3], tz_name) != day
    if parsed.precision == "day":
        for _, raw2, source2, parsed2 in valid[1:]:
            if parsed2.precision != "day" and parsed2.value and publisher_day(parsed2, tz_name) == day:
                raw, source, parsed = raw2, source2, parsed2
                break
    for _, _, _, other in valid:
        if other.value and abs((publisher_day(other, tz_name) - day).days) > 1:
            choice.disagree = True
    choice.votes = day_votes(valid, tz_name, day)
    choice.value, choice.raw, choice.source = parsed.value, raw, source
    choice.precision, choice.tz_explicit = parsed.precision, parsed.tz_explicit
    choice.local = local_time(parsed, tz_name)
    return choice


def _vote(valid: list[Valid], tz_name: str | None) -> Valid:
    """The best-ranked signal of the day with the most weight behind it (see WEIGHTS)."""
    votes: dict[date, float] = {}
    first: dict[date, Valid] = {}
    voted: set[str] = set()
    for signal in valid:
        day = publisher_day(signal[3], tz_name)
        first.setdefault(day, signal)
        kind = signal[2].split(":", 1)[0]
        votes[day] = votes.get(day, 0.0) + (0.0 if kind in voted else WEIGHTS.get(kind, OTHER_WEIGHT))
        voted.add(kind)
    best = max(votes.values())
    return next(signal for day, signal in first.items() if votes[day] == best)


def day_votes(valid: list[Valid], tz_name: str | None, chosen: date) -> list[dict[str, Any]]:
    """The days the signals name, with their weight and sources, when there is more than one."""
    weight: dict[date, float] = {}
    sources: dict[date, list[str]] = {}
    voted: set[str] = set()
    for _, _, source, parsed in valid:
        day = publisher_day(parsed, tz_name)
        kind = source.split(":", 1)[0]
        weight[day] = weight.get(day, 0.0) + (0.0 if kind in voted else WEIGHTS.get(kind, OTHER_WEIGHT))
        voted.add(kind)
        sources.setdefault(day, []).append(source)
    if len(weight) < 2:
        return []
    order = sorted(weight, key=lambda d: (d != chosen, -weight[d]))
    return [{"day": d.isoformat(), "weight": weight[d], "sources": sources[d]} for d in order]


def _read_ambiguous(signal: Valid, valid: list[Valid], parse: Parser, tz_name: str | None) -> Valid:
    """ "11/01/2023" reads as 11 January or 1 November: when only the other reading is a day
    another signal of the page gives, that reading is the page's."""
    index, raw, source, parsed = signal
    m = _AMBIGUOUS.match(raw.strip())
    if not m or m[1] == m[2] or int(m[1]) > 12 or int(m[2]) > 12:
        return signal
    # The same string under another source (a byline that is also the dateline) is no witness.
    others = {publisher_day(v[3], tz_name) for v in valid if v[2] != source and v[1].strip() != raw.strip()}
    if publisher_day(parsed, tz_name) in others:
        return signal
    swapped = parse(f"{m[2]}/{m[1]}/{m[3]}{m[4]}")
    if swapped.value and publisher_day(swapped, tz_name) in others:
        return index, raw, source, swapped
    return signal


def _with_page_offset(parsed: ParsedDate, valid: list[Valid]) -> ParsedDate:
    """A time given in UTC ("Z") whose same instant another signal of the page gives with a
    local offset ("-04:00"): that offset is the publisher's, so the local time uses it."""
    if parsed.value is None or len(parsed.value) == 10 or (parsed.tz_explicit and parsed.offset_minutes):
        return parsed
    for _, _, _, other in valid:
        if other.value == parsed.value and other.tz_explicit and other.offset_minutes:
            return other
    return parsed
