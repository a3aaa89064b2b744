"""The classes of error seen on news sites the rules were never tuned on (issue 27), each on a
page written here in the shape those sites use: a coarse date kept coarse, dates in rails not
taken as the byline, hidden and logo headings not taken as the headline, a kicker inside the
<h1> left out when the page's other signals leave it out."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.extract import extract_page
from crawler.page.process import PageRules, RawPage, SiteSnapshot, process_page
from crawler.text.dates import parse_date
from crawler.text.signals import choose_date

TEXT = "".join(f"<p>Ein Absatz mit genug laufendem Text für einen Artikel, Nummer {i}.</p>" for i in range(6))
FETCHED = datetime(2026, 12, 3, tzinfo=UTC)


def choose(candidates: list[tuple[str, str]]) -> tuple[str | None, str | None, str | None]:
    choice = choose_date(
        candidates, lambda raw: parse_date(raw, "Europe/Berlin", None, FETCHED), "Europe/Berlin", FETCHED
    )
    return choice.value, choice.precision, choice.local


def sources(html: str, url: str = "https://ex.de/a") -> list[tuple[str, str]]:
    return [(source, raw) for raw, source in extract_page(html, url).published_candidates]


# -- precision -------------------------------------------------------------------------------


def test_a_year_or_a_month_is_kept_with_its_precision() -> None:
    assert parse_date("2004").value == "2004" and parse_date("2004").precision == "year"
    assert parse_date("2022-06").value == "2022-06" and parse_date("2022-06").precision == "month"
    assert choose([("2004", "meta:date")]) == ("2004", "year", "2004")
    assert choose([("2022-06", "visible")]) == ("2022-06", "month", "2022-06")


def test_a_coarse_signal_never_wins_over_a_day() -> None:
    # A copyright year read first, a day-precise byline second: the day is the value.
    assert choose([("2004", "visible"), ("12.03.2004", "byline")])[:2] == ("2004-03-12", "day")
    # Even when the coarse signal is a year the day does not fall in.
    assert choose([("2021", "meta:date"), ("12.03.2004", "byline")])[:2] == ("2004-03-12", "day")


def test_a_year_alone_guessed_from_the_page_is_not_a_publication_date() -> None:
    # htmldate reads "© 2020" in a footer (or a view counter) as 2020-01-01, which stays "2020":
    # stored, it was a publication date the page never gave (issue 34).
    choice = choose_date([("2020", "visible")], parse_date, None, FETCHED)
    assert choice.value is None and choice.error == "year_only" and choice.raw == "2020"
    assert choice.signals == [{"source": "visible", "raw": "2020", "value": None, "error": "year_only"}]
    # Beside a signal that gives a day, the day wins as before; a month guessed stays a month.
    assert choose([("2020", "visible"), ("12.03.2004", "byline")])[:2] == ("2004-03-12", "day")
    assert choose([("2020", "visible"), ("2022-06", "visible")])[:2] == ("2022-06", "month")


def test_a_coarse_signal_in_the_future_is_rejected() -> None:
    choice = choose_date([("2031", "visible")], parse_date, None, FETCHED)
    assert choice.value is None and choice.signals[0]["error"] == "future"


def test_htmldates_first_of_january_from_a_copyright_line_stays_a_year() -> None:
    html = (
        "<html><head><title>Kuchen backen</title></head><body><h1>Kuchen backen</h1>"
        f"{TEXT}<footer>© 2004 Bäckerei</footer></body></html>"
    )
    visible = [raw for source, raw in sources(html, "https://ex.de/kuchen") if source == "visible"]
    assert visible == ["2004"]  # htmldate's reading is 2004-01-01
    # The stored row: no publication date, the year kept as the raw string, and why.
    page = RawPage("https://ex.de/kuchen", html.encode(), "text/html; charset=utf-8", fetched_at=FETCHED.isoformat())
    out = process_page(page, SiteSnapshot(), PageRules())
    assert out.row is not None and out.row["published_at"] is None and out.row["published_raw"] == "2004"
    assert out.row["date_signals"]["published"][-1]["error"] == "year_only"
    assert out.counts.get("news/dates/published_year_only") == 1


def test_a_first_of_the_month_the_page_writes_out_stays_a_day() -> None:
    html = (
        "<html><head><title>Bericht</title></head><body><h1>Bericht aus dem Rat</h1>"
        f"<p class='date'>Veröffentlicht am 1. Juni 2022</p>{TEXT}</body></html>"
    )
    visible = [raw for source, raw in sources(html) if source == "visible"]
    assert visible == ["2022-06-01"]


# -- rails -----------------------------------------------------------------------------------


def test_dates_in_a_popular_posts_widget_are_not_the_byline() -> None:
    widget = "".join(
        f"<li><a href='/p{i}'>Andere Meldung {i}</a> "
        f"<span class='wpp-date'>veröffentlicht am November {i + 10}, 2021</span></li>"
        for i in range(5)
    )
    html = (
        "<html><head><title>Heizjacken im Test</title>"
        '<meta property="article:published_time" content="2022-01-26T09:37:44+00:00"></head><body>'
        f"<div id='content'><h1>Heizjacken im Test</h1>{TEXT}</div>"
        f"<aside class='sidebar'><div class='widget'><ul class='wpp-list'>{widget}</ul></div></aside></body></html>"
    )
    found = sources(html)
    assert not [raw for source, raw in found if source in ("byline", "label")]
    page = extract_page(html, "https://ex.de/a")
    assert page.published_candidates[0] == ("2022-01-26T09:37:44+00:00", "meta:article:published_time")


def test_related_posts_inside_the_content_and_the_articles_own_footer() -> None:
    html = (
        "<html><head><title>Fall in love with black</title></head><body><div class='content'>"
        "<article><h1>Fall in love with black</h1>"
        f"{TEXT}<footer class='entry-footer'><span class='posted-on'>8. August 2017</span></footer></article>"
        "<div class='relatedPosts'><div class='one_third'><a class='post-meta-time'>November 30, 2017</a></div></div>"
        "</div></body></html>"
    )
    assert [raw for source, raw in sources(html) if source == "byline"] == ["8. August 2017"]


def test_an_aside_inside_the_article_holds_its_byline_and_body_classes_mark_no_rail() -> None:
    html = (
        "<html><head><title>Skitouren</title></head><body class='has-sidebar comments-open'>"
        "<article><h1>Skitouren sicher planen</h1><aside class='meta'>"
        "<div class='meta__row meta__row--posted'>21.01.2022 - 13:30</div></aside>"
        f"{TEXT}</article></body></html>"
    )
    assert [raw for source, raw in sources(html) if source == "byline"] == ["21.01.2022 - 13:30"]


def test_a_byline_whose_label_stands_before_it_says_modified() -> None:
    # "<h4>Zuletzt geändert am:</h4><ul class=timestamp-list><li>15.10.2021": the date element holds
    # no label of its own; the text before it names it the modified date, not the published one.
    html = (
        "<html lang='de'><head><title>Präsidentin</title><meta name='date' content='2021-10-15'></head><body>"
        f"<article><h1>Eine neue Präsidentin gewählt</h1>{TEXT}<p>Erschienen am: 13.10.2021</p>"
        "<div><h4 class='timestamp__title'>Zuletzt geändert am:</h4>"
        "<ul class='timestamp-list'><li>15.10.2021</li></ul></div></article></body></html>"
    )
    page = extract_page(html, "https://ex.de/presse/praesidentin")
    assert ("15.10.2021", "byline") in page.modified_candidates
    assert ("15.10.2021", "byline") not in page.published_candidates
    value, _, _ = choose(page.published_candidates)
    assert value == "2021-10-13"  # the labelled publication day, against the CMS's meta stamp
    # Without the label before it, the same element is the byline's published date.
    plain = extract_page(html.replace("Zuletzt geändert am:", "Presse"), "https://ex.de/presse/praesidentin")
    assert ("15.10.2021", "byline") in plain.published_candidates


def test_a_slashed_byline_date_is_read_and_its_order_confirmed_by_the_page() -> None:
    html = (
        "<html lang='en-GB'><head><title>Focaccia</title>"
        '<script type="application/ld+json">{"@type": "Article", "datePublished": "2020-04-12T14:45:01+00:00"}</script>'
        "</head><body><h1>Olive and herb focaccia</h1><span class='entry-date'>12/04/2020</span>"
        f"{TEXT}</body></html>"
    )
    found = sources(html)
    assert ("byline", "12/04/2020") in found
    candidates = [(raw, source) for source, raw in found]
    # Read as 4 December in English, the byline and the dateline that repeats it would agree with
    # each other: the same string is no witness, so the JSON-LD day decides the reading.
    value, _, _ = choose(candidates)
    assert value is not None and value[:10] == "2020-04-12"


# -- titles ----------------------------------------------------------------------------------


def test_a_hidden_heading_for_screen_readers_is_not_the_headline() -> None:
    html = (
        "<html><head><title>BSI - Presse - Sicherheits-Check für KI in Autos</title></head><body>"
        "<h1 class='aural'>Navigation und Service</h1><h1 class='header pagetitle hidden'>News</h1>"
        f"<div class='c-intro'><h1 class='c-intro__headline'>Sicherheits-Check für KI in Autos</h1></div>{TEXT}"
        "</body></html>"
    )
    assert extract_page(html, "https://www.bsi.bund.de/x").title == "Sicherheits-Check für KI in Autos"


def test_the_sites_logo_heading_loses_to_a_later_heading_the_page_agrees_with() -> None:
    html = (
        "<html><head><title>EMACSPEAK The Complete Audio Desktop: Meta-Programming In Emacs</title>"
        "<meta property='og:title' content='Meta-Programming In Emacs'></head><body>"
        "<div class='header'><h1 class='title'>EMACSPEAK The Complete Audio Desktop</h1></div>"
        f"<div class='post'><h1 class='title'>Meta-Programming In Emacs</h1>{TEXT}</div></body></html>"
    )
    assert extract_page(html, "https://emacspeak.blogspot.com/2019/10/x.html").title == "Meta-Programming In Emacs"


def test_a_kicker_inside_the_h1_goes_when_the_page_leaves_it_out() -> None:
    html = (
        "<html><head><title>Große Aufgaben für die neue Regierung</title>"
        "<meta property='og:title' content='Große Aufgaben für die neue Regierung'></head><body>"
        f"<h1><small>Tunesien</small><br> Große Aufgaben für die neue Regierung</h1>{TEXT}</body></html>"
    )
    assert extract_page(html, "https://www.hss.de/news/x").title == "Große Aufgaben für die neue Regierung"
    # Without another signal leaving it out, the heading stays whole.
    alone = html.replace("<meta property='og:title' content='Große Aufgaben für die neue Regierung'>", "").replace(
        "<title>Große Aufgaben für die neue Regierung</title>", "<title>HSS</title>"
    )
    assert extract_page(alone, "https://www.hss.de/news/x").title == "Tunesien Große Aufgaben für die neue Regierung"


def test_a_site_name_run_together_is_recognised() -> None:
    html = (
        "<html><head><title>Four Years Remaining » Blog Archive » Interning of Small Integers in Python</title>"
        f"</head><body><h1>Four Years Remaining</h1>{TEXT}</body></html>"
    )
    assert extract_page(html, "http://fouryears.eu/2019/10/21/x/").title == "Interning of Small Integers in Python"


def test_a_time_in_a_comment_or_an_embedded_post_is_not_the_pages() -> None:
    html = (
        "<html><head><title>Tomaten schneiden</title></head><body><h1>Tomaten richtig schneiden</h1>"
        f"{TEXT}<blockquote class='instagram-media'><p><time datetime='2018-03-27T07:08:52+00:00'>27. März</time>"
        "</p></blockquote><div id='kb-comments'><div class='kb-comment'>"
        "<time datetime='2020-09-23T18:19:06+02:00'>vor 2 Jahren</time></div></div>"
        "<p class='entry-meta'><time datetime='2020-09-20T10:00:00+02:00'>20.09.2020</time></p></body></html>"
    )
    assert ("time", "2020-09-20T10:00:00+02:00") in sources(html)
    assert not [raw for source, raw in sources(html) if raw.startswith(("2018-03-27", "2020-09-23"))]


# -- JSON-LD of this page --------------------------------------------------------------------


def _ld(*blocks: str) -> str:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<html><head><title>Neue Brücke</title>{scripts}</head><body><h1>Neue Brücke</h1>{TEXT}</body></html>"


def test_json_ld_about_another_page_of_the_site_gives_no_date() -> None:
    # An older article's block left in the template, and this page's own: only this page's counts.
    old = '{"@type": "NewsArticle", "url": "https://ex.de/2019/alte-meldung", "datePublished": "2019-05-01"}'
    mine = '{"@type": "NewsArticle", "url": "https://ex.de/2024/neue-bruecke", "datePublished": "2024-02-03"}'
    url = "https://ex.de/2024/neue-bruecke"
    ld = [raw for source, raw in sources(_ld(old, mine), url) if source.startswith("json-ld")]
    assert ld == ["2024-02-03"]
    # Alone, the older article's block still names another page: its date is not this one's.
    assert not [s for s, _ in sources(_ld(old), url) if s.startswith("json-ld")]


def test_json_ld_naming_this_page_another_way_or_the_site_root_still_counts() -> None:
    # .html or not, another edition's prefix, the publisher's root given as url, a mirror's host.
    url = "https://www.ex.de/uk/news/neue-bruecke.html"
    for named in ("https://ex.de/news/neue-bruecke/", "https://ex.de/", "http://127.0.0.1:8000/other"):
        block = f'{{"@type": "NewsArticle", "url": "{named}", "datePublished": "2024-02-03"}}'
        assert ("json-ld:datePublished", "2024-02-03") in sources(_ld(block), url), named


def test_json_ld_with_odd_page_fields_still_counts() -> None:
    # A number, a list, a dict without @id, a relative path: no page named, so the date counts.
    block = (
        '{"@type": "NewsArticle", "url": 5, "@id": {"name": "x"}, "mainEntityOfPage": ["/a"],'
        ' "datePublished": "2024-02-03"}'
    )
    assert ("json-ld:datePublished", "2024-02-03") in sources(_ld(block), "https://ex.de/a")


def test_a_site_wide_block_gives_no_date() -> None:
    site = (
        '{"@graph": [{"@type": "WebSite", "datePublished": "2009-01-01"},'
        ' {"@type": "Organization", "datePublished": "2009-01-01"}]}'
    )
    assert not [s for s, _ in sources(_ld(site), "https://ex.de/a") if s.startswith("json-ld")]


def test_a_style_element_inside_the_h1_is_not_part_of_the_title() -> None:
    # CSS-in-JS pages put their <style> inside the heading they style.
    html = (
        "<html><head><title>Neue Brücke eröffnet</title></head><body><h1><style>.css-x1{font-size:16px}</style>"
        f"Neue Brücke eröffnet</h1>{TEXT}</body></html>"
    )
    page = extract_page(html, "https://ex.de/bruecke")
    assert page.title == "Neue Brücke eröffnet"


def test_a_date_inside_the_running_prose_under_the_headline_is_no_dateline() -> None:
    from crawler.extract.article import parse_html
    from crawler.extract.dates import headline_date

    prose = (
        "Die württembergischen Handballclubs dürfen sich wieder auf mehr Zuschauer freuen. Laut der am "
        "28.01.2022 in Kraft getretenen Corona-Verordnung dürfen die Hallen wieder zur Hälfte gefüllt werden."
    )

    def page(after_h1: str) -> str:
        return f"<html><body><h1>Zuschauerrückkehr bei den Proficlubs</h1>{after_h1}</body></html>"

    # The date of a regulation, mid-sentence in the first paragraph: a mention, not the page's date.
    assert headline_date(parse_html(page(f"<p>{prose}</p>"))) is None
    # A dateline of its own under the headline, or one opening the prose, still is.
    assert headline_date(parse_html(page(f"<div>02.02.2022 10:16 Uhr</div><p>{prose}</p>"))) == "02.02.2022 10:16 Uhr"
    assert headline_date(parse_html(page(f"<p>02.02.2022 – {prose}</p>"))) == "02.02.2022"


def test_an_author_line_gives_the_date_when_no_byline_element_does() -> None:
    from crawler.text.dates import find_author_line_dates

    assert find_author_line_dates("von  Marianne1 \n   am 20.09.2020  ") == ["20.09.2020"]
    assert find_author_line_dates("by Ana Sandoiu on July 27, 2017 Neuroscience") == ["July 27, 2017"]
    assert find_author_line_dates("Par Matthieu Hy le 07 Mai 2020") == ["07 Mai 2020"]
    # Sentences, not author lines: an article opens the "name", a capital "Am" opens a sentence,
    # a full stop ends the name.
    assert find_author_line_dates("saisi par le procureur de Toulouse le 20 juin 2017") == []
    assert find_author_line_dates("Ein Vortrag von Guido Beyss Am 14. Juni 2005 hielt Steve Jobs") == []
    assert find_author_line_dates("mit Streiks von Zeitfenster-Tickets. Der Vorverkauf startet am 1. November") == []
    # Through the page: the author box's date, not the comments' <time>s htmldate would read.
    comments = "".join(
        f"<div class='comment-box'><time datetime='2020-09-2{i}T12:00:00+02:00'>2{i}.09.2020</time>"
        f"<p>Kommentar {i}</p></div>"
        for i in range(2, 6)
    )
    html = (
        "<html><head><title>Tomaten richtig schneiden</title></head><body><h1>Tomaten richtig schneiden</h1>"
        f"{TEXT}<div class='userbox'><span>von <a href='/u/m'>Marianne1</a><br> am 20.09.2020</span></div>"
        f"<section class='comments'>{comments}</section></body></html>"
    )
    assert ("byline", "20.09.2020") in sources(html, "https://ex.de/tipp/1918/tomaten.html")


def test_every_disagreement_on_the_day_is_kept_with_its_sources() -> None:
    from crawler.page.dates import DateRules, choose_dates

    item = {
        "url": "https://ex.de/a",
        "fetched_at": FETCHED.isoformat(),
        "date_signals": {"published": [
            {"raw": "2022-05-04T10:00:00+00:00", "source": "json-ld:datePublished"},
            {"raw": "6. Mai 2022", "source": "byline"},
            {"raw": "2022-05-06", "source": "visible"},
        ]},
    }  # fmt: skip
    signals = choose_dates(item, DateRules()).fields["date_signals"]
    days = signals["disagreement"]["published"]
    assert days[0]["day"] == "2022-05-06"  # the chosen day first
    assert {tuple(d["sources"]) for d in days} == {("byline", "visible"), ("json-ld:datePublished",)}
    one = {**item, "date_signals": {"published": item["date_signals"]["published"][1:]}}
    assert "disagreement" not in choose_dates(one, DateRules()).fields["date_signals"]
