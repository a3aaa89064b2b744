"""What storage derives from a finished row, made beside the row in the worker that made it: the
bigram form the search index holds of the title and the body, and the keys of the raw blocks
that boilerplate learning counts. Storage uses them when given (its one writer is what a run
waits for on cheap pages) and computes them itself when not (a spider of the user's own, a
re-clean): the same functions either way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.text.blocks import block_key, has_words
from crawler.text.search import bigram_form


@dataclass(frozen=True)
class Prepared:
    title_form: str
    body_form: str
    block_keys: tuple[str, ...]


def row_block_keys(raw_blocks: list[str]) -> list[str]:
    """The keys of an article's raw blocks with words, sorted (table block_occurrences)."""
    return sorted({block_key(b) for b in raw_blocks if has_words(b)})


def prepare(row: dict[str, Any]) -> Prepared:
    return Prepared(
        bigram_form(row.get("title")),
        bigram_form(row.get("body")),
        tuple(row_block_keys(list(row.get("raw_blocks") or []))),
    )
