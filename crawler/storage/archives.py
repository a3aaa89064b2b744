"""The WARC files a database has ingested (`warc_files`), and the records of a file in progress
already stored (`warc_done`): what makes `news-crawler ingest` idempotent and resumable.

A file is known by its size and the digest of its first MiB (its name is kept to show), so the
same file under another name or path is not ingested twice, and a file that grew or changed is
a new one. While it is
`running`, every record whose outcome was committed (its article, drop or page decision) has a
`warc_done` row written in the same transaction as that outcome; an ingest that was killed skips
exactly those records when it runs again. When the file is `done` its rows are deleted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.storage.sql import chunks, marks, now_iso

HEAD_BYTES = 1 << 20


def file_identity(path: str | Path) -> tuple[str, int, str]:
    """(name, size, sha256 of the first MiB) of a local file."""
    p = Path(path)
    with p.open("rb") as fh:
        head = hashlib.sha256(fh.read(HEAD_BYTES)).hexdigest()
    return p.name, p.stat().st_size, head


def register(db: sqlite_utils.Database, path: str | Path, source: str | None = None) -> dict[str, Any]:
    """The file's `warc_files` row, created (state `running`) when the file is new."""
    name, size, head = file_identity(path)
    rows = list(db.query("select * from warc_files where size = ? and head_sha256 = ?", [size, head]))
    if rows:
        return rows[0]
    with db.atomic():
        db.table("warc_files").insert(
            {
                "name": name,
                "source": source or str(path),
                "size": size,
                "head_sha256": head,
                "state": "running",
                "records": 0,
                "counts": "{}",
                "started_at": now_iso(),
            }
        )
        row_id = db.execute("select last_insert_rowid()").fetchone()[0]
    return dict(db.table("warc_files").get(row_id))


def done_offsets(db: sqlite_utils.Database, file_id: int) -> set[int]:
    return {r[0] for r in db.execute("select offset from warc_done where file_id = ?", [file_id])}


def record_done(db: sqlite_utils.Database, records: list[tuple[int, int]]) -> None:
    """Mark records (file id, offset) as stored; called inside the batch's transaction."""
    if records:
        db.conn.executemany("insert or ignore into warc_done (file_id, offset) values (?, ?)", records)


def finish(db: sqlite_utils.Database, file_id: int, records: int, counts: dict[str, int], crawl_id: int | None) -> None:
    """The file was read to its end and every record's outcome is stored: `done`, its offsets gone."""
    with db.atomic():
        db.table("warc_files").update(
            file_id,
            {
                "state": "done",
                "records": records,
                "counts": json.dumps(counts, sort_keys=True),
                "crawl_id": crawl_id,
                "finished_at": now_iso(),
            },
        )
        db.execute("delete from warc_done where file_id = ?", [file_id])


def progress(
    db: sqlite_utils.Database, file_id: int, records: int, counts: dict[str, int], crawl_id: int | None
) -> None:
    """A file not finished (the run stopped): its counts so far; it stays `running`."""
    with db.atomic():
        db.table("warc_files").update(
            file_id, {"records": records, "counts": json.dumps(counts, sort_keys=True), "crawl_id": crawl_id}
        )


def files(db: sqlite_utils.Database, ids: list[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for chunk in chunks(ids):
        out.extend(db.query(f"select * from warc_files where id in ({marks(chunk)}) order by id", chunk))
    return out
