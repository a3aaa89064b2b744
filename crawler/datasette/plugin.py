"""Datasette plugin (entry point `news_crawler`): our metadata on any news-crawler database.

Datasette's own `-m metadata.json` keys metadata by database name, that is the
file's stem; this hook gives titles, descriptions, facets and column notes to
every attached database that is ours (it has our `_migrations` and `articles`
tables), whatever its file is called. Local metadata still wins over ours.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from datasette import hookimpl

from crawler.storage.database import is_news_database

METADATA = Path(__file__).with_name("metadata.json")


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(METADATA.read_text(encoding="utf-8"))
    return data


_OURS: set[str] = set()  # only positives are remembered: a file may become ours when a crawl starts


def _is_ours(path: str) -> bool:
    if path not in _OURS and is_news_database(path):
        _OURS.add(path)
    return path in _OURS


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
