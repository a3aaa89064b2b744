"""The labelled block set (tests/fixtures/blocks/labelled.jsonl) and the issue's targets."""

from __future__ import annotations

from blockeval import score_blocks


def test_labelled_set_removal_precision_and_recall() -> None:
    score = score_blocks()
    assert score.articles >= 40
    assert score.content_precision == 1.0, score.misses  # no content block removed
    assert score.removal_recall >= 0.99, score.misses
    assert score.wrong_reason == 0, score.misses
