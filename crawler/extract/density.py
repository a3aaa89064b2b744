"""A small text-density main-content finder, used before trafilatura.

trafilatura falls back to one undivided blob (share buttons and related
links included) on short pages, which are common in Japanese news. This
finder scores containers by the paragraph text they hold, discounts link
text, and climbs to the parent while that gathers clearly more paragraph
text (articles split into several sections). Boilerplate containers are
pruned first.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from lxml import html as lxml_html

from crawler.text.blocks import clean_block

BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")
_BOILER_WORDS = (
    "share",
    "social",
    "sns",
    "related",
    "recommend",
    "newsletter",
    "subscribe",
    "breadcrumb",
    "ranking",
    "popular",
    "advert",
    "banner",
    "promo",
    "footer",
    "sidebar",
    "comment",
)
# Elements dropped by what they are (navigation, forms, scripts, figure captions) or the role they
# declare: one XPath, evaluated in C.
BOILERPLATE_XPATH = (
    "//nav | //footer | //aside | //form | //script | //style | //noscript | //template | //iframe"
    " | //button | //select | //figcaption"
    " | //*[@role='navigation' or @role='complementary' or @role='contentinfo' or @role='banner']"
)
# And by what their class or id says (a share bar, a related list), ASCII letters in any case. As an
# XPath test (translate() and sixteen contains() on every element) this cost 265 ms on a large page
# (bench/README.md, "Issue 33, third session (2026-12-05)"); a regular expression over the attributes costs little.
_BOILER_NAMES = re.compile("|".join(_BOILER_WORDS), re.IGNORECASE | re.ASCII)
_NAMED = "//*[@class or @id]"
_NOT_NAMED_AWAY = frozenset({"body", "html", "main", "article"})
MIN_SCORE = 40


def prune_boilerplate(tree: lxml_html.HtmlElement) -> None:
    """Remove navigation, footers, share widgets, related lists and the like, in place."""
    found = dict.fromkeys(tree.xpath(BOILERPLATE_XPATH))
    for el in tree.xpath(_NAMED):
        if el.tag not in _NOT_NAMED_AWAY and _BOILER_NAMES.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            found[el] = None
    for el in found:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()


def _link_chars(el: Any) -> int:
    return sum(len(a.text_content()) for a in el.iter("a"))


def _paragraph_text(el: Any) -> int:
    total = 0
    for p in el.iter("p", "pre", "blockquote"):
        text = p.text_content()
        n = len(text.strip())
        if n and _link_chars(p) < n / 2:
            total += n
    return total


def inside_block(el: Any, container: Any) -> bool:
    """A <p> inside an <li> or <blockquote> belongs to the outer block."""
    for ancestor in el.iterancestors():
        if ancestor is container:
            return False
        if ancestor.tag in BLOCK_TAGS:
            return True
    return False


def main_blocks(tree: lxml_html.HtmlElement) -> list[str]:
    """Blocks of the densest content container, or [] when nothing scores high enough.

    Prunes `tree` in place.
    """
    prune_boilerplate(tree)
    scores: dict[Any, float] = {}
    for p in tree.iter("p", "pre"):
        text = p.text_content().strip()
        n = len(text)
        if n < 10 or _link_chars(p) >= n / 2:
            continue
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + n
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + n / 2
    if not scores:
        return []
    best = max(scores, key=lambda el: scores[el])
    if scores[best] < MIN_SCORE:
        return []
    own = _paragraph_text(best)
    while True:
        parent = best.getparent()
        if parent is None or parent.tag in {"body", "html"}:
            break
        gathered = _paragraph_text(parent)
        text_len = len(parent.text_content()) or 1
        if gathered < own * 1.2 or _link_chars(parent) / text_len > 0.3:
            break
        best, own = parent, gathered
    blocks = []
    for el in best.iter(*BLOCK_TAGS):
        if inside_block(el, best):
            continue
        text = clean_block(el.text_content())
        if not text:
            continue
        if el.tag == "li" and _link_chars(el) >= len(text) / 2:
            continue
        blocks.append(text)
    return blocks


_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")


def mostly_links(block: str, tree: lxml_html.HtmlElement) -> bool:
    """True when most of block's characters are the texts of links on the (unpruned) page: a
    lone block trafilatura built from navigation, share widgets and related links."""
    text = " ".join(block.split())
    if not text:
        return True
    links = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    covered = sum(len(t) * text.count(t) for t in links if len(t) >= 3 and t in text)
    return covered >= len(text) / 2


def survives_pruning(block: str, pruned: lxml_html.HtmlElement) -> bool:
    """True when most of block's tokens are still in the pruned page.

    A lone block that trafilatura built from navigation, share widgets and
    footers (its fallback on pages with no article text) fails this test.
    """
    block_tokens = Counter(_TOKEN.findall(block.casefold()))
    if not block_tokens:
        return False
    page_tokens = Counter(_TOKEN.findall(pruned.text_content().casefold()))
    return sum((block_tokens & page_tokens).values()) / sum(block_tokens.values()) >= 0.5
