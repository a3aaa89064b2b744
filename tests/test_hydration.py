"""An article whose text is only in the page's hydration state (a JavaScript application) is kept."""

from __future__ import annotations

import json

from crawler.extract import extract_page, hydration
from crawler.extract.article import parse_html

HEADLINE = "Harbour ferry fares to rise for the first time in a decade"
OWN = [
    "Ferry operators will raise fares on all harbour routes from March, the transport department said on Monday.",
    "The increase, the first since 2015, adds about a fifth to a single crossing at peak hours on weekdays.",
    "Operators said fuel and wage costs had risen faster than passenger numbers recovered after the pandemic.",
    "Commuter groups called the rise steep and asked for a discount for monthly ticket holders on every route.",
]
RELATED = ["A much longer related story cached by the application. " * 6] * 5


def state_blocks(html: str, title: str | None) -> list[str]:
    return hydration.state_blocks(parse_html(html), title)


def dom(paragraphs: list[str]) -> dict[str, object]:
    """htmlparser2's DOM as JSON, the shape an Apollo state keeps rich text in."""
    nodes: list[object] = []
    for text in paragraphs:
        head, tail = text[:20], text[20:]
        link = {"type": "a", "attribs": {"href": "/x"}, "children": [{"type": "text", "data": head}]}
        nodes.append({"type": "p", "children": [link, {"type": "text", "data": tail}]})
        nodes.append({"type": "text", "data": "\n"})
    return {"type": "json", "json": nodes}


def page(state_script: str, title: str = HEADLINE) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><title>{title} | Example Post</title>
<meta property="og:title" content="{title}"><meta property="og:type" content="article">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}",
"datePublished": "2024-02-05T09:30:00+08:00"}}</script></head>
<body><div id="app"><h1>{title}</h1><noscript>Please enable JavaScript.</noscript></div>
{state_script}</body></html>"""


def apollo() -> str:
    state = {
        "contentService": {
            "Article:1": {"headline": "Another story altogether, cached for the sidebar", "body": dom(RELATED)},
            "Article:2": {"headline": HEADLINE, "summary": dom(OWN[:1]), "body": dom(OWN)},
        }
    }
    return f"<script>window.__APOLLO_STATE__={json.dumps(state)};</script>"


def test_the_body_of_the_article_that_carries_the_headline_not_the_longest_cached_one() -> None:
    assert state_blocks(page(apollo()), HEADLINE) == OWN
    extracted = extract_page(page(apollo()), "https://example.com/news/article/3046526/harbour-ferry-fares")
    assert extracted.is_article and extracted.extractor == "state"
    assert extracted.blocks == OWN


def test_next_data_with_an_html_body() -> None:
    props = {"props": {"pageProps": {"article": {"title": HEADLINE, "body": "".join(f"<p>{t}</p>" for t in OWN)}}}}
    script = f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(props)}</script>'
    assert state_blocks(page(script), HEADLINE) == OWN


def test_prosemirror_and_plain_text_bodies() -> None:
    nodes = [{"type": "paragraph", "content": [{"type": "text", "text": t}]} for t in OWN]
    script = f"<script>window.__INITIAL_STATE__ = {json.dumps({'story': {'name': HEADLINE, 'doc': nodes}})}</script>"
    assert state_blocks(page(script), HEADLINE) == OWN
    plain = {"story": {"headline": HEADLINE, "articleBody": "\n\n".join(OWN)}}
    script = f"<script>window.__PRELOADED_STATE__ = {json.dumps(plain)}; window.__CONFIG__ = {{}};</script>"
    assert state_blocks(page(script), HEADLINE) == OWN


def test_a_home_page_state_of_teasers_gives_no_body() -> None:
    teasers = [{"headline": f"Story number {i} of the day", "summary": "A short teaser line."} for i in range(40)]
    script = f"<script>window.__APOLLO_STATE__={json.dumps({'home': {'title': HEADLINE, 'items': teasers}})}</script>"
    assert state_blocks(page(script), HEADLINE) == []
    # A state that is not JSON, or no headline to tell the article by: nothing.
    assert state_blocks(page("<script>window.__APOLLO_STATE__={not json};</script>"), HEADLINE) == []
    assert state_blocks(page(apollo()), None) == []


def test_the_html_text_wins_over_the_state() -> None:
    html = page(apollo()).replace("<noscript>", "<p>" + "Rendered on the server. " * 30 + "</p><noscript>")
    extracted = extract_page(html, "https://example.com/news/article/1/harbour")
    assert extracted.extractor != "state"


def test_a_home_page_drawn_by_javascript_does_not_become_an_article_from_its_state() -> None:
    about = "Example Post is the city's independent newsroom, founded in 1921 and owned by its readers since 2004."
    nodes = [{"type": "paragraph", "content": [{"type": "text", "text": about}]}] * 5
    teasers = [{"headline": f"Story {i} about the harbour", "url": f"/news/{i}"} for i in range(30)]
    state = {"site": {"title": "Example Post", "about": nodes, "home": {"items": teasers}}}
    html = f"""<!DOCTYPE html><html><head><title>Example Post</title>
<meta property="og:type" content="website"></head><body><div id="app"><h1>Example Post</h1></div>
<script>window.__INITIAL_STATE__={json.dumps(state)}</script></body></html>"""
    extracted = extract_page(html, "https://example.com/")
    assert extracted.extractor != "state" and not extracted.is_article


def test_a_state_nested_deeper_than_the_stack_is_no_body_and_no_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert state_blocks(page(f"<script>window.__APOLLO_STATE__={deep}</script>"), HEADLINE) == []
    node = '{"type": "p", "children": [' * 5_000 + '{"type": "text", "data": "x"}' + "]}" * 5_000
    state = f'{{"a": {{"headline": "{HEADLINE}", "body": [{node}, {node}]}}}}'
    html = page(f"<script>window.__APOLLO_STATE__={state}</script>")
    assert state_blocks(html, HEADLINE) == []
    assert extract_page(html, "https://example.com/news/article/1/harbour").extractor != "state"


def test_unclosed_scripts_by_the_thousand_are_read_in_one_pass() -> None:
    # A regex over the text would rescan the rest of the page for every unclosed <script>.
    head = f"<title>{HEADLINE}</title><meta property='og:type' content='article'>"
    html = f"<html><head>{head}</head><body>" + "<script>" * 20_000 + "x" * 500_000
    extracted = extract_page(html, "https://example.com/news/article/1/harbour")
    assert extracted.extractor != "state" and extracted.blocks == []


def ld_page(article_body: str) -> str:
    ld = {"@type": "NewsArticle", "headline": HEADLINE, "datePublished": "2024-02-05T09:30:00+08:00",
          "articleBody": article_body}  # fmt: skip
    return f"""<!DOCTYPE html><html lang="en"><head><title>{HEADLINE}</title>
<script type="application/ld+json">{json.dumps(ld)}</script></head>
<body><div id="app"><h1>{HEADLINE}</h1><noscript>Please enable JavaScript.</noscript></div></body></html>"""


def test_a_page_with_no_text_but_its_json_ld_article_body_keeps_that_body() -> None:
    extracted = extract_page(ld_page("\n\n".join(OWN)), "https://example.com/news/article/3046526/harbour-ferry-fares")
    assert extracted.is_article and extracted.extractor == "json-ld" and extracted.blocks == OWN
    # Markup inside articleBody is read as its paragraphs, not stored as tags.
    tagged = extract_page(ld_page("".join(f"<p>{p}</p>" for p in OWN)), "https://example.com/news/article/3/harbour")
    assert tagged.extractor == "json-ld" and tagged.blocks == OWN


def test_a_teaser_in_article_body_does_not_replace_the_pages_text() -> None:
    # Where the page has its text, a short articleBody (a teaser) is not taken, nor one on a page
    # whose text is already there.
    short = extract_page(ld_page(OWN[0]), "https://example.com/news/article/3046526/harbour-ferry-fares")
    assert short.extractor != "json-ld"
    html = ld_page("\n".join(OWN)).replace(
        "<noscript>Please enable JavaScript.</noscript>", "".join(f"<p>{p} {p}</p>" for p in OWN)
    )
    assert extract_page(html, "https://example.com/news/article/3/harbour").extractor == "trafilatura"
