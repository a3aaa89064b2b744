"""Structured metadata from a parsed page: JSON-LD objects and <meta> tags."""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import html as lxml_html

ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "blogposting",
    "liveblogposting",
}
LISTING_TYPES = {"collectionpage", "itemlist", "website", "searchresultspage"}


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def _flatten(data: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop(0)
        if isinstance(node, list):
            stack[0:0] = node
        elif isinstance(node, dict):
            if "@graph" in node:
                stack[0:0] = node["@graph"] if isinstance(node["@graph"], list) else [node["@graph"]]
            out.append(node)
    return out


# JSON-LD wrapped for old XHTML parsers: "//<![CDATA[ ... //]]>" or "<!-- ... -->".
_CDATA = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$")


def json_ld_objects(tree: lxml_html.HtmlElement) -> tuple[list[dict[str, Any]], int]:
    """All JSON-LD objects in the page (lists and @graph flattened) and the count of bad blocks."""
    objects: list[dict[str, Any]] = []
    errors = 0
    for script in tree.xpath('//script[contains(@type, "ld+json")]'):
        text = _CDATA.sub("", (script.text or "")).strip()
        if not text:
            continue
        try:
            objects.extend(_flatten(json.loads(text, strict=False)))
        except (ValueError, RecursionError):
            errors += 1
    return objects, errors


def article_objects(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every JSON-LD object whose @type is an article type, in page order."""
    return [obj for obj in objects if _types(obj) & ARTICLE_TYPES]


def has_listing_type(objects: list[dict[str, Any]]) -> bool:
    return any(_types(obj) & LISTING_TYPES for obj in objects)


def names(value: Any) -> list[str]:
    """Author-like values (string, Person dict, list of either) to a list of names."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return names(value.get("name"))
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(n for n in names(v) if n not in out)
        return out
    return []


def first_url(value: Any) -> str | None:
    """An image-like value (string, ImageObject, list) to one URL."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return first_url(value.get("url") or value.get("@id"))
    if isinstance(value, list):
        for v in value:
            url = first_url(v)
            if url:
                return url
    return None


def text_value(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return text_value(value[0])
    if isinstance(value, dict):
        return text_value(value.get("name"))
    return None


def meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """<meta property|name|itemprop=... content=...>, keys lower-cased, first one wins."""
    out: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        if not key:
            continue
        key = key.strip().lower()
        content = meta.get("content", "").strip()
        if content and key not in out:
            out[key] = content
    return out


# Class names that hide an element from sight, whole tokens ("hidden", "visually-hidden-title",
# "u-sr-only"); "hidden-xs" (hidden on phones only) and "overflow-hidden" are not among them.
_HIDDEN = re.compile(
    r"(?:[\w-]*[_-])?(?:aural|visually-?hidden(?:-title)?|sr-only|screen-?reader(?:-text)?|hidden|invisible"
    r"|offscreen|element-invisible)",
    re.I,
)
MAX_H1 = 6  # headings offered as title candidates: pages that tag every teaser <h1> offer their first few


def headings(tree: lxml_html.HtmlElement) -> list[Any]:
    """The page's <h1> elements a reader sees, in order. Government and CMS templates open the
    page with a hidden <h1> for screen readers ("Navigation und Service", the ministry's name)
    and put the headline in a later one: hidden headings (by class, `hidden` or display:none)
    are not the headline."""
    out = []
    for el in tree.iter("h1"):
        tokens = (el.get("class") or "").split()
        style = (el.get("style") or "").replace(" ", "").lower()
        hidden = any(_HIDDEN.fullmatch(t) and not t.lower().startswith("overflow") for t in tokens)
        if hidden or el.get("hidden") is not None or "display:none" in style:
            continue
        out.append(el)
        if len(out) == MAX_H1:
            break
    return out
