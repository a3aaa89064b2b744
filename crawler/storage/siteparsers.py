"""Learned site parsers in the database (table `site_parsers`): read when a run starts (the
snapshot handed to the workers), written at its end with what the run learned and how its
samples agreed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.storage.sql import now_iso

COUNTERS = ("pages", "doubtful", "samples", "samples_agreed", "relearned")


def read_parsers(path: str | Path) -> dict[str, str]:
    """{site: parser JSON} of every active parser, read-only; {} without a database (or one older
    than the table)."""
    if not path or not Path(path).is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute("select site, parser from site_parsers where state = 'active'").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}
    return {site: parser for site, parser in rows if parser}


def parser_rows(db: sqlite_utils.Database, site: str | None = None) -> list[dict[str, Any]]:
    if not db["site_parsers"].exists():
        return []
    where, args = ("where site = ?", [site]) if site else ("", [])
    return list(db.query(f"select * from site_parsers {where} order by site", args))


def record_parsers(db: sqlite_utils.Database, reports: dict[str, dict[str, Any]]) -> None:
    """A run's report per site: {state, reason, parser, body_selector, pages_learned, learned}
    and counters (pages, doubtful, samples, samples_agreed, relearned, f1_sum) added to the
    stored ones; a newly learned parser starts its counters afresh."""
    table = db.table("site_parsers")
    for site, report in reports.items():
        old = next(iter(db.query("select * from site_parsers where site = ?", [site])), None)
        fresh = bool(report.get("learned")) or old is None
        row: dict[str, Any] = (
            dict(old or {}) if not fresh else {"site": site, "relearned": (old or {}).get("relearned") or 0}
        )
        for key in ("state", "reason", "parser", "body_selector", "pages_learned"):
            if key in report:
                row[key] = report[key]
        if report.get("learned"):
            row["learned_at"] = now_iso()
        for key in COUNTERS:
            row[key] = (row.get(key) or 0) + (report.get(key) or 0)
        samples = row.get("samples") or 0
        before = (old or {}).get("sample_body_f1") if not fresh else None
        earlier = ((old or {}).get("samples") or 0) if not fresh else 0
        total = (before or 0.0) * earlier + (report.get("f1_sum") or 0.0)
        row["sample_body_f1"] = round(total / samples, 4) if samples else None
        table.upsert(row, pk="site")
