"""Body-extraction quality on labelled real pages (../shared/realpages), when present.

    .venv/bin/python bench/extraction.py [--limit N]

Prints token precision / recall / F1 per strategy (CJK characters count as one
token each; NFKC and casefold first), the usual metric of the article
extraction benchmark. Skips cleanly when the folder is absent: the pages are
never copied into this repository.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path

from crawler.extract.article import (
    _trafilatura_blocks,
    extract_page,
    parse_html,
)
from crawler.extract.density import main_blocks

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realpages"
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\s\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")


def tokens(text: str) -> Counter[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return Counter(t for t in _TOKEN.findall(text) if re.search(r"\w", t))


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    p, g = tokens(pred), tokens(gold)
    common = sum((p & g).values())
    if not p or not g:
        return (0.0, 0.0, 0.0) if p or g else (1.0, 1.0, 1.0)
    precision, recall = common / sum(p.values()), common / sum(g.values())
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def load_cases(limit: int | None) -> list[tuple[str, str, str, str]]:
    cases = []
    aeb = REAL / "aeb"
    truth = json.loads((aeb / "ground-truth.json").read_text())
    for key, value in sorted(truth.items())[:limit]:
        html = gzip.decompress((aeb / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        cases.append(("aeb", value.get("url") or "", html, value["articleBody"]))
    jp = REAL / "jp"
    meta = json.loads((jp / "meta.info").read_text())
    for name, info in sorted(meta.items()):
        publisher = name.split("_")[0]
        label = json.loads((jp / f"{publisher}.json").read_text())
        doc = next(iter(label.values()))
        body = doc["body"]
        parts = list(body.get("summary") or [])
        for section in body.get("sections") or []:
            parts += section.get("headline") or []
            parts += section.get("paragraphs") or []
        html = gzip.decompress((jp / name).read_bytes()).decode("utf-8", "replace")
        cases.append(("jp", info["url"], html, "\n".join(parts)))
    return cases


def strategies() -> dict[str, object]:
    def trafilatura_only(html: str, url: str) -> list[str]:
        return _trafilatura_blocks(parse_html(html), url)

    def density_only(html: str, url: str) -> list[str]:
        return main_blocks(parse_html(html))

    def pipeline(html: str, url: str) -> list[str]:
        return extract_page(html, url).blocks

    return {"trafilatura": trafilatura_only, "density": density_only, "extract_page": pipeline}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="use only the first N aeb pages")
    args = parser.parse_args()
    if not REAL.exists():
        print(f"skipped: {REAL} is not present")
        return 0
    cases = load_cases(args.limit)
    print(f"{len(cases)} pages ({sum(c[0] == 'aeb' for c in cases)} aeb, {sum(c[0] == 'jp' for c in cases)} jp)")
    print(f"{'strategy':<14} {'set':<4} {'P':>6} {'R':>6} {'F1':>6} {'ms/page':>8}")
    for name, fn in strategies().items():
        for subset in ("aeb", "jp"):
            rows, started = [], time.perf_counter()
            chosen = [c for c in cases if c[0] == subset]
            for _, url, html, gold in chosen:
                blocks = fn(copy.copy(html), url)  # type: ignore[operator]
                rows.append(prf("\n".join(blocks), gold))
            ms = (time.perf_counter() - started) * 1000 / max(1, len(chosen))
            mean = [sum(r[i] for r in rows) / max(1, len(rows)) for i in range(3)]
            print(f"{name:<14} {subset:<4} {mean[0]:6.3f} {mean[1]:6.3f} {mean[2]:6.3f} {ms:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
