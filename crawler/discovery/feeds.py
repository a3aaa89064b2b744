"""Sitemaps (urlset / sitemapindex, gzipped or not) and feeds (RSS 2.0, RSS 1.0, Atom).

Scrapy's own sitemap reader keeps only direct children of <url>, which loses
Google News `news:` tags; this reader keeps `news:publication_date` and
`news:title`. XML is parsed without entity resolution or network access.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from lxml import etree

MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own cap (uncompressed)

_PARSER_KW = {"resolve_entities": False, "no_network": True, "recover": True, "huge_tree": False}
_ROOT_RE = re.compile(rb"<\s*([A-Za-z_][\w.:-]*)")


@dataclass(frozen=True)
class Entry:
    """One URL listed by a sitemap or feed, with what the listing says about it."""

    url: str
    published_raw: str | None = None
    published_source: str | None = None
    title: str | None = None
    changed_raw: str | None = None  # sitemap <lastmod>, Atom <updated>: when the page last changed


@dataclass(frozen=True)
class Listing:
    kind: str  # "sitemapindex" | "urlset" | "rss" | "atom"
    entries: list[Entry]


def maybe_gunzip(body: bytes, max_size: int = MAX_XML_BYTES) -> bytes:
    """Decompress a gzip body (checked by magic bytes), member after member, keeping what a
    truncated stream holds; bombs beyond max_size raise ValueError. (Plain zlib rather than
    Scrapy's helper: discovery is a pure room and imports no Scrapy.)"""
    if body[:2] != b"\x1f\x8b":
        return body
    out = bytearray()
    rest = body
    while rest[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while rest:
                out += inflater.decompress(rest, max_size + 1 - len(out))
                if len(out) > max_size:
                    raise ValueError(f"gzip body larger than {max_size} bytes uncompressed")
                rest = inflater.unconsumed_tail
                if inflater.eof:
                    break
        except zlib.error:
            break  # a corrupt or truncated member: keep what came out before it
        if not inflater.eof:
            break  # truncated: what it held so far is kept
        rest = inflater.unused_data
    return bytes(out)


def sniff_kind(body: bytes) -> str:
    """Return "sitemapindex", "urlset", "rss", "atom" or "html" from the first root tag."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    for m in _ROOT_RE.finditer(head):
        name = m.group(1).decode("ascii", "replace").lower()
        if name.startswith(("?", "!")) or name in {"xml", "xml-stylesheet"}:
            continue
        local = name.split(":")[-1]
        if local in {"sitemapindex", "urlset"}:
            return local
        if local in {"rss", "rdf"}:
            return "rss"
        if local == "feed":
            return "atom"
        return "html"
    return "html"


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(el: etree._Element, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names:
            text = (child.text or "").strip()
            if text:
                return text
    return None


def _descendant_text(el: etree._Element, name: str) -> str | None:
    for child in el.iter():
        if _local(child.tag) == name:
            text = (child.text or "").strip()
            if text:
                return text
    return None


def parse_listing(body: bytes) -> Listing:
    """Parse a sitemap or feed body (maybe gzipped). Raises ValueError when it is neither."""
    body = maybe_gunzip(body)
    kind = sniff_kind(body)
    if kind == "html":
        raise ValueError("not a sitemap or feed")
    root = etree.fromstring(body, parser=etree.XMLParser(**_PARSER_KW))
    if root is None:
        raise ValueError("empty XML document")
    entries: list[Entry] = []
    if kind in {"sitemapindex", "urlset"}:
        item_tag = "sitemap" if kind == "sitemapindex" else "url"
        for el in root.iter():
            if _local(el.tag) != item_tag:
                continue
            loc = _child_text(el, "loc")
            if not loc:
                continue
            date = _descendant_text(el, "publication_date")
            source = "sitemap:news:publication_date" if date else None
            entries.append(Entry(loc, date, source, _descendant_text(el, "title"), _child_text(el, "lastmod")))
        return Listing(kind, entries)
    for el in root.iter():
        name = _local(el.tag)
        if kind == "rss" and name == "item":
            link = (
                _child_text(el, "link") or (el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about") or "").strip()
            )
            date = _child_text(el, "pubdate", "date")
            if link:
                entries.append(Entry(link, date, "feed:pubDate" if date else None, _child_text(el, "title")))
        elif kind == "atom" and name == "entry":
            link = None
            for child in el:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = (child.get("href") or "").strip() or None
                    break
            date = _child_text(el, "published")
            source = "feed:published"
            updated = _child_text(el, "updated")
            if not date:
                date, source = updated, "feed:updated"
            if link:
                entries.append(Entry(link, date, source if date else None, _child_text(el, "title"), updated))
    return Listing(kind, entries)
