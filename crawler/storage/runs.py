"""The `crawls` table: one row per run, opened at start, closed with counts, drops and stats."""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import sqlite_utils

from crawler.schedule.locks import pid_alive
from crawler.storage.sql import dumps, now_iso


def start_crawl(
    db: sqlite_utils.Database, spider_args: dict[str, Any], config: dict[str, Any], site: str | None = None
) -> int:
    """Open a run's row; first mark as `killed` the runs left `running` by a dead process."""
    with db.atomic():
        mark_killed(db)
        table = db.table("crawls").insert(
            {
                "started_at": now_iso(),
                "status": "running",
                "spider_args": dumps(spider_args),
                "config": dumps(config),
                "site": site,
                "pid": os.getpid(),
                "host": socket.gethostname(),
            }
        )
    assert table.last_pk is not None
    return int(table.last_pk)


def mark_killed(db: sqlite_utils.Database) -> int:
    """Runs still `running` whose process is gone (killed hard: SIGKILL, power loss) become
    `killed`. A run of another host, or of a live process, is left alone; a run recorded before
    PIDs were kept (no pid) is taken as dead."""
    host = socket.gethostname()
    dead = [
        crawl_id
        for crawl_id, pid, crawl_host in db.execute("select id, pid, host from crawls where status = 'running'")
        if pid is None or (crawl_host == host and not pid_alive(int(pid)))
    ]
    for crawl_id in dead:
        db.execute(
            "update crawls set status = 'killed', finish_reason = 'killed' where id = ?",
            [crawl_id],
        )
    return len(dead)


def finish_crawl(db: sqlite_utils.Database, crawl_id: int, **fields: Any) -> None:
    row = {k: (dumps(v) if isinstance(v, dict) else v) for k, v in fields.items()}
    row.setdefault("finished_at", now_iso())
    with db.atomic():
        db.table("crawls").update(crawl_id, row)


def last_crawl(db: sqlite_utils.Database) -> dict[str, Any] | None:
    rows = list(db.query("select * from crawls order by id desc limit 1"))
    return rows[0] if rows else None


def recorded_config(db: sqlite_utils.Database) -> dict[str, Any]:
    """The cleaning settings of the latest crawl that recorded them ({} for older databases)."""
    row = db.execute("select config from crawls where config is not null order by id desc limit 1").fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def crawl_report(db: sqlite_utils.Database, crawl_id: int) -> dict[str, int]:
    """Blocks stripped by reason and near-duplicates among the articles a crawl wrote."""
    report = {
        f"stripped_{reason}": n
        for reason, n in db.execute(
            "select s.reason, count(*) from stripped_blocks s join articles a on a.url = s.article_url"
            " where a.crawl_id = ? group by s.reason",
            [crawl_id],
        )
    }
    report["near_duplicates"] = db.execute(
        "select count(*) from articles where crawl_id = ? and duplicate_of is not null", [crawl_id]
    ).fetchone()[0]
    return report
