"""The stored `language` on real pages, through the page processor: how often it is set, where it
comes from, how it compares with what the page declares, and what reading it from the text costs.

    .venv/bin/python bench/language.py [--limit 400]

Sets: dates/, web/, aeb/, wcxb-dev/, dragnet-sites/ and jp/ of ../shared/realpages, each in two
halves (by the page's key: even and odd rank); none of the sets labels a language, except jp/
(Japanese, one English publisher). So "agree" is the share of pages with a declared language
whose text the identifier reads as the same; "overruled" pages are listed for reading by eye.
Nothing here is tuned: the thresholds of crawler/text/language.py were set before this ran.
Skips cleanly when the folder is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_real import REAL, pages_of

from crawler.page.process import PageRules, RawPage, SiteSnapshot, process_page
from crawler.text.language import text_language


def jp_pages() -> list[tuple[str, bytes, str]]:
    meta = json.loads((REAL / "jp" / "meta.info").read_text())
    out = []
    for name, info in sorted(meta.items()):
        body = gzip.decompress((REAL / "jp" / name).read_bytes())
        english = "japannews." in info["url"]  # The Japan News: Yomiuri's English edition
        out.append((info["url"], body, "en" if english else "ja"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--show", type=int, default=6, help="overruled pages to print a set")
    args = parser.parse_args()
    if not REAL.is_dir():
        print(f"skipped: {REAL} is not present")
        return 0
    rules, site = PageRules(), SiteSnapshot()
    print("set/half      stored  set    from text  overruled  declared agree  (ms to read the text)")
    for name in ["dates", "web", "aeb", "wcxb-dev", "dragnet-sites"]:
        pages = pages_of([name], False, args.limit) if name != "dragnet-sites" else pages_of([], True, args.limit)
        for half in (0, 1):
            counts: Counter[str] = Counter()
            shown, spent = 0, 0.0
            for url, body in pages[half::2]:
                out = process_page(RawPage(url, body, "text/html", 200, "2026-01-01T00:00:00+00:00"), site, rules)
                row = out.row
                if row is None or out.drop is not None:
                    continue
                counts["stored"] += 1
                counts["set"] += row["language"] is not None
                counts[f"source_{row['language_source']}"] += 1
                counts["overruled"] += out.counts.get("news/language/overruled", 0)
                start = time.perf_counter()
                guess, _ = text_language("\n".join(row["raw_blocks"]))
                spent += time.perf_counter() - start
                if row["language_source"] == "page":
                    counts["declared"] += 1
                    counts["agree"] += guess == row["language"].split("-")[0]
                if out.counts.get("news/language/overruled") and shown < args.show:
                    shown += 1
                    print(f"    overruled -> {row['language']}: {url[:70]} | {row['title'][:50]!r}")
            n = max(counts["stored"], 1)
            print(
                f"{name:>13}/{half} {counts['stored']:>5}  {counts['set'] / n:.3f}  {counts['source_text']:>9}"
                f"  {counts['overruled']:>9}  {counts['agree'] / max(counts['declared'], 1):.3f}"
                f"  ({1000 * spent / n:.2f})"
            )
    right = total = 0
    for url, body, language in jp_pages():
        out = process_page(RawPage(url, body, "text/html", 200, "2026-01-01T00:00:00+00:00"), site, rules)
        if out.row is not None:
            total += 1
            right += out.row["language"].split("-")[0] == language
    print(f"jp/ (languages known): right {right}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
