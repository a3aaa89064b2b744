"""Stored raw pages of articles, read back for re-extraction without fetching."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

StoredPage = tuple[str, str, str, bytes, str | None]  # url, fetched url, site, zlib body, encoding


def _where(site: str | None) -> tuple[str, list[str]]:
    return ("and a.site = ?", [site]) if site else ("", [])


def iter_stored_pages(db: sqlite_utils.Database, site: str | None) -> Iterator[StoredPage]:
    where, params = _where(site)
    sql = (
        "select a.url, coalesce(a.fetched_url, a.url), a.site, p.html_zlib, p.encoding"
        f" from articles a join pages p on p.url = a.url where p.html_zlib is not null {where} order by a.url"
    )
    yield from db.execute(sql, params)


def count_stored_pages(db: sqlite_utils.Database, site: str | None) -> int:
    where, params = _where(site)
    sql = f"select count(*) from articles a join pages p on p.url = a.url where p.html_zlib is not null {where}"
    return int(db.execute(sql, params).fetchone()[0])
