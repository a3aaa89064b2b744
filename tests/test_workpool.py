"""Extraction and signatures in worker processes (NEWS_WORKERS) store exactly what the plain path stores."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from crawler.crawl.workpool import WorkPool
from crawler.demo.server import DemoServer, start_urls
from crawler.storage import neardup
from tests.conftest import ROOT, run_crawl
from tests.test_learned_parsers import assert_learned_rows_agree

# Columns that say when and in which run a row was written, not what it holds.
WHEN = {"crawl_id", "fetched_at", "first_seen_at", "last_seen_at", "last_changed_at", "decided_at"}
# Whether a page was first reached from the sitemap (its listed date is then one more date
# signal, and its links are not followed) or from a link depends on which response came first,
# in any crawl: those two traces of the crawl's order are left out of the comparison.
LISTED = ("sitemap:", "feed:", "rss:", "atom:")
ORDER = {"links"}


def rows(db: sqlite_utils.Database, table: str, order: str) -> list[dict[str, object]]:
    out = []
    for row in db.query(f"select * from {table} order by {order}"):
        row = {k: v for k, v in row.items() if k not in WHEN | ORDER | {"id"}}
        if row.get("date_signals"):
            signals = json.loads(str(row["date_signals"]))
            # The days the signals name, listed dates included: the same trace of the crawl's order.
            signals.pop("disagreement", None)
            for field in signals:
                signals[field] = [s for s in signals[field] if not s["source"].startswith(LISTED)]
            row["date_signals"] = signals
        out.append(row)
    return out


def by_url(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in db.query("select * from articles")}


@pytest.mark.e2e
def test_a_crawl_with_two_workers_stores_exactly_the_rows_of_the_plain_crawl(
    demo_sites: tuple[DemoServer, DemoServer], demo_db: tuple[Path, str], tmp_path: Path
) -> None:
    ja, en = demo_sites
    db_path, plain_path = tmp_path / "workers.db", tmp_path / "plain.db"
    # Learned parsers off: which pages of a site teach its parser depends on the crawl's order
    # (the default crawl below learns; its learned rows are compared as such).
    off = {"NEWS_LEARN_PAGES": "0"}
    proc = run_crawl(db_path, "start_urls=" + ",".join(start_urls(ja, en)), settings={"NEWS_WORKERS": "2", **off})
    assert "Traceback" not in proc.stderr
    run_crawl(plain_path, "start_urls=" + ",".join(start_urls(ja, en)), settings={"NEWS_WORKERS": "0", **off})
    plain = sqlite_utils.Database(plain_path)
    # Two workers from the start, and the default crawl (demo_db: its pool starts only after
    # AUTO_WARMUP tasks, which decides nothing about what is stored).
    for pooled in (sqlite_utils.Database(db_path), sqlite_utils.Database(demo_db[0])):
        assert pooled["articles"].count == plain["articles"].count > 20
        learned = {r["url"] for r in pooled.query("select url from articles where extractor = 'learned'")}
        if learned:  # the learned path's rows give the thorough row (crawler/page/learn.py)
            assert_learned_rows_agree(by_url(pooled), by_url(plain))
        for table, order, key in (
            ("articles", "url", "url"),
            ("date_mentions", "article_url, offset", "article_url"),
            ("stripped_blocks", "article_url, position", "article_url"),
            ("block_occurrences", "article_url, key", "article_url"),
        ):
            thorough = f"(select * from {table} where {key} not in ({','.join(repr(u) for u in learned) or 'null'}))"
            assert rows(pooled, thorough, order) == rows(plain, thorough, order), table
        # Article pages are decided alike; which listing pages a crawl reaches at all depends on the
        # depth at which it first meets them (its order), so those are not compared.
        # (A learned page's decision is the same, its signals those the learned path read.)
        article_decisions = "(select * from decisions where kind = 'article')"
        same = [{k: r[k] for k in ("url", "kind", "reason")} if r["url"] in learned else r
                for r in rows(pooled, article_decisions, "url")]  # fmt: skip
        expected = [{k: r[k] for k in ("url", "kind", "reason")} if r["url"] in learned else r
                    for r in rows(plain, article_decisions, "url")]  # fmt: skip
        assert same == expected
    pooled = sqlite_utils.Database(db_path)
    sigs = "select url, signature from article_minhash order by url"
    assert list(pooled.execute(sigs)) == list(plain.execute(sigs))
    bands = "(" + " union all ".join(f"select key, id from {t}" for t in neardup.BAND_TABLES) + ")"
    keys = f"select key, url from {bands} join article_minhash using (id) order by key, url"
    assert list(pooled.execute(keys)) == list(plain.execute(keys))


def _where(main_pid: int) -> str:
    return "main" if os.getpid() == main_pid else "worker"


def _die_in_worker(main_pid: int) -> str:
    if os.getpid() != main_pid:
        os._exit(1)  # a worker killed mid-page (out of memory, kill -9)
    return "main"


def test_work_runs_in_a_worker_and_a_dead_worker_costs_no_page() -> None:
    events: list[str] = []
    pool = WorkPool(1, events.append)

    async def scenario() -> list[str]:
        first = await pool.run(_where, os.getpid())
        dead = await pool.run(_die_in_worker, os.getpid())  # done in this process instead
        after = await pool.run(_where, os.getpid())  # a new pool for the next page
        return [first, dead, after]

    try:
        assert asyncio.run(scenario()) == ["worker", "main", "worker"]
    finally:
        pool.close()
    assert events == ["news/pool/started", "news/pool/broken", "news/pool/started"]


def test_without_workers_work_runs_in_the_crawl_process() -> None:
    assert asyncio.run(WorkPool(0).run(_where, os.getpid())) == "main"


def test_at_most_four_pages_per_worker_wait_for_a_worker() -> None:
    pool = WorkPool(1)
    most = 0

    async def scenario() -> None:
        nonlocal most

        async def watch() -> None:
            nonlocal most
            while True:
                if pool._slots is not None:
                    most = max(most, 4 - pool._slots._value)
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(pool.run(_where, os.getpid()) for _ in range(40)))
        watcher.cancel()

    try:
        asyncio.run(scenario())
    finally:
        pool.close()
    assert 1 <= most <= 4


def test_the_default_is_one_worker_per_core_after_a_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.crawl import workpool

    monkeypatch.setattr(workpool, "available_cores", lambda: 4)
    assert workpool.resolve_workers(-1) == (4, workpool.AUTO_WARMUP)
    assert workpool.resolve_workers(0) == (0, 0)
    assert workpool.resolve_workers(3) == (3, 0)  # an explicit number starts at once
    monkeypatch.setattr(workpool, "available_cores", lambda: 1)
    assert workpool.resolve_workers(-1) == (0, 0)  # a lone core gains nothing from a second process


def test_a_warm_up_runs_in_this_process_then_the_pool_takes_over() -> None:
    pool = WorkPool(1, warmup=3)

    async def pids() -> tuple[list[int], list[int], list[int]]:
        warm = [await pool.run(os.getpid) for _ in range(3)]
        assert pool._starting is None  # a small crawl never starts the pool
        # The pool starts on its own thread; pages meanwhile are extracted here, never held up.
        meanwhile = [await pool.run(os.getpid)]
        assert pool._starting is not None
        await asyncio.wrap_future(pool._starting)
        after = [await pool.run(os.getpid) for _ in range(3)]
        return warm, meanwhile, after

    try:
        warm, meanwhile, after = asyncio.run(pids())
    finally:
        pool.close()
    assert warm == [os.getpid()] * 3
    assert meanwhile == [os.getpid()]  # the start takes seconds (the fork server's imports)
    assert all(pid != os.getpid() for pid in after)


def test_a_pool_that_cannot_start_leaves_the_pages_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    pool = WorkPool(2, events.append)

    def refuse() -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(pool, "_launch", refuse)
    try:
        got = asyncio.run(pool.run(_where, os.getpid()))
    finally:
        pool.close()
    assert got == "main" and events == ["news/pool/started", "news/pool/unavailable"] and pool.workers == 0


_KILLED_CRAWL = """
import asyncio, os, signal, sys
from crawler.crawl.workpool import WorkPool
pool = WorkPool(2)
async def pids():
    return sorted({await pool.run(os.getpid) for _ in range(20)})
print(" ".join(map(str, asyncio.run(pids()))), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would: no pool.close()
"""


def test_workers_end_when_their_crawl_is_killed_outright() -> None:
    proc = subprocess.run([sys.executable, "-c", _KILLED_CRAWL], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    workers = [int(pid) for pid in proc.stdout.split()]
    assert workers

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]

    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)
