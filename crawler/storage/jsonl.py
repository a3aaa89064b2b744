"""JSON Lines for pipelines: one article a line, UTF-8 as it is (not ASCII-escaped).

The record's fields are described by a versioned JSON Schema shipped with the package
(crawler/schema/article.v1.schema.json); a test validates real export output against it. A new
field is a minor change within v1; renaming or removing one makes v2.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schema" / f"article.v{SCHEMA_VERSION}.schema.json"


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def write_jsonl(
    records: Iterable[dict[str, Any]], out: TextIO, progress: Callable[[int], None] | None = None, every: int = 200
) -> int:
    """Write records one per line; returns how many. progress(n) is called every `every` records."""
    count = 0
    for record in records:
        out.write(dumps(record) + "\n")
        count += 1
        if progress and count % every == 0:
            progress(every)
    if progress and count % every:
        progress(count % every)
    return count
