"""Open the database and write articles, pages, drops and crawl runs in batches."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.storage.migrations import migrate

ARTICLE_COLUMNS = (
    "url",
    "site",
    "title",
    "body",
    "published_at",
    "modified_at",
    "language",
    "authors",
    "section",
    "description",
    "canonical_url",
    "image_url",
    "published_raw",
    "published_source",
    "published_tz_assumed",
    "modified_raw",
    "modified_source",
    "timezone",
    "timezone_source",
    "blocks_total",
    "blocks_stripped",
    "extractor",
    "content_hash",
    "fetched_at",
    "crawl_id",
    "published_precision",
    "date_signals",
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a news database in WAL mode, migrated to the current schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    migrate(db)
    return db


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class ArticleStore:
    """Write side of the database. One instance per crawl process (one writer)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- crawl runs --------------------------------------------------------

    def start_crawl(self, spider_args: dict[str, Any]) -> int:
        with self.db.conn:
            table = self.db["crawls"].insert(
                {"started_at": now_iso(), "status": "running", "spider_args": _dumps(spider_args)}
            )
        return int(table.last_pk)

    def finish_crawl(self, crawl_id: int, **fields: Any) -> None:
        row = {k: (_dumps(v) if isinstance(v, dict) else v) for k, v in fields.items()}
        row.setdefault("finished_at", now_iso())
        with self.db.conn:
            self.db["crawls"].update(crawl_id, row)

    def crawl(self, crawl_id: int) -> dict[str, Any]:
        return self.db["crawls"].get(crawl_id)

    # -- articles ----------------------------------------------------------

    def upsert_articles(self, items: Iterable[dict[str, Any]], crawl_id: int | None) -> dict[str, int]:
        """Insert or update articles by URL in one batch; return inserted/updated/unchanged counts."""
        rows, pages = [], []
        items_list = list(items)
        for item in items_list:
            row = {k: item.get(k) for k in ARTICLE_COLUMNS}
            row["authors"] = _dumps(item.get("authors") or [])
            row["published_tz_assumed"] = int(bool(item.get("published_tz_assumed")))
            row["content_hash"] = content_hash(row["title"] or "", row["body"] or "")
            row["blocks_total"] = len(item.get("blocks") or [])
            row["crawl_id"] = crawl_id
            rows.append(row)
            if item.get("raw_html") is not None:
                pages.append(
                    {
                        "url": row["url"],
                        "fetched_at": row["fetched_at"],
                        "http_status": item.get("http_status"),
                        "encoding": item.get("encoding"),
                        "html_zlib": zlib.compress(item["raw_html"], 6),
                        "crawl_id": crawl_id,
                    }
                )
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        if not rows:
            return counts
        urls = [r["url"] for r in rows]
        existing: dict[str, str] = {}
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            marks = ",".join("?" * len(chunk))
            existing.update(
                self.db.execute(f"select url, content_hash from articles where url in ({marks})", chunk).fetchall()
            )
        new_rows, old_rows = [], []
        stamp = now_iso()
        for row in rows:
            if row["url"] in existing:
                counts["updated" if existing[row["url"]] != row["content_hash"] else "unchanged"] += 1
                old_rows.append(row)
            else:
                # Within one batch the same URL may come twice; count it once.
                existing[row["url"]] = row["content_hash"]
                counts["inserted"] += 1
                new_rows.append({**row, "first_seen_at": stamp})
        mentions = [{**m, "article_url": item["url"]} for item in items_list for m in (item.get("date_mentions") or [])]
        with self.db.conn:
            # An article's mentions are replaced with the latest crawl's.
            for start in range(0, len(urls), 500):
                chunk = urls[start : start + 500]
                self.db.execute(f"delete from date_mentions where article_url in ({','.join('?' * len(chunk))})", chunk)
            if mentions:
                self.db["date_mentions"].insert_all(mentions)
            if new_rows:
                self.db["articles"].upsert_all(new_rows, pk="url")
            if old_rows:
                self.db["articles"].upsert_all(old_rows, pk="url")
            if pages:
                self.db["pages"].upsert_all(pages, pk="url")
        return counts

    def record_drops(self, drops: list[dict[str, Any]]) -> None:
        if drops:
            with self.db.conn:
                self.db["drops"].insert_all(drops)

    def record_pages(self, pages: list[dict[str, Any]]) -> None:
        if pages:
            with self.db.conn:
                self.db["pages"].upsert_all(pages, pk="url")


def iter_export(db: sqlite_utils.Database, site: str | None = None) -> Iterator[dict[str, Any]]:
    """Articles as export records: JSON columns decoded, date mentions nested, ordered by URL."""
    where, params = ("where site = ?", [site]) if site else ("", [])
    mentions: dict[str, list[dict[str, Any]]] = {}
    if db["date_mentions"].exists():
        for m in db.query("select article_url, surface, offset, value, precision, kind from date_mentions order by id"):
            mentions.setdefault(m.pop("article_url"), []).append(m)
    for row in db.query(f"select * from articles {where} order by url", params):
        row["authors"] = json.loads(row["authors"] or "[]")
        row["date_signals"] = json.loads(row["date_signals"] or "{}")
        row["published_tz_assumed"] = bool(row["published_tz_assumed"])
        row["date_mentions"] = mentions.get(row["url"], [])
        yield row
