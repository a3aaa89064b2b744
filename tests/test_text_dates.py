from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.text.dates import find_byline_dates, parse_date
from crawler.text.timezones import infer_timezone

TOKYO = "Asia/Tokyo"

# (raw, default zone, expected value, precision, tz_explicit)
CASES = [
    ("2022-03-08T05:12:00+09:00", None, "2022-03-07T20:12:00+00:00", "minute", True),
    ("2022-03-08T05:12:00Z", TOKYO, "2022-03-08T05:12:00+00:00", "minute", True),
    ("2022-03-08T05:12:00.123+0900", None, "2022-03-07T20:12:00+00:00", "minute", True),
    ("2022-03-08T05:12", TOKYO, "2022-03-07T20:12:00+00:00", "minute", False),
    ("2022-03-08 05:12:30", "UTC", "2022-03-08T05:12:30+00:00", "minute", False),
    ("2022-03-08", TOKYO, "2022-03-08", "day", False),  # date-only is never shifted
    ("2022/03/08 05:12", TOKYO, "2022-03-07T20:12:00+00:00", "minute", False),
    ("2022/3/8", TOKYO, "2022-03-08", "day", False),
    ("Tue, 08 Mar 2022 05:12:00 +0900", None, "2022-03-07T20:12:00+00:00", "minute", True),
    ("Wed, 09 Mar 2022 13:05:00 -0500", None, "2022-03-09T18:05:00+00:00", "minute", True),
    ("Tue, 08 Mar 2022 05:12:00 GMT", None, "2022-03-08T05:12:00+00:00", "minute", True),
    ("2022年3月8日 5時12分", TOKYO, "2022-03-07T20:12:00+00:00", "minute", False),
    ("2022年3月8日 午後3時5分", TOKYO, "2022-03-08T06:05:00+00:00", "minute", False),
    ("2022年3月8日 午前0時30分", TOKYO, "2022-03-07T15:30:00+00:00", "minute", False),
    ("2022年3月8日 午後12時", TOKYO, "2022-03-08T03:00:00+00:00", "minute", False),
    ("2022年3月8日 午前12時", TOKYO, "2022-03-07T15:00:00+00:00", "minute", False),
    ("２０２２年３月８日　５時１２分", TOKYO, "2022-03-07T20:12:00+00:00", "minute", False),
    ("令和4年3月8日 午前6時40分", TOKYO, "2022-03-07T21:40:00+00:00", "minute", False),
    ("令和元年5月1日", TOKYO, "2019-05-01", "day", False),
    ("平成31年4月30日", TOKYO, "2019-04-30", "day", False),
    ("昭和64年1月7日", TOKYO, "1989-01-07", "day", False),
    ("2022年3月8日(火) 18:30", TOKYO, "2022-03-08T09:30:00+00:00", "minute", False),
    ("2022年3月8日", TOKYO, "2022-03-08", "day", False),
    ("March 8, 2022 10:15 AM EST", None, "2022-03-08T15:15:00+00:00", "minute", True),
    ("March 8, 2022", None, "2022-03-08", "day", False),
    ("8 March 2022", None, "2022-03-08", "day", False),
    ("[2022年3月8日 5時12分]", TOKYO, "2022-03-07T20:12:00+00:00", "minute", False),  # a date line in brackets
    ("(2022-03-08)", TOKYO, "2022-03-08", "day", False),
]


@pytest.mark.parametrize(("raw", "tz", "value", "precision", "explicit"), CASES)
def test_parse_date(raw: str, tz: str | None, value: str, precision: str, explicit: bool) -> None:
    parsed = parse_date(raw, tz)
    assert (parsed.value, parsed.precision, parsed.tz_explicit) == (value, precision, explicit)
    assert parsed.error is None


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (None, "empty"),
        ("", "empty"),
        ("   ", "empty"),
        ("garbage", "unparseable"),
        ("sometime last spring", "unparseable"),
        ("20222-01-01", "unparseable"),
        ("2022年2月30日", "invalid_date"),
        ("2月30日", "no_reference"),  # no year: needs a reference date to resolve
        ("3時間前", "no_reference"),
        ("7日", "unparseable"),  # dateparser would say "seven days ago"
        ("今月10日", "unparseable"),
        ("1647896400", "unparseable"),  # bare numbers are not timestamps here
        ("2022-13-45T10:00:00Z", "invalid_date"),
        ("0001-01-01", "out_of_range"),
        ("x" * 500, "unparseable"),
        ("2022-03-08T25:00:00+09:00", "invalid_date"),
    ],
)
def test_unreadable_dates_give_a_reason_not_an_exception(raw: str | None, error: str) -> None:
    parsed = parse_date(raw, TOKYO)
    assert parsed.value is None
    assert parsed.error == error


def test_a_date_line_without_a_year_takes_the_year_nearest_the_fetch() -> None:
    # NEWS WEB EASY's "[06月24日 11時30分]": June of the fetch's year, but in January last year's.
    june = datetime(2019, 6, 24, 5, 0, tzinfo=UTC)
    assert parse_date("[06月24日 11時30分]", TOKYO, None, june).value == "2019-06-24T02:30:00+00:00"
    january = datetime(2020, 1, 3, tzinfo=UTC)
    assert parse_date("[12月30日 11時30分]", TOKYO, None, january).value == "2019-12-30T02:30:00+00:00"
    assert parse_date("[06月24日 11時30分]", TOKYO).error == "no_reference"


def test_naive_time_uses_default_zone_and_utc_without_one() -> None:
    assert parse_date("2022-03-08T12:00", "Europe/London").value == "2022-03-08T12:00:00+00:00"
    assert parse_date("2022-07-08T12:00", "Europe/London").value == "2022-07-08T11:00:00+00:00"  # BST
    assert parse_date("2022-03-08T12:00", None).value == "2022-03-08T12:00:00+00:00"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("更新 2022年3月8日 5時12分 ニュース", "2022年3月8日 5時12分"),
        ("By Jane Doe Published March 8, 2022 2:30 PM EST", "March 8, 2022 2:30 PM EST"),
        ("Updated 8 March 2022, 10:15 am", "8 March 2022, 10:15 am"),
        ("no date here", None),
    ],
)
def test_first_byline_date(text: str, found: str | None) -> None:
    dates = find_byline_dates(text)
    assert (dates[0][0] if dates else None) == found


@pytest.mark.parametrize(
    ("language", "url", "zone", "source"),
    [
        ("ja", "http://127.0.0.1:8701/x", "Asia/Tokyo", "language"),
        (None, "https://www.example.co.jp/a", "Asia/Tokyo", "tld"),
        ("en", "https://news.example.com/a", "UTC", "default"),
    ],
)
def test_infer_timezone(language: str | None, url: str, zone: str, source: str) -> None:
    assert infer_timezone(language, url) == (zone, source)


@pytest.mark.parametrize(
    ("raw", "value", "method"),
    [
        ("March 8, 2022 2:30 PM EST", "2022-03-08T19:30:00+00:00", "english"),
        ("Tuesday, March 8, 2022 at 10:15 a.m. EDT", "2022-03-08T14:15:00+00:00", "english"),
        ("8 March 2022 18:20", "2022-03-08T09:20:00+00:00", "english"),  # no zone: the default (Tokyo)
        ("Mar. 9, 2022", "2022-03-09", "english"),
        ("March 8, 2022 2:30 PM IST", "*", "dateparser"),  # India or Israel? ambiguous: left to dateparser
        ("March 8, 2022 13:30 PM", None, "english"),
        ("Smarch 8, 2022", None, "dateparser"),
    ],
)
def test_english_fast_path(raw: str, value: str | None, method: str) -> None:
    parsed = parse_date(raw, TOKYO)
    assert parsed.method == method
    if value != "*":
        assert parsed.value == value
