"""The distributed mode: one worker against two, same site, same run; and the writer's drain rate.

    .venv/bin/python bench/distributed.py [--pages 3000]

Serves the generated site of bench/throughput.py (30 KB article pages, half Japanese) with nginx,
starts a real redis-server on 127.0.0.1, then, each time with a fresh Redis and database:

1. one worker (`news-crawler redis worker`, the full pipeline) and the writer together: pages per
   second from the push of the sitemap until every article is in SQLite;
2. two workers and the writer together: the same;
3. two workers alone (batches wait in Redis), then the writer alone: the workers' production
   rate and the writer's drain rate, which must stay above it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from throughput import FAST, Server, build_site, free_port  # noqa: E402


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return proc, url


def settings(db: Path, url: str) -> list[str]:
    values = {**FAST, "NEWS_DB": str(db), "NEWS_INCREMENTAL": "0", "NEWS_REDIS_IDLE_CLOSE": "2"}
    return [arg for key, value in values.items() for arg in ("-s", f"{key}={value}")]


def workers(n: int, db: Path, url: str) -> list[subprocess.Popen[bytes]]:
    cmd = [sys.executable, "-m", "crawler", "redis", "worker", "--redis", url, "--idle-close", "2", *settings(db, url)]
    return [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(n)]


def writer(db: Path, url: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "crawler", "redis", "writer", "--redis", url, "--db", str(db), "--settle", "1"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def push(base: str, url: str) -> None:
    subprocess.run([sys.executable, "-m", "crawler", "redis", "push", "--redis", url, f"{base}/sitemap.xml"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("select count(*) from articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def produced(url: str) -> int:
    """Articles pushed by the workers so far (their summed counter)."""
    value = redis.Redis.from_url(url).hget("news:stats", "news/redis/articles_pushed")
    return int(value or 0)


def wait_for(check: object, target: int, limit: float = 1800) -> float:
    t0 = time.monotonic()
    while check() < target:  # type: ignore[operator]
        if time.monotonic() - t0 > limit:
            raise SystemExit(f"timed out at {check()} of {target}")  # type: ignore[operator]
        time.sleep(0.1)
    return time.monotonic() - t0


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(60)


def together(n: int, pages: int, base: str, folder: Path) -> float:
    """n workers and the writer at once: seconds from the push until every article is stored."""
    proc, url = start_redis(folder)
    db = folder / f"together{n}.db"
    try:
        w = writer(db, url)
        ws = workers(n, db, url)
        time.sleep(3)  # interpreters started and idle: the clock measures crawling, not start-up
        t0 = time.monotonic()
        push(base, url)
        wait_for(lambda: stored(db), pages)
        seconds = time.monotonic() - t0
        stop([*ws, w])
        return seconds
    finally:
        proc.terminate()
        proc.wait()


def apart(n: int, pages: int, base: str, folder: Path) -> tuple[float, float]:
    """n workers alone (batches wait in Redis), then the writer alone: (crawl s, drain s)."""
    proc, url = start_redis(folder)
    db = folder / "apart.db"
    try:
        ws = workers(n, db, url)
        time.sleep(3)
        t0 = time.monotonic()
        push(base, url)
        wait_for(lambda: produced(url), pages)
        crawl = time.monotonic() - t0
        stop(ws)
        t0 = time.monotonic()
        w = writer(db, url)
        wait_for(lambda: stored(db), pages)
        drain = time.monotonic() - t0
        stop([w])
        return crawl, drain
    finally:
        proc.terminate()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        print("redis-server is not installed: skipped")
        return 0
    print(f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        build_site(work / "site", args.pages, base)
        with Server(work / "site", port) as server:
            print(f"{args.pages} article pages of about 30 KB, served by {server.kind}; full pipeline in each worker")
            one = together(1, args.pages, base, work)
            two = together(2, args.pages, base, work)
            crawl, drain = apart(2, args.pages, base, work)
        n = args.pages
        print(f"1 worker  + writer: {n / one:6.1f} pages/s ({one:.1f} s until all {n} articles are stored)")
        print(f"2 workers + writer: {n / two:6.1f} pages/s ({two:.1f} s); ratio 2 / 1: {one / two:.2f}")
        print(f"2 workers alone:    {n / crawl:6.1f} articles/s pushed to Redis")
        print(f"writer alone:       {n / drain:6.1f} articles/s drained into SQLite "
              f"({n / drain / (n / crawl):.1f}x what two workers produce)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
