"""Article or listing, on pages built like real ones: short briefs stay articles, link pages never are."""

from __future__ import annotations

import pytest

from crawler.extract import extract_page
from crawler.extract.pagekind import url_shape

NAV = (
    "<header><nav>" + "".join(f'<a href="/{s}/">{s.title()}</a> ' for s in ("world", "business", "sport", "culture"))
    + "</nav></header>"
)  # fmt: skip
FOOTER = "<footer><p>© 2024 The Example Times. All rights reserved.</p><a href='/about'>About us</a></footer>"
RELATED = "<aside><h3>Related</h3>" + "".join(
    f'<h4><a href="/2024/05/0{i}/related-{i}.html">Related story number {i} about the council budget</a></h4>'
    for i in range(1, 7)
) + "</aside>"  # fmt: skip


def html(head: str, body: str) -> str:
    return f"<html lang='en'><head>{head}</head><body>{NAV}{body}{FOOTER}</body></html>"


def teaser_list(n: int, with_blurbs: bool = True) -> str:
    items = []
    for i in range(n):
        blurb = f"<p>A short summary of story {i}, which the reader can open for more.</p>" if with_blurbs else ""
        items.append(
            f'<div class="teaser"><h2><a href="/2024/05/{i + 1:02d}/story-about-topic-{i}.html">'
            f"Headline of story number {i} on the city council's plans</a></h2>{blurb}</div>"
        )
    return "".join(items)


BRIEF = (
    "<h1>Bridge closed after lorry strike</h1><p class='byline'>May 3, 2024</p>"
    "<p>The Old Mill bridge was closed on Friday morning after a lorry struck one of its supports, police said.</p>"
    "<p>Engineers are inspecting the structure and the road is expected to stay closed until Monday.</p>"
    "<p>Drivers are advised to use the ring road instead.</p>"
)


@pytest.mark.parametrize(
    ("url", "head", "body"),
    [
        # og:type=website on a story, as many publishers have it: the story decides
        (
            "https://ex.com/2024/05/03/bridge-closed-after-lorry-strike.html",
            '<meta property="og:type" content="website"><title>Bridge closed | Example</title>',
            BRIEF + RELATED,
        ),
        # a three-paragraph brief with no structured data at all
        ("https://ex.com/news/bridge-closed-after-lorry-strike", "<title>Bridge closed</title>", BRIEF),
        # a long story on a plain URL
        (
            "https://ex.com/read?id=7",
            "<title>Long read</title>",
            "<h1>Long read</h1>" + "".join(f"<p>{'Running text of a long feature. ' * 8}{i}</p>" for i in range(6)),
        ),
    ],
)
def test_stories_are_articles(url: str, head: str, body: str) -> None:
    got = extract_page(html(head, f"<main>{body}</main>"), url)
    assert got.is_article, got.page_kind_signals


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("https://ex.com/", "<h1>The Example Times</h1>" + teaser_list(14)),  # home page
        ("https://ex.com/world/", "<h1>World</h1>" + teaser_list(10)),  # section page
        ("https://ex.com/tag/council/", "<h1>Council</h1>" + teaser_list(5)),  # tag page, few items
        ("https://ex.com/author/jane-doe", "<h1>Jane Doe</h1><p>Jane covers local politics.</p>" + teaser_list(8)),
        ("https://ex.com/news?page=3", teaser_list(12, with_blurbs=False)),  # a bare page of links
        (
            "https://ex.com/archive/2024/05/",
            "<h1>May 2024</h1><ul>"
            + "".join(
                f'<li><a href="/2024/05/{d:02d}/story-{d}.html">Story of the day number {d} in May</a></li>'
                for d in range(1, 31)
            )
            + "</ul>",
        ),
    ],
)
def test_listing_pages_are_not_articles(url: str, body: str) -> None:
    head = '<meta property="og:type" content="website"><title>Example Times</title>'
    got = extract_page(html(head, f"<main>{body}</main>"), url)
    assert not got.is_article, got.page_kind_signals
    assert got.page_kind_signals["score"] < 2 and got.page_kind_reason != "no_signal"


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        ("https://ex.com/", "section"),
        ("https://ex.com/world/", "section"),
        ("https://ex.com/tag/council/", "listing"),
        ("https://ex.com/news?page=2", "listing"),
        ("https://ex.com/2024/05/03/bridge.html", "story"),
        ("https://ex.jp/article/1011185", "story"),
        ("https://ex.com/news/bridge-closed-after-lorry-strike", "story"),
        ("https://ex.com/about", "plain"),
        ("https://ex.com/inhalte/aktuelles/schule/index.html", "plain"),
        ("https://ex.com/?p=31228", "section"),  # a WordPress post: no listing query
        ("https://ex.com/page/3", "listing"),
        ("https://ex.com/topics/climate", "listing"),
        ("https://ex.com/author/jane-doe/?page=2", "listing"),
        ("https://ex.de/DE/themen/land/zukunftsforum2022.html;jsessionid=ED5DD", "plain"),  # filed under a topic
        ("https://ex.com/topics/climate/glaciers-retreat-faster-than-expected", "story"),
    ],
)
def test_url_shapes(url: str, shape: str) -> None:
    assert url_shape(url) == shape
