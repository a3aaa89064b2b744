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
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.text import eurodates

MIN_YEAR = 1800
MAX_YEAR = 2200

ERAS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}

# Applied to NFKC text, so full-width digits and colons are already ASCII.
JA_DATE_RE = re.compile(
    r"(?:(?P<era>明治|大正|昭和|平成|令和)\s*(?P<era_year>\d{1,2}|元)|(?P<year>\d{4}))\s*年\s*"
    r"(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
    r"(?:\s*[(（][月火水木金土日](?:曜日?)?[)）])?"
    r"(?:\s*(?P<ampm>午前|午後)?\s*(?P<hour>\d{1,2})\s*(?:時|:)\s*(?:(?P<minute>\d{1,2})\s*分?|(?P<half>半))?)?"
)
_MONTHS = (
    "Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
EN_DATE_RE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*(?i:[ap]\.?m\.?))?(?:\s+[A-Z]{2,5}\b)?)?"
)
# Relative forms need a reference instant (the fetch time): きょう 午後3時, 3時間前.
JA_RELATIVE_DAY = {
    "きょう": 0,
    "今日": 0,
    "本日": 0,
    "きのう": -1,
    "昨日": -1,
    "おととい": -2,
    "一昨日": -2,
    "あす": 1,
    "明日": 1,
    "あした": 1,
}
_JA_RELATIVE_RE = re.compile(
    r"^(?P<word>きょう|今日|本日|きのう|昨日|おととい|一昨日|あす|明日|あした)"
    r"(?:\s*(?P<ampm>午前|午後)?\s*(?P<hour>\d{1,2})\s*(?:時|:)\s*(?:(?P<minute>\d{1,2})\s*分?|(?P<half>半))?)?$"
)
_AGO_RE = re.compile(
    r"^(?P<n>\d{1,3})\s*(?P<unit>分|時間|日)前$|^(?P<en>\d{1,3})\s+(?P<enunit>minutes?|hours?|days?)\s+ago$", re.I
)
_JA_MONTH_DAY_RE = re.compile(
    r"^(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日(?:\s*[(（][月火水木金土日](?:曜日?)?[)）])?"
    r"(?:\s*(?P<ampm>午前|午後)?\s*(?P<hour>\d{1,2})\s*(?:時|:)\s*(?:(?P<minute>\d{1,2})\s*分?|(?P<half>半))?)?$"
)
# 令和4年(2022年)3月8日 and 2022年(令和4年)3月8日: one year written in two calendars.
_MIXED_RE = re.compile(
    r"(?:(?P<era>明治|大正|昭和|平成|令和)\s*(?P<era_year>\d{1,2}|元)\s*年\s*[(（]\s*(?P<year>\d{4})\s*年?\s*[)）]"
    r"|(?P<year2>\d{4})\s*年\s*[(（]\s*(?P<era2>明治|大正|昭和|平成|令和)\s*(?P<era_year2>\d{1,2}|元)\s*年?\s*[)）])"
)
# A byline date right after one of these words is the modified date ("Stand: 28.04.2020").
_MODIFIED_WORDS = (
    r"更新|最終更新|修正|updated?|modified|last\s+updated|aktualisiert|geändert|änderung|stand|mis\s+à\s+jour"
    r"|modifié|actualizado|aggiornato|atualizado|bijgewerkt|gewijzigd"
)
_BYLINE_MODIFIED_RE = re.compile(rf"(?<![^\W\d_])({_MODIFIED_WORDS})\W*(?:am|on|le|el|il|em|op)?\W*$", re.I)
# How far before a byline date its label may start: "Zuletzt geändert am: " and "Aktualisiert am "
# need 15-20 characters (a window of 12 cut the word and read the modified date as published).
_BYLINE_LABEL_REACH = 24
_COARSE_RE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>0[1-9]|1[0-2]))?$")
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
    date without a time, "YYYY-MM" or "YYYY" for a month or a year (precision "month",
    "year"), or None when the string could not be read.
    tz_explicit: the string carried its own offset; False means default_tz was used.
    error: the reason when value is None ("empty", "unparseable", "out_of_range").
    method: which parser read it ("iso", "rfc2822", "ja", "slash", "dateparser").
    """

    value: str | None
    precision: str | None = None
    tz_explicit: bool = False
    error: str | None = None
    method: str | None = None
    offset_minutes: int | None = None  # the offset the time was given in (or assumed with)


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
    offset = dt.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else None
    return ParsedDate(utc.isoformat(), "minute", explicit, None, method, minutes)


def _day(y: int, m: int, d: int, method: str) -> ParsedDate:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return ParsedDate(None, error="out_of_range", method=method)
    try:
        return ParsedDate(date(y, m, d).isoformat(), "day", False, None, method)
    except ValueError:
        return ParsedDate(None, error="invalid_date", method=method)


def era_year(era: str, year: str) -> int:
    return ERAS[era] + (1 if year == "元" else int(year)) - 1


def _unmix_calendars(text: str) -> str | None:
    """Drop the redundant calendar of "令和4年(2022年)"; None when the two years disagree."""

    def one(m: re.Match[str]) -> str:
        if m["era"]:
            era, western = era_year(m["era"], m["era_year"]), int(m["year"])
        else:
            era, western = era_year(m["era2"], m["era_year2"]), int(m["year2"])
        if era != western:
            raise ValueError("calendars disagree")
        return f"{western}年"

    try:
        return _MIXED_RE.sub(one, text)
    except ValueError:
        return None


def _hour(ampm: str | None, hour: int) -> int:
    if ampm == "午後" and hour < 12:
        return hour + 12
    if ampm == "午前" and hour == 12:
        return 0
    return hour


def _minute(groups: dict[str, str | None]) -> int:
    """分 as written; 半 ("half past") is 30."""
    if groups.get("half"):
        return 30
    return int(groups.get("minute") or 0)


def parse_japanese(match: re.Match[str], default_tz: tzinfo | None) -> ParsedDate:
    """Turn a JA_DATE_RE match into a ParsedDate (era years, 午前/午後)."""
    g = match.groupdict()
    year = era_year(g["era"], g["era_year"]) if g["era"] else int(g["year"])
    month, day = int(g["month"]), int(g["day"])
    if g["hour"] is None:
        return _day(year, month, day, "ja")
    hour, minute = _hour(g["ampm"], int(g["hour"])), _minute(g)
    try:
        dt = datetime(year, month, day, hour, minute)
    except ValueError:
        return ParsedDate(None, error="invalid_date", method="ja")
    return _finish(dt, default_tz, "ja")


_BRACKETS = {("[", "]"), ("(", ")"), ("【", "】"), ("<", ">"), ("「", "」")}


def parse_date(
    raw: str | None,
    default_tz: str | None = None,
    languages: list[str] | None = None,
    reference: datetime | None = None,
) -> ParsedDate:
    """Parse one raw date string; never raises.

    default_tz is the IANA zone applied to a time without an offset (UTC when
    None). languages is a hint for dateparser, e.g. ["ja"]. reference (an
    aware datetime, usually the fetch time) resolves forms that need one:
    "きょう 午後3時", "3時間前", "3月8日" without a year; without it they are
    refused with error "no_reference".
    """
    if raw is None:
        return ParsedDate(None, error="empty")
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    while len(text) > 2 and (text[0], text[-1]) in _BRACKETS:
        text = text[1:-1].strip()  # "[06月24日 11時30分]", "(2022-03-08)": a date line in brackets
    if not text:
        return ParsedDate(None, error="empty")
    if len(text) > 200:
        return ParsedDate(None, error="unparseable")
    tz = get_tz(default_tz)
    if "年" in text and ("(" in text or "（" in text):
        unmixed = _unmix_calendars(text)
        if unmixed is None:
            return ParsedDate(None, error="inconsistent_calendar", method="ja")
        text = unmixed
    try:
        return _parse(text, tz, languages, reference)
    except (ValueError, OverflowError, TypeError):
        return ParsedDate(None, error="unparseable")


def _parse(text: str, tz: tzinfo | None, languages: list[str] | None, reference: datetime | None) -> ParsedDate:
    coarse = _COARSE_RE.match(text)
    if coarse:
        # A year ("2004") or a month ("2022-06") is kept as given: never widened to its first day.
        year, month = int(coarse["y"]), coarse["m"]
        if not MIN_YEAR <= year <= MAX_YEAR:
            return ParsedDate(None, error="out_of_range", method="iso")
        if month is None:
            return ParsedDate(f"{year:04d}", "year", method="iso")
        return ParsedDate(f"{year:04d}-{month}", "month", method="iso")
    if _ISO_RE.match(text):
        if len(text) == 10:
            return _day(int(text[:4]), int(text[5:7]), int(text[8:10]), "iso")
        try:
            return _finish(datetime.fromisoformat(text), tz, "iso")
        except ValueError:
            return ParsedDate(None, error="invalid_date", method="iso")
    european = eurodates.parts(text)
    if european is not None:
        y, mo, d, hour, minute = european
        if hour is None:
            return _day(y, mo, d, "european")
        try:
            return _finish(datetime(y, mo, d, hour, minute or 0), tz, "european")
        except ValueError:
            return ParsedDate(None, error="invalid_date", method="european")
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
            return _finish(email.utils.parsedate_to_datetime(text), tz, "rfc2822")
        except (TypeError, ValueError, IndexError):
            pass
    m = JA_DATE_RE.search(text)
    if m:
        return parse_japanese(m, tz)
    relative = _parse_relative(text, tz, reference)
    if relative is not None:
        return relative
    if re.search(r"[年月日時]", text):
        # A Japanese string the fast path could not read ("2月30日", a bare
        # "7日"): dateparser would read it relative to today, so give up.
        return ParsedDate(None, error="unparseable", method="ja")
    english = _parse_english(text, tz)
    if english is not None:
        return english
    return _parse_with_dateparser(text, tz, languages)


def _parse_relative(text: str, tz: tzinfo | None, reference: datetime | None) -> ParsedDate | None:
    """きょう/きのう/あす (+ time), N分前/N時間前/N日前, M月D日 without year; None when not such a form."""
    m_rel, m_ago, m_md = _JA_RELATIVE_RE.match(text), _AGO_RE.match(text), _JA_MONTH_DAY_RE.match(text)
    if not (m_rel or m_ago or m_md):
        return None
    if reference is None:
        return ParsedDate(None, error="no_reference", method="relative")
    local = reference.astimezone(tz or UTC)
    if m_ago:
        n = int(m_ago["n"] or m_ago["en"])
        unit = (m_ago["unit"] or m_ago["enunit"]).lower()
        if unit in {"日", "day", "days"}:
            d = local.date() - timedelta(days=n)
            return _day(d.year, d.month, d.day, "relative")
        delta = timedelta(minutes=n) if unit in {"分", "minute", "minutes"} else timedelta(hours=n)
        return _finish(reference - delta, tz, "relative")
    if m_rel is not None:
        day = local.date() + timedelta(days=JA_RELATIVE_DAY[m_rel["word"]])
        if m_rel["hour"] is None:
            return _day(day.year, day.month, day.day, "relative")
        hour, minute = _hour(m_rel["ampm"], int(m_rel["hour"])), _minute(m_rel.groupdict())
        try:
            return _finish(datetime(day.year, day.month, day.day, hour, minute), tz, "relative")
        except ValueError:
            return ParsedDate(None, error="invalid_date", method="relative")
    assert m_md is not None  # one of the three forms matched
    month, day_n = int(m_md["month"]), int(m_md["day"])
    year = nearest_year(month, day_n, local.date())
    if year is None:
        return ParsedDate(None, error="invalid_date", method="ja")
    if m_md["hour"] is None:
        return _day(year, month, day_n, "ja")
    try:
        dt = datetime(year, month, day_n, _hour(m_md["ampm"], int(m_md["hour"])), _minute(m_md.groupdict()))
    except ValueError:
        return ParsedDate(None, error="invalid_date", method="ja")
    return _finish(dt, tz, "ja")


def nearest_year(month: int, day: int, around: date) -> int | None:
    """The year that puts month/day closest to `around` (None when the day never exists)."""
    best: tuple[int, int] | None = None
    for year in (around.year - 1, around.year, around.year + 1):
        try:
            distance = abs((date(year, month, day) - around).days)
        except ValueError:
            continue
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None


_EN_FULL_RE = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
    r"(?:(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?|(?P<day2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon2>[A-Za-z]{3,9})\.?)"
    r",?\s+(?P<year>\d{4})"
    r"(?:,?\s+(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?(?:\s+(?P<zone>[A-Z]{2,5}))?)?$"
)
_MONTH_NUMBERS = {
    name: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
# Unambiguous abbreviations only; others (IST, CST in Asia, ...) go to dateparser.
_ZONE_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "BST": 1, "CET": 1, "CEST": 2, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}  # fmt: skip


def _parse_english(text: str, tz: tzinfo | None) -> ParsedDate | None:
    """Fast path for "March 8, 2022 2:30 PM EST" and "8 March 2022"; None to fall through."""
    m = _EN_FULL_RE.match(text)
    if not m:
        return None
    month = _MONTH_NUMBERS.get((m["mon"] or m["mon2"]).lower())
    if month is None:
        return None
    year, day = int(m["year"]), int(m["day"] or m["day2"])
    if m["hour"] is None:
        return _day(year, month, day, "english")
    zone = m["zone"]
    if zone and zone not in _ZONE_OFFSETS:
        return None
    hour, minute = int(m["hour"]), int(m["minute"])
    ampm = (m["ampm"] or "").lower().replace(".", "")
    if ampm and not 1 <= hour <= 12:
        return ParsedDate(None, error="invalid_date", method="english")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        dt = datetime(year, month, day, hour, minute, int(m["second"] or 0))
    except ValueError:
        return ParsedDate(None, error="invalid_date", method="english")
    if zone:
        dt = dt.replace(tzinfo=timezone(timedelta(hours=_ZONE_OFFSETS[zone])))
    return _finish(dt, tz, "english")


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


# Words that label the date after them; a colon, "am", "on", "le" and a weekday may come between.
_PUBLISHED_WORDS = (
    r"published|posted|written|created|released|erschienen|veröffentlicht|publiziert|erstellt|gepostet"
    r"|geschrieben|publié|publicado|pubblicato|gepubliceerd|geplaatst|opublikowano|julkaistu|publicerad"
    r"|publiceret|publisert|公開|配信|掲載|投稿|dat(?:e|um|a|o)\s*:"
)
# Label words first (rare), then a date right after them: scanning every date of a page and
# looking back costs ten times more.
# Matched on the lower-cased text: four times faster than re.I here (the words are lower case).
# No look-behind in the pattern: it would stop the engine skipping ahead to a first letter.
_LABEL_RE = re.compile(rf"(?P<modified>{_MODIFIED_WORDS})|(?P<published>{_PUBLISHED_WORDS})")
_INSIDE_WORD = re.compile(r"[a-zà-ÿ]", re.I)
_LABEL_LINK = re.compile(r"\s*:?\s*(?:(?:am|on|le|el|il|em|op|den|the|vom|du|del)\b\s*:?\s*)?")
_WEEKDAY = re.compile(r"[^\W\d]{2,12}\.?,?\s*")
_LABEL_REACH = 60  # characters after a label where its date may start


# A slashed numeric date in a byline ("08/08/2017", "3/14/2021 10:05"): its order (day or month
# first) is read later with the page's language and checked against the other signals.
_SLASHED_TEXT_RE = re.compile(
    r"(?<![\w/.])(?:[12]\d|3[01]|0?[1-9])/(?:[12]\d|3[01]|0?[1-9])/(?:19|20)\d\d(?![\d/])"
    r"(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}(?:\s*(?i:[ap]\.?m\.?))?)?"
)


def _date_matches(text: str) -> list[re.Match[str]]:
    return sorted(
        [
            *JA_DATE_RE.finditer(text),
            *EN_DATE_RE.finditer(text),
            *eurodates.find(text),
            *_SLASHED_TEXT_RE.finditer(text),
        ],
        key=lambda m: (m.start(), -m.end()),
    )


def find_labelled_dates(text: str) -> list[tuple[str, str]]:
    """Dates the text labels, in order, as (raw, "published" | "modified"); unlabelled dates are skipped."""
    text = unicodedata.normalize("NFKC", text)
    out: list[tuple[str, str]] = []
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer ("İ"): positions shift
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for label in _LABEL_RE.finditer(lowered):
        if (label.start() and _INSIDE_WORD.match(lowered, label.start() - 1)) or _INSIDE_WORD.match(
            lowered, label.end()
        ):
            continue  # inside a longer word: "upstanding", "Standard", "mandate:"
        window = text[label.end() : label.end() + _LABEL_REACH]
        link = _LABEL_LINK.match(window).end()  # type: ignore[union-attr]
        weekday = _WEEKDAY.match(window, link)
        for start in (link, weekday.end()) if weekday else (link,):
            found = _date_matches(window[start:])
            if found and found[0].start() == 0:
                out.append((found[0].group(0), "modified" if label["modified"] else "published"))
                break
    return out


# An author line with its date: "von Marianne1 am 20.09.2020", "by Ana Sandoiu on July 27, 2017",
# "Par Matthieu Hy le 07 Mai 2020". One to four name tokens without sentence punctuation, not
# opening with an article ("par le procureur de Toulouse le 20 juin" is a sentence), and the
# linking word in lower case ("von Guido Beyss Am 14. Juni 2005 hielt ..." opens a sentence).
_AUTHOR_LINE = re.compile(
    r"(?<![^\W\d_])(?:[Vv]on|[Bb]y|[Pp]ar|[Pp]or|[Dd]oor|[Dd]i)\s+"
    r"(?!(?:the|an?|le|la|les|der|die|das|den|dem|des|el|il|lo|de|du)\s)"
    r"((?:[^\W\d_][\w'’-]*\s+){1,4}?)(?:am|on|le|el|il|em|op)\s+"
)


def find_author_line_dates(text: str) -> list[str]:
    """Dates that follow an author's name in an author line ("von NAME am DATE"), in order."""
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for m in _AUTHOR_LINE.finditer(text):
        if len(m.group(1)) > 40:
            continue
        found = _date_matches(text[m.end() : m.end() + _LABEL_REACH])
        if found and found[0].start() == 0:
            out.append(found[0].group(0))
    return out


def find_byline_dates(text: str, lead: str = "") -> list[tuple[str, str]]:
    """Every date expression in a byline, in order, as (raw, "published" | "modified").

    A date right after 更新 / Updated / Modified is the modified date:
    "Veröffentlicht am 3.3.2022 Aktualisiert am 4.3.2022" gives one of each. lead: the page's text
    just before the byline, where its label may stand ("<h4>Zuletzt geändert am:</h4><li>15.10.2021");
    only the byline's own dates are returned.
    """
    text = unicodedata.normalize("NFKC", text)
    lead = " ".join(unicodedata.normalize("NFKC", lead).split())[-_BYLINE_LABEL_REACH:]
    if lead:
        lead, text = lead + " ", lead + " " + text.lstrip()
    out: list[tuple[str, str]] = []
    matches = _date_matches(text)
    end = 0
    for m in matches:
        if m.start() < max(end, len(lead)):
            continue
        before = text[max(end, m.start() - _BYLINE_LABEL_REACH) : m.start()]
        role = "modified" if _BYLINE_MODIFIED_RE.search(before) else "published"
        out.append((m.group(0), role))
        end = m.end()
    return out
