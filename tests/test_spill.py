"""Pending requests on disk (crawler/crawl/spill.py): used by a real crawl, removed at its end, and the
crawl stores what the in-memory scheduler stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import run_crawl

pytestmark = pytest.mark.e2e


def _stats(db: Path) -> dict[str, int]:
    row = next(sqlite_utils.Database(db).query("select stats from crawls order by id desc limit 1"))
    return json.loads(row["stats"])


def test_the_crawl_queues_its_requests_on_disk_and_removes_the_folder(
    demo_db: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stats = _stats(demo_db[0])
    assert stats.get("scheduler/enqueued/disk", 0) > 20, stats
    assert stats.get("scheduler/enqueued/memory", 0) == 0, stats  # every request pickled
    # A crawl of its own with a temporary folder of its own: the frontier is made there, and gone,
    # with the folder a killed crawl left.
    from crawler.demo.server import demo_servers

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp / "news-frontier-999999999-killed" / "requests.queue").mkdir(parents=True)  # a killed crawl's
    monkeypatch.setenv("TMPDIR", str(tmp))
    _, en = demo_servers()
    with en:
        run_crawl(tmp_path / "news.db", f"start_urls={en.base_url}/feed.rss")
    assert _stats(tmp_path / "news.db").get("scheduler/enqueued/disk", 0) > 5
    assert list(tmp.iterdir()) == []


def test_in_memory_scheduler_stores_the_same_articles(demo_sites, demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from crawler.demo.server import start_urls

    ja, en = demo_sites
    db = tmp_path / "memory.db"
    run_crawl(db, "start_urls=" + ",".join(start_urls(ja, en)), settings={"NEWS_DISK_FRONTIER": "0"})
    stats = _stats(db)
    assert stats.get("scheduler/enqueued/disk", 0) == 0 and stats.get("scheduler/enqueued/memory", 0) > 20
    urls = {r["url"] for r in sqlite_utils.Database(db).query("select url from articles")}
    disk = {r["url"] for r in sqlite_utils.Database(demo_db[0]).query("select url from articles")}
    assert urls == disk and len(urls) > 10
