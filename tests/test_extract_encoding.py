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


def test_utf8_declared_as_latin1_is_read_as_utf8() -> None:
    body = "<p>Grüße für die Straße – naïve café</p>".encode()
    mojibake = body.decode("latin-1")
    assert "Ã¼" in mojibake
    fixed = redecode(mojibake, body, "iso-8859-1")
    assert fixed.repaired and "Grüße für die Straße – naïve café" in fixed.text and fixed.encoding == "utf-8"
    cp1252 = redecode(body.decode("cp1252", "replace"), body, "windows-1252")
    assert cp1252.repaired and "für" in cp1252.text


def test_real_latin1_stays_latin1() -> None:
    body = "<p>Grüße für die Straße, déjà vu</p>".encode("latin-1")
    same = redecode(body.decode("latin-1"), body, "iso-8859-1")
    assert not same.repaired and "für" in same.text


def test_xhtml_with_an_encoding_declaration_parses() -> None:
    from crawler.extract import extract_page

    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"'
        ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
        "<head><title>XHTML story</title></head><body><h1>XHTML story</h1>"
        + "".join(f"<p>Paragraph {i} of an XHTML page with enough running text to read.</p>" for i in range(6))
        + "</body></html>"
    )
    got = extract_page(page, "https://ex.com/2020/01/02/story.html")
    assert got.title == "XHTML story" and len(got.blocks) >= 5
