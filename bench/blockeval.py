"""Score block removal against tests/fixtures/blocks/labelled.jsonl.

The labelled articles go through the real storage path (a temporary SQLite
file, learned boilerplate, re-clean), then each block's fate is compared with
its label. Used by tests/test_blocks_labelled.py and bench/blocks.py.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from crawler.storage import ArticleStore, open_db

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "blocks" / "labelled.jsonl"


@dataclass
class BlockScore:
    content: int = 0
    content_kept: int = 0
    removable: int = 0  # labelled repeat, boilerplate or empty
    removed: int = 0
    wrong_reason: int = 0
    articles: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def content_precision(self) -> float:
        """Share of content blocks kept (1.0: no content block removed)."""
        return self.content_kept / self.content if self.content else 1.0

    @property
    def removal_recall(self) -> float:
        return self.removed / self.removable if self.removable else 1.0


def score_blocks(path: Path = LABELLED) -> BlockScore:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    score = BlockScore(articles=len(cases))
    with tempfile.TemporaryDirectory() as tmp:
        store = ArticleStore(open_db(Path(tmp) / "eval.db"))
        items = [
            {"url": c["url"], "site": c["site"], "title": "t", "raw_blocks": [b for b, _ in c["blocks"]]} for c in cases
        ]
        store.write_raw(items, crawl_id=None)
        store.learn_boilerplate()
        stripped: dict[tuple[str, int], str] = {
            (r["article_url"], r["position"]): r["reason"] for r in store.db.query("select * from stripped_blocks")
        }
        store.db.close()
    for case in cases:
        for position, (text, label) in enumerate(case["blocks"]):
            reason = stripped.get((case["url"], position))
            if label == "content":
                score.content += 1
                score.content_kept += reason is None
                if reason is not None:
                    score.misses.append(f"content removed as {reason}: {case['url']} {text[:40]}")
            else:
                score.removable += 1
                score.removed += reason is not None
                if reason is None:
                    score.misses.append(f"{label} kept: {case['url']} {text[:40]}")
                elif reason != label:
                    score.wrong_reason += 1
                    score.misses.append(f"{label} removed as {reason}: {case['url']} {text[:40]}")
    return score
