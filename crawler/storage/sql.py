"""The small SQL helpers every storage module shares; imports nothing of ours, so any storage
module can use them without reaching into `database` (which opens and migrates)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
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


__all__ = ["CHUNK", "chunks", "dumps", "marks", "now_iso"]
