"""The small SQL helpers every storage module shares; imports nothing of ours, so any storage
module can use them without reaching into `database` (which opens and migrates)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CHUNK = 500  # bound parameters per IN (...) query, well under SQLite's limit


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def read_site_keys(path: str | Path, table: str) -> dict[str, frozenset[str]]:
    """Every site's keys in a learned-model table (`site`, `key` columns), read-only; {} when there
    is no database yet, or one that is not ours or older than the table. What the clean pipeline
    reads when a crawl starts, so the item it emits is the row stored."""
    if not path or not Path(path).is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute(f"select site, key from {table}").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}
    out: dict[str, set[str]] = {}
    for site, key in rows:
        out.setdefault(site, set()).add(key)
    return {site: frozenset(keys) for site, keys in out.items()}


__all__ = ["CHUNK", "chunks", "dumps", "marks", "now_iso", "read_site_keys"]
