"""The small SQL helpers every storage module shares; imports nothing of ours, so any storage
module can use them without reaching into `database` (which opens and migrates)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

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


def _cell(value: Any) -> Any:
    # As sqlite-utils stores it (the same bytes whichever way a row was written).
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=repr, ensure_ascii=False)
    return value


def write_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]], pk: str | None = None) -> None:
    """Rows into an existing table as one prepared statement run over all of them (with pk: an
    upsert that sets the columns the rows carry, as sqlite-utils' upsert_all does). A column a
    row lacks is NULL. sqlite-utils' insert_all built each batch's SQL and converted each value in
    Python, close to SQLite's own time for the rows (bench/README.md, "Issue 33 again")."""
    if not rows:
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks(columns)})'
    if pk is not None:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != pk)
        sql += f' ON CONFLICT("{pk}") DO ' + (f"UPDATE SET {sets}" if sets else "NOTHING")
    with db.atomic():
        db.conn.executemany(sql, [tuple(_cell(row.get(c)) for c in columns) for row in rows])


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


__all__ = ["CHUNK", "chunks", "dumps", "marks", "now_iso", "read_site_keys", "write_rows"]
