"""Accuracy of dates on the labelled sets, and on real Japanese pages when present.

    .venv/bin/python bench/dates_accuracy.py

Prints: date strings (tests/fixtures/dates/date_strings.tsv), in-text mentions
(mentions.jsonl, precision and recall), published dates of the demo pages to
the minute, and, when ../shared/realpages/jp is present, published dates of
those real pages to the minute with the right offset.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

from dateeval import published_for_page, score_demo_pages, score_mentions, score_strings

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realpages" / "jp"


def real_pages() -> tuple[int, int, list[str]]:
    meta = json.loads((REAL / "meta.info").read_text())
    total = correct = 0
    misses = []
    for name, info in sorted(meta.items()):
        label = next(iter(json.loads((REAL / f"{name.split('_')[0]}.json").read_text()).values()))
        expected = label.get("publishing_date")
        if not expected:
            continue
        want = datetime.fromisoformat(expected).astimezone().isoformat()
        html = gzip.decompress((REAL / name).read_bytes()).decode("utf-8", "replace")
        reference = (
            datetime.fromisoformat(info["crawl_date"]).astimezone()
            if info.get("crawl_date")
            else datetime.now().astimezone()
        )
        got = published_for_page(html, info["url"], reference)
        total += 1
        # Labels give minutes; pages may give seconds: compare to the minute.
        ok = (
            got is not None
            and len(got) > 10
            and datetime.fromisoformat(got).replace(second=0) == datetime.fromisoformat(want).replace(second=0)
        )
        correct += ok
        if not ok:
            misses.append(f"{name}: got {got}, expected {expected}")
    return correct, total, misses


def main() -> int:
    s = score_strings()
    print(f"date strings:   {s.correct}/{s.total} = {s.accuracy:.3f}")
    m = score_mentions()
    print(f"mentions:       precision {m.precision:.3f} ({m.correct}/{m.found}), ", end="")
    print(f"recall {m.recall:.3f} ({m.correct}/{m.expected})")
    p = score_demo_pages()
    print(f"demo pages:     {p.correct}/{p.total} = {p.accuracy:.3f} published dates exact")
    for miss in s.misses + m.misses + p.misses:
        print("  ", miss)
    if REAL.exists():
        correct, total, misses = real_pages()
        print(f"real jp pages:  {correct}/{total} published dates exact to the minute with offset")
        for miss in misses:
            print("  ", miss)
    else:
        print(f"real jp pages:  skipped ({REAL} not present)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
