"""WARC in and out, measured as a user meets it.

1. Builds a WARC of generated news pages (bench/throughput.py's pages: every page's text its
   own, a repeated run in each, every 50th a syndicated copy), a request and a response record
   each, after a warcinfo: 20,001 records for the default 10,000 pages.
2. Reads it raw with warcio and with FastWARC (payloads read, nothing parsed): records/s.
3. A plain loop of trafilatura over the same response records (warcio + trafilatura.extract,
   one process): the baseline, in the same run.
4. `news-crawler ingest` of the file into a new database with NEWS_WORKERS = 0, 1, 2: records/s
   and pages/s of the whole command (start-up, reading, every pipeline, storage, learning).
5. Database size per article, raw pages in WARC (NEWS_WARC_DIR: `pages` keeps a pointer) against
   raw pages in SQLite (zlib blobs): the same generated site served on 127.0.0.1 and crawled
   twice with `scrapy crawl news`.

    .venv/bin/python bench/archive.py [--pages 10000] [--workers 0,1,2] [--size-pages 1500]
"""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import FAST, Server, build_site, free_port, page

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://bench-news.example"


def build_warc(path: Path, pages: int) -> int:
    records = 1
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "bench/archive.py"}))
        for i in range(pages):
            body = page(i).encode("utf-8")
            url = f"{BASE}/news/{i}.html"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            request = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                http_headers=StatusAndHeaders(f"GET /news/{i}.html HTTP/1.1", [], is_http_request=True),
            )
            writer.write_record(request)
            writer.write_record(response)
            records += 2
    return records


def read_warcio(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            record.content_stream().read()
            count += 1
    return count, time.perf_counter() - started


def read_fastwarc(path: Path) -> tuple[int, float] | None:
    try:
        from fastwarc.warc import ArchiveIterator as FastIterator
    except ImportError:
        return None
    started = time.perf_counter()
    count = 0
    with path.open("rb") as fh:
        for record in FastIterator(fh, parse_http=True):
            record.reader.read()
            count += 1
    return count, time.perf_counter() - started


def trafilatura_loop(path: Path) -> tuple[int, float]:
    """The baseline: every HTML response record through trafilatura.extract, in one loop."""
    import trafilatura

    started = time.perf_counter()
    extracted = 0
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            text = trafilatura.extract(
                record.content_stream().read(), url=record.rec_headers.get_header("WARC-Target-URI")
            )
            extracted += bool(text)
    return extracted, time.perf_counter() - started


def ingest(path: Path, db: Path, workers: int) -> tuple[float, int]:
    cmd = [sys.executable, "-m", "crawler", "ingest", str(path), "--db", str(db), "--log-level", "ERROR"]
    cmd += ["-s", f"NEWS_WORKERS={workers}", "-s", "NEWS_SITE_PAGE_BUDGET=0"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stdout[-2000:] + proc.stderr[-3000:])
    stored = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    return elapsed, int(stored)


def crawl_size(pages: int, work: Path) -> tuple[float, float, float, int]:
    """(DB bytes/article with blobs, DB bytes/article with WARC pointers, WARC bytes/article, articles)."""
    site = work / "site"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    build_site(site, pages, base)
    out = []
    with Server(site, port):
        for warc in (False, True):
            db = work / f"size-{int(warc)}.db"
            cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={base}/sitemap.xml"]
            settings = {**FAST, "NEWS_DB": str(db), "NEWS_SITE_PAGE_BUDGET": "0", "LOG_LEVEL": "ERROR"}
            if warc:
                settings["NEWS_WARC_DIR"] = str(work / "warc")
            for key, value in settings.items():
                cmd += ["-s", f"{key}={value}"]
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(proc.stderr[-3000:])
            conn = sqlite3.connect(db)
            conn.execute("vacuum")
            articles = conn.execute("select count(*) from articles").fetchone()[0]
            conn.close()
            out.append((db.stat().st_size, articles))
    warc_bytes = sum(f.stat().st_size for f in (work / "warc").iterdir())
    (blob_size, n), (pointer_size, _) = out
    return blob_size / n, pointer_size / n, warc_bytes / n, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", default="0,1,2")
    parser.add_argument("--size-pages", type=int, default=1500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers run as another user: they must be able to read the site
        path = work / "bench.warc.gz"
        started = time.perf_counter()
        records = build_warc(path, args.pages)
        print(f"WARC: {records} records ({args.pages} pages), {path.stat().st_size / 1e6:.1f} MB gzipped, "
              f"built in {time.perf_counter() - started:.1f} s")  # fmt: skip
        count, seconds = read_warcio(path)
        print(f"read, warcio:              {count / seconds:9.0f} records/s")
        fast = read_fastwarc(path)
        if fast:
            print(f"read, FastWARC:            {fast[0] / fast[1]:9.0f} records/s")
        extracted, seconds = trafilatura_loop(path)
        base_rate = args.pages / seconds
        print(f"baseline, trafilatura loop: {records / seconds:8.0f} records/s, {base_rate:6.1f} pages/s "
              f"({extracted} texts, one process)")  # fmt: skip
        for workers in (int(w) for w in args.workers.split(",")):
            db = work / f"ingest-{workers}.db"
            seconds, stored = ingest(path, db, workers)
            rate = args.pages / seconds
            print(f"ingest, NEWS_WORKERS={workers}:    {records / seconds:8.0f} records/s, {rate:6.1f} pages/s "
                  f"({stored} articles), {rate / base_rate:.2f}x the loop")  # fmt: skip
        if args.size_pages:
            blob, pointer, warc, n = crawl_size(args.size_pages, work)
            print(f"database per article ({n} articles): raw pages in SQLite {blob / 1024:.1f} KB, "
                  f"in WARC {pointer / 1024:.1f} KB (+ {warc / 1024:.1f} KB of WARC a page)")  # fmt: skip
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
