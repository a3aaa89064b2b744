from __future__ import annotations

from crawler.extract.encoding import looks_garbled, redecode

TEXT = "地元の商店街で、恒例の春の大売り出しが始まり、大勢の買い物客でにぎわっています。" * 3


def test_wrong_declared_charset_is_redetected() -> None:
    body = f"<html><body><p>{TEXT}</p></body></html>".encode("shift_jis")
    garbled = body.decode("utf-8", "replace")
    assert looks_garbled(garbled)
    fixed = redecode(garbled, body, "utf-8")
    assert fixed.repaired and TEXT in fixed.text and fixed.encoding in {"cp932", "shift_jis"}


def test_good_decoding_is_left_alone() -> None:
    body = f"<p>{TEXT}</p>".encode()
    same = redecode(body.decode("utf-8"), body, "utf-8")
    assert not same.repaired and same.encoding == "utf-8"


def test_a_few_replacement_characters_are_not_a_wrong_charset() -> None:
    assert not looks_garbled("ok \ufffd text " * 3 + "x" * 10_000)
