"""Search and export at scale: generated articles (half Japanese) in a real news database.

    .venv/bin/python bench/search.py [--articles 100000] [--keep DIR]

Prints, in one run:
- insert cost of keeping the search index in sync (triggers), as a ratio to the same inserts
  into the same schema without the index;
- index size per article (file size with the index minus without, after VACUUM);
- search p50 / p95 for a 2-character Japanese word, a 4-character one, an English word, a rare
  word and a Japanese word with an English one: the `search` canned query's SQL (bm25 order,
  snippets, first 20), and Datasette's own table search box (`article_list?_search=`) through
  Datasette's test client for the 2-character word;
- export rate (news-crawler export's code path, to /dev/null) in articles per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from crawler.config import NewsConfig
from crawler.storage import ArticleStore, open_db
from crawler.storage.articles import write_articles
from crawler.storage.export import iter_export
from crawler.storage.jsonl import write_jsonl
from crawler.storage.search import FTS_TABLE, rebuild, search

JA_WORDS = (
    "政府 経済 市場 東京 大阪 会見 記者 発表 調査 結果 地域 住民 支援 対策 影響 関係 国際 協議 "
    "会議 首相 国会 予算 企業 株価 円安 物価 賃金 雇用 観光 交通 鉄道 空港 台風 地震 避難 警報 "
    "医療 病院 感染 教育 学校 選挙 候補 議員 外交 安全 保障 防衛 環境 気候 電力 原発 再開 延期"
).split()
JA_GLUE = ["は", "が", "を", "に", "で", "と", "の", "も", "から", "まで", "について", "により"]
JA_END = ["と発表しました。", "としています。", "を明らかにしました。", "が続いています。", "見通しです。"]
EN_WORDS = (
    "government economy market city council report minister election vote budget company shares "
    "inflation wages jobs tourism transport railway airport storm earthquake warning hospital "
    "school candidate policy security defence climate energy plan talks meeting officials"
).split()


def ja_text(rng: random.Random, sentences: int, extra: list[str]) -> str:
    out = []
    for _ in range(sentences):
        words = [rng.choice(JA_WORDS) + rng.choice(JA_GLUE) for _ in range(rng.randint(4, 8))]
        out.append("".join(words) + rng.choice(JA_END))
    for word in extra:
        i = rng.randrange(len(out))
        out[i] = out[i][:10] + word + "の" + out[i][10:]
    return "".join(out)


def en_text(rng: random.Random, sentences: int, extra: list[str]) -> str:
    out = []
    for _ in range(sentences):
        words = [rng.choice(EN_WORDS) for _ in range(rng.randint(8, 14))]
        out.append(" ".join(words).capitalize() + ".")
    for word in extra:
        i = rng.randrange(len(out))
        out[i] = out[i][:-1] + f" {word}."
    return " ".join(out)


def articles(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        japanese = i % 2 == 0
        extra: list[str] = []
        roll = rng.random()
        if japanese:
            extra += ["停戦"] if roll < 0.05 else []
            extra += ["停戦交渉"] if roll < 0.01 else []
            extra += ["量子暗号"] if i % 10_000 == 0 else []  # rare: 5 in 100,000
            extra += ["NHK"] if rng.random() < 0.03 else []
            body = ja_text(rng, 12, extra)
            title = ja_text(rng, 1, [])[:30]
        else:
            extra += ["ceasefire"] if roll < 0.05 else []
            extra += ["zeppelin"] if i % 10_001 == 1 else []
            body = en_text(rng, 10, extra)
            title = en_text(rng, 1, [])[:60]
        rows.append(
            {
                "url": f"http://127.0.0.1/{'ja' if japanese else 'en'}/{i}.html",
                "site": "ja.example" if japanese else "en.example",
                "title": title,
                "body": body,
                "raw_blocks": [body],
                "language": "ja" if japanese else "en",
                "published_at": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "published_local": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "content_hash": str(i),
            }
        )
    return rows


def load(db_path: Path, rows: list[dict[str, Any]], with_index: bool) -> float:
    """Insert rows in batches of 500 (the storage path a crawl uses); seconds taken."""
    db = open_db(db_path)
    if not with_index:
        with db.conn:
            for trigger in ("articles_fts_insert", "articles_fts_update", "articles_fts_delete"):
                db.execute(f"drop trigger {trigger}")
            db.execute(f"drop table {FTS_TABLE}")
    started = time.perf_counter()
    for start in range(0, len(rows), 500):
        write_articles(db, rows[start : start + 500], None)
    elapsed = time.perf_counter() - started
    db.conn.close()
    return elapsed


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=21, help="timed runs per query")
    parser.add_argument("--keep", type=Path, default=None, help="keep the databases in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="news-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = articles(args.articles)
    mean_body = statistics.mean(len(r["body"]) for r in rows[:2000])
    print(f"{args.articles} generated articles, half Japanese, mean body {mean_body:.0f} characters")

    plain, indexed = folder / "plain.db", folder / "indexed.db"
    for path in (plain, indexed):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    t_plain = load(plain, rows, with_index=False)
    t_indexed = load(indexed, rows, with_index=True)
    print(f"insert: {len(rows) / t_plain:,.0f} articles/s without the index, {len(rows) / t_indexed:,.0f} with it: "
          f"ratio {t_indexed / t_plain:.2f} (index kept by triggers)")  # fmt: skip

    db = open_db(indexed)
    db.execute("vacuum")
    with_size = indexed.stat().st_size
    pdb = open_db(plain)
    pdb.execute("vacuum")
    without_size = plain.stat().st_size
    pdb.conn.close()
    print(f"size: {with_size / 1e6:,.0f} MB with the index, {without_size / 1e6:,.0f} MB without: "
          f"{(with_size - without_size) / len(rows):,.0f} bytes of index per article")  # fmt: skip
    started = time.perf_counter()
    rebuild(db)
    print(f"rebuild of the whole index (the migration of an existing database): {time.perf_counter() - started:.1f} s")

    queries = {
        "2-character Japanese (停戦)": "停戦",
        "4-character Japanese (停戦交渉)": "停戦交渉",
        "English word (ceasefire)": "ceasefire",
        "rare word (量子暗号)": "量子暗号",
        "Japanese + English (停戦 NHK)": "停戦 NHK",
    }
    print("search, the canned query's SQL (bm25, snippets, first 20):")
    for label, q in queries.items():
        count = db.execute(f"select count(*) from {FTS_TABLE} where {FTS_TABLE} match news_fts_query(?)", [q])
        matches = count.fetchone()[0]
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            list(search(db, q, limit=20))
            samples.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(samples)
        print(f"  {label:32} {matches:>6} matches   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")

    asyncio.run(datasette_search(indexed, args.repeat))

    started = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as out:
        exported = write_jsonl(iter_export(db), out)
    elapsed = time.perf_counter() - started
    print(f"export: {exported:,} articles in {elapsed:.1f} s: {exported / elapsed:,.0f} articles/s")
    ArticleStore(db, NewsConfig())  # the store opens on the result: the schema is ours
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return 0


async def datasette_search(path: Path, repeat: int) -> None:
    from datasette.app import Datasette

    from crawler.datasette import SERVE_SETTINGS

    ds = Datasette([str(path)], settings=SERVE_SETTINGS)  # as `news-crawler serve` runs it
    await ds.invoke_startup()
    name = path.stem
    for label, url in {
        "table search box, 停戦 (first page)": f"/{name}/article_list.json?_search=停戦&_size=50",
        "search query page, 停戦": f"/{name}/search.json?q=停戦&site=&language=&since=&until=",
    }.items():
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = await ds.client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:200]
        p50, p95 = percentiles(samples)
        print(f"  Datasette {label:40} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
