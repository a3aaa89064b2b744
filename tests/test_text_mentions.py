from __future__ import annotations

from datetime import date

import pytest

from crawler.text.mentions import find_mentions

P = date(2022, 3, 8)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7日もウクライナ各地で", [("7日", 0, "2022-03-07", "day_of_month")]),
        ("9日に発表", [("9日", 0, "2022-02-09", "day_of_month")]),  # after the 8th: last month
        ("10日にも会談する予定", [("10日", 0, "2022-03-10", "day_of_month")]),  # ahead, and said to be coming
        ("今月10日に", [("今月10日", 0, "2022-03-10", "relative_month")]),
        ("先月24日から", [("先月24日", 0, "2022-02-24", "relative_month")]),
        ("来月1日に", [("来月1日", 0, "2022-04-01", "relative_month")]),
        ("3月20日と予想", [("3月20日", 0, "2022-03-20", "month_day")]),
        ("12月31日", [("12月31日", 0, "2021-12-31", "month_day")]),
        ("去年12月24日", [("去年12月24日", 0, "2021-12-24", "relative_year")]),
        ("令和元年5月1日", [("令和元年5月1日", 0, "2019-05-01", "era")]),
        ("2022年3月1日", [("2022年3月1日", 0, "2022-03-01", "absolute")]),
        ("きのうとあす", [("きのう", 0, "2022-03-07", "relative_day"), ("あす", 4, "2022-03-09", "relative_day")]),
        ("全角の８日に", [("８日", 3, "2022-03-08", "day_of_month")]),
        ("on Monday", [("on Monday", 0, "2022-03-07", "weekday")]),
        ("on Tuesday", [("on Tuesday", 0, "2022-03-08", "weekday")]),
        ("last Tuesday", [("last Tuesday", 0, "2022-03-01", "weekday")]),
        ("It will meet on Friday.", [("on Friday", 13, "2022-03-11", "weekday")]),
        ("March 10", [("March 10", 0, "2022-03-10", "month_day")]),
        ("10 March 2021", [("10 March 2021", 0, "2021-03-10", "absolute")]),
        ("yesterday", [("yesterday", 0, "2022-03-07", "relative_day")]),
    ],
)
def test_mentions(text: str, expected: list[tuple[str, int, str, str]]) -> None:
    assert [(m.surface, m.offset, m.value, m.kind) for m in find_mentions(text, P)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "3日連続",
        "3日間",
        "2日間にわたって",
        "3日ぶり",
        "3日目",
        "3日後",
        "3日前",
        "約3日",
        "第3日",
        "1日あたり1000人",
        "4日早い",
        "three days",
        "3 days",
        "毎日",
        "今日では",
        "30 percent",
        "日本",
        "2月30日",
    ],
)
def test_durations_and_counts_are_not_dates(text: str) -> None:
    assert find_mentions(text, P) == []


def test_hostile_text_does_not_crash() -> None:
    text = "7日" * 10_000 + "😀" * 1000 + "\x00"
    assert len(find_mentions(text, P)) == 10_000
