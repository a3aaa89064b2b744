"""Raw pages (compressed, for re-processing without fetching) and dropped items."""

from __future__ import annotations

import zlib
from typing import Any

import sqlite_utils

from crawler.storage.sql import dumps


def page_row(
    url: str,
    body: bytes,
    crawl_id: int | None,
    fetched_at: str | None,
    status: int | None,
    encoding: str | None,
    warc: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """A `pages` row: the raw response body, compressed, kept for re-processing; or, when the
    response was written to a WARC file (NEWS_WARC_DIR), a pointer to its record instead."""
    return {
        "url": url,
        "fetched_at": fetched_at,
        "http_status": status,
        "encoding": encoding,
        "html_zlib": None if warc else zlib.compress(body, 6),
        "warc_file": warc[0] if warc else None,
        "warc_offset": warc[1] if warc else None,
        "crawl_id": crawl_id,
    }


def record_pages(db: sqlite_utils.Database, pages: list[dict[str, Any]]) -> None:
    if pages:
        db.table("pages").upsert_all(pages, pk="url")


def record_decisions(db: sqlite_utils.Database, decisions: list[dict[str, Any]]) -> None:
    """The latest decision per URL (a page seen twice in a crawl keeps its last)."""
    if decisions:
        latest = {d["url"]: {**d, "signals": dumps(d.get("signals") or {})} for d in decisions}
        db.table("decisions").upsert_all(list(latest.values()), pk="url")


def record_drops(db: sqlite_utils.Database, drops: list[dict[str, Any]]) -> None:
    if drops:
        db.table("drops").insert_all(drops)
