"""CPU a page of the learned path against the thorough path, on the same pages, in one process.

    .venv/bin/python bench/learned_cost.py

For each site of ../shared/realpages/dragnet-sites: its first 4 learnable pages go the thorough
way and a parser is learned from them (crawler/page/learnsite.py); on the site's other pages
that the learned path takes (not doubtful), both paths are timed, twice, the second pass
printed (steady state: dateparser's and lxml's first-use costs paid). Skips cleanly when the
folder is absent.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from crawler.page.learn import learnable
from crawler.page.learnsite import learn_site
from crawler.page.process import PageRules, RawPage, SiteSnapshot, learned_outcome, process_page

REAL = Path(__file__).resolve().parents[2] / "shared" / "realpages" / "dragnet-sites"
LEARNING = 4


def main() -> int:
    if not REAL.is_dir():
        print(f"skipped: {REAL} is not present")
        return 0
    labels = json.loads((REAL / "labels.json").read_text())
    sites: dict[str, list[str]] = defaultdict(list)
    for key, value in sorted(labels.items()):
        sites[value["site"]].append(key)
    rules, site = PageRules(), SiteSnapshot()
    jobs = []
    for host, keys in sites.items():
        pages = [
            RawPage(f"http://{host}/{k}.html", gzip.decompress((REAL / "html" / f"{k}.html.gz").read_bytes()),
                    "text/html", 200, "2012-06-01T00:00:00+00:00")
            for k in keys
        ]  # fmt: skip
        rows = [process_page(p, site, rules) for p in pages]
        samples = [(p, o.row) for p, o in zip(pages, rows, strict=True)
                   if o.kind == "article" and o.row and not o.drop and learnable(o.row)][:LEARNING]  # fmt: skip
        learned = learn_site(samples, site, rules)
        if learned.parser is not None:
            jobs += [(p, learned.parser) for p in pages[LEARNING:]]
    taken = [(p, parser) for p, parser in jobs if learned_outcome(p, site, rules, parser) is not None]
    for _ in range(2):
        start = time.process_time()
        for page, parser in taken:
            learned_outcome(page, site, rules, parser)
        learned_ms = 1000 * (time.process_time() - start) / len(taken)
        start = time.process_time()
        for page, _parser in taken:
            process_page(page, site, rules)
        thorough_ms = 1000 * (time.process_time() - start) / len(taken)
    print(f"{len(taken)} pages the learned path takes ({len(jobs)} after the learning pages of sites that learned one)")
    print(f"learned path {learned_ms:.1f} ms a page, thorough path {thorough_ms:.1f} ms a page (one process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
