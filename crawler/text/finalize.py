"""From an article's raw blocks to the stored text: the one place a body is made.

Pure. The clean pipeline (during a crawl) and the storage's re-clean (after the
site's boilerplate model changed) both call `clean_article`, so the stored
text depends only on the raw blocks, the site's boilerplate model and the
cleaning switches - never on crawl order or on which code path wrote it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from crawler.text.blocks import BOILERPLATE, EMPTY, REPEAT, StripResult, clean_blocks
from crawler.text.mentions import find_mentions
from crawler.text.signals import local_day

SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Cleaned:
    body: str
    result: StripResult
    total: int  # raw blocks, whitespace-only ones included

    def fields(self, title: str | None) -> dict[str, Any]:
        """The article fields this cleaning decides (body, counts, audit rows, content hash)."""
        stripped = self.result.stripped
        return {
            "body": self.body,
            "blocks_total": self.total,
            "blocks_stripped": len(stripped),
            "blocks_repeat": self.result.count(REPEAT),
            "blocks_boilerplate": self.result.count(BOILERPLATE),
            "blocks_empty": self.result.count(EMPTY),
            "stripped_blocks": [{"position": p, "text": t, "reason": r} for p, t, r in stripped],
            "content_hash": content_hash(title or "", self.body),
        }


def clean_article(
    raw_blocks: list[str], boilerplate: Collection[str] = (), repeats: bool = True, furniture: bool = True
) -> Cleaned:
    """Clean blocks (see crawler/text/blocks.py) joined by blank lines."""
    result = clean_blocks(raw_blocks, boilerplate, repeats=repeats, furniture=furniture)
    return Cleaned(SEPARATOR.join(result.kept), result, len(raw_blocks))


def content_hash(title: str, body: str) -> str:
    """What decides whether a re-fetched article changed."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def article_mentions(body: str, published_at: str | None, timezone: str | None) -> list[dict[str, Any]]:
    """Date expressions in the body, resolved against the publisher's local day; none without a date
    (relative forms such as "7日" or "yesterday" cannot be resolved then), nor with only a year or
    a month."""
    day = local_day(published_at, timezone) if published_at else None
    if day is None:  # no date, or only a year or a month: nothing to resolve against
        return []
    return [asdict(m) for m in find_mentions(body, day)]
