"""Cost per date string: our parse_date against plain dateparser.parse, in the same run.

    .venv/bin/python bench/dates.py [--repeat N]

For each kind of input, prints the median microseconds per call of
plain `dateparser.parse(raw)`, of `parse_date` (no cache), and of the
dates pipeline's cached lookup, with the ratios; then checks that both
parsers give the same instant on the corpus wherever dateparser gives one.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC

import dateparser

from crawler.text.dates import get_tz, parse_date

TOKYO = "Asia/Tokyo"
CORPUS = {
    "iso": [
        "2022-03-08T05:12:00+09:00",
        "2021-12-31T23:59:59Z",
        "2024-02-29T06:45:00.123+00:00",
        "2019-05-01T09:00:00+09:00",
    ],
    "rfc2822": ["Tue, 08 Mar 2022 05:12:00 +0900", "Wed, 09 Mar 2022 13:05:00 -0500", "Fri, 31 Dec 2021 23:59:00 GMT"],
    "japanese": [
        "2022年3月8日 5時12分",
        "2022年3月8日 15時5分",
        "２０２２年３月１０日　２１時４８分",
        "2025年1月13日 21時37分",
    ],
    "japanese-era": ["令和4年3月8日 午後3時5分", "平成31年4月30日 午前9時"],
    "english": ["March 8, 2022 2:30 PM EST", "10 March 2022 18:20", "Mar. 9, 2022 10:00 AM"],
}


def median_us(fn, values: list[str], repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        for value in values:
            start = time.perf_counter()
            fn(value)
            samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def same_instant(raw: str) -> bool | None:
    """None when dateparser gives nothing to compare with."""
    theirs = dateparser.parse(raw)
    if theirs is None:
        return None
    if theirs.tzinfo is None:
        theirs = theirs.replace(tzinfo=get_tz(TOKYO))
    ours = parse_date(raw, TOKYO)
    # We store whole seconds; compare at that precision.
    return ours.value == theirs.astimezone(UTC).replace(microsecond=0).isoformat()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    dateparser.parse("2022-03-08")  # load its data before timing
    parse_date("March 8, 2022 2:30 PM EST", TOKYO)
    cache: dict[str, object] = {}

    def cached(raw: str) -> object:
        hit = cache.get(raw)
        if hit is None:
            hit = cache[raw] = parse_date(raw, TOKYO)
        return hit

    print(f"{'input':<14} {'dateparser':>11} {'ours':>9} {'cached':>8} {'x (ours)':>9} {'x (cached)':>10}")
    for kind, values in CORPUS.items():
        base = median_us(dateparser.parse, values, max(3, args.repeat // 5))
        ours = median_us(lambda raw: parse_date(raw, TOKYO), values, args.repeat)
        for value in values:
            cached(value)
        hit = median_us(cached, values, args.repeat)
        print(f"{kind:<14} {base:9.1f}us {ours:7.1f}us {hit:6.2f}us {base / ours:8.0f}x {base / hit:9.0f}x")
    checked = [(raw, same_instant(raw)) for values in CORPUS.values() for raw in values]
    compared = [(raw, ok) for raw, ok in checked if ok is not None]
    print(
        f"same instant as dateparser on {sum(ok for _, ok in compared)}/{len(compared)} inputs it can read "
        f"({len(checked) - len(compared)} it cannot read: {[r for r, ok in checked if ok is None]})"
    )
    for raw, ok in compared:
        if not ok:
            print(f"  differs: {raw!r}: ours {parse_date(raw, TOKYO).value}, dateparser {dateparser.parse(raw)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
