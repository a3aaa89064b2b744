"""CPU a page of the page processor (the thorough path: a site with nothing learned) against the
archive baseline's call, trafilatura.bare_extraction(with_metadata=True), on the same pages, in
one process: what "a page of an unknown site costs no more than the loop's call" compares.

    .venv/bin/python bench/page_cost.py [--limit 150]

Pages: the first N of each of dates/, web/, aeb/ and wcxb-dev/ in ../shared/realpages. Each side
runs over all pages twice; the second pass is printed (steady state). Skips cleanly when the
folder is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import trafilatura
from ingest_real import REAL, pages_of

from crawler.page.process import PageRules, RawPage, SiteSnapshot, process_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=150)
    args = parser.parse_args()
    if not REAL.is_dir():
        print(f"skipped: {REAL} is not present")
        return 0
    pages = pages_of(["dates", "web", "aeb", "wcxb-dev"], False, args.limit)
    rules, site = PageRules(), SiteSnapshot()

    def ours() -> None:
        for url, body in pages:
            process_page(RawPage(url, body, "text/html", 200, "2024-01-01T00:00:00+00:00"), site, rules)

    def baseline() -> None:
        for url, body in pages:
            try:
                trafilatura.bare_extraction(body, url=url, with_metadata=True)
            except Exception:  # as the archive baseline does
                pass

    figures = {}
    for _ in range(2):
        for name, run in (("baseline", baseline), ("ours", ours)):
            start = time.process_time()
            run()
            figures[name] = 1000 * (time.process_time() - start) / len(pages)
    print(f"{len(pages)} pages, one process, steady state (CPU ms a page):")
    print(f"  trafilatura.bare_extraction(with_metadata=True): {figures['baseline']:.1f}")
    print(f"  process_page (the finished row, thorough path):  {figures['ours']:.1f}")
    print(f"  ratio ours/baseline: {figures['ours'] / figures['baseline']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
