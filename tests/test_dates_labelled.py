"""The labelled date sets in tests/fixtures/dates/ and the issue's targets."""

from __future__ import annotations

import csv

from dateeval import FIXTURES, score_demo_pages, score_mentions, score_strings


def test_labelled_sets_are_big_enough() -> None:
    with (FIXTURES / "date_strings.tsv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh, delimiter="\t")) >= 150
    assert score_mentions().expected >= 60


def test_date_strings_accuracy() -> None:
    score = score_strings()
    assert score.accuracy >= 0.98, score.misses


def test_mentions_precision_and_recall() -> None:
    score = score_mentions()
    assert score.precision >= 0.97, score.misses
    assert score.recall >= 0.9, score.misses


def test_published_dates_of_pages_exact_to_the_minute() -> None:
    score = score_demo_pages()
    assert score.accuracy >= 0.98, score.misses
