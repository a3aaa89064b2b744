"""Property-based fuzzing (Hypothesis) of the pure functions: they raise nothing but their
documented errors and keep their invariants, whatever the input.

`make test` runs a bounded number of examples (the "ci" profile). For a longer local run:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.discovery.feeds import parse_listing
from crawler.discovery.urls import canonicalize
from crawler.extract import extract_page
from crawler.extract.article import ExtractError
from crawler.text.blocks import clean_blocks
from crawler.text.dates import parse_date
from crawler.text.mentions import find_mentions
from crawler.text.search import bigram_form, fts_query, snippet

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Text that looks like what pages hold: Japanese, Latin, digits, date words, punctuation,
# control characters and lone surrogates (which real pages carry after bad decoding).
ALPHABET = st.sampled_from(
    list("0123456789年月日時分秒午前後令和平成昭和/-.:+ TZ　、。「」（）")
    + list("abcJanMarMayDecGMT")
    + ["\x00", "\x1f", "\ud800"]
)
PAGE_TEXT = st.text(alphabet=ALPHABET | st.characters(), max_size=80)
REFERENCE = datetime(2026, 11, 29, 12, 0)


@given(PAGE_TEXT, st.sampled_from([None, "Asia/Tokyo", "UTC", "America/New_York"]))
def test_parse_date_never_raises_and_gives_an_aware_time_or_a_bare_date(raw: str, tz: str | None) -> None:
    parsed = parse_date(raw, tz, None, REFERENCE)
    if parsed.value is None:
        assert parsed.error
    elif len(parsed.value) == 10:
        date.fromisoformat(parsed.value)
    else:
        assert datetime.fromisoformat(parsed.value).utcoffset() is not None


@given(PAGE_TEXT, st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_mentions_point_at_their_surface(text: str, published: date) -> None:
    for mention in find_mentions(text, published):
        assert text[mention.offset : mention.offset + len(mention.surface)] == mention.surface
        date.fromisoformat(mention.value)


@given(st.lists(st.text(max_size=30), max_size=30), st.booleans())
def test_cleaning_only_removes_and_keeps_order(blocks: list[str], repeats: bool) -> None:
    from crawler.text.blocks import clean_block

    result = clean_blocks(blocks, frozenset(), repeats=repeats)
    blocks = [clean_block(b) for b in blocks]  # whitespace is normalised, nothing else changes
    it = iter(blocks)
    assert all(any(kept == b for b in it) for kept in result.kept)  # a subsequence of the input
    assert len(result.kept) + len(result.stripped) <= len(blocks)
    for position, text, _ in result.stripped:
        assert blocks[position] == text


URLS = st.builds(
    lambda scheme, host, path, query: f"{scheme}://{host}{path}{query}",
    st.sampled_from(["http", "https", "HTTP"]),
    st.sampled_from(["example.com", "www.Example.com", "ex.jp:8080", "127.0.0.1:8701", "xn--eckwd4c7c.xn--zckzah"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30).map(lambda p: "/" + p),
    st.sampled_from(["", "?utm_source=x&b=2&a=1", "?page=2#frag", "?q=%E5%81%9C%E6%88%A6"]),
)


@given(URLS)
def test_canonicalisation_is_idempotent(url: str) -> None:
    try:
        once = canonicalize(url)
    except ValueError:
        return  # a URL that cannot be a URL (a bad port, say) is refused, not mangled
    assert canonicalize(once) == once


@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_listing_parser_raises_only_its_documented_errors(body: bytes) -> None:
    try:
        parse_listing(body)
    except (ValueError, OSError, EOFError):
        pass  # documented: not a sitemap or feed, bad gzip, truncated gzip


HTML = st.recursive(
    st.text(max_size=20),
    lambda children: st.builds(
        lambda tag, inner: f"<{tag}>{''.join(inner)}</{tag}>",
        st.sampled_from(["p", "div", "h1", "h2", "script", "style", "article", "li", "a", "time", "title"]),
        st.lists(children, max_size=4),
    ),
    max_leaves=30,
)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(HTML)
def test_extraction_on_random_html_raises_only_extract_error_and_stores_text(html: str) -> None:
    try:
        page = extract_page(f"<html><body>{html}</body></html>", "https://example.com/a")
    except ExtractError:
        return
    import re

    for block in page.blocks:
        assert not re.search(r"<script[^<>]*>", block, re.IGNORECASE)  # script contents never become text
    assert not re.search(r"</?[A-Za-z][^<>]*>", page.title or "")  # a title holds no tags


@given(PAGE_TEXT)
def test_search_forms_are_always_valid_fts5(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table f using fts5(body, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("insert into f values (?)", [bigram_form(text)])
    conn.execute("select count(*) from f where f match ?", [fts_query(text)]).fetchone()  # never a syntax error
    snippet(text, text)


@pytest.mark.parametrize("depth", [10_000])
def test_deeply_nested_html_is_refused_or_read_never_a_crash(depth: int) -> None:
    html = "<div>" * depth + "<p>deep text</p>" + "</div>" * depth
    try:
        extract_page(f"<html><body>{html}</body></html>", "https://example.com/deep")
    except ExtractError:
        pass
