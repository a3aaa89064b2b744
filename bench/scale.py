"""Flat at scale: the storage layer from an empty database to N articles (half Japanese).

    .venv/bin/python bench/scale.py [--articles 1000000] [--db PATH]

Loads generated articles (each its own random text of 1.5-3 KB, cleaned and with date mentions
as the pipelines make them; sites of 10,000 articles each) through `ArticleStore.upsert_articles`
in batches of 1,000 (what a crawl's storage does: the row, its child rows, the full-text index,
the near-duplicate index and links). Prints:

- the insert rate (articles/s) over the first 100,000, around the half-way mark and over the last
  100,000 (one whole cycle of the near-duplicate index's merges each), and the ratio last / first;
- the database size per article;
- in a fresh process at the end: the time to open the database and make the first
  near-duplicate lookup, and that process's peak memory (the LSH bands are in SQLite: nothing
  is loaded);
- boilerplate learning after a crawl of 1,000 articles into one site: at the start (a database
  of one site) and at the end, so its cost is seen to follow the site, not the database;
- the JSONL export rate over the whole database.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throughput import sentence  # noqa: E402  (the same random text as the throughput site)

from crawler.config import NewsConfig  # noqa: E402
from crawler.storage import ArticleStore, neardup, open_db  # noqa: E402
from crawler.storage.export import iter_export  # noqa: E402
from crawler.storage.jsonl import write_jsonl  # noqa: E402
from crawler.text.finalize import article_mentions, clean_article  # noqa: E402

BATCH = 1000
SITE_SIZE = 10_000
NOTICE = "この記事は会員限定です。登録すると続きをお読みいただけます。"


def article(i: int, site: str) -> dict[str, Any]:
    rng = random.Random(i)
    japanese = i % 2 == 0
    gap = "" if japanese else " "
    blocks = [gap.join(sentence(rng, japanese) for _ in range(3)) for _ in range(rng.randint(5, 10))]
    blocks.append(NOTICE if japanese else "Sign up for our newsletter to read more stories like this.")
    title = f"{'経済対策' if japanese else 'Council budget'} {i}"
    published = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00"
    cleaned = clean_article(blocks, frozenset(), repeats=True).fields(title)
    return {
        "url": f"https://{site}.example/news/{i}.html",
        "site": site,
        "title": title,
        "raw_blocks": blocks,
        "language": "ja" if japanese else "en",
        "published_at": published,
        "timezone": "Asia/Tokyo" if japanese else "Europe/London",
        "fetched_at": "2026-01-01T00:00:00+00:00",
        "date_mentions": article_mentions(cleaned["body"], published, "Asia/Tokyo"),
        **cleaned,
    }


def load(store: ArticleStore, start: int, count: int, site_of: Any) -> float:
    """Write `count` articles from number `start`; returns the seconds spent in the store. A site
    whose last article is written has its boilerplate learned, as its crawls would have."""
    spent = 0.0
    for first in range(start, start + count, BATCH):
        batch = [article(i, site_of(i)) for i in range(first, min(first + BATCH, start + count))]
        t0 = time.perf_counter()
        store.upsert_articles(batch, None)
        spent += time.perf_counter() - t0
        last = first + len(batch)
        if last % SITE_SIZE == 0:
            store.learn_boilerplate([site_of(last - 1)])  # (not timed: the insert rate is the storage's)
    return spent


def learn_after_crawl(store: ArticleStore, start: int, site: str) -> float:
    """A crawl of 1,000 articles into `site`, then boilerplate learning for the sites crawled."""
    load(store, start, 1000, lambda _i: site)
    t0 = time.perf_counter()
    store.learn_boilerplate([site])
    return time.perf_counter() - t0


# The probe's peak memory is its own VmHWM: getrusage's ru_maxrss keeps, across the exec of a
# child, the high-water mark of the process it was forked from (this one, after a million rows).
OPEN_PROBE = """
import re, sys, time
def peak():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1]) / 1024
from crawler.storage import ArticleStore, open_db
before = peak()
t0 = time.perf_counter()
store = ArticleStore(open_db(sys.argv[1]))
store.near.link([{"url": "https://probe.example/1", "body": sys.argv[2]}])
print(time.perf_counter() - t0, peak(), before)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="where to build the database (default: a temporary folder)")
    args = parser.parse_args()
    n = args.articles
    # Each window holds one whole cycle of the near-duplicate index's merges (the big index is
    # merged into every 100,000 articles, neardup.MERGE_AT * FANOUT keys at 20 an article): a
    # shorter window holds a big merge or not depending on where it falls, and its rate says
    # where the window fell, not how the storage scales.
    window = min(neardup.MERGE_AT * neardup.FANOUT // 20, n // 5)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "scale.db"
        store = ArticleStore(open_db(path), NewsConfig())
        print(f"{os.cpu_count()} cores; {n} articles in batches of {BATCH}, sites of {SITE_SIZE}")
        learn_small = learn_after_crawl(store, 10**9, "site-0")  # a database of one site
        learn_small_again = learn_after_crawl(store, 10**9 + 1000, "site-0")  # its model already learned
        site_of = lambda i: f"site-{i // SITE_SIZE}"  # noqa: E731
        rates = {}
        done, t_start = 0, time.perf_counter()
        for mark in (0, n // 2 - window // 2, n - window):
            if mark > done:
                load(store, done, mark - done, site_of)
                print(f"  ... {mark} articles stored ({time.perf_counter() - t_start:.0f} s)", flush=True)
            rates[mark] = window / load(store, mark, window, site_of)
            done = mark + window
        first, last = rates[0], rates[n - window]
        for mark, rate in rates.items():
            print(f"insert rate from {mark:>9} articles: {rate:7.0f} articles/s")
        print(f"rate at the end / rate at the start: {last / first:.2f}")
        store.db.execute("pragma wal_checkpoint(truncate)")
        size = path.stat().st_size
        print(f"database: {size / 2**20:.0f} MB, {size / done / 1024:.1f} KB per article")
        learn_big = learn_after_crawl(store, 10**9 + 10_000, f"site-{(n - 1) // SITE_SIZE}")
        print(
            "boilerplate learning after a 1,000-article crawl into one site whose model is already learned: "
            f"{learn_small_again:.2f} s into a database of 2,000 articles, {learn_big:.2f} s into {done}"
        )
        print(f"  (the first crawl of a site, which learns its model and re-cleans its articles: {learn_small:.2f} s)")
        store.db.conn.close()
        body = article(n - 1, "probe")["body"]
        probe = subprocess.run([sys.executable, "-c", OPEN_PROBE, str(path), body], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.split()  # fmt: skip
        print(f"open + first near-duplicate lookup in a new process: {float(probe[0]):.3f} s, "
              f"peak memory {float(probe[1]):.0f} MB ({float(probe[2]):.0f} MB after imports)")  # fmt: skip
        db = open_db(path)
        t0 = time.perf_counter()
        exported = write_jsonl(iter_export(db), io.StringIO() if done < 50_000 else open(os.devnull, "w"))
        print(f"JSONL export: {exported / (time.perf_counter() - t0):.0f} articles/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
