"""Datasette plugin (entry point `news_crawler`): our metadata on any news-crawler database.

Datasette's own `-m metadata.json` keys metadata by database name, that is the
file's stem; this hook gives titles, descriptions, facets and column notes to
every attached database that is ours (it has our `_migrations` and `articles`
tables), whatever its file is called. Local metadata still wins over ours.
"""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from datasette import hookimpl

METADATA = Path(__file__).with_name("metadata.json")
MARKER_TABLES = {"_migrations", "articles"}


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(METADATA.read_text(encoding="utf-8"))
    return data


_OURS: set[str] = set()  # only positives are remembered: a file may become ours when a crawl starts


def _is_ours(path: str) -> bool:
    if path in _OURS:
        return True
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    if MARKER_TABLES <= names:
        _OURS.add(path)
        return True
    return False


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any]:
    template = _template()
    ours = {
        name: template["databases"]["news"]
        for name, db in datasette.databases.items()
        if getattr(db, "path", None) and _is_ours(str(Path(db.path).resolve()))
    }
    if not ours:
        return {}
    return {"title": template["title"], "description": template["description"], "databases": ours}
