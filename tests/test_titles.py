"""Titles without entities, site names, sections or kickers, chosen by agreement."""

from __future__ import annotations

import pytest

from crawler.extract.titles import choose_title, strip_site

URL = "https://www.example-news.com/2024/05/03/story.html"


@pytest.mark.parametrize(
    ("candidates", "site_name", "title"),
    [
        (
            {"title": "Bridge closed after lorry strike | Example News"},
            "Example News",
            "Bridge closed after lorry strike",
        ),
        (
            {"title": "Example News - Local - Bridge closed after lorry strike"},
            "Example News",
            "Bridge closed after lorry strike",
        ),
        ({"og:title": "Bridge closed – example-news.com", "h1": "Bridge closed"}, None, "Bridge closed"),
        ({"title": "Bridge closed after lorry strike - The Courier"}, None, "Bridge closed after lorry strike"),
        ({"h1": "&quot;We will rebuild&quot;, mayor says", "title": "x"}, None, '"We will rebuild", mayor says'),
        ({"og:title": "It&#039;s over", "h1": "It's over"}, None, "It's over"),
        # the h1 is the site logo; the headline agrees with <title>
        (
            {"headline": "Rates held at 5%", "h1": "Example News", "title": "Rates held at 5% | Example News"},
            "Example News",
            "Rates held at 5%",
        ),
        # a kicker another signal leaves out
        (
            {"h1": "Exclusive: Council to sell the old library", "og:title": "Council to sell the old library"},
            None,
            "Council to sell the old library",
        ),
        ({"title": "停戦交渉 続く - 毎日新聞", "h1": "停戦交渉 続く"}, "毎日新聞", "停戦交渉 続く"),
        ({"title": "停戦交渉 続く：朝日新聞"}, "朝日新聞", "停戦交渉 続く"),
        ({"selector": "Profile wins", "h1": "Other"}, None, "Profile wins"),
        # a dash inside the headline is not a separator from a site name when another signal agrees
        (
            {
                "og:title": "Grüner Wasserstoff – das Schlüsselelement | Site",
                "h1": "Grüner Wasserstoff – das Schlüsselelement",
            },
            "Site",
            "Grüner Wasserstoff – das Schlüsselelement",
        ),
        # og:title and <title> are one CMS field: their agreement does not outvote the <h1>
        (
            {
                "og:title": "Marktplatz für ein gutes Leben",
                "title": "Marktplatz für ein gutes Leben",
                "h1": "Alles hat seine Zeit, sagt die Gärtnerin",
            },
            None,
            "Alles hat seine Zeit, sagt die Gärtnerin",
        ),
        # with no agreement, a headline-like <h1> is what the reader sees
        (
            {"og:title": "Rates: what it means", "h1": "Central bank holds rates as inflation climbs"},
            None,
            "Central bank holds rates as inflation climbs",
        ),
        # a pipe without spaces (common on Japanese sites); a Japanese <h1> has no spaces to count
        (
            {"og:title": "NEWS WEB EASY|山の上の図書館が新しくなる", "h1": "山の上の図書館が新しくなる"},
            "NEWS WEB EASY",
            "山の上の図書館が新しくなる",
        ),
        (
            {
                "og:title": "図書館の話：まち便り",
                "title": "図書館の話：まち便り",
                "h1": "山の上の図書館 来年春に建て替え",
            },
            None,
            "山の上の図書館 来年春に建て替え",
        ),
        # French puts a space before a colon: the part after it is not a kicker-free headline that
        # another signal gives, so the kicker rule leaves the whole title alone
        (
            {
                "headline": "Covid-19 et infox\xa0: comment une rumeur devient réalité",
                "og:title": "Covid-19 et infox : comment une rumeur devient réalité",
                "h1": "Covid-19 et infox\xa0: comment une rumeur devient réalité",
            },
            "Sciences et Avenir",
            "Covid-19 et infox : comment une rumeur devient réalité",
        ),
        # quotation marks differ between signals: they agree, and the <h1> is what a reader sees
        (
            {
                "og:title": "La Policía dice que todo 'tranqui' en La Sierra",
                "headline": "La Policía dice que todo 'tranqui' en La Sierra | Minuto",
                "h1": "La Policía dice que todo ‘tranqui’ en La Sierra",
            },
            "Minuto",
            "La Policía dice que todo ‘tranqui’ en La Sierra",
        ),
        # a title cut with an ellipsis is completed from a signal that runs on from it ...
        (
            {
                "headline": "Tsai's playbook should be essential reading for Hong Kong leader...",
                "og:title": "Tsai's playbook should be essential reading for Hong Kong leader Carrie Lam",
            },
            None,
            "Tsai's playbook should be essential reading for Hong Kong leader Carrie Lam",
        ),
        # ... but a longer signal without one is a headline with a suffix, not a completed one
        (
            {"h1": "Easy Pineapple Upside-Down Cake", "title": "Easy Pineapple Upside-Down Cake Recipe"},
            None,
            "Easy Pineapple Upside-Down Cake",
        ),
        ({}, None, None),
    ],
)
def test_choose_title(candidates: dict[str, str], site_name: str | None, title: str | None) -> None:
    assert choose_title(candidates, site_name, URL)[0] == title


def test_a_title_without_separators_is_kept_whole() -> None:
    assert strip_site("Ten years of the ferry - and what comes next for the harbour", set()) == (
        "Ten years of the ferry - and what comes next for the harbour"
    )


def test_a_kicker_and_a_headline_in_one_h1_give_the_headline_others_agree_with() -> None:
    candidates = {
        "og:title": "Daten von Rheinmetall gehackt - Interne Unterlagen im Netz",
        "title": "Interne Unterlagen im Netz: Daten von Rheinmetall gehackt | tagesschau.de",
        "h1": "Interne Unterlagen im Netz Daten von Rheinmetall gehackt",
    }
    parts = ["Interne Unterlagen im Netz", "Daten von Rheinmetall gehackt"]
    assert choose_title(candidates, "tagesschau.de", URL, parts)[0] == "Daten von Rheinmetall gehackt"
    assert choose_title(candidates, "tagesschau.de", URL)[0] != "Daten von Rheinmetall gehackt"


def test_the_title_a_sitemap_or_feed_lists_the_page_under_is_one_more_voice() -> None:
    # A <title>-only page whose site name is longer than its headline: alone, the site's name
    # (the longest part) is taken; the news sitemap's <news:title> agrees with the headline part.
    alone = {"title": "Mayor resigns | Politics | The Morning Chronicle of Springfield"}
    assert choose_title(alone, None, URL)[0] == "The Morning Chronicle of Springfield"
    listed = {**alone, "listing": "Mayor resigns"}
    assert choose_title(listed, None, URL) == ("Mayor resigns", "listing")
    # It is a voice, not a verdict: a feed's shorter "SEO" title does not beat the page's own
    # headline that its other signals agree on.
    page = {"h1": "Mayor resigns after two years in office", "og:title": "Mayor resigns after two years in office"}
    assert choose_title({**page, "listing": "Mayor quits"}, None, URL)[0] == "Mayor resigns after two years in office"
