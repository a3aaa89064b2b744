"""Re-clean throughput: pages re-extracted per second from stored raw pages, no fetching.

    .venv/bin/python bench/reclean.py [--pages 2000]

Fills a temporary database by crawling the demo sites once and copying their
stored pages under new URLs, then learns the copies' boilerplate (and re-cleans what it touches), times
`reextract` with 1 and 2 worker processes against the baseline of only
decompressing and parsing each page with lxml in the same run, and
`learn_boilerplate` + re-clean from raw blocks once more from no model.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from lxml import html as lxml_html

from crawler.cli.reprocess import reextract
from crawler.storage import ArticleStore, open_db
from crawler.storage.articles import decode_row
from crawler.storage.pages import page_row

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "news.db"
        subprocess.run([sys.executable, "-m", "crawler", "demo", "--db", str(db_path)], cwd=ROOT,
                       check=True, capture_output=True)  # fmt: skip
        store = ArticleStore(open_db(db_path))
        articles = list(store.db.query("select * from articles"))
        pages = {p["url"]: p for p in store.db.query("select * from pages")}
        copies, copied_pages = [], []
        for i in range(args.pages // len(articles) + 1):
            for a in articles:
                if len(copies) >= args.pages or a["url"] not in pages:
                    continue
                page = pages[a["url"]]
                url = f"{a['url']}?copy={i}"
                copies.append({**decode_row(dict(a)), "url": url})
                copied_pages.append(page_row(url, zlib.decompress(page["html_zlib"]), None, a["fetched_at"], 200,
                                             page["encoding"]))  # fmt: skip
        start = time.perf_counter()
        for i in range(0, len(copies), 200):
            store.write_batch(copies[i : i + 200], copied_pages[i : i + 200], [], crawl_id=None)
        print(f"storage write path: {len(copies) / (time.perf_counter() - start):7.0f} articles/s")
        total = store.db.execute("select count(*) from pages").fetchone()[0]
        start = time.perf_counter()
        for (body,) in store.db.execute("select html_zlib from pages"):
            lxml_html.document_fromstring(zlib.decompress(body))
        base = total / (time.perf_counter() - start)
        print(f"{total} stored pages; baseline decompress + lxml parse: {base:7.0f} pages/s")
        # The copies' model first (a crawl of them would have learned it at its end), so the
        # re-extractions below are timed alone and both worker counts do the same work.
        start = time.perf_counter()
        report = store.learn_boilerplate()
        recleaned = sum(r["recleaned"] for r in report.values())
        seconds = time.perf_counter() - start
        print(f"  learn boilerplate: {recleaned} articles re-cleaned in {seconds:.1f} s "
              f"({recleaned / seconds:.0f} articles/s)")  # fmt: skip
        done: list[float] = []  # when each page was re-extracted
        for jobs in (1, 2):
            done.clear()
            start = time.perf_counter()
            counts = reextract(store, jobs=jobs, progress=lambda _n: done.append(time.perf_counter()))
            extracting = (done[-1] if done else time.perf_counter()) - start
            rate = counts["pages"] / extracting
            print(f"  reclean --jobs {jobs}: {counts['pages']} pages re-extracted at {rate:7.0f} pages/s "
                  f"({base / rate:.1f}x slower than parsing), {counts['changed']} changed; "
                  f"then learning {time.perf_counter() - start - extracting:.1f} s")  # fmt: skip
        start = time.perf_counter()
        store.db.execute("delete from boilerplate")
        store._models.clear()
        report = store.learn_boilerplate()
        recleaned = sum(r["recleaned"] for r in report.values())
        print(
            f"  reclean --no-extract: {recleaned} articles re-cleaned in {time.perf_counter() - start:.1f} s "
            f"({recleaned / (time.perf_counter() - start):.0f} articles/s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
