"""How much each kind of date signal should count when a page's signals disagree, measured.

    .venv/bin/python bench/realpages.py --split --sets dates,web,wcxb-dev --keep /tmp/rpk
    .venv/bin/python bench/date_weights.py /tmp/rpk [--fit]

Reads the databases a `realpages.py --keep` run leaves, and replays the day choice of every
labelled page from its stored `date_signals` (crawler/page/dates.py, the product's own code) with
the weights of crawler/text/signals.py (WEIGHTS). It prints, per half of each set, the day
accuracy; and, per kind of signal, on the pages whose signals name more than one day, how often
that kind's day is the labelled one (the evidence the weights stand on). `--fit` searches the
weights by coordinate ascent on the tuning halves only (`half_of`) and prints both halves with
the weights found: a weight is worth changing only when the held-back halves gain too.
Skips cleanly when the shared pages are absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import sqlite_utils
from realpages import REAL, half_of, load_set

from crawler.page.dates import DateRules, choose_dates
from crawler.text import signals

SETS = ("dates", "web", "wcxb-dev")
GRID = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)


def pages(folder: Path) -> list[dict[str, Any]]:
    """Every labelled, stored, dated article: its item for choose_dates, its label, set and half."""
    out = []
    for name in SETS:
        db = folder / f"{name}-ours.db"
        if not db.exists():
            continue
        rows = {
            unquote(r["fetched_url"] or r["url"]): r
            for r in sqlite_utils.Database(db).query(
                "select url, fetched_url, timezone, timezone_source, language, fetched_at, date_signals from articles"
            )
        }
        for case in load_set(name, None):
            row = rows.get(unquote(case.served))
            if not case.day or case.kind == "listing" or row is None:
                continue
            found = json.loads(row["date_signals"] or "{}")
            stated = row["timezone_source"] in {"profile", "argument"}  # else inferred again, as the crawl did
            item = {
                "url": row["url"],
                "timezone": row["timezone"] if stated else None,
                "timezone_source": row["timezone_source"] if stated else None,
                "language": row["language"],
                "fetched_at": row["fetched_at"],
                "date_signals": {
                    "published": [{"raw": s["raw"], "source": s["source"]} for s in found.get("published") or []]
                },
            }
            out.append({"item": item, "day": case.day, "set": name, "half": half_of(case.key)})
    return out


def accuracy(data: list[dict[str, Any]], weights: dict[str, float]) -> dict[tuple[str, str], tuple[int, int]]:
    saved = dict(signals.WEIGHTS)
    signals.WEIGHTS.clear()
    signals.WEIGHTS.update(weights)
    try:
        tally: Counter[tuple[str, str, bool]] = Counter()
        for page in data:
            local = choose_dates(page["item"], DateRules()).fields.get("published_local") or ""
            tally[(page["set"], page["half"], local[:10] == page["day"])] += 1
    finally:
        signals.WEIGHTS.clear()
        signals.WEIGHTS.update(saved)
    return {(s, h): (tally[(s, h, True)], tally[(s, h, True)] + tally[(s, h, False)]) for s, h, _ in tally}


def evidence(data: list[dict[str, Any]], half: str) -> None:
    """Per kind of signal, on pages whose signals name several days: right / named."""
    right: Counter[str] = Counter()
    named: Counter[str] = Counter()
    for page in data:
        if page["half"] != half:
            continue
        chosen = choose_dates(page["item"], DateRules())
        days: dict[str, str] = {}
        for signal in chosen.fields["date_signals"]["published"]:
            value = signal.get("value")
            if value and len(value) >= 10:
                days.setdefault(signal["source"].split(":", 1)[0], value[:10])
        if len(set(days.values())) < 2:
            continue
        for kind, day in days.items():
            named[kind] += 1
            right[kind] += day == page["day"]  # a UTC value's day: close enough to rank the kinds
    for kind, n in named.most_common():
        weight = signals.WEIGHTS.get(kind, signals.OTHER_WEIGHT)
        print(f"  {kind:10} right {right[kind]:4}/{n:<4} {right[kind] / n:.2f}  weight {weight}")


def show(result: dict[tuple[str, str], tuple[int, int]], label: str) -> float:
    parts, total = [], 0.0
    for name in SETS:
        for half in ("tune", "held"):
            right, n = result.get((name, half), (0, 0))
            if n:
                parts.append(f"{name}/{half} {right / n:.3f} ({right}/{n})")
                total += right / n if half == "tune" else 0.0
    print(f"{label}: " + ", ".join(parts))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where realpages.py --keep left <set>-ours.db")
    parser.add_argument("--fit", action="store_true", help="search the weights on the tuning halves")
    args = parser.parse_args()
    if not REAL.exists():
        print(f"skipped: {REAL} is not present")
        return 0
    data = pages(args.folder)
    if not data:
        print(f"no databases in {args.folder}: run bench/realpages.py --keep first")
        return 1
    weights = dict(signals.WEIGHTS)
    show(accuracy(data, weights), "now")
    print("evidence on the tuning halves (pages whose signals name more than one day):")
    evidence(data, "tune")
    if not args.fit:
        return 0
    best = sum(r / n for (s, h), (r, n) in accuracy(data, weights).items() if h == "tune")
    for _ in range(3):  # coordinate ascent: each kind's weight in turn, the rest held
        changed = False
        for kind in sorted(k for k in weights if k != "selector"):
            for value in GRID:
                trial = {**weights, kind: value}
                got = sum(r / n for (s, h), (r, n) in accuracy(data, trial).items() if h == "tune")
                if got > best + 1e-9:
                    best, weights, changed = got, trial, True
        if not changed:
            break
    print("fitted:", json.dumps(weights))
    show(accuracy(data, weights), "fitted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
