"""Every date signal on a page, as raw (string, source) candidates in priority order.

Choosing among them (and cross-checking) is the dates pipeline's job
(crawler/text/signals.py: each kind votes); here we only collect, so nothing
the page says is lost.

Published priority: profile selector, JSON-LD datePublished then dateCreated
(every article object), meta tags (PUBLISHED_META order), itemprop
datePublished, <time datetime>, <abbr title>, byline text, the dateline under
the headline, a date the text labels published, (added by the extractor) a
date opening the first paragraph, (added by the spider) the feed or sitemap
date, htmldate's reading of the page, then a date in the URL.
Modified: selector, JSON-LD dateModified, meta tags (MODIFIED_META order),
itemprop dateModified, a byline or text date marked 更新 / Updated / Stand ...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import htmldate
from lxml import etree
from lxml import html as lxml_html

from crawler.extract import metadata
from crawler.extract.css import select
from crawler.text.dates import find_author_line_dates, find_byline_dates, find_labelled_dates, parse_date

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dcterms.created",
    "dcterms.issued",
    "dc.date.issued",
    "dc.date.created",
    "dc.date",
    "date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "article.updated",
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)")
# Some CMSs (Squarespace) leave month and day unpadded when they are whole path segments.
_URL_DATE_UNPADDED = re.compile(r"/((?:19|20)\d{2})/([1-9]|1[0-2])/([1-9]|[12]\d|3[01])/")
# Class names that mark a date or a byline, in any case (matched in Python: XPath's translate()
# on every element cost half a millisecond a page).
_BYLINE_CLASS = re.compile(r"date|time|byline|posted|datum|fecha", re.I)
_NOT_BYLINE = {"script", "style", "body", "html"}
# Where other articles' dates sit: sidebars, widgets, related and popular lists, teasers, comments,
# footers. A byline date found there belongs to another page (a "popular posts" widget lists
# five dates before the article's own): such elements are not the page's byline.
# A <footer> or an <aside> inside the <article> often holds the article's own "Posted on" line:
# only those outside it are rails.
_RAIL_TAGS = {"aside", "footer", "nav"}
# A class or id token naming a rail ("sidebar", "widget_recent_entries", "related-posts",
# "comment-list"); layout marks on wrappers ("has-sidebar", "with-sidebar",
# "no-comments") name the page, not a rail.
_RAIL_TOKEN = re.compile(
    r"(?i:[a-z]{1,3}[_-])?(?i:sidebar|widget|related|popular|trending|recommend|comment|rail|more-?stories"
    r"|read-?more|carousel|slider)(?i:e?s)?(?=$|[-_\dA-Z])"  # then a word break: not "railway", "commentary"
    # A post embedded from a social network carries the date it was posted there.
    r"|instagram-media|twitter-tweet|tiktok-embed|fb-post|bluesky-embed|reddit-embed"
)
_RAIL_HINT = re.compile(
    r"sidebar|widget|related|popular|trending|recommend|comment|rail|stories|more|carousel|slider"
    r"|instagram|twitter|tiktok|fb-post|bluesky|reddit",
    re.I,
)
_LAYOUT_TOKEN = re.compile(r"(?:has|with|no|show|hide|is|page|layout)[_-]", re.I)

_TEXT_REACH = 50_000  # characters of a page's text searched for the day htmldate read
DATELINE_WINDOW = 40  # characters at the start of the first paragraph that may hold a dateline
HEADLINE_WINDOW = 300  # characters of text after the <h1> that may hold its dateline
# A text node this long is the article's running prose: the dateline zone under the headline
# ends there, and only a date opening it (DATELINE_WINDOW characters) is a dateline. A date in
# the middle of a sentence ("Laut der am 28.01.2022 in Kraft getretenen Verordnung") is a
# mention, not the page's date.
PROSE_NODE = 150
_ABBR_XPATH = '//abbr[@title][contains(@class, "publish") or contains(@class, "date") or contains(@class, "time")]'
_NOT_LETTER = re.compile(r"[^a-z]")

Candidates = list[tuple[str, str]]


def _add(out: Candidates, raw: Any, source: str) -> None:
    value = raw.strip() if isinstance(raw, str) else None
    if value and (value, source) not in out:
        out.append((value, source))


def element_date(el: Any) -> str | None:
    """A date element: its machine-readable attribute, a <time> inside it, or the date in its text."""
    value = el.get("datetime") or el.get("content")
    if value and value.strip():
        return value.strip()
    inner = el.xpath(".//time[@datetime]/@datetime")
    if inner and inner[0].strip():
        return inner[0].strip()
    text = " ".join(date_text(el).split())
    found = find_byline_dates(text)
    return found[0][0] if found else (text or None)


def date_text(el: Any) -> str:
    """An element's text with a space where one number ends in a child and the next begins in
    the next one: `<span>28.09.19</span><span>12:44</span>` is 28.09.19 at 12:44, not the year
    1912. Other text nodes join as they are (`<b>28</b>. Mai`)."""
    out = ""
    for part in el.itertext():
        if out and out[-1].isdigit() and part[:1].isdigit():
            out += " "
        out += part
    return out


def visible_date(tree: lxml_html.HtmlElement, url: str, extensive: bool) -> str | None:
    """The original publication day htmldate reads from what a reader sees (visible dates in many
    languages and numeric orders, <abbr>, <time>, the URL), as YYYY-MM-DD; None when it finds none.

    extensive=True also searches the whole text (about 11 ms a page against 2 ms): only for pages
    with no structured date (measured on bench/realpages.py). Given the page's tree, htmldate
    works on a copy of it instead of parsing the text again: 0.7 ms a page instead of 2.2 on the
    real pages of dates/, with the same day on all but 6 of 3,580 calls (dates/ and web/, both
    modes), none of them right before."""
    try:
        return htmldate.find_date(tree, extensive_search=extensive, original_date=True, url=url)
    except Exception:  # htmldate on hostile HTML: no date rather than no page
        return None


def coarse_unless_confirmed(seen: str, tree: lxml_html.HtmlElement, published: Candidates, url: str) -> str:
    """htmldate's day, or the year or month it was widened from. htmldate turns a copyright line
    ("© 2004") into 1 January and a month ("Juni 2022") into its first day, and says nothing of
    it: a first of the month it reads stays a day only when the page gives that day elsewhere (a
    structured signal, the URL, a date written in the text); else it is kept as "YYYY" (1 January)
    or "YYYY-MM"."""
    if not seen.endswith("-01") or len(seen) != 10:
        return seen
    if url_date(url) == seen or any((parse_date(raw).value or "")[:10] == seen for raw, _ in published):
        return seen
    for raw, _ in find_byline_dates(visible_text(tree)[:_TEXT_REACH]):
        if (parse_date(raw).value or "")[:10] == seen:
            return seen
    return seen[:4] if seen[5:7] == "01" else seen[:7]


def url_date(url: str) -> str | None:
    m = _URL_DATE.search(url) or _URL_DATE_UNPADDED.search(url)
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def _squash(key: str) -> str:
    return _NOT_LETTER.sub("", key.lower())


def collect_dates(
    tree: lxml_html.HtmlElement,
    meta: dict[str, str],
    ld_articles: list[dict[str, Any]],
    published_selector: str | None = None,
    modified_selector: str | None = None,
    ld_others: list[dict[str, Any]] | None = None,
) -> tuple[Candidates, Candidates]:
    """(published candidates, modified candidates), each [(raw, source)] in priority order.

    ld_others: JSON-LD objects of other types (ClaimReview, WebPage, ...) whose datePublished
    counts too, after the article objects'."""
    published: Candidates = []
    modified: Candidates = []
    for selector, out in ((published_selector, published), (modified_selector, modified)):
        if selector:
            for el in select(tree, selector)[:1]:
                _add(out, element_date(el), "selector")
    for obj in [*ld_articles, *(ld_others or [])]:
        _add(published, metadata.text_value(obj.get("datePublished")), "json-ld:datePublished")
    for obj in ld_articles:
        _add(published, metadata.text_value(obj.get("dateCreated")), "json-ld:dateCreated")
        _add(modified, metadata.text_value(obj.get("dateModified")), "json-ld:dateModified")
    # Publishers spell meta names many ways (article:published:time, article_published_time, ...).
    squashed: dict[str, tuple[str, str]] = {}
    for key, value in meta.items():
        squashed.setdefault(_squash(key), (key, value))
    for keys, out in ((PUBLISHED_META, published), (MODIFIED_META, modified)):
        for key in keys:
            named = squashed.get(_squash(key))
            if named:
                _add(out, named[1], f"meta:{named[0]}")
    # The first of each outside rails: a <time> in a comment or an embedded post is not the page's.
    for prop, out in (("datePublished", published), ("dateModified", modified)):
        for el in _first_outside_rails(tree.xpath(f'//*[@itemprop="{prop}"][not(self::meta)]')):
            _add(out, element_date(el), f"itemprop:{prop}")
    for el in _first_outside_rails(tree.xpath("//time[@datetime]")):
        _add(published, el.get("datetime"), "time")
    for el in _first_outside_rails(tree.xpath(_ABBR_XPATH)):
        _add(published, el.get("title"), "abbr")
    bylined = False
    for el in byline_elements(tree):
        text = date_text(el)
        found = find_byline_dates(text)
        if found:
            found = find_byline_dates(text, _text_before(el))  # its label may stand outside it
        for raw, role in found:
            _add(published if role == "published" else modified, raw, "byline")
        if found:
            bylined = True
            break
    text = visible_text(tree)
    if not bylined:
        # No byline element (no byline, author or date class): an author line in the text.
        _add(published, author_line_date(tree, text), "byline")
    _add(published, headline_date(tree), "headline")
    for raw, role in labelled_dates(tree, text):
        _add(published if role == "published" else modified, raw, "label")
    return published, modified


# The three text nodes nearest before an element (position() counts back on a reverse axis; the
# node-set comes in document order).
_TEXT_BEFORE = etree.XPath("preceding::text()[position() <= 3]")


def _text_before(el: Any) -> str:
    """The page's text just before an element (its label: "<h4>Aktualisiert am:</h4><li>...")."""
    parts = [t for t in _TEXT_BEFORE(el) if t.getparent() is None or t.getparent().tag not in ("script", "style")]
    return " ".join(parts)


def byline_elements(tree: lxml_html.HtmlElement) -> Iterator[Any]:
    """Elements whose class names a date or a byline, in page order, outside rails (in_rail),
    one at a time: the caller stops at the first that holds a date.
    ("teaser" is not a rail: TYPO3 sites wrap the article itself in "teaserTyp3 newsSingle".)"""
    for el in _WITH_CLASS(tree):
        if el.tag not in _NOT_BYLINE and _BYLINE_CLASS.search(el.get("class")) and not in_rail(el):
            yield el


_WITH_CLASS = etree.XPath("//*[@class]")


def _first_outside_rails(elements: list[Any]) -> list[Any]:
    return next(([el] for el in elements if not in_rail(el)), [])


def is_rail(el: Any) -> bool:
    """An element whose class or id names a rail (_RAIL_TOKEN)."""
    marks = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not _RAIL_HINT.search(marks):  # one search rules out almost every element
        return False
    return any(_RAIL_TOKEN.match(t) and not _LAYOUT_TOKEN.match(t) for t in marks.split())


def in_rail(el: Any) -> bool:
    """Inside a sidebar, widget, related-stories list or comments, or an <aside>, <footer> or
    <nav> outside the article (see _RAIL_TOKEN)."""
    outside = False  # inside an <aside>, <footer> or <nav>, so far not known to be in the article
    for parent in el.iterancestors():
        if parent.tag in ("article", "main", "body"):  # body classes ("has-sidebar") mark the page
            return parent.tag == "body" and outside
        if is_rail(parent):
            return True
        outside = outside or parent.tag in _RAIL_TAGS
    return outside


def headline_date(tree: lxml_html.HtmlElement, window: int = HEADLINE_WINDOW) -> str | None:
    """The first published date written in the text right after the headline (a dateline under
    the <h1>: "02.02.2022 10:16 Uhr - 1. Bundesliga", "1. Februar 2022, Daniel Dillenburg")."""
    # The first heading a reader sees; a page whose only <h1> is hidden still has its dateline after it.
    h1 = next(iter(metadata.headings(tree)), None)
    if h1 is None:
        h1 = tree.find(".//h1")
    if h1 is None:
        return None
    parts: list[str] = []
    size = 0
    for text in h1.xpath("following::text()[position() <= 80]"):
        if text.getparent() is not None and text.getparent().tag in ("script", "style", "noscript"):
            continue
        if len(text.strip()) >= PROSE_NODE:
            parts.append(text.strip()[:DATELINE_WINDOW])
            break
        parts.append(text)
        size += len(text)
        if size >= window:
            break
    found = find_byline_dates(" ".join(parts)[:window])
    return next((raw for raw, role in found if role == "published"), None)


def dateline(blocks: list[str], window: int = DATELINE_WINDOW) -> str | None:
    """A date that opens the article's first paragraph: "29.11.2022 – Mehrfach hatte ...",
    "Karlsruhe, (12.11.2021). Traditionell ...", "BERLIN, 3. Mai 2021 (dpa) - ..."."""
    if not blocks:
        return None
    found = find_byline_dates(blocks[0][:window])
    return next((raw for raw, role in found if role == "published"), None)


def author_line_date(tree: lxml_html.HtmlElement, text: str | None = None) -> str | None:
    """The first date of an author line outside rails ("von Marianne1 am 20.09.2020"): a comment
    box's "von Leser am ..." is another text's. text: the page's visible text, when read already."""
    found = find_author_line_dates(visible_text(tree) if text is None else text)
    return next((raw for raw in found if not _in_rail_text(raw, tree)), None)


def labelled_dates(tree: lxml_html.HtmlElement, text: str | None = None) -> list[tuple[str, str]]:
    """The first date the page's text labels as published ("Veröffentlicht am 16.08.2019",
    "Published: March 3, 2020", "Erschienen am: 01.11.2023") and the first it labels as
    updated ("Letzte Änderung: 31.10.2023", "Updated 4 May 2021"): (raw, role) pairs. A labelled
    date inside a rail ("veröffentlicht am ..." in a popular-posts widget) is another page's."""
    out: list[tuple[str, str]] = []
    for raw, role in find_labelled_dates(visible_text(tree) if text is None else text):
        if any(role == seen for _, seen in out) or _in_rail_text(raw, tree):
            continue
        out.append((raw, role))
        if len(out) == 2:
            break
    return out


def _in_rail_text(raw: str, tree: lxml_html.HtmlElement) -> bool:
    """Whether the first text node holding raw lies in a rail (a date split across nodes: no)."""
    node = next((n for n in _SMART_TEXT(_text_root(tree)) if raw in n), None)
    if node is None:
        return False
    el = node.getparent()
    return in_rail(el) or (not node.is_tail and is_rail(el))


def visible_text(tree: lxml_html.HtmlElement) -> str:
    """The body's text outside scripts and styles."""
    return " ".join(_visible_nodes(tree))


def _text_root(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    body = tree.find("body")
    return body if body is not None else tree


def _visible_nodes(tree: lxml_html.HtmlElement) -> list[str]:
    return [t for t in _PLAIN_TEXT(_text_root(tree)) if t.strip()]


_VISIBLE_TEXT = ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
# Plain strings for the text (a third cheaper); the nodes that know their parent only when a
# labelled date has to be placed (rare).
_PLAIN_TEXT = etree.XPath(_VISIBLE_TEXT, smart_strings=False)
_SMART_TEXT = etree.XPath(_VISIBLE_TEXT)
