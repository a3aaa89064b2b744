from __future__ import annotations

from pathlib import Path

import pytest

from crawler.text.blocks import BOILERPLATE, EMPTY, REPEAT, block_key, clean_blocks, normalize_block

SEED_PATH = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "data" / "nhk_ukraine_2022-03-08.txt"
SEED = SEED_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("  a   b\n c ", "a b c"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width ASCII
        ("ｶﾀｶﾅ", "カタカナ"),  # half-width katakana
        ("（注意）！", "(注意)!"),  # punctuation width
        ("今月10日\u3000に", "今月10日に"),  # spaces next to CJK carry no meaning
        ("東京 都", "東京都"),
        ("", ""),
        ("Case Stays", "Case Stays"),
    ],
)
def test_normalize_block(raw: str, key: str) -> None:
    assert normalize_block(raw) == key


@pytest.mark.parametrize(
    ("blocks", "kept", "stripped"),
    [
        ([], [], []),
        (["Alpha one left.", "Bravo two came."], ["Alpha one left.", "Bravo two came."], []),
        (
            ["Alpha one left.", "Bravo two came.", "Alpha one left."],
            ["Alpha one left.", "Bravo two came."],
            [(2, REPEAT)],
        ),
        (
            [
                "Alpha one left.",
                "Bravo two came.",
                "Charlie 3 stayed.",
                "Alpha one left.",
                "Bravo two came.",
                "Charlie 3 stayed.",
            ],
            ["Alpha one left.", "Bravo two came.", "Charlie 3 stayed."],
            [(3, REPEAT), (4, REPEAT), (5, REPEAT)],
        ),  # a whole run
        (
            ["Xray block ran.", " Xray  block ran. ", "XRAY BLOCK RAN."],
            ["Xray block ran.", "XRAY BLOCK RAN."],
            [(1, REPEAT)],
        ),
        (
            ["ｘｒａｙ　ｂｌｏｃｋ　ｒａｎ．", "xray block ran."],
            ["ｘｒａｙ ｂｌｏｃｋ ｒａｎ．"],
            [(1, REPEAT)],
        ),  # full-width
        (["150万人が避難", "170万人が避難"], ["150万人が避難", "170万人が避難"], []),  # numbers differ: both stay
        (["", "  ", "Alpha one left."], ["Alpha one left."], []),  # whitespace-only blocks are not blocks
        (  # a repeated run takes its subheading with it
            ["新たな仲介の動きも", "本文の段落です。", "新たな仲介の動きも", "本文の段落です。"],
            ["新たな仲介の動きも", "本文の段落です。"],
            [(2, REPEAT), (3, REPEAT)],
        ),
        (["。。。", "★☆★", "😀😀", "本文"], ["本文"], [(0, EMPTY), (1, EMPTY), (2, EMPTY)]),
        (
            ["Ünïcödé ist da.", "Ünïcödé ist da.", "混在 mixed テキスト"],
            ["Ünïcödé ist da.", "混在 mixed テキスト"],
            [(1, REPEAT)],
        ),
    ],
)
def test_clean_blocks(blocks: list[str], kept: list[str], stripped: list[tuple[int, str]]) -> None:
    result = clean_blocks(blocks)
    assert result.kept == kept
    assert [(i, reason) for i, _, reason in result.stripped] == stripped


def test_boilerplate_is_stripped_by_key_and_named() -> None:
    blocks = ["本文です。", "NHKのサイトを離れます。", "もう一つの本文。", "ＮＨＫのサイトを離れます。"]
    result = clean_blocks(blocks, {block_key("NHKのサイトを離れます。")})
    assert result.kept == ["本文です。", "もう一つの本文。"]
    assert [(i, r) for i, _, r in result.stripped] == [(1, BOILERPLATE), (3, BOILERPLATE)]


def test_seed_runs_are_removed_whole_and_order_kept() -> None:
    lines = [line for line in SEED.splitlines() if line.strip()]
    result = clean_blocks(lines)
    # The seed repeats two runs of five paragraphs.
    assert result.count(REPEAT) == 10
    # Seed lines 18-22 and 30-34; two blank lines come before them.
    assert [i for i, _, _ in result.stripped] == [*range(15, 20), *range(27, 32)]
    assert len(result.kept) == len(set(lines))
    first_positions = [lines.index(k) for k in result.kept]
    assert first_positions == sorted(first_positions)
    for _, text, _ in result.stripped:
        assert text in result.kept


def test_linear_on_large_input() -> None:
    blocks = [f"Paragraph {i % 1000} ends here." for i in range(20_000)]
    result = clean_blocks(blocks, {block_key("Paragraph 7 ends here.")})  # sentences: prose repeats
    assert len(result.kept) == 999
    assert result.count(REPEAT) == 19_000 - 19
    assert result.count(BOILERPLATE) == 20


def test_short_labels_are_not_repeats() -> None:
    blocks = ["Q", "いつ始まる?", "A", "来月です。", "Q", "どこで?", "A", "東京です。"]
    assert clean_blocks(blocks).kept == blocks
    assert clean_blocks(["解説です。長い段落。", "解説です。長い段落。"]).count(REPEAT) == 1


def test_repeated_structure_survives_but_not_repeated_prose() -> None:
    day = ["Pre-Workout Meal", "Eat 60–90 minutes before your workout", "Post-Workout Meal", "Eat every 2–3 hours"]
    schedule = ["Monday", *day, "Tuesday", *day, "Wednesday", *day]
    assert clean_blocks(schedule).kept == schedule  # a timetable repeats its lines each day
    table = ["Team", "Won", "Lost", "Hawks", "3", "1", "Owls", "3", "1"]
    assert clean_blocks(table).kept == table
    quoted = ["The mayor said:", "We will rebuild.", "Residents agreed.", "The mayor said:", "We will rebuild."]
    assert clean_blocks(quoted).kept == quoted[:3]  # a sentence repeated takes its label with it


def test_furniture_lines_go_and_prose_about_the_same_things_stays() -> None:
    from crawler.text.blocks import FURNITURE

    furniture = [
        "Subscribe now to our eNATION edition for the full story.",
        "If you're seeing this message but you're already a subscriber, you can log in.",
        "Zum Newsletter anmelden",
        "Lesen Sie auch:",
        "À lire aussi",
        "NOTAS RELACIONADAS",
        "Read more: Looted colonial art",
        "Lea también: Impiden ingreso a Nicaragua a reportero",
        "Siguenos en Telegram, Instagram, Facebook y Twitter",
        "Pour lire la suite",
        "À lire aussi Le marché du travail est-il trop rigide ?",
        "Anzeige, enthält Affiliate Links",
        "© 2020 General Mills All Rights Reserved",
        "Keine Kommentare",
        "関連記事",
        "有料会員になると会員限定の有料記事もお読みいただけます。",
        "この記事は会員限定です。 紙の新聞の定期購読者の方は、無料で会員登録できます。",
    ]
    prose = [
        "The council voted to subscribe to the regional water scheme from next year.",
        "Related companies were also fined.",
        "Readers who subscribe to the paper's print edition pay more than online readers, the survey found, "
        "and the gap has grown every year since the paywall went up in 2019.",
        "会員制の病院が増えている。",
        "Lea: Ich glaube, das war ein Fehler.",  # an interview's speaker, not "Lea:" (read)
        "Read the full report on the council's website before Friday's vote.",
        "Auch interessant ist, dass der Rat schon 2019 gewarnt hatte.",
        "Anzeigen gingen im Januar um 12 Prozent zurück.",
    ]
    result = clean_blocks([*furniture, *prose])
    assert result.kept == prose
    assert result.count(FURNITURE) == len(furniture)
