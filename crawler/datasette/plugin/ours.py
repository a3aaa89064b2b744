"""Which attached databases are ours: they have our `_migrations` and `articles` tables,
whatever their files are called. Only ours get the plugin's metadata, functions and pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.storage.database import is_news_database

_OURS: set[str] = set()  # only positives are remembered: a file may become ours when a crawl starts


def _is_ours(path: str) -> bool:
    if path not in _OURS and is_news_database(path):
        _OURS.add(path)
    return path in _OURS


def our_databases(datasette: Any) -> list[str]:
    return [
        name
        for name, db in datasette.databases.items()
        if getattr(db, "path", None) and _is_ours(str(Path(db.path).resolve()))
    ]
