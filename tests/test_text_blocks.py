from __future__ import annotations

from pathlib import Path

import pytest

from crawler.text.blocks import normalize_block, strip_repeated_blocks

SEED = (Path(__file__).resolve().parents[1] / "crawler" / "demo" / "data" / "nhk_ukraine_2022-03-08.txt").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("  a   b\n c ", "a b c"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width ASCII
        ("ｶﾀｶﾅ", "カタカナ"),  # half-width katakana
        ("今月10日\u3000に", "今月10日 に"),  # ideographic space
        ("", ""),
        ("Case Stays", "Case Stays"),
    ],
)
def test_normalize_block(raw: str, key: str) -> None:
    assert normalize_block(raw) == key


@pytest.mark.parametrize(
    ("blocks", "kept", "stripped_at"),
    [
        ([], [], []),
        (["a", "b"], ["a", "b"], []),
        (["a", "b", "a"], ["a", "b"], [2]),
        (["a", "b", "c", "a", "b", "c"], ["a", "b", "c"], [3, 4, 5]),  # a whole run
        (
            ["x", " x ", "Ｘ"],
            ["x", "Ｘ"],
            [1],
        ),  # "Ｘ" is upper case: not a repeat
        (["ｘ", "x"], ["ｘ"], [1]),  # full-width repeat of the same letter
        (["150万人が避難", "170万人が避難"], ["150万人が避難", "170万人が避難"], []),  # numbers differ: both stay
        (["", "  ", "a"], ["a"], []),  # empty blocks vanish but are not repeats
        (["見出し", "本文です。", "見出し"], ["見出し", "本文です。"], [2]),
    ],
)
def test_strip_repeated_blocks(blocks: list[str], kept: list[str], stripped_at: list[int]) -> None:
    result = strip_repeated_blocks(blocks)
    assert result.kept == kept
    assert [i for i, _ in result.stripped] == stripped_at


def test_seed_runs_are_removed_whole_and_order_kept() -> None:
    lines = [line for line in SEED.splitlines() if line.strip()]
    result = strip_repeated_blocks(lines)
    # The seed repeats two runs of five paragraphs.
    assert len(result.stripped) == 10
    assert len(result.kept) == len(set(lines))
    # Order: each kept line appears where it first appeared.
    first_positions = [lines.index(k) for k in result.kept]
    assert first_positions == sorted(first_positions)
    for _, text in result.stripped:
        assert text in result.kept


def test_linear_on_large_input() -> None:
    blocks = [f"paragraph {i % 1000}" for i in range(20_000)]
    result = strip_repeated_blocks(blocks)
    assert len(result.kept) == 1000
    assert len(result.stripped) == 19_000
