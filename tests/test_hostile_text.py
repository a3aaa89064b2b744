"""Random and hostile strings never raise from the pure text functions (seeded, so repeatable)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from crawler.extract import extract_page
from crawler.extract.article import ExtractError
from crawler.text.blocks import clean_blocks
from crawler.text.dates import parse_date
from crawler.text.mentions import find_mentions

ALPHABET = [
    *"0123456789０１２３年月日時分秒午前後令和平成元:-/+TZ ,.()（）　aAmMpP春きょうあす前に😀\x00\n",
    "March", "Mon", "EST", "GMT", "ago", "hours", "今月", "先月", "来月", "去年", "連続", "間",
]  # fmt: skip


def strings(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 30))) for _ in range(count)]


def test_parse_date_never_raises() -> None:
    reference = datetime(2022, 3, 8, tzinfo=UTC)
    for text in strings(1, 3000):
        for zone in (None, "Asia/Tokyo", "Nowhere/Else"):
            parsed = parse_date(text, zone, ["ja"], reference)
            assert (parsed.value is None) == (parsed.error is not None)


def test_find_mentions_never_raises() -> None:
    for text in strings(2, 3000):
        for day in (date(2022, 3, 8), date(2022, 1, 31), date(2024, 2, 29)):
            for m in find_mentions(text, day):
                assert text[m.offset : m.offset + len(m.surface)] == m.surface


def test_clean_and_extract_never_raise() -> None:
    rnd = random.Random(3)
    tags = [
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<br>",
        "<h2>",
        "<script>",
        "<!--",
        "-->",
        "<li>",
        "<html>",
        "&amp;",
        "&#0;",
    ]
    for text in strings(4, 300):
        clean_blocks(text.split("\n"))
        html = "".join(rnd.choice(tags) + text[i : i + 3] for i in range(0, len(text) + 1, 3))
        try:
            extract_page(html, "https://x/a")
        except ExtractError:
            pass
