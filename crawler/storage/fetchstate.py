"""The seen-state of fetched article URLs: validators for conditional GETs, when each was last
fetched and what its listing said, so a later run fetches only what may have changed.

Keyed by the canonical form of the fetched URL (the form request fingerprints use), so it
works with Scrapy's own duplicate filter; `article_url` is the stored article it gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from crawler.storage.sql import chunks, marks, write_rows


@dataclass(frozen=True)
class Seen:
    article_url: str | None
    etag: str | None
    last_modified: str | None
    listing_date: str | None
    fetched_at: str | None
    published_at: str | None


def load_seen(db: sqlite_utils.Database) -> dict[str, Seen]:
    """Every fetched article URL with its validators and its article's publication time."""
    sql = (
        "select f.url, f.article_url, f.etag, f.last_modified, f.listing_date, f.fetched_at, a.published_at "
        # Only URLs whose article is stored: a fetch whose article was not committed is not seen.
        "from fetch_state f join articles a on a.url = f.article_url"
    )
    return {row[0]: Seen(*row[1:]) for row in db.execute(sql)}


def record_seen(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> None:
    """Upsert fetch_state rows: url, article_url, etag, last_modified, listing_date, fetched_at, http_status."""
    if rows:
        write_rows(db, "fetch_state", rows, pk="url")


def record_not_modified(db: sqlite_utils.Database, urls: list[str], stamp: str) -> int:
    """A 304: the URL was checked now and its article is unchanged (only last_seen_at moves)."""
    touched = 0
    for chunk in chunks(urls):
        db.execute(f"update fetch_state set fetched_at = ?, http_status = 304 where url in ({marks(chunk)})",
                   [stamp, *chunk])  # fmt: skip
        cursor = db.execute(
            f"update articles set last_seen_at = ? where url in "
            f"(select article_url from fetch_state where url in ({marks(chunk)}))",
            [stamp, *chunk],
        )
        touched += cursor.rowcount
    return touched
