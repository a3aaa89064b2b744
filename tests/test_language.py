"""The language of an article: declared by the page, or read from its text (issue 36)."""

from __future__ import annotations

from crawler.page.process import PageRules, RawPage, SiteSnapshot, process_page
from crawler.text.language import choose_language

GERMAN = [
    "Der Gemeinderat hat am Montag beschlossen, die Straße im kommenden Frühjahr zu erneuern.",
    "Die Anwohner hatten sich seit Jahren über Schlaglöcher und den Lärm des Verkehrs beschwert.",
    "Die Arbeiten sollen im April beginnen und bis zum Herbst dauern, teilte die Stadt mit.",
    "Während der Bauzeit wird der Verkehr über die Nebenstraßen umgeleitet, heißt es weiter.",
    "Die Kosten von rund zwei Millionen Euro trägt zum größten Teil das Land Baden-Württemberg.",
]
JAPANESE = ["政府は10日、新たな経済対策を発表した。物価高への対応として、家計への支援を強化する。",
            "対策の規模は総額で20兆円を超える見通しで、年内の補正予算の成立を目指す。"]  # fmt: skip


def test_a_page_that_declares_nothing_gets_the_language_of_its_text() -> None:
    assert choose_language(None, None, "Straße erneuert", GERMAN) == ("de", "text")
    assert choose_language(None, "en", "", JAPANESE) == ("ja", "text")


def test_a_template_language_is_overruled_by_a_long_certain_text() -> None:
    # A CMS template's lang="en" on a German article (seen on a few in a hundred real pages).
    assert choose_language("en", None, "Straße erneuert", GERMAN) == ("de", "text")
    # A short text does not overrule what the page says, nor a close sibling language.
    assert choose_language("en", None, "Straße", GERMAN[:1]) == ("en", "page")
    malay_like = ["Kerajaan telah mengumumkan langkah baharu untuk membantu rakyat menghadapi kenaikan harga."] * 6
    language, source = choose_language("id", None, "", malay_like)
    assert source == "page" and language == "id"


def test_a_declaration_the_text_agrees_with_is_the_pages() -> None:
    assert choose_language("de-DE", None, "", GERMAN) == ("de-DE", "page")


def test_no_text_leaves_the_profile_or_nothing() -> None:
    assert choose_language(None, "ja", "", []) == ("ja", "profile")
    assert choose_language(None, None, "", []) == (None, None)


def test_content_language_utf_8_is_not_a_language_the_text_is() -> None:
    # `Content-Language: UTF-8` gave language "utf" (issue 34); then nothing; now the text's.
    body = "".join(f"<p>{p}</p>" for p in GERMAN)
    html = (
        '<html><head><meta http-equiv="Content-Language" content="UTF-8"><title>Straße erneuert</title></head>'
        f"<body><article><h1>Straße wird erneuert</h1>{body}</article></body></html>"
    )
    page = RawPage("https://example.de/2024/05/01/strasse.html", html.encode(), "text/html; charset=utf-8",
                   fetched_at="2024-05-02T00:00:00+00:00")  # fmt: skip
    out = process_page(page, SiteSnapshot(), PageRules())
    assert out.row is not None
    assert (out.row["language"], out.row["language_source"]) == ("de", "text")
    assert out.counts.get("news/language/from_text") == 1
