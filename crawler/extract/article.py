"""HTML -> article fields: profile selectors first, then JSON-LD, meta tags, trafilatura.

The page is parsed once with lxml; trafilatura receives that tree last,
because it prunes the tree while it works.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from crawler.extract import hydration, metadata, pagekind, titles
from crawler.extract.css import select
from crawler.extract.dates import coarse_unless_confirmed, collect_dates, dateline, url_date, visible_date
from crawler.extract.density import BLOCK_TAGS, inside_block, main_blocks, mostly_links, survives_pruning
from crawler.text.blocks import clean_block, normalize_block
from crawler.text.boilerplate import weighted_length

_BREAK = "\u2029"  # paragraph separator: never in page text after clean_block
_KANA = re.compile(r"[\u3040-\u30ff]")
_LANG = re.compile(r"^[A-Za-z]{2,3}")


class ExtractError(Exception):
    """The page could not be parsed at all (empty or not HTML)."""


@dataclass(frozen=True)
class Selectors:
    """Optional CSS selectors from a site profile."""

    title: str | None = None
    body: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: str | None = None
    drop: str | None = None  # inside the body: captions, related boxes, paywall notes, ads


# A profile's body shorter than this (weighted characters) is checked against generic extraction:
# when that finds at least twice as much, the selector is taken to have missed (a layout change).
SHORT_BODY = 400


@dataclass
class ExtractedPage:
    """What one HTML page yields. Dates stay raw here; the dates pipeline reads them."""

    url: str
    is_article: bool
    page_kind_reason: str
    page_kind_signals: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    page_title: str | None = None  # the page's <title> (og:title without one), as it reads
    blocks: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published_candidates: list[tuple[str, str]] = field(default_factory=list)  # (raw, source), best first
    modified_candidates: list[tuple[str, str]] = field(default_factory=list)
    language: str | None = None
    section: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    image_url: str | None = None
    selector_misses: list[str] = field(default_factory=list)  # profile selectors that found nothing
    site_name: str | None = None
    extractor: str = "generic"
    warnings: list[str] = field(default_factory=list)


# lxml refuses a str that carries an XML encoding declaration (XHTML pages): the text is already decoded.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


# Characters XML cannot hold (C0 controls but tab, newline, carriage return; DEL; lone surrogates
# left by bad decoding): lxml refuses them wherever text is set, so they go before parsing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def sanitize(text: str) -> str:
    return _NOT_XML.sub("", text)


# Comments and processing instructions are not page text, and trafilatura loses the text that
# follows a comment inside a paragraph ("<p>Half <!-- ad --> the rest</p>"): half of some
# articles (bench/realpages.py, aeb/). trafilatura's own loader drops them too. A parser per
# call: an lxml parser must not be shared between threads, and one costs microseconds.
_PARSER_OPTIONS = {"remove_comments": True, "remove_pis": True, "collect_ids": False}
# lxml.html picks each element's class (a form, an input, ...) in a Python callback, every time
# Python touches an element: 2.5 million calls and 5% of a page's CPU. None of us (nor
# trafilatura, htmldate, jusText) uses those classes: every element is an HtmlElement, chosen in C.
_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement,
    comment=lxml_html.HtmlComment,
    pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity,
)


def _parser() -> lxml_html.HTMLParser:
    parser = lxml_html.HTMLParser(**_PARSER_OPTIONS)
    parser.set_element_class_lookup(_CLASSES)
    return parser


def parse_html(text: str) -> lxml_html.HtmlElement:
    if not text or not text.strip():
        raise ExtractError("empty document")
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        tree = lxml_html.document_fromstring(text, parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(str(exc)) from exc
    if tree is None:
        raise ExtractError("empty document")
    # Furigana without fallback brackets: the reading is not text. Left in,
    # "<ruby>体罰<rt>たいばつ</rt></ruby>" reads "体罰たいばつ", titles no longer agree across
    # sources, and a search for the word misses. A ruby with <rp> brackets says how it reads
    # without ruby ("尹錫悦（ユンソンニョル）", as in print): kept so.
    for ruby in list(tree.iter("ruby")):
        if ruby.find(".//rp") is None:
            etree.strip_elements(ruby, "rt", with_tail=False)
    # A <title> inside <body> is never shown by a browser; its RCDATA text (say a literal
    # "<script>") is not page text. Moved to <head> when the head has none (it is then still
    # the document title), dropped otherwise.
    for stray in tree.xpath("//body//title"):
        stray.drop_tree()
        head = tree.find("head")
        if head is None:
            head = lxml_html.Element("head")
            tree.insert(0, head)
        if head.find("title") is None:
            stray.tail = None
            head.append(stray)
    return tree


def _text(el: Any) -> str:
    if isinstance(el, str):
        return clean_block(el)
    if el.find(".//style") is not None or el.find(".//script") is not None:
        # A styled-components <style> inside an <h1> is CSS, not words of the headline.
        return clean_block(" ".join(el.xpath(".//text()[not(ancestor::style or ancestor::script)]")))
    return clean_block(el.text_content())


def _css_first(tree: lxml_html.HtmlElement, selector: str | None) -> Any:
    if not selector:
        return None
    found = select(tree, selector)
    return found[0] if found else None


_PART_TAGS = {"span", "div", "p", "small"}
_WORD = re.compile(r"\w")


def _parts(el: Any) -> list[str] | None:
    """The texts of a heading built of parts (a kicker and a headline, each in its own <span>),
    or None: when it has text of its own outside them, fewer than two parts, or other tags
    (<b>, <i>: emphasis inside one headline). Parts with no word (a " – " between them) go."""
    if clean_block(el.text or ""):
        return None
    children = [child for child in el if isinstance(child.tag, str) and child.tag != "br"]
    if any(child.tag not in _PART_TAGS or clean_block(child.tail or "") for child in children):
        return None
    parts = [text for text in map(_text, children) if _WORD.search(text)]
    return parts if len(parts) >= 2 else None


def _kicker_split(el: Any) -> list[str]:
    """A heading made of one label element and loose text ("<small>Tunesien</small><br> Große
    Aufgaben ...", "<span class=roofline>Ernährung sichern</span> Schulze: ..."): the label and
    the text, in order, offered to agree with the page's other title signals; else []."""
    children = [child for child in el if isinstance(child.tag, str) and child.tag != "br"]
    if len(children) != 1 or children[0].tag not in _PART_TAGS:
        return []
    before, after = clean_block(el.text or ""), " ".join(clean_block(c.tail or "") for c in el).strip()
    label = _text(children[0])
    if not label or bool(before) == bool(after):
        return []
    return [before, label] if before else [label, after]


def _leaf_div(el: Any) -> bool:
    return el.tag == "div" and not any(d.tag in BLOCK_TAGS or d.tag == "div" for d in el.iterdescendants())


def _split_at_breaks(el: Any) -> list[str]:
    """Text of el split at <br>: NHK and many Japanese sites separate paragraphs with <br><br>."""
    for br in el.iter("br"):
        br.tail = _BREAK + (br.tail or "")
    return [t for t in (clean_block(part) for part in el.text_content().split(_BREAK)) if t]


def css_blocks(tree: lxml_html.HtmlElement, selector: str, drop: str | None = None) -> list[str]:
    """Blocks inside the profile's body containers: paragraphs, headings, list items, leaf <div>s,
    after removing what the profile's `drop` selector names inside them."""
    blocks: list[str] = []
    for container in select(tree, selector):
        if drop:
            for unwanted in select(container, drop):
                _remove_keep_tail(unwanted)
        inner = [
            el
            for el in container.iter(*BLOCK_TAGS, "div")
            if el is not container and (el.tag != "div" or _leaf_div(el)) and not inside_block(el, container)
        ]
        for el in inner or [container]:
            blocks.extend(_split_at_breaks(el))
    return blocks


def _remove_keep_tail(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# trafilatura's own pass is trusted without its readability and jusText comparison when it finds
# this much text in at least this many paragraphs: on the labelled real pages the comparison then
# changes nothing it is measured by (bench/README.md, "One pass"), and it costs a quarter of a page.
SURE_CHARS = 1000
SURE_PARAGRAPHS = 3


def _trafilatura_blocks(tree: lxml_html.HtmlElement, url: str) -> list[str]:
    options: dict[str, Any] = {"url": url, "include_comments": False, "include_tables": True, "with_metadata": False}
    doc = trafilatura.bare_extraction(tree, fast=True, **options)
    body = getattr(doc, "body", None)
    sure = body is not None and len(body.findall(".//p")) >= SURE_PARAGRAPHS
    if not sure or len(getattr(doc, "text", None) or "") < SURE_CHARS:
        # Doubtful: the whole cascade, with readability and jusText (on the same tree: the first call
        # worked on a copy of it, and the second gives what it gives on a fresh parse).
        doc = trafilatura.bare_extraction(tree, **options)
        body = getattr(doc, "body", None)
    if body is None:
        return []
    blocks: list[str] = []
    for el in body:
        if el.tag == "list":
            items = [_text(" ".join(i.itertext())) for i in el.iter("item")]
            blocks.extend(i for i in items if i)
        else:
            text = _text(" ".join(el.itertext()))
            if text:
                blocks.append(text)
        # Text between trafilatura's elements hangs on the previous one's tail ("<head>Title</head>
        # Text of the paragraph ..."): a block of its own, or it is lost.
        tail = _text(el.tail or "")
        if tail:
            blocks.append(tail)
    return blocks


_LINES = re.compile(r"\s*\n\s*")
_TAGGED = re.compile(r"<(?:p|br|div|h[1-6]|li|span|a|strong|em)\b", re.I)


def ld_body_blocks(ld: dict[str, Any]) -> list[str]:
    """JSON-LD `articleBody` as blocks: one per line; markup in it (some CMSs put the HTML there)
    read as its paragraphs."""
    body = metadata.text_value(ld.get("articleBody"))
    if not body:
        return []
    if _TAGGED.search(body):
        try:
            tree = parse_html(body)
        except ExtractError:
            return []
        parts = [_text(el) for el in tree.iter("p", "h2", "h3", "h4", "li")]
        body = "\n".join(p for p in parts if p) or tree.text_content()
    return [line for line in (_text(part) for part in _LINES.split(body)) if line]


def _generic_blocks(tree: lxml_html.HtmlElement, text: str, url: str) -> tuple[list[str], str]:
    """trafilatura first; the density finder when trafilatura returns one undivided blob.

    Measured on the labelled real pages (bench/extraction.py): same F1 as
    trafilatura alone there, and right on short pages where trafilatura
    returns share buttons and related links along with the text.
    """
    blocks = _trafilatura_blocks(tree, url)
    if len(blocks) > 1:
        return blocks, "trafilatura"
    # trafilatura has pruned `tree`: parse again (rare path). The lone block is judged on the
    # page as served (before our own pruning): only a block made mostly of link text is dropped.
    fresh = parse_html(text)
    if blocks and mostly_links(blocks[0], fresh):
        blocks = []
    long_enough = bool(blocks) and len(blocks[0]) >= LONE_BLOCK
    dense = main_blocks(fresh)  # prunes navigation, share widgets and footers off `fresh`
    if blocks and not long_enough and not survives_pruning(blocks[0], fresh):
        blocks = []  # a short blob of page furniture
    if density_wins(dense, blocks) or (dense and not blocks):
        # Even one paragraph (a teaser page's only sentence) is the article's text: better
        # stored than dropped for an empty body.
        return dense, "density"
    return blocks, "trafilatura"


def density_wins(dense: list[str], lone: list[str]) -> bool:
    """The density finder's paragraphs replace trafilatura's lone block only when there are two or
    more and they hold at least 30% of its text. A lone block that is the article plus share
    buttons and related links is about twice the article (the demo's short pages: 45-55%); one
    long block beside two captions is many times them (real pages: 11-23%) and is kept."""
    return len(dense) >= 2 and sum(map(len, dense)) * 10 >= sum(map(len, lone)) * 3


LINK_TEXT = 15  # characters from which a link's text can be a teaser's headline

# A lone block this long is kept unless it is mostly link text: articles whose text trafilatura
# returns in one piece were lost to the pruning check (bench/realpages.py, dates/ and web/).
LONE_BLOCK = 400


def _language(
    tree: lxml_html.HtmlElement, meta: dict[str, str], ld: dict[str, Any] | None, blocks: list[str]
) -> str | None:
    candidates = [
        tree.get("lang"),
        metadata.text_value(ld.get("inLanguage")) if ld else None,
        meta.get("og:locale"),
        meta.get("content-language"),
        meta.get("language"),
    ]
    for c in candidates:
        if c and not _is_charset(c.strip()):
            m = _LANG.match(c.strip())
            if m:
                return m.group(0).lower()
    sample = "".join(blocks[:5])
    if _KANA.search(sample):
        return "ja"
    return None


def _is_charset(value: str) -> bool:
    """A charset name where a language belongs ("Content-Language: UTF-8", lang="utf-8"): not a
    language ("utf" is none)."""
    try:
        codecs.lookup(value)
    except LookupError:
        return False
    return True


def _authors(tree: lxml_html.HtmlElement, meta: dict[str, str], ld: dict[str, Any] | None) -> list[str]:
    if ld:
        found = metadata.names(ld.get("author"))
        if found:
            return found
    for key in ("article:author", "author", "byl", "dc.creator"):
        if key in meta and not meta[key].startswith("http"):
            return [meta[key]]
    out: list[str] = []
    for el in tree.xpath('//*[@rel="author" or @itemprop="author" or contains(@class, "author-name")]'):
        name = _text(el)
        if name and name not in out and len(name) < 80:
            out.append(name)
    return out


def extract_page(
    text: str,
    url: str,
    selectors: Selectors | None = None,
    article_url: bool | None = None,
    listed_title: str | None = None,
    visible: bool = True,
) -> ExtractedPage:
    """Extract one page. article_url forces the article/listing decision (a profile's URL rule);
    listed_title is the title a sitemap or feed lists the page under (one more title signal);
    visible=False skips htmldate's reading of the visible date (a learned parser that found the
    site's structured dates choose the same day without it).

    Raises ExtractError only when the text cannot be parsed as HTML at all.
    """
    text = sanitize(text)
    tree = parse_html(text)
    selectors = selectors or Selectors()
    meta = metadata.meta_tags(tree)
    objects, bad_ld = metadata.json_ld_objects(tree)
    articles = metadata.article_objects(objects)
    ld = articles[0] if articles else None
    warnings = ["bad_json_ld"] * bad_ld

    title_el = _css_first(tree, selectors.title)
    h1 = metadata.headings(tree)
    title_tag = tree.xpath("//title")
    h1_text = _text(h1[0]) if h1 else None
    publisher = metadata.text_value(ld.get("publisher")) if ld else None
    site_name = meta.get("og:site_name") or publisher
    page_title = (_text(title_tag[0]) if title_tag else None) or meta.get("og:title")
    title, _ = titles.choose_title(
        {
            "selector": _text(title_el) if title_el is not None else None,
            "headline": metadata.text_value(ld.get("headline")) if ld else None,
            "listing": listed_title,
            "og:title": meta.get("og:title"),
            "h1": h1_text,
            "title": _text(title_tag[0]) if title_tag else None,
        },
        site_name,
        url,
        _parts(h1[0]) if h1 else None,
        [*(_kicker_split(h1[0]) if h1 else []), *(_text(el) for el in h1[1:])],
    )

    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    # Dates only from the JSON-LD that describes this page (not a site-wide block, not an older
    # article's copy left in the template).
    dated, others = metadata.dated_objects_of_page(objects, articles, [url, *canonical[:1]])
    published, modified = collect_dates(tree, meta, dated, selectors.published, selectors.modified, others)
    # What a reader sees (htmldate reads a copy of the tree, taken before trafilatura prunes it): the
    # date when the page has no structured one, else the cross-check of the structured one.
    seen = (
        visible_date(tree, url, extensive=not any(source != "byline" for _, source in published)) if visible else None
    )
    if seen:
        published.append((coarse_unless_confirmed(seen, tree, published, url), "visible"))
    found_in_url = url_date(url) or (url_date(canonical[0]) if canonical else None)
    if found_in_url:
        published.append((found_in_url, "url"))

    if selectors.authors:
        authors = [a for a in (_text(e) for e in select(tree, selectors.authors)) if a]
    else:
        authors = _authors(tree, meta, ld)

    section = (metadata.text_value(ld.get("articleSection")) if ld else None) or meta.get("article:section")
    description = (
        (metadata.text_value(ld.get("description")) if ld else None)
        or meta.get("og:description")
        or meta.get("description")
    )
    image = (metadata.first_url(ld.get("image")) if ld else None) or meta.get("og:image")
    og_type = meta.get("og:type", "").lower() or None
    listing_ld = metadata.has_listing_type(objects)
    teasers = len(tree.xpath("//article")) + len(tree.xpath("//*[self::h2 or self::h3 or self::h4][.//a]"))
    # Read before trafilatura prunes the tree: the texts of links, to tell teasers from paragraphs.
    # (clean_block only shortens a text: a link whose raw text is short is skipped uncleaned.)
    raw_links = (raw for raw in (a.text_content() for a in tree.iter("a")) if len(raw) >= LINK_TEXT)
    link_texts = {normalize_block(t) for t in map(_text, raw_links) if len(t) >= LINK_TEXT}

    # The layout-change alarm watches the title and the body: a page without a date line or a
    # byline is common (a wire story, a correction), so those selectors may miss on their own.
    misses: list[str] = []
    if selectors.title and title_el is None:
        misses.append("title")
    if selectors.body:
        blocks = css_blocks(tree, selectors.body, selectors.drop)
        extractor = "selectors"
    else:
        blocks = []
        extractor = "trafilatura"
    language = None
    if selectors.body and blocks and sum(weighted_length(b) for b in blocks) < SHORT_BODY:
        # A short body from the profile: generic extraction decides whether the selector missed.
        language_hint = _language(tree, meta, ld, blocks)
        generic, generic_extractor = _generic_blocks(tree, text, url)
        if sum(weighted_length(b) for b in generic) >= 2 * sum(weighted_length(b) for b in blocks):
            misses.append("body")
            blocks, extractor = generic, generic_extractor
        language = language_hint
    elif not blocks:
        if selectors.body:
            misses.append("body")
        # trafilatura prunes the tree, so every read of it happens above.
        language_hint = _language(tree, meta, ld, [])
        blocks, extractor = _generic_blocks(tree, text, url)
        marked = ld is not None or og_type == "article" or "article:published_time" in meta
        if marked and sum(map(weighted_length, blocks)) < SHORT_BODY:
            # Little or no text ("Please enable JavaScript") on a page that says it is an
            # article: a JavaScript application's page may hold the text in the state the
            # browser renders it from. (Unmarked, a home page's state would give its "about" text.)
            state = hydration.state_blocks(parse_html(text), title)  # trafilatura pruned `tree`
            if state and sum(map(weighted_length, state)) >= 2 * sum(map(weighted_length, blocks)):
                blocks, extractor = state, "state"
        if ld is not None and (len(blocks) == 1 or sum(map(weighted_length, blocks)) < SHORT_BODY):
            # Still next to nothing: the text the publisher declares as the article's body. Worse
            # than trafilatura where both exist (often a teaser or one run-on line), so last. When
            # trafilatura's own fallback already read it, it gave one blob: the lines are the paragraphs.
            declared = ld_body_blocks(ld)
            size = sum(map(weighted_length, blocks))
            same = len(blocks) == 1 and normalize_block(" ".join(declared)) == normalize_block(blocks[0])
            if (same and len(declared) > 1) or (
                size < SHORT_BODY and sum(map(weighted_length, declared)) >= max(SHORT_BODY, 2 * size)
            ):
                blocks, extractor = declared, "json-ld"
        language = language_hint or _language(tree, meta, ld, blocks)
    else:
        language = _language(tree, meta, ld, blocks)
    # The headline often comes back as the first block; it is the title, not body.
    title_keys = {normalize_block(t) for t in (title, h1_text) if t}
    blocks = [b for b in blocks if normalize_block(b) not in title_keys]
    lead = dateline(blocks)
    if lead:
        # Ranked with the page's own dates, before htmldate's guess and the URL.
        at = next((i for i, (_, source) in enumerate(published) if source in ("visible", "url")), len(published))
        published.insert(at, (lead, "dateline"))

    weights = [weighted_length(b) for b in blocks]
    total = sum(weights)
    linked = sum(w for b, w in zip(blocks, weights, strict=True) if normalize_block(b) in link_texts)
    signals = pagekind.PageSignals(
        url=url,
        ld_article=ld is not None,
        ld_listing=listing_ld and ld is None,
        og_type=og_type,
        published_meta="article:published_time" in meta,
        dated=any(source != "url" for _, source in published),
        headline=bool(h1_text or meta.get("og:title")),
        paragraphs=sum(w >= pagekind.PARAGRAPH for w in weights),
        text_weight=total,
        link_share=linked / total if total else 0.0,
        teasers=teasers,
    )
    kind = pagekind.classify(signals)
    if article_url is None:
        is_article, reason = kind.is_article, kind.reason
    else:
        is_article, reason = article_url, "profile:url_pattern"

    return ExtractedPage(
        url=url,
        is_article=is_article,
        page_kind_reason=reason,
        page_kind_signals=kind.signals,
        title=title,
        page_title=titles.unescape(page_title) if page_title else None,
        blocks=blocks,
        authors=authors,
        published_candidates=published,
        modified_candidates=modified,
        language=language,
        section=section,
        description=description,
        canonical_url=canonical[0].strip() if canonical else None,
        image_url=image,
        site_name=site_name,
        extractor=extractor,
        warnings=warnings,
        selector_misses=misses,
    )
