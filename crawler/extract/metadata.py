"""Structured metadata from a parsed page: JSON-LD objects and <meta> tags."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

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


# Types that describe a site or a body, never one page: their datePublished is not the article's.
SITE_TYPES = {"website", "organization", "newsmediaorganization", "corporation", "person", "brand"}


_SLUG_TOKEN = re.compile(r"[^\W_]{3,}")
_HOST_PREFIX = re.compile(r"^(?:www\d*|m|amp)\.")


def _page_key(url: str) -> tuple[str, set[str]] | None:
    """(host without www./m./amp., the words of its path): enough to tell two articles of one
    site apart while the same article under another spelling (.html or not, an edition prefix,
    a short link carrying its id) still matches. None for a site root, which names no page."""
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return None
    words = set(_SLUG_TOKEN.findall(parts.path.lower())) - {"html", "htm", "php", "index", "amp"}
    if not words:
        return None
    return _HOST_PREFIX.sub("", (parts.hostname or "").lower()), words


def declared_pages(obj: dict[str, Any]) -> list[str]:
    """The page URLs a JSON-LD object says it describes (url, @id, mainEntityOfPage)."""
    out: list[str] = []
    for value in (obj.get("url"), obj.get("@id"), obj.get("mainEntityOfPage")):
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.strip():
            out.append(value.strip())
    return out


def about_other_page(obj: dict[str, Any], page_urls: list[str]) -> bool:
    """True when an object names only pages that are not this one (an older article's copy
    pasted in a template, a related story's block): its dates belong to that page. An object
    naming no absolute URL or only the site's root (a common slip for the publisher's URL), or a
    path sharing a word with this page's (under any of page_urls: the URL, its canonical), is
    about this page; so is one that names this page among others. Only a page of this page's own
    site counts against it: a copy served elsewhere (a mirror, a local copy, a syndicated story)
    names its origin, which says nothing about which page it describes."""
    ours = [k for k in map(_page_key, page_urls) if k]
    named = [k for k in (_page_key(u) for u in declared_pages(obj)) if k]
    same_site = [words for host, words in named if any(host == h for h, _ in ours)]
    # Another page: a page of this site whose path shares no word with this page's.
    return (
        bool(same_site) and len(same_site) == len(named) and all(not (w & mine) for w in same_site for _, mine in ours)
    )


def dated_objects_of_page(
    objects: list[dict[str, Any]], articles: list[dict[str, Any]], page_urls: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(article objects, other objects with a datePublished) whose dates may be this page's:
    site-wide types (WebSite, Organization) and objects about another page left out."""
    mine = [a for a in articles if not about_other_page(a, page_urls)]
    others = [
        o
        for o in objects
        if "datePublished" in o
        and not any(o is a for a in articles)
        and not _types(o) & SITE_TYPES
        and not about_other_page(o, page_urls)
    ]
    return mine, others


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
