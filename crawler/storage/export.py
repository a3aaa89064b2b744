"""Reading articles out: export records with filters, per-day counts, which stored site a name means."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from crawler.storage.articles import decode_row
from crawler.storage.sql import chunks, marks


def local_day_sql(alias: str = "") -> str:
    """SQL for an article's local day (published_local keeps the page's offset); alias: "a." etc."""
    return f"substr(coalesce({alias}published_local, {alias}published_at), 1, 10)"


LOCAL_DAY = local_day_sql()
# Articles first published on each local day, per site; near-duplicates are not counted twice.
ARTICLES_PER_DAY_SQL = f"""select {LOCAL_DAY} as day, site, count(*) as articles
from articles
where published_at is not null and length(published_at) >= 10 and duplicate_of is null
group by day, site
order by day, site"""
EXTRA_FIELDS = ("date_mentions",)  # nested, from the date_mentions table
HIDDEN_COLUMNS = ("raw_blocks",)  # the input of a re-clean, not the article


@dataclass(frozen=True)
class ExportFilter:
    """Which articles to export. Days are the publisher's local days (YYYY-MM-DD), inclusive."""

    site: str | None = None  # a stored site key (resolve_site turns a name into one)
    language: str | None = None
    since: str | None = None
    until: str | None = None
    crawl_id: int | None = None  # articles last written by that crawl
    changed_since: str | None = None  # ISO-8601 UTC: content first stored or changed at or after
    duplicates: bool = True  # include near-duplicates (rows with duplicate_of set)

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for clause, value in (
            ("site = ?", self.site),
            ("language = ?", self.language),
            (f"{LOCAL_DAY} >= ?", self.since),
            (f"{LOCAL_DAY} <= ?", self.until),
            ("crawl_id = ?", self.crawl_id),
            ("last_changed_at >= ?", self.changed_since),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        if not self.duplicates:
            clauses.append("duplicate_of is null")
        return (("where " + " and ".join(clauses)) if clauses else ""), params


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


def export_fields(db: sqlite_utils.Database) -> list[str]:
    """Every field an export record can carry, in record order."""
    return [c for c in db["articles"].columns_dict if c not in HIDDEN_COLUMNS] + list(EXTRA_FIELDS)


def count_export(db: sqlite_utils.Database, filters: ExportFilter) -> int:
    where, params = filters.where()
    return int(db.execute(f"select count(*) from articles {where}", params).fetchone()[0])


def iter_export(
    db: sqlite_utils.Database, filters: ExportFilter | None = None, fields: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Articles as export records, ordered by URL, in constant memory: JSON columns decoded,
    date mentions nested (read per batch of articles), only `fields` when given."""
    where, params = (filters or ExportFilter()).where()
    wanted = fields or export_fields(db)
    columns = [c for c in wanted if c not in EXTRA_FIELDS]
    select = ", ".join(f"[{c}]" for c in dict.fromkeys(["url", *columns]))
    cursor = db.execute(f"select {select} from articles {where} order by url", params)
    names = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(500):
        rows = [dict(zip(names, r, strict=True)) for r in batch]
        mentions = _mentions(db, [r["url"] for r in rows]) if "date_mentions" in wanted else {}
        for row in rows:
            row = decode_row(row)
            if "date_mentions" in wanted:
                row["date_mentions"] = mentions.get(row["url"], [])
            yield {k: row[k] for k in wanted}


def _mentions(db: sqlite_utils.Database, urls: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for chunk in chunks(urls):
        sql = (
            "select article_url, surface, offset, value, precision, kind from date_mentions "
            f"where article_url in ({marks(chunk)}) order by id"
        )
        for m in db.query(sql, chunk):
            out.setdefault(m.pop("article_url"), []).append(m)
    return out


def articles_per_day(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query(ARTICLES_PER_DAY_SQL))
