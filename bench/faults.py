"""The fault table: hostile servers and pages on 127.0.0.1, crawled by `scrapy crawl news`; for
each case, what the crawl did, and what was lost.

    .venv/bin/python bench/faults.py        (or: make faults)

It reuses the servers of tests/test_faults.py and tests/test_hostile_content.py, so the table and
the tests describe the same cases. Prints a Markdown table (the one in the README).
"""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo.server import DemoServer  # noqa: E402
from tests.conftest import FAST  # noqa: E402
from tests.test_faults import FAULTS, Hostile  # noqa: E402
from tests.test_hostile_content import site as hostile_content  # noqa: E402

CASES = {
    "/limited": "429 with Retry-After: 1",
    "/busy": "503 with Retry-After: 100000",
    "/flaky": "500 once, then 200",
    "/slow": "no answer within the timeout",
    "/drip": "body dripped a byte at a time",
    "/reset": "connection reset",
    "/truncated": "Content-Length 50,000, 300 bytes sent",
    "/loop-a": "redirect loop a -> b -> a",
    "/offsite": "redirect to another host",
    "/same/1": "every URL the same page (1)",
    "/same/2": "every URL the same page (2)",
    "/good": "a good page among them",
    "/nested": "10,000 nested <div>",
    "/links": "100,000 links",
    "/huge": "a 50 MB page without newlines",
    "/controls": "control characters, a lone surrogate",
    "/script-title": "markup and a script in the title",
    "/sitemap.xml": "a sitemap index listing itself",
    "/sitemap-big.xml": "a sitemap of 50,000 URLs",
    "/bomb.xml.gz": "a gzipped sitemap over the 50 MB cap",
}


def crawl(start: str, db: Path, settings: dict[str, str]) -> float:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={start}"]
    for key, value in {**FAST, "LOG_LEVEL": "ERROR", "NEWS_DB": str(db), **settings}.items():
        cmd += ["-s", f"{key}={value}"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=600)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def outcomes(db: Path, base: str) -> tuple[dict[str, str], str]:
    conn = sqlite3.connect(db)
    stored = {r[0][len(base) :]: r[1] for r in conn.execute("select fetched_url, duplicate_of from articles")}
    decided = {r[0][len(base) :]: (r[1], r[2]) for r in conn.execute("select url, kind, reason from decisions")}
    status = conn.execute("select status from crawls").fetchone()[0]
    conn.close()
    out = {}
    for path in CASES:
        if path in stored:
            out[path] = "stored" + (" (linked as near-duplicate)" if stored[path] else "")
        elif path in decided:
            kind, reason = decided[path]
            out[path] = f"{kind}: {reason}"
        elif path == "/loop-a":
            out[path] = "ended by the duplicate filter when b redirected back to a (a redirect is no page)"
    return out, status


def main() -> int:
    rows: list[tuple[str, str, str]] = []
    peak = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        Hostile.hits = {}
        server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        started = time.monotonic()
        peak = max(peak, crawl(f"{base}/", Path(tmp) / "faults.db", FAULTS))
        seconds = time.monotonic() - started
        found, status = outcomes(Path(tmp) / "faults.db", base)
        server.shutdown()
        server.server_close()
        rows += [(CASES[p], found.get(p, "not reached"), f"{len(Hostile.hits.get(p, []))} requests") for p in CASES
                 if p in found or p in Hostile.hits]  # fmt: skip
        with DemoServer(hostile_content) as content:
            peak = max(
                peak, crawl(f"{content.base_url}/sitemap.xml", Path(tmp) / "content.db", {"NEWS_INCREMENTAL": "0"})
            )
            found2, status2 = outcomes(Path(tmp) / "content.db", content.base_url)
        rows += [(CASES[p], found2[p], "") for p in CASES if p in found2 and p not in {"/good", "/loop-a"}]
    print("| case | what the crawl did | requests |")
    print("|---|---|---|")
    for case, did, requests in rows:
        print(f"| {case} | {did} | {requests} |")
    print()
    print(f"server-fault crawl: {status} in {seconds:.1f} s; hostile-content crawl: {status2}; "
          f"peak memory of a crawl process: {peak:.0f} MB")  # fmt: skip
    print(json.dumps({"peak_mb": round(peak)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
