"""Block normalisation and in-article repeat removal.

Pure functions: no Scrapy, no storage. The seed NHK page repeats whole runs of
paragraphs; removing every block that equals an earlier block (after
normalisation) removes such runs whole while keeping the first occurrence and
the original order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_WS = re.compile(r"\s+")


def normalize_block(text: str) -> str:
    """Return the comparison key of a block: NFKC, whitespace collapsed, trimmed.

    NFKC folds full-width ASCII and half-width katakana, so "ＡＢＣ１２３" and
    "ABC123" compare equal; casing is kept because it can carry meaning.
    """
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def clean_block(text: str) -> str:
    """Whitespace tidy-up for storage: collapse runs, keep the characters as published."""
    return _WS.sub(" ", text).strip()


@dataclass
class StripResult:
    """Blocks kept (in order) and the blocks dropped as repeats, with their positions."""

    kept: list[str] = field(default_factory=list)
    stripped: list[tuple[int, str]] = field(default_factory=list)


def strip_repeated_blocks(blocks: list[str]) -> StripResult:
    """Drop every block that repeats an earlier block of the same list.

    Empty blocks (after normalisation) are dropped too but not counted as
    repeats. Linear in the number of blocks: one set lookup each.
    """
    result = StripResult()
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        key = normalize_block(block)
        if not key:
            continue
        if key in seen:
            result.stripped.append((index, block))
            continue
        seen.add(key)
        result.kept.append(clean_block(block))
    return result
