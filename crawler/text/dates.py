"""Parse published/modified date strings into ISO-8601 UTC.

Pure functions: no Scrapy. Fast paths (ISO-8601, RFC 2822, Japanese forms
including era years) come before dateparser, which is slow (1-4 ms a call)
and reads Japanese "7日" as "seven days ago"; dateparser is therefore called
with absolute parsers only.

A value without a time stays date-only ("2022-03-08"): shifting a date to
UTC would move it across midnight and invent precision the page never gave.
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_YEAR = 1800
MAX_YEAR = 2200

ERAS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}

# Applied to NFKC text, so full-width digits and colons are already ASCII.
JA_DATE_RE = re.compile(
    r"(?:(?P<era>明治|大正|昭和|平成|令和)\s*(?P<era_year>\d{1,2}|元)|(?P<year>\d{4}))\s*年\s*"
    r"(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
    r"(?:\s*[(（][月火水木金土日](?:曜日?)?[)）])?"
    r"(?:\s*(?P<ampm>午前|午後)?\s*(?P<hour>\d{1,2})\s*(?:時|:)\s*(?:(?P<minute>\d{1,2})\s*分?)?)?"
)
_MONTHS = (
    "Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
EN_DATE_RE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*(?i:[ap]\.?m\.?))?(?:\s+[A-Z]{2,5}\b)?)?"
)
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_SLASH_RE = re.compile(
    r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_RFC2822_RE = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
_HAS_TIME_RE = re.compile(r"\d{1,2}\s*(?::|時)\s*\d|\d\s*(?:am|pm|a\.m\.|p\.m\.)", re.IGNORECASE)
_DATEPARSER_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    # Relative parsing turns "7日" into "seven days ago" and bare numbers into
    # timestamps: only absolute forms are accepted.
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
}


@dataclass(frozen=True)
class ParsedDate:
    """Outcome of parsing one raw date string.

    value: ISO-8601 in UTC ("2022-03-07T20:12:00+00:00"), or "YYYY-MM-DD" for a
    date without a time, or None when the string could not be read.
    tz_explicit: the string carried its own offset; False means default_tz was used.
    error: the reason when value is None ("empty", "unparseable", "out_of_range").
    method: which parser read it ("iso", "rfc2822", "ja", "slash", "dateparser").
    """

    value: str | None
    precision: str | None = None
    tz_explicit: bool = False
    error: str | None = None
    method: str | None = None


def get_tz(name: str | None) -> tzinfo | None:
    """Return a tzinfo for an IANA name, or None for None/unknown names."""
    if not name:
        return None
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _finish(dt: datetime, default_tz: tzinfo | None, method: str) -> ParsedDate:
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        return ParsedDate(None, error="out_of_range", method=method)
    explicit = dt.tzinfo is not None and dt.utcoffset() is not None
    if not explicit:
        dt = dt.replace(tzinfo=default_tz or UTC)
    utc = dt.astimezone(UTC).replace(microsecond=0)
    return ParsedDate(utc.isoformat(), "minute", explicit, None, method)


def _day(y: int, m: int, d: int, method: str) -> ParsedDate:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return ParsedDate(None, error="out_of_range", method=method)
    try:
        return ParsedDate(date(y, m, d).isoformat(), "day", False, None, method)
    except ValueError:
        return ParsedDate(None, error="invalid_date", method=method)


def parse_japanese(match: re.Match[str], default_tz: tzinfo | None) -> ParsedDate:
    """Turn a JA_DATE_RE match into a ParsedDate (era years, 午前/午後)."""
    g = match.groupdict()
    if g["era"]:
        n = 1 if g["era_year"] == "元" else int(g["era_year"])
        year = ERAS[g["era"]] + n - 1
    else:
        year = int(g["year"])
    month, day = int(g["month"]), int(g["day"])
    if g["hour"] is None:
        return _day(year, month, day, "ja")
    hour, minute = int(g["hour"]), int(g["minute"] or 0)
    if g["ampm"] == "午後" and hour < 12:
        hour += 12
    elif g["ampm"] == "午前" and hour == 12:
        hour = 0
    try:
        dt = datetime(year, month, day, hour, minute)
    except ValueError:
        return ParsedDate(None, error="invalid_date", method="ja")
    return _finish(dt, default_tz, "ja")


def parse_date(
    raw: str | None,
    default_tz: str | None = None,
    languages: list[str] | None = None,
) -> ParsedDate:
    """Parse one raw date string; never raises.

    default_tz is the IANA zone applied to a time without an offset (UTC when
    None). languages is a hint for dateparser, e.g. ["ja"].
    """
    if raw is None:
        return ParsedDate(None, error="empty")
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return ParsedDate(None, error="empty")
    if len(text) > 200:
        return ParsedDate(None, error="unparseable")
    tz = get_tz(default_tz)
    try:
        return _parse(text, tz, languages)
    except (ValueError, OverflowError, TypeError):
        return ParsedDate(None, error="unparseable")


def _parse(text: str, tz: tzinfo | None, languages: list[str] | None) -> ParsedDate:
    if _ISO_RE.match(text):
        if len(text) == 10:
            return _day(int(text[:4]), int(text[5:7]), int(text[8:10]), "iso")
        try:
            return _finish(datetime.fromisoformat(text), tz, "iso")
        except ValueError:
            return ParsedDate(None, error="invalid_date", method="iso")
    m = _SLASH_RE.match(text)
    if m:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        if m["H"] is None:
            return _day(y, mo, d, "slash")
        try:
            dt = datetime(y, mo, d, int(m["H"]), int(m["M"]), int(m["S"] or 0))
        except ValueError:
            return ParsedDate(None, error="invalid_date", method="slash")
        return _finish(dt, tz, "slash")
    if _RFC2822_RE.match(text):
        try:
            dt = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            dt = None
        if dt is not None:
            return _finish(dt, tz, "rfc2822")
    m = JA_DATE_RE.search(text)
    if m:
        return parse_japanese(m, tz)
    if re.search(r"[年月日時]", text):
        # A Japanese string the fast path could not read ("2月30日", a bare
        # "7日"): dateparser would read it relative to today, so give up.
        return ParsedDate(None, error="unparseable", method="ja")
    return _parse_with_dateparser(text, tz, languages)


def _parse_with_dateparser(text: str, tz: tzinfo | None, languages: list[str] | None) -> ParsedDate:
    import dateparser  # imported lazily: it costs ~0.5 s at import time

    if not re.search(r"\d", text):
        return ParsedDate(None, error="unparseable", method="dateparser")
    dt = dateparser.parse(text, languages=languages or None, settings=_DATEPARSER_SETTINGS)
    if dt is None:
        return ParsedDate(None, error="unparseable", method="dateparser")
    if _HAS_TIME_RE.search(text):
        return _finish(dt, tz, "dateparser")
    return _day(dt.year, dt.month, dt.day, "dateparser")


def find_date_text(text: str) -> str | None:
    """Return the first Japanese or English date expression in free text (a byline), if any."""
    text = unicodedata.normalize("NFKC", text)
    m = JA_DATE_RE.search(text) or EN_DATE_RE.search(text)
    return m.group(0) if m else None
