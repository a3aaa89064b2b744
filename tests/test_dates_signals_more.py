"""Date signals beyond the usual markup: CDATA JSON-LD, other JSON-LD types, meta spellings,
<abbr>, the canonical URL, visible dates; the reader's date against markup; the local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.extract import extract_page
from crawler.text.dates import parse_date
from crawler.text.signals import choose_date, local_time

TEXT = "".join(f"<p>Ein Absatz mit genug laufendem Text für einen Artikel, Nummer {i}.</p>" for i in range(5))


def page(head: str, body: str = "") -> str:
    return f"<html lang='de'><head><title>T</title>{head}</head><body><h1>T</h1>{body}{TEXT}</body></html>"


def sources(html: str, url: str = "https://ex.de/a") -> dict[str, str]:
    return {source: raw for raw, source in extract_page(html, url).published_candidates}


def test_json_ld_in_cdata_and_on_other_types() -> None:
    ld = '{"@type": "NewsArticle", "datePublished": "2023-04-28"}'
    cdata = f'<script type="application/ld+json">//<![CDATA[\n{ld}\n//]]></script>'
    assert sources(page(cdata))["json-ld:datePublished"] == "2023-04-28"
    claim = '<script type="application/ld+json">{"@type": "ClaimReview", "datePublished": "2021-02-03"}</script>'
    assert sources(page(claim))["json-ld:datePublished"] == "2021-02-03"


def test_meta_name_variants_and_abbr() -> None:
    got = sources(page('<meta property="article:published:time" content="2011-11-22T10:00:00+01:00">'))
    assert got["meta:article:published:time"] == "2011-11-22T10:00:00+01:00"
    abbr = sources(page("", '<abbr class="published" title="2011-11-22T09:30:00+00:00">22. November 2011</abbr>'))
    assert abbr["abbr"] == "2011-11-22T09:30:00+00:00"


def test_canonical_url_date_and_visible_date() -> None:
    canonical = sources(
        page('<link rel="canonical" href="https://ex.de/2019/10/16/story.html">'), "https://ex.de/a?id=3"
    )
    assert canonical["url"] == "2019-10-16"
    unpadded = sources(page(""), "https://ex.de/home/2017/7/2/unter-uns")  # whole segments, unpadded
    assert unpadded["url"] == "2017-07-02"
    assert "url" not in sources(page(""), "https://ex.de/items/2017/7/22x/")
    visible = sources(page("", '<p class="meta">Veröffentlicht am 22. November 2011</p>'))
    assert visible["visible"] == "2011-11-22"


NOW = datetime(2024, 1, 1, tzinfo=UTC)


def choose(candidates: list[tuple[str, str]], tz: str = "Europe/Berlin"):  # type: ignore[no-untyped-def]
    return choose_date(candidates, lambda raw: parse_date(raw, tz, None, NOW), tz, NOW, timedelta(hours=1), 1990)


def test_signals_vote_for_a_day_and_what_the_reader_sees_counts_more_than_markup() -> None:
    # JSON-LD alone against the date under the headline: the headline's day wins.
    headline = choose([("2016-08-29T21:54:39Z", "json-ld:datePublished"), ("6. Mai 2019", "headline")])
    assert (headline.value, headline.source, headline.disagree) == ("2019-05-06", "headline", True)
    # ... and when they agree, the markup's minute is kept.
    agree = choose([("2019-05-06T08:00:00+02:00", "json-ld:datePublished"), ("2019-05-06", "visible")])
    assert (agree.value, agree.source) == ("2019-05-06T06:00:00+00:00", "json-ld:datePublished")
    # Two kinds of markup that agree outweigh htmldate's guess of another day.
    markup = choose(
        [("2020-02-19T18:37:32+01:00", "json-ld:datePublished"), ("2020-02-19", "meta:date"), ("2020-02-18", "visible")]
    )
    assert markup.value == "2020-02-19T17:37:32+00:00"
    # A date the text calls "published" outweighs metadata that says otherwise.
    label = choose([("2021-10-15", "meta:dc.date"), ("2021-10-15", "visible"), ("13.10.2021", "label")])
    assert (label.value, label.source) == ("2021-10-13", "label")
    # One kind votes once, however many signals it has.
    many = choose([("2020-01-01", "meta:date"), ("2020-01-01", "meta:dc.date"), ("05.01.2020", "byline")])
    assert many.source == "byline"


def test_an_ambiguous_numeric_date_takes_the_reading_the_page_confirms() -> None:
    for confirmed, day in (("01.11.2023", "2023-11-01"), ("11.01.2023", "2023-01-11")):
        got = choose([("11/01/2023 12:43:42", "meta:date"), (confirmed, "label")])
        assert got.local is not None and got.local.startswith(day), confirmed
        assert got.source == "meta:date"  # the markup's minute, in the reading the page confirms
        assert got.signals[0]["value"].startswith(day)  # the signal records the reading used


def test_published_local_keeps_the_publishers_offset() -> None:
    tokyo = parse_date("2025-01-13T21:37:00+09:00", "Asia/Tokyo", None, NOW)
    assert local_time(tokyo, "Asia/Tokyo") == "2025-01-13T21:37:00+09:00"
    utc = parse_date("2025-01-13T12:37:00Z", "Asia/Tokyo", None, NOW)
    assert local_time(utc, "Asia/Tokyo") == "2025-01-13T21:37:00+09:00"  # Z shown in the site's zone
    naive = parse_date("2022年3月8日 5時12分", "Asia/Tokyo", ["ja"], NOW)
    assert local_time(naive, "Asia/Tokyo") == "2022-03-08T05:12:00+09:00"
    assert local_time(parse_date("2022-03-08", "Asia/Tokyo", None, NOW), "Asia/Tokyo") == "2022-03-08"


def test_a_time_with_its_local_offset_confirmed_by_the_byline_keeps_its_day() -> None:
    # JSON-LD gives the publisher's local time with its offset and the byline shows that day:
    # the generic visible-date guess of another day does not overrule them.
    got = choose(
        [("2022-05-07T13:43:46-05:00", "json-ld:datePublished"), ("07 May 2022", "byline"), ("2022-05-06", "visible")],
        tz="UTC",
    )
    assert got.local.startswith("2022-05-07T13:43:46-05:00") and got.source == "json-ld:datePublished"
    # Without the byline's agreement it is a tie, which the better-ranked signal takes.
    alone = choose([("2022-05-07T13:43:46-05:00", "json-ld:datePublished"), ("2022-05-06", "visible")], tz="UTC")
    assert alone.source == "json-ld:datePublished" and alone.local.startswith("2022-05-07")


def test_a_utc_time_shown_in_the_offset_the_page_gives_for_the_same_instant() -> None:
    got = choose(
        [("2022-05-04T03:37:37+00:00", "json-ld:datePublished"), ("2022-05-03T23:37:37-04:00", "time")], tz="UTC"
    )
    assert got.value == "2022-05-04T03:37:37+00:00"  # the instant is unchanged
    assert got.local == "2022-05-03T23:37:37-04:00"  # the publisher's local day is the 3rd
    other = choose([("2022-05-04T03:37:37+00:00", "json-ld:datePublished"), ("2022-05-04T08:00:00+02:00", "time")])
    assert other.local == "2022-05-04T05:37:37+02:00"  # another instant: the site's zone as before


def test_a_date_and_a_time_in_sibling_elements_are_not_one_number() -> None:
    # "<span>28.09.19</span><span>12:44</span>" is 28 September 2019 at 12:44, not the year 1912.
    got = sources(page("", '<div class="date"><span>28.09.19</span><span>12:44</span></div>'))
    assert parse_date(got["byline"], "Europe/Berlin", None, NOW).value == "2019-09-28T10:44:00+00:00"
    # Text split by inline tags inside one number still reads as written.
    split = sources(page("", '<div class="date"><b>28</b>. September 2019</div>'))
    assert parse_date(split["byline"], "Europe/Berlin", None, NOW).value == "2019-09-28"
