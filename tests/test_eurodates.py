"""Day-first European dates, dates the text labels, and the dateline under the headline."""

from __future__ import annotations

import pytest

from crawler.extract import extract_page
from crawler.text import eurodates
from crawler.text.dates import find_byline_dates, find_labelled_dates, parse_date

BODY = "".join(f"<p>Ein Absatz mit genug laufendem Text für einen Artikel, Nummer {i}.</p>" for i in range(6))


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("03.02.2022", "2022-02-03"),
        ("3.2.2022", "2022-02-03"),
        ("28.09.19", "2019-09-28"),
        ("1. Februar 2022", "2022-02-01"),
        ("31. Oktober 2023.", "2023-10-31"),
        ("30 septembre 2018", "2018-09-30"),
        ("1er août 2020", "2020-08-01"),
        ("1 de febrero de 2022", "2022-02-01"),
        ("7 maggio 2020", "2020-05-07"),
        ("12 de março de 2021", "2021-03-12"),
        ("3 maart 2021", "2021-03-03"),
        ("22. Jänner 2019", "2019-01-22"),
    ],
)
def test_day_first_dates_read_without_dateparser(raw: str, value: str) -> None:
    got = parse_date(raw, "Europe/Berlin")
    assert (got.value, got.precision, got.method) == (value, "day", "european")


def test_day_first_dates_with_a_time_take_the_sites_zone() -> None:
    got = parse_date("29.04.2020, 12:01 Uhr", "Europe/Berlin")
    assert (got.value, got.offset_minutes) == ("2020-04-29T10:01:00+00:00", 120)
    assert parse_date("11 septembre 2018 à 12:57", "Europe/Paris").value == "2018-09-11T10:57:00+00:00"
    assert parse_date("31.02.2022").error == "invalid_date"


def test_found_in_text_without_overlaps_and_not_inside_numbers_or_versions() -> None:
    text = "Stand 28.04.2020 18:00 Uhr, Version 1.2.3.4, ID 2020-04-28-17, am 1. Mai 2020 und 2019-12-31."
    assert [m.group(0) for m in eurodates.find(text)] == ["28.04.2020 18:00 Uhr", "1. Mai 2020", "2019-12-31"]


def test_labelled_dates_published_and_modified() -> None:
    text = (
        "Letzte Änderung: 31.10.2023 - 14:49 Erschienen am: 01.11.2023 Lesungen: 61. "
        "Veröffentlicht am Samstag, 3. Dezember 2011 um 10:00 Uhr. Ein Termin am 5. Mai 2012 ohne Wort davor."
    )
    assert find_labelled_dates(text) == [
        ("31.10.2023 - 14:49", "modified"),
        ("01.11.2023", "published"),
        ("3. Dezember 2011 um 10:00 Uhr", "published"),
    ]
    assert find_labelled_dates("Published: March 3, 2020 · Updated 4 May 2021") == [
        ("March 3, 2020", "published"),
        ("4 May 2021", "modified"),
    ]
    assert find_byline_dates("Stand: 28.04.2020 18:00 Uhr") == [("28.04.2020 18:00 Uhr", "modified")]


def test_a_byline_date_after_a_long_modified_label_is_the_modified_date() -> None:
    # The label was looked for in the 12 characters before the date: "Zuletzt geändert am: "
    # and "Aktualisiert am " were cut, and their dates read as the publication date.
    assert find_byline_dates("Zuletzt geändert am: 15.10.2021 Presseteam") == [("15.10.2021", "modified")]
    assert find_byline_dates("Aktualisiert am 3. März 2022, 10:00") == [("3. März 2022, 10:00", "modified")]
    assert find_byline_dates("Last updated on: March 3, 2022") == [("March 3, 2022", "modified")]
    assert find_byline_dates("Veröffentlicht am 3.3.2022 Aktualisiert am 4.3.2022") == [
        ("3.3.2022", "published"),
        ("4.3.2022", "modified"),
    ]
    # A label word only as a whole word: "Bestand" is not "Stand".
    assert find_byline_dates("Bestand 12.03.2020") == [("12.03.2020", "published")]


def _candidates(body: str, head: str = "") -> list[tuple[str, str]]:
    html = f"<html lang='de'><head><title>T</title>{head}</head><body>{body}{BODY}</body></html>"
    return extract_page(html, "https://ex.de/news/story").published_candidates


def test_the_dateline_under_the_headline_and_the_labelled_date_are_signals() -> None:
    got = _candidates(
        "<div class='top'>Heute ist 29.11.2026</div><h1>Titel</h1><p>02.02.2022 10:16 Uhr - 1. Bundesliga</p>"
        "<p>Text. Veröffentlicht am 01.02.2022</p>"
    )
    assert ("02.02.2022 10:16 Uhr", "headline") in got
    assert ("01.02.2022", "label") in got


def test_a_byline_class_in_any_case_or_language_is_read() -> None:
    assert ("31. Oktober 2023", "byline") in _candidates("<h1>T</h1><span class='text_datum'>31. Oktober 2023.</span>")
    assert ("29.04.2020, 12:01 Uhr", "byline") in _candidates(
        "<li class='Date'><time>29.04.2020, 12:01 Uhr</time></li>"
    )


def test_the_page_the_reader_sees_decides_against_a_stray_meta_date() -> None:
    # meta date (machine only) says the 30th; the byline and the dateline under the headline say the 29th
    html = (
        "<html lang='de'><head><title>T</title><meta name='date' content='2020-04-30'></head><body>"
        "<h1>Titel</h1><p class='Date'>29.04.2020, 12:01 Uhr</p>" + BODY + "</body></html>"
    )
    from datetime import UTC, datetime

    from crawler.text.signals import choose_date

    page = extract_page(html, "https://ex.de/news/story")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    choice = choose_date(
        page.published_candidates, lambda raw: parse_date(raw, "Europe/Berlin", None, now), "Europe/Berlin", now
    )
    assert choice.local == "2020-04-29T12:01:00+02:00"


def test_a_label_word_inside_a_longer_word_labels_nothing() -> None:
    text = "İstanbul. Standard 12.03.2020, mandate: 3.4.2020, UPDATED 4 May 2021, Stand: 28.04.2020"
    assert find_labelled_dates(text) == [("4 May 2021", "modified"), ("28.04.2020", "modified")]
