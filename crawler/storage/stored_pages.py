"""Stored raw pages of articles, read back for re-extraction without fetching: from the zlib blob
in `pages`, or from the WARC record it points to (NEWS_WARC_DIR)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.archive.warc import DECODED_AWAY, read_record, read_response
from crawler.archive.writer import ArchivedPage

BodyRef = bytes | tuple[str, int]  # a zlib blob, or (WARC file, record offset)
StoredPage = tuple[str, str, str, BodyRef, str | None]  # url, fetched url, site, body, encoding


def load_body(ref: BodyRef) -> bytes:
    """The raw response body a stored page refers to (in a worker process when there are workers)."""
    if isinstance(ref, bytes):
        return zlib.decompress(ref)
    path, offset = ref
    return read_record(_existing(path), offset).body  # of a partial page, what arrived


def _existing(path: str) -> str:
    """The WARC file, or its `.open` name when the crawl that wrote it stopped before closing it."""
    if not Path(path).exists() and Path(path + ".open").exists():
        return path + ".open"
    return path


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


def iter_raw_pages(db: sqlite_utils.Database, where: str, params: list[Any]) -> Iterator[ArchivedPage]:
    """The raw pages of the articles an export filter selects (`where` on `articles`), with the
    headers they were stored with: a WARC record's own, or the content type for a zlib blob."""
    sql = (
        "select coalesce(a.fetched_url, a.url), p.fetched_at, p.http_status, p.encoding,"
        " p.html_zlib, p.warc_file, p.warc_offset from pages p join articles a on a.url = p.url"
        f" where {KEPT} and a.url in (select url from articles {where}) order by a.url"
    )
    for fetched, at, status, encoding, blob, warc_file, warc_offset in db.execute(sql, params):
        date = (at or "1970-01-01T00:00:00+00:00")[:19] + "Z"
        if blob is not None:
            headers = [("Content-Type", f"text/html; charset={encoding or 'utf-8'}")]
            yield ArchivedPage(fetched, date, status or 200, headers, zlib.decompress(blob))
            continue
        try:
            code, headers, body, _ = read_response(_existing(warc_file), int(warc_offset))
        except (OSError, ValueError):
            continue  # its WARC file moved away: nothing to copy
        kept = [(k, v) for k, v in headers if k.lower() not in DECODED_AWAY]
        yield ArchivedPage(fetched, date, code, kept, body)
