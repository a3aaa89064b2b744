"""An article's text from the page's hydration state, when the HTML itself carries none.

Pure. Sites built as JavaScript applications render the article in the browser from a JSON
state embedded in the page (`window.__APOLLO_STATE__ = {...}`, Next.js's `__NEXT_DATA__`,
`window.__INITIAL_STATE__`, ...). A crawler that reads only the HTML finds a headline and
nothing else, and drops an article whose whole text is in the page. The body is looked for in
the shapes CMSs store rich text in:

- a list of paragraph nodes: `{"type": "p", "children": [{"type": "text", "data": ...}]}`
  (htmlparser2's DOM, SCMP), `{"type": "paragraph", "content": [{"type": "text", "text": ...}]}`
  (ProseMirror), `{"nodeType": "paragraph", "content": [... "value": ...]}` (Contentful),
  `{"_type": "block", "children": [{"_type": "span", "text": ...}]}` (Sanity);
- an HTML string with paragraphs (`"body": "<p>...</p><p>...</p>"`);
- a plain string under a body-like key (`articleBody`, `body`, `content`).

States cache other articles too (related stories, the previous one): only a body inside the
object that carries the page's headline counts, the longest if several, and only if it is long
enough to be an article's body (a home page's state holds short teasers, no such candidate).
Read only when the HTML gave little or no text on a page marked as an article
(crawler/extract/article.py), so it never competes with what a reader sees.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.titles import headline_key
from crawler.text.blocks import clean_block

# <script id="__NEXT_DATA__" type="application/json">{...}</script>, and assignments of an
# object literal to a window global named like a state (__APOLLO_STATE__, __INITIAL_STATE__).
_ASSIGNMENT = re.compile(r"^\s*window\.(__[A-Za-z_]*__|[A-Za-z]*(?:STATE|State|DATA|Data))\s*=\s*", re.S)

_PARAGRAPH_TYPES = {"p", "paragraph", "block", "h2", "h3", "h4", "blockquote", "li", "heading"}
_TYPE_KEYS = ("type", "_type", "nodeType")
_CHILD_KEYS = ("children", "content")
_TEXT_KEYS = ("data", "text", "value")
_BODY_KEYS = {"articlebody", "body", "content", "text", "html", "bodyhtml", "contenthtml"}

_DECODER = json.JSONDecoder()
MIN_BODY = 400  # characters: shorter candidates are teasers, summaries and captions
_MAX_STATE = 5_000_000  # characters of JSON read from one page


def _states(tree: lxml_html.HtmlElement) -> Iterator[Any]:
    # The parsed page's scripts, not a regex over its text: an unclosed <script> repeated makes
    # a regex scan the rest of the page for each one.
    for script in tree.iter("script"):
        body = script.text or ""
        if len(body) > _MAX_STATE:
            continue
        if script.get("id") == "__NEXT_DATA__":
            source = body
        else:
            m = _ASSIGNMENT.match(body)
            if not m:
                continue
            source = body[m.end() :]
        try:
            # The first JSON value: a script may go on with other statements after it.
            yield _DECODER.raw_decode(source.strip())[0]
        except ValueError:
            continue


def _node_type(node: dict[str, Any]) -> str | None:
    for key in _TYPE_KEYS:
        value = node.get(key)
        if isinstance(value, str):
            return value.lower()
    return None


def _children(node: dict[str, Any]) -> list[Any]:
    for key in _CHILD_KEYS:
        value = node.get(key)
        if isinstance(value, list):
            return value
    return []


def _node_text(node: Any) -> str:
    """The text of a rich-text node: its text leaves, in order."""
    if isinstance(node, list):
        return "".join(_node_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    if _node_type(node) in {"text", "span"}:
        for key in _TEXT_KEYS:
            value = node.get(key)
            if isinstance(value, str):
                return value
    return "".join(_node_text(c) for c in _children(node))


def _paragraphs(nodes: list[Any]) -> list[str]:
    out = []
    for node in nodes:
        if isinstance(node, dict) and _node_type(node) in _PARAGRAPH_TYPES:
            text = clean_block(_node_text(node))
            if text:
                out.append(text)
    return out


def _html_paragraphs(value: str) -> list[str]:
    try:
        fragment = lxml_html.fragment_fromstring(value, create_parent="div")
    except (ValueError, TypeError, etree.ParserError):
        return []
    found = [clean_block(el.text_content()) for el in fragment.iter("p", "h2", "h3", "blockquote", "li")]
    return [t for t in found if t]


def _names(node: dict[str, Any], title: str) -> bool:
    """The object carries the page's headline (as its headline, title or name): it is the article."""
    for value in node.values():
        if isinstance(value, str) and len(value) + 3 >= len(title) >= 12:
            key = headline_key(value)
            if len(title) <= len(key) + 3 and key.startswith(title):
                return True
    return False


def _candidates(value: Any, title: str) -> Iterator[tuple[bool, list[str]]]:
    """Every body-shaped value in a JSON state, as paragraphs, and whether it lies in an object
    that carries the page's headline (a state caches related articles' bodies too)."""
    stack: list[tuple[str, Any, bool]] = [("", value, False)]
    while stack:
        key, value, own = stack.pop()
        if isinstance(value, dict):
            own = own or _names(value, title)
            stack.extend((k, v, own) for k, v in value.items())
        elif isinstance(value, list):
            found = _paragraphs(value)
            if len(found) >= 2:
                yield own, found
            stack.extend((key, v, own) for v in value)
        elif isinstance(value, str) and len(value) >= MIN_BODY:
            if "<p" in value:
                yield own, _html_paragraphs(value)
            elif key.lower() in _BODY_KEYS:
                yield own, [t for t in (clean_block(part) for part in value.split("\n")) if t]


def state_blocks(tree: lxml_html.HtmlElement, title: str | None) -> list[str]:
    """The paragraphs of the longest body in the page's hydration state that belongs to the
    object carrying the page's title ([] when there is none, or no title to tell it by)."""
    if not title:
        return []
    best: list[str] = []
    try:
        for state in _states(tree):
            for own, found in _candidates(state, headline_key(title)):
                if own and sum(map(len, found)) > sum(map(len, best)):
                    best = found
    except RecursionError:
        # JSON nested deeper than Python's stack (a hostile page): no state body, not a crash.
        return []
    return best if sum(map(len, best)) >= MIN_BODY else []
