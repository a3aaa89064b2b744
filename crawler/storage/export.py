"""Reading articles out: export records, and which stored site a name means."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlite_utils

from crawler.storage.articles import decode_row


def resolve_site(db: sqlite_utils.Database, name: str) -> str | None:
    """The stored site key a user means by name: the key itself (a profile name, a host) or the
    site's human name (site_name); None when no article has either."""
    row = db.execute(
        "select site from articles where site = ? union all select site from articles where site_name = ? limit 1",
        [name, name],
    ).fetchone()
    return row[0] if row else None


def site_names(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("select distinct site from articles order by site")]


def iter_export(db: sqlite_utils.Database, site: str | None = None) -> Iterator[dict[str, Any]]:
    """Articles as export records: JSON columns decoded, date mentions nested, ordered by URL.

    The raw blocks stay in the database (they are the input of a re-clean, not the article)."""
    where, params = ("where site = ?", [site]) if site else ("", [])
    mentions: dict[str, list[dict[str, Any]]] = {}
    mention_sql = "select article_url, surface, offset, value, precision, kind from date_mentions order by id"
    for m in db.query(mention_sql):
        mentions.setdefault(m.pop("article_url"), []).append(m)
    for row in db.query(f"select * from articles {where} order by url", params):
        row = decode_row(row)
        row.pop("raw_blocks", None)
        row["date_mentions"] = mentions.get(row["url"], [])
        yield row
