"""Stored raw pages of articles, read back for re-extraction without fetching: from the zlib blob
in `pages`, or from the WARC record it points to (NEWS_WARC_DIR)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from crawler.archive.warc import read_response

BodyRef = bytes | tuple[str, int]  # a zlib blob, or (WARC file, record offset)
StoredPage = tuple[str, str, str, BodyRef, str | None]  # url, fetched url, site, body, encoding


def load_body(ref: BodyRef) -> bytes:
    """The raw response body a stored page refers to (in a worker process when there are workers)."""
    if isinstance(ref, bytes):
        return zlib.decompress(ref)
    path, offset = ref
    if not Path(path).exists() and Path(path + ".open").exists():
        path += ".open"  # the crawl that wrote it was stopped before closing the file
    return read_response(path, offset)[2]


def _where(site: str | None) -> tuple[str, list[str]]:
    return ("and a.site = ?", [site]) if site else ("", [])


KEPT = "(p.html_zlib is not null or p.warc_file is not null)"


def iter_stored_pages(db: sqlite_utils.Database, site: str | None) -> Iterator[StoredPage]:
    where, params = _where(site)
    sql = (
        "select a.url, coalesce(a.fetched_url, a.url), a.site, p.html_zlib, p.warc_file, p.warc_offset, p.encoding"
        f" from articles a join pages p on p.url = a.url where {KEPT} {where} order by a.url"
    )
    for url, fetched, key, blob, warc_file, warc_offset, encoding in db.execute(sql, params):
        ref: BodyRef = blob if blob is not None else (warc_file, int(warc_offset))
        yield url, fetched, key, ref, encoding


def count_stored_pages(db: sqlite_utils.Database, site: str | None) -> int:
    where, params = _where(site)
    sql = f"select count(*) from articles a join pages p on p.url = a.url where {KEPT} {where}"
    return int(db.execute(sql, params).fetchone()[0])
