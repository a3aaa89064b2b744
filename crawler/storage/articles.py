"""Writing articles: one row per URL plus its child rows (stripped blocks, date mentions).

The article dicts written here are the items as they left the pipelines (or, on a re-clean,
stored rows with a new cleaning): nothing is recomputed, only encoded for SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import sqlite_utils

from crawler.extract.titles import affix_candidates, title_key
from crawler.items import CHILD_FIELDS, COLUMN_FIELDS
from crawler.storage.boilerplate import replace_occurrences
from crawler.storage.sql import chunks, dumps, marks, now_iso, write_rows
from crawler.text.prepared import Prepared, row_block_keys

JSON_COLUMNS = ("raw_blocks", "authors", "date_signals")


def article_row(article: dict[str, Any], crawl_id: int | None) -> dict[str, Any]:
    """The `articles` row of an article: its column fields, lists and mappings as JSON text."""
    row = {k: article.get(k) for k in COLUMN_FIELDS}
    for column in JSON_COLUMNS:
        value = row[column]
        if value is not None and not isinstance(value, str):
            row[column] = dumps(value)
    row["published_tz_assumed"] = int(bool(row["published_tz_assumed"]))
    row["crawl_id"] = crawl_id
    return row


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row back into article form (JSON columns decoded)."""
    for column in JSON_COLUMNS:
        if isinstance(row.get(column), str):
            row[column] = json.loads(row[column])
    if "published_tz_assumed" in row:
        row["published_tz_assumed"] = bool(row["published_tz_assumed"])
    return row


def read_articles(db: sqlite_utils.Database, urls: list[str]) -> dict[str, dict[str, Any]]:
    """Stored articles by URL in the item's own shape: the Article fields exactly (columns decoded,
    stripped blocks and date mentions nested as the pipelines made them), nothing of storage's
    bookkeeping. What a feed export writes once the crawl's re-clean is done."""
    out: dict[str, dict[str, Any]] = {}
    select = ", ".join(f"[{c}]" for c in COLUMN_FIELDS)
    for chunk in chunks(list(dict.fromkeys(urls))):
        for row in db.query(f"select {select} from articles where url in ({marks(chunk)})", chunk):
            out[row["url"]] = {**decode_row(row), **{name: [] for name in CHILD_FIELDS}}
        children = (
            ("stripped_blocks", "select article_url, position, text, reason from stripped_blocks"),
            ("date_mentions", "select article_url, surface, offset, value, precision, kind from date_mentions"),
        )
        for field, sql in children:
            for child in db.query(f"{sql} where article_url in ({marks(chunk)}) order by id", chunk):
                article = out.get(child.pop("article_url"))
                if article is not None:
                    article[field].append(child)
    return out


def write_articles(
    db: sqlite_utils.Database,
    articles: list[dict[str, Any]],
    crawl_id: int | None,
    keep_versions: bool = True,
    also: Callable[[], None] | None = None,
    occurrences: bool = True,
    prepared: Mapping[str, Prepared] | None = None,
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Insert or update articles by URL in one transaction (the later of two versions of one URL
    wins). Returns inserted/updated/unchanged/emptied counts and the rows written.

    A fetch whose title or body differs from the stored one (a new content hash) first copies
    the stored version to `article_versions` (keep_versions; a re-clean is not a new version of
    the publisher's text and passes False). Every write moves `last_seen_at`. `also` runs inside
    the same transaction (the fetch state of these articles: committed with them or not at all).
    occurrences=False leaves the block occurrences as they are: a re-clean of unchanged raw
    blocks (the occurrences are keys of the raw blocks, and rewriting them was most of the cost
    of re-storing a site after its model changed)."""
    latest = {a["url"]: a for a in articles}
    counts = {"inserted": 0, "updated": 0, "unchanged": 0, "emptied": 0}
    if not latest:
        return counts, []
    urls = list(latest)
    existing: dict[str, str] = {}
    for chunk in chunks(urls):
        existing.update(db.execute(f"select url, content_hash from articles where url in ({marks(chunk)})", chunk))
    stamp = now_iso()
    rows, new_rows, changed_rows, same_rows = [], [], [], []
    for url, article in latest.items():
        row = article_row(article, crawl_id)
        row["last_seen_at"] = row.get("fetched_at") or stamp
        rows.append(row)
        # Every block was boilerplate, a repeat or empty: stored (raw blocks kept), but counted.
        counts["emptied"] += not row["body"]
        if url not in existing:
            counts["inserted"] += 1
            new_rows.append({**row, "first_seen_at": stamp, "last_changed_at": stamp, "version_count": 1})
        elif existing[url] != row["content_hash"]:
            counts["updated"] += 1
            changed_rows.append({**row, "last_changed_at": stamp})
        else:
            counts["unchanged"] += 1
            same_rows.append(row)
    with db.atomic():
        if keep_versions and changed_rows:
            _keep_versions(db, changed_rows, stamp)
        replace_children(db, list(latest.values()), occurrences, prepared)
        # One call per shape: an upsert writes every column its rows carry, so unchanged rows,
        # which carry no last_changed_at, keep theirs.
        for group in (new_rows, changed_rows, same_rows):
            if group:
                write_rows(db, "articles", group, pk="url")
        if also is not None:
            also()
    return counts, rows


VERSION_COLUMNS = ("title", "body", "published_at", "modified_at", "content_hash", "crawl_id")


def _keep_versions(db: sqlite_utils.Database, changed: list[dict[str, Any]], stamp: str) -> None:
    """Copy the stored version of each changed article to article_versions; count versions."""
    by_url = {row["url"]: row for row in changed}
    for chunk in chunks(list(by_url)):
        cols = ", ".join(VERSION_COLUMNS)
        sql = (
            f"select url, {cols}, coalesce(last_changed_at, first_seen_at) as seen_from, "
            f"coalesce(last_seen_at, fetched_at) as seen_until, coalesce(version_count, 1) as version "
            f"from articles where url in ({marks(chunk)})"
        )
        old = list(db.query(sql, chunk))
        db.table("article_versions").insert_all([{**row, "replaced_at": stamp} for row in old])
        for row in old:
            by_url[row["url"]]["version_count"] = row["version"] + 1


def replace_children(
    db: sqlite_utils.Database,
    articles: list[dict[str, Any]],
    occurrences: bool = True,
    prepared: Mapping[str, Prepared] | None = None,
) -> None:
    """Stripped blocks, date mentions and block occurrences are replaced with the latest version's."""
    urls = [a["url"] for a in articles]
    for chunk in chunks(urls):
        for table in ("stripped_blocks", "date_mentions"):
            db.execute(f"delete from {table} where article_url in ({marks(chunk)})", chunk)
    stripped = [
        {**s, "article_url": a["url"], "site": a["site"]} for a in articles for s in a.get("stripped_blocks") or []
    ]
    mentions = [{**m, "article_url": a["url"]} for a in articles for m in a.get("date_mentions") or []]
    if stripped:
        write_rows(db, "stripped_blocks", stripped)
    if mentions:
        write_rows(db, "date_mentions", mentions)
    if not occurrences:
        return
    made = prepared or {}
    replace_occurrences(
        db,
        {
            (a["url"], a["site"]): list(made[a["url"]].block_keys) if a["url"] in made else row_block_keys(_blocks(a))
            for a in articles
        },
    )
    replace_title_parts(db, articles)


def replace_title_parts(db: sqlite_utils.Database, articles: list[dict[str, Any]]) -> None:
    """The candidate affixes of each article's page title, replacing the article's earlier ones."""
    urls = [a["url"] for a in articles]
    for chunk in chunks(urls):
        db.execute(f"delete from title_parts where article_url in ({marks(chunk)})", chunk)
    rows = [
        {"article_url": a["url"], "site": a["site"], "key": key, "text": text, "title_key": title_key(a["page_title"])}
        for a in articles
        if a.get("page_title")
        for key, text in affix_candidates(a["page_title"]).items()
    ]
    if rows:
        write_rows(db, "title_parts", rows)


def _blocks(article: dict[str, Any]) -> list[str]:
    raw = article.get("raw_blocks") or []
    return json.loads(raw) if isinstance(raw, str) else list(raw)


def rows_with_raw_blocks(db: sqlite_utils.Database, urls: list[str]) -> list[dict[str, Any]]:
    """Stored articles that can be re-cleaned (rows written before raw blocks were kept cannot)."""
    out: list[dict[str, Any]] = []
    for chunk in chunks(urls):
        out += db.query(f"select * from articles where url in ({marks(chunk)}) and raw_blocks is not null", chunk)
    return out


Reextracted = tuple[str, list[str], str | None, str | None]  # url, raw blocks, title, page title


def replace_raw_blocks(db: sqlite_utils.Database, updates: list[Reextracted]) -> list[str]:
    """Store re-extracted raw blocks, the extracted title and the page's <title> (each when one
    was found); return the URLs whose blocks or titles changed (the stored title is made from the
    extracted one by the re-clean that follows)."""
    urls = [u for u, *_ in updates]
    current: dict[str, tuple[str, str | None, str | None]] = {}
    for chunk in chunks(urls):
        sql = (
            "select url, raw_blocks, coalesce(title_extracted, title), page_title"
            f" from articles where url in ({marks(chunk)})"
        )
        current.update((u, (b, t, p)) for u, b, t, p in db.execute(sql, chunk))
    changed = [
        (u, b, t, p)
        for u, b, t, p in updates
        if u in current and current[u] != (dumps(b), t or current[u][1], p or current[u][2])
    ]
    with db.atomic():
        for url, blocks, title, page_title in changed:
            db.execute(
                "update articles set raw_blocks = ?, title = coalesce(?, title),"
                " title_extracted = coalesce(?, title_extracted, title), page_title = coalesce(?, page_title)"
                " where url = ?",
                [dumps(blocks), title, title, page_title, url],
            )
    return [u for u, *_ in changed]
