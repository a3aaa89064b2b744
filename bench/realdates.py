"""Published-day accuracy on ../shared/realpages dates/ and web/, without the crawl (30 s).

    .venv/bin/python bench/realdates.py [--sets dates,web] [--misses]

Each labelled page goes through what the crawl runs on it: Scrapy's decoding, `extract_page`
(every date signal) and `choose_date` (the vote), with the page's real URL (so its host can set
the zone, which bench/realpages.py, serving from 127.0.0.1, cannot). Prints the share of pages
whose publisher-local day is the labelled one. For tuning the date rules quickly; the figures
that count are bench/realpages.py's, through the crawl. Skips when the folder is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
from datetime import UTC, datetime
from multiprocessing import Pool
from pathlib import Path

from scrapy.http import HtmlResponse

from crawler.extract import extract_page
from crawler.extract.encoding import redecode
from crawler.text.dates import parse_date
from crawler.text.signals import choose_date
from crawler.text.timezones import resolve_timezone

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realpages"
REFERENCE = datetime(2026, 11, 29, tzinfo=UTC)  # after every labelled page


def day_of(job: tuple[str, str, str]) -> tuple[str | None, str | None]:
    """(the chosen local day, its source) for one page."""
    name, key, url = job
    body = gzip.open(REAL / name / "html" / f"{key}.html.gz").read()
    response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"})
    try:
        page = extract_page(redecode(response.text, response.body, response.encoding).text, url)
    except Exception as exc:  # a page we cannot read counts as wrong
        return None, type(exc).__name__
    tz, _ = resolve_timezone(None, None, None, page.language, url)
    languages = [page.language] if page.language else None
    choice = choose_date(
        page.published_candidates, lambda raw: parse_date(raw, tz, languages, REFERENCE), tz, REFERENCE
    )
    return (choice.local[:10] if choice.local else None), choice.source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="dates,web")
    parser.add_argument("--misses", action="store_true", help="print every page whose day is wrong")
    args = parser.parse_args()
    if not REAL.exists():
        print(f"skipped: {REAL} is absent")
        return 0
    for name in args.sets.split(","):
        labels = json.loads((REAL / name / "labels.json").read_text())
        jobs = [(name, key, label["url"]) for key, label in labels.items() if label.get("date")]
        with Pool(2) as pool:
            found = pool.map(day_of, jobs, chunksize=8)
        right = 0
        for (_, key, url), (day, source) in zip(jobs, found, strict=True):
            right += day == labels[key]["date"]
            if args.misses and day != labels[key]["date"]:
                print(f"  miss {name}/{key} {labels[key]['date']} != {day} ({source}) {url[:80]}")
        print(f"{name:6} day {right}/{len(jobs)} = {right / len(jobs):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
