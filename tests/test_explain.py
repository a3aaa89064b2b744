"""A page decision read as a sentence (crawler/storage/explain.py)."""

from __future__ import annotations

import json

from crawler.storage.explain import decision_text


def test_a_list_of_teasers_says_what_weighed_against_it() -> None:
    signals = {"score": -3, "points": {"headline": 1, "teasers": -2, "no_text": -2}, "teasers": 36}
    text = decision_text("listing", "teasers", json.dumps(signals))
    assert text == (
        "A list of links, not an article. Against an article: many teasers (headline links to other pages); "
        "no running text. For: a headline (score -3, an article needs 2)."
    )


def test_every_kind_of_reason_reads_as_one_sentence() -> None:
    rss = "An RSS feed of 14 entries: read for its links, not stored."
    assert decision_text("listing", "rss", '{"entries": 14}') == rss
    assert decision_text("other", "http_503", "{}") == "The server answered HTTP 503: nothing to store."
    assert decision_text("other", "fetch_error/TimeoutError") == "The fetch failed (TimeoutError): nothing to store."
    assert decision_text("other", "robots_forbidden") == "Not fetched: the site's robots.txt forbids it."
    # Evidence missing a field the sentence names: the sentence without it, never an error.
    assert decision_text("other", "non_html", "{}") == "Not a web page."
    assert decision_text("other", "listed_offsite", '{"listing": "http://a/sitemap.xml"}') == (
        "Listed in http://a/sitemap.xml but not fetched: offsite."
    )
    assert decision_text("other", "something_new", "not json") == "Not stored (other: something_new)."
