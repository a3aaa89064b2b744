"""Cost of cleaning and of near-duplicate lookup, against baselines measured in the same run.

    .venv/bin/python bench/blocks.py [--stored 100000]

1. Cleaning one article (NFKC keys, repeats, boilerplate lookup): median and
   p99 for a typical article and a 2,000-block page, against the bare cost of
   NFKC-normalising the same blocks; then microseconds per block from 500 to
   16,000 blocks, which must stay flat (linear cost).
2. Near-duplicate lookup with N stored signatures: median cost of linking one
   new article (signature, LSH query, verification, write) against computing
   its signature alone, at N/10 and N stored articles.
3. Block-removal precision and recall on the labelled set.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np
from blockeval import score_blocks

from crawler.demo.site import seed_articles
from crawler.storage import ArticleStore, open_db
from crawler.text.blocks import block_key, clean_blocks
from crawler.text.shingles import NUM_PERM, band_keys, from_bytes, signature

BOILER = {block_key(t) for t in ("この記事は配信時点の情報です。", "関連ニュース", "NHKのサイトを離れます。")}


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e6)
    return out


def p99(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.99) - 1]


def cleaning() -> None:
    typical = [t for _, t in seed_articles()[1].blocks] + ["この記事は配信時点の情報です。", "関連ニュース"]
    big = [f"{i % 700}番目の段落です。内容は段落ごとに少しずつ違います。" for i in range(2000)]
    print("cleaning one article            median      p99   baseline(NFKC)  ratio")
    for name, blocks, runs in (("typical (17 blocks)", typical, 3000), ("2,000-block page", big, 200)):
        ours = timed(lambda b=blocks: clean_blocks(b, BOILER), runs)
        base = timed(lambda b=blocks: [unicodedata.normalize("NFKC", x) for x in b], runs)
        med, base_med = statistics.median(ours), statistics.median(base)
        print(f"  {name:<28} {med:8.1f}us {p99(ours):8.1f}us {base_med:10.1f}us {med / base_med:8.1f}x")
    print("linearity: microseconds per block")
    for n in (500, 1000, 2000, 4000, 8000, 16000):
        blocks = [f"{i % (n // 3)}番目の段落です。内容は段落ごとに違います。" for i in range(n)]
        med = statistics.median(timed(lambda b=blocks: clean_blocks(b, BOILER), 20))
        print(f"  {n:>6} blocks: {med / n:6.2f} us/block")


def near_duplicates(stored: int) -> None:
    kana = [chr(c) for c in range(0x3041, 0x3097)]
    texts = ["".join(np.random.default_rng(i).choice(kana, size=600)) for i in range(200)]
    sig_cost = statistics.median(timed(lambda: signature(texts[0]), 200))
    print(f"near-duplicate lookup (signature alone: {sig_cost:.0f} us)")
    rng = np.random.default_rng(7)
    for n in (stored // 10, stored):
        with tempfile.TemporaryDirectory() as tmp:
            store = ArticleStore(open_db(Path(tmp) / "dups.db"))
            values = rng.integers(0, 2**32 - 1, size=(n, NUM_PERM), dtype=np.uint64).astype("<u4")
            with store.db.conn:
                for i in range(n):
                    data = values[i].tobytes()
                    cursor = store.db.execute(
                        "insert into article_minhash (url, signature) values (?, ?)", [f"https://x/{i}", data]
                    )
                    store.db.conn.executemany(
                        "insert into minhash_bands (key, id) values (?, ?)",
                        [(k, cursor.lastrowid) for k in band_keys(from_bytes(data))],
                    )
            path = store.db.conn.execute("pragma database_list").fetchone()[2]
            store.db.conn.close()
            start = time.perf_counter()
            store = ArticleStore(open_db(path))  # a new crawl opens the database: nothing is loaded
            store.near.link([{"url": "https://new/first", "body": texts[-1]}])
            load = time.perf_counter() - start
            rows = [{"url": f"https://new/{i}", "body": t} for i, t in enumerate(texts)]
            samples = []
            for row in rows:
                t0 = time.perf_counter()
                store.near.link([row])
                samples.append((time.perf_counter() - t0) * 1e6)
            med = statistics.median(samples)
            print(
                f"  {n:>7} stored: open + first link {load:5.2f} s, link one article median {med:7.0f} us "
                f"(p99 {p99(samples):7.0f} us) = {med / sig_cost:4.1f}x the signature alone"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=100_000)
    args = parser.parse_args()
    cleaning()
    near_duplicates(args.stored)
    s = score_blocks()
    print(
        f"labelled set ({s.articles} articles): content kept {s.content_kept}/{s.content} "
        f"(precision {s.content_precision:.3f}), repeats+boilerplate+empty removed {s.removed}/{s.removable} "
        f"(recall {s.removal_recall:.3f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
