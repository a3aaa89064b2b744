from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.extract import Selectors, extract_page
from crawler.extract.article import ExtractError, density_wins

PARAS = "".join(
    f"<p>Paragraph number {i} carries enough words to count as article text for the extractor to keep.</p>"
    for i in range(8)
)


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_json_ld_graph_wins_and_gives_fields() -> None:
    html = page(
        ld(
            {
                "@context": "https://schema.org",
                "@graph": [
                    {"@type": "WebSite", "name": "Site"},
                    {
                        "@type": ["NewsArticle"],
                        "headline": "Headline from JSON-LD",
                        "datePublished": "2022-03-08T05:12:00+09:00",
                        "dateCreated": "2022-03-01",
                        "dateModified": "2022-03-09T00:00:00Z",
                        "author": [{"@type": "Person", "name": "A One"}, {"name": "B Two"}, "C Three"],
                        "articleSection": ["World"],
                        "image": [{"url": "https://x/img.jpg"}],
                        "publisher": {"name": "Pub"},
                    },
                ],
            }
        )
        + '<meta property="og:title" content="OG title"><meta property="article:published_time" content="2000-01-01">',
        f"<article><h1>H1 title</h1>{PARAS}</article>",
    )
    got = extract_page(html, "https://x/a")
    assert got.is_article and got.page_kind_reason == "json-ld:article"
    assert got.title == "Headline from JSON-LD"
    assert got.published_candidates[:3] == [
        ("2022-03-08T05:12:00+09:00", "json-ld:datePublished"),
        ("2022-03-01", "json-ld:dateCreated"),
        ("2000-01-01", "meta:article:published_time"),
    ]
    assert got.modified_candidates == [("2022-03-09T00:00:00Z", "json-ld:dateModified")]
    assert got.authors == ["A One", "B Two", "C Three"]
    assert got.section == "World"
    assert got.image_url == "https://x/img.jpg"
    assert got.site_name == "Pub"
    assert got.language == "en"
    assert len(got.blocks) == 8


@pytest.mark.parametrize(
    ("head", "body", "raw", "source"),
    [
        (
            '<meta property="article:published_time" content="2022-03-08T10:00:00Z">',
            "",
            "2022-03-08T10:00:00Z",
            "meta:article:published_time",
        ),
        ('<meta name="pubdate" content="20220308">', "", "20220308", "meta:pubdate"),
        ("", '<time datetime="2022-03-08T10:00">8 March</time>', "2022-03-08T10:00", "time"),
        (
            "",
            '<span itemprop="datePublished" content="2022-03-08">8 March</span>',
            "2022-03-08",
            "itemprop:datePublished",
        ),
        ("", '<p class="content--date">2022年3月8日 5時12分</p>', "2022年3月8日 5時12分", "byline"),
        (
            "",
            '<div class="byline">By X. Published March 8, 2022 2:30 PM EST</div>',
            "March 8, 2022 2:30 PM EST",
            "byline",
        ),
        ("", "", "2022-03-08", "visible"),  # htmldate reads the URL's date too, as a reader would
    ],
)
def test_published_signals_in_priority(head: str, body: str, raw: str, source: str) -> None:
    html = page(
        '<meta property="og:type" content="article"><title>T</title>' + head, body + f"<article>{PARAS}</article>"
    )
    got = extract_page(html, "https://x/2022/03/08/story.html")
    assert got.published_candidates[0] == (raw, source)
    assert got.published_candidates[-1] == ("2022-03-08", "url")


def test_every_signal_is_collected_and_byline_update_is_modified() -> None:
    html = page(
        ld({"@type": "NewsArticle", "headline": "H", "datePublished": "2022-03-08T05:12:00+09:00"})
        + '<meta property="article:published_time" content="2022-03-08T05:12:00+09:00">'
        + '<meta property="article:modified_time" content="2022-03-09T01:00:00+09:00">',
        '<p class="date">2022年3月8日 5時12分（更新 2022年3月9日 1時）</p><time datetime="2022-03-08">x</time>'
        + f"<article>{PARAS}</article>",
    )
    got = extract_page(html, "https://x/a")
    assert got.published_candidates == [
        ("2022-03-08T05:12:00+09:00", "json-ld:datePublished"),
        ("2022-03-08T05:12:00+09:00", "meta:article:published_time"),
        ("2022-03-08", "time"),
        ("2022年3月8日 5時12分", "byline"),
        ("2022-03-08", "visible"),
    ]
    assert got.modified_candidates == [
        ("2022-03-09T01:00:00+09:00", "meta:article:modified_time"),
        ("2022年3月9日 1時", "byline"),
        ("2022年3月9日 1時", "label"),  # 更新 labels it in the text, apart from the byline's class
    ]


def test_broken_json_ld_is_counted_not_fatal() -> None:
    html = page(
        '<script type="application/ld+json">{"@type": "NewsArticle", </script><title>T</title>',
        f"<article>{PARAS}</article>",
    )
    got = extract_page(html, "https://x/a")
    assert got.warnings == ["bad_json_ld"]
    assert got.title == "T"


def test_listing_pages_are_not_articles() -> None:
    teasers = "".join(f'<article><h3><a href="/a{i}">Story {i}</a></h3></article>' for i in range(10))
    got = extract_page(page('<meta property="og:type" content="website"><title>Home</title>', teasers), "https://x/")
    assert not got.is_article
    got = extract_page(page("<title>Home</title>", teasers), "https://x/")  # no structured signal at all
    assert not got.is_article


def test_unmarked_long_page_is_an_article_by_heuristic() -> None:
    got = extract_page(page("<title>T</title>", f"<div class='content'>{PARAS}</div>"), "https://x/a")
    assert got.is_article and got.page_kind_reason == "long_text"


def test_profile_url_rule_decides() -> None:
    got = extract_page(page("<title>T</title>", PARAS), "https://x/a", article_url=False)
    assert not got.is_article and got.page_kind_reason == "profile:url_pattern"


def test_short_japanese_page_does_not_get_share_buttons_or_related_links() -> None:
    body = (
        "<nav><a href='/'>トップ</a></nav><article><h1>見出し</h1>"
        "<div class='share'>この記事をシェアする ツイート</div>"
        "<div class='body'><p>気象台は9日、関東地方で春一番が吹いたと発表しました。</p>"
        "<p>東京の都心では最高気温が20度を超えました。</p></div>"
        "<section class='related'><h2>関連ニュース</h2><ul><li><a href='/1'>別の記事</a></li></ul></section>"
        "</article><footer>NHKのサイトを離れます。</footer>"
    )
    got = extract_page(page('<meta property="og:type" content="article">', body), "https://x/a")
    assert got.blocks == [
        "気象台は9日、関東地方で春一番が吹いたと発表しました。",
        "東京の都心では最高気温が20度を超えました。",
    ]
    assert got.title == "見出し"


def test_page_with_only_boilerplate_has_no_body() -> None:
    body = (
        "<nav><a href='/'>Home</a> <a href='/w'>World</a></nav><article><h1>Live: markets</h1>"
        "<div class='share-tools'>Share this</div></article><footer>© 2022 Site</footer>"
    )
    got = extract_page(page('<meta property="og:type" content="article">', body), "https://x/a")
    assert got.blocks == []


def test_selectors_split_breaks_and_keep_headings() -> None:
    body = (
        "<h1 class='t'>Title</h1><div class='d'>更新 <time datetime='2022-03-08T05:12'>5時12分</time></div>"
        "<div class='b'><div class='lead'>リード文です。</div><p>一段落目。<br><br>二段落目。</p>"
        "<h2>小見出し</h2><p>三段落目。</p></div>"
    )
    sel = Selectors(title="h1.t", body="div.b", published="div.d")
    got = extract_page(page("", body), "https://x/a", selectors=sel, article_url=True)
    assert got.title == "Title"
    assert got.blocks == ["リード文です。", "一段落目。", "二段落目。", "小見出し", "三段落目。"]
    assert got.published_candidates[0] == ("2022-03-08T05:12", "selector")
    assert got.extractor == "selectors"


@pytest.mark.parametrize(
    ("h1", "title"),
    [
        # a kicker and a headline in spans: the headline, which <title> agrees with
        (
            "<h1><span class='kicker'>Auftragshoch</span><span class='sep'> : </span>"
            "<span class='headline'>Luftfahrt hebt nach Corona ab - und Zulieferer profitieren</span></h1>",
            "Luftfahrt hebt nach Corona ab - und Zulieferer profitieren",
        ),
        # emphasis inside one headline is not a kicker
        (
            "<h1><b>Editor’s Letter:</b><i> bye old friend, hello new one!</i></h1>",
            "Editor’s Letter: bye old friend, hello new one!",
        ),
    ],
)
def test_a_headline_built_of_parts(h1: str, title: str) -> None:
    head = f"<title>{title} | Industriemagazin</title>"
    got = extract_page(page(head, h1 + "<p>" + "Text des Artikels. " * 30 + "</p>"), "https://x/a")
    assert got.title == title


def test_furigana_readings_leave_the_text_unless_the_page_brackets_them() -> None:
    body = (
        "<h1 class='t'><ruby>体罰<rt>たいばつ</rt></ruby>を<ruby>禁止<rt>きんし</rt></ruby>する法律</h1>"
        "<div class='b'><p><ruby>子<rt>こ</rt></ruby>どもへの<ruby>体罰<rt>たいばつ</rt></ruby>を禁止します。</p>"
        "<p>韓国の<ruby><rb>尹錫悦</rb><rp>（</rp><rt>ユンソンニョル</rt><rp>）</rp></ruby>大統領が話しました。</p></div>"
    )
    got = extract_page(page("", body), "https://x/a", selectors=Selectors(title="h1.t", body="div.b"), article_url=True)
    assert got.title == "体罰を禁止する法律"
    # Brackets in <rp> are how the publisher prints a reading (names): kept, as in print.
    assert got.blocks == ["子どもへの体罰を禁止します。", "韓国の尹錫悦（ユンソンニョル）大統領が話しました。"]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_documents_raise_extract_error(text: str) -> None:
    with pytest.raises(ExtractError):
        extract_page(text, "https://x/a")


@pytest.mark.parametrize(
    "text",
    [
        "<html",
        "<<<>>>",
        "\x00\x01\x02 not html at all",
        "<html><body>" + "<div>" * 5000 + "deep" + "</div>" * 5000 + "</body></html>",
        "<html><head><title>only a title</title></head></html>",
    ],
)
def test_hostile_html_does_not_crash(text: str) -> None:
    try:
        got = extract_page(text, "https://x/a")
    except ExtractError:
        return
    # Whatever comes back is clean text: no empty blocks, no control characters, no tags.
    assert all(b.strip() == b and b for b in got.blocks)
    assert not any("\x00" in b or "<div" in b for b in got.blocks)
    assert got.title is None or "<" not in got.title


def test_language_from_text_when_undeclared() -> None:
    html = (
        "<html><head><meta property='og:type' content='article'><title>T</title></head><body><article>"
        + "".join(f"<p>これは日本語の段落です。番号は{i}です。十分な長さの本文があります。</p>" for i in range(8))
        + "</article></body></html>"
    )
    assert extract_page(html, "https://x/a").language == "ja"


def test_an_article_trafilatura_returns_in_one_piece_is_kept_and_a_blob_of_links_is_not() -> None:
    prose = " ".join(f"Sentence {i} of a report that the page prints without paragraph tags." for i in range(20))
    one_piece = page('<meta property="og:type" content="article"><title>Report</title>', f"<div>{prose}</div>")
    got = extract_page(one_piece, "https://x/2022/05/04/report/")
    assert got.is_article and got.blocks and "Sentence 19" in got.blocks[-1]
    links = " ".join(f"<a href='/s{i}'>Another story headline number {i}</a>" for i in range(20))
    blob = page('<meta property="og:type" content="article"><title>Links</title>', f"<div>{links}</div>")
    assert extract_page(blob, "https://x/links").blocks == []


def test_a_long_lone_block_beats_a_few_short_paragraphs() -> None:
    lone = ["Sentence of a long report printed as one block of text. " * 30]
    captions = ["Photo: a view of the harbour at dawn.", "Photo: the old ferry pier."]
    assert not density_wins(captions, lone)
    paragraphs = [f"Paragraph {i} of the story, as the page divides it." * 5 for i in range(6)]
    assert density_wins(paragraphs, lone) and density_wins(paragraphs, [])
    # the article inside a blob twice its size (share buttons, related links): the paragraphs win
    article = ["A short story in two paragraphs.", "The second paragraph of it."]
    assert density_wins(article, [" ".join(article) * 2])
    assert not density_wins(paragraphs[:1], [])


def _story_blocks(tail_html: str) -> list[str]:
    """The blocks of a German story of five paragraphs followed by tail_html."""
    paras = "".join(f"<p>Ein Absatz mit genug laufendem Text über Brücken, Nummer {i}.</p>" for i in range(5))
    body = f"<article><h1>Brücke</h1>{paras}{tail_html}</article>"
    html = f"<html><head><title>T</title></head><body>{body}</body></html>"
    return extract_page(html, "https://ex.de/a/bruecke-gesperrt-nach-unfall-heute").blocks


def test_text_after_a_subheading_and_soft_hyphens_survive_extraction() -> None:
    # trafilatura hangs text that follows an element outside any <p> on that element's tail;
    # a soft hyphen is a hint to the renderer that would split the word for search.
    blocks = _story_blocks(
        "<h3>ZERSTÖRUNG.</h3>"
        "Wir fühlten uns vereint, nun hat er es wieder getan, und das ist lang genug für einen Absatz."
        "<p>Die Kiess\u00adling-Studie ist ein letzter Absatz mit genug Text.</p>"
    )
    assert "Wir fühlten uns vereint, nun hat er es wieder getan, und das ist lang genug für einen Absatz." in blocks
    assert "Die Kiessling-Studie ist ein letzter Absatz mit genug Text." in blocks


def test_text_after_an_html_comment_inside_a_paragraph_is_kept() -> None:
    # trafilatura drops the tail of a comment node: half of some real articles went with it.
    blocks = _story_blocks(
        "<p>The first half of the sentence <!-- ad slot --> and the rest of it after the comment.</p>"
        "<p>Another paragraph <!--x--><a href='/x'>with a link</a> and its tail.</p>"
    )
    assert "The first half of the sentence and the rest of it after the comment." in blocks
    assert "Another paragraph with a link and its tail." in blocks


def test_the_full_trafilatura_pass_runs_only_where_the_fast_one_is_doubtful(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short page (under SURE_PARAGRAPHS paragraphs or SURE_CHARS characters) gets the whole
    cascade after the fast pass, on the same tree, and it gives what it gives on a fresh parse; a
    long one keeps the fast pass's blocks, with no second call."""
    import trafilatura

    from crawler.extract import article

    short = (
        "<html><body><nav><a href='/a'>Home</a> <a href='/b'>World</a></nav><div class='story'>"
        "<p>Eine kurze Meldung über die neue Brücke, die heute eröffnet wurde.</p>"
        "<div>Der Bürgermeister sprach von einem großen Tag für die Stadt.</div></div>"
        "<footer>Impressum</footer></body></html>"
    )
    paragraphs = "".join(f"<p>{'Ein ganzer Absatz mit Text. ' * 8}{i}</p>" for i in range(5))
    long = f"<html><body>{paragraphs}</body></html>"
    options = {"include_comments": False, "include_tables": True, "with_metadata": False}
    real = trafilatura.bare_extraction
    calls: list[bool] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(bool(kwargs.get("fast")))
        return real(*args, **kwargs)

    for html, sure in ((short, False), (long, True)):
        url = "https://ex.de/a"
        fresh = real(article.parse_html(html), url=url, fast=sure, **options)
        expected = [b for b in (article._text(" ".join(el.itertext())) for el in fresh.body) if b]
        calls.clear()
        monkeypatch.setattr(trafilatura, "bare_extraction", counting)
        got = article._trafilatura_blocks(article.parse_html(html), url)
        monkeypatch.setattr(trafilatura, "bare_extraction", real)
        assert calls == ([True] if sure else [True, False])
        assert got == expected, (sure, got, expected)


def test_a_charset_where_a_language_belongs_is_not_a_language() -> None:
    """`Content-Language: UTF-8` once stored `language` = "utf"."""
    paragraphs = "<p>Some words of a story about a thing that happened today in the town.</p>" * 8
    page = (
        '<html><head><meta http-equiv="Content-Language" content="{}"><title>T</title></head>'
        "<body><h1>A headline</h1>{}</body></html>"
    )
    assert extract_page(page.format("UTF-8", paragraphs), "http://x.example/a.html").language is None
    assert extract_page(page.format("en-GB", paragraphs), "http://x.example/a.html").language == "en"


def test_parsed_elements_are_plain_html_elements_chosen_in_c() -> None:
    """lxml.html's per-tag classes (forms, inputs) are picked by a Python call on every touch of an
    element, 5% of a page's CPU; every element is an HtmlElement instead, with what we use of it."""
    from lxml import html as lxml_html

    from crawler.extract.article import parse_html

    tree = parse_html("<html><body><form><input name=q value=x><label>Find</label></form><p>Text</p></body></html>")
    assert {type(el) for el in tree.iter()} == {lxml_html.HtmlElement}
    assert tree.find(".//form").text_content() == "Find" and tree.find(".//p").getparent().tag == "body"


def test_the_density_finder_prunes_by_tag_role_and_the_words_of_a_class_or_id() -> None:
    from lxml import etree

    from crawler.extract.article import parse_html
    from crawler.extract.density import prune_boilerplate

    tree = parse_html(
        page(
            body="<main class='has-sidebar'><article class='comment-open'><p>Kept one.</p>"
            "<div class='ShareBar'>Share this</div> tail kept <div id='RELATED-posts'>Other</div>"
            "<div class='\u017fhare'>long s: not an ASCII letter</div><nav>Menu</nav>"
            "<span role='complementary'>Aside</span><figcaption>Caption</figcaption></article></main>"
            "<div class='site-footer'>Footer</div>"
        )
    )
    prune_boilerplate(tree)
    body = etree.tostring(tree.find("body"), encoding="unicode")
    # main and article keep themselves whatever their class says; a named box goes, its tail stays;
    # the test is on ASCII letters in any case, as the words are written ("\u017f" is no "s").
    assert body == (
        '<body><main class="has-sidebar"><article class="comment-open"><p>Kept one.</p> tail kept '
        '<div class="\u017fhare">long s: not an ASCII letter</div></article></main></body>'
    )
