"""What a response is before it is read as a page: a sitemap or feed, an HTML page, or neither.
The crawl's spider decides this from Scrapy's response classes; an archive read without the
crawl engine decides it here, the same way on what news archives hold."""

from __future__ import annotations

import mimetypes

from crawler.discovery.feeds import maybe_gunzip, sniff_kind

XML_TYPES = ("xml", "rss", "atom", "gzip", "x-gzip", "octet-stream")
HTML_TYPES = ("text/html", "application/xhtml+xml")


def listing_kind(content_type: str, body: bytes) -> str:
    """ "html" for a page; else "sitemapindex", "urlset", "rss", "atom", or "bad_listing" (a gzip
    body that will not decompress within the size cap, or at all)."""
    ctype = content_type.lower()
    looks_xml = any(t in ctype for t in XML_TYPES) or body[:2] == b"\x1f\x8b" or body.lstrip()[:5] == b"<?xml"
    if not looks_xml:
        return "html"
    try:
        return sniff_kind(maybe_gunzip(body))
    except (OSError, ValueError, EOFError):
        return "bad_listing" if body[:2] == b"\x1f\x8b" else "html"


def is_html(content_type: str, url: str, body: bytes) -> bool:
    """An HTML page: by its Content-Type; without one, by its URL's extension, then its first bytes
    (as Scrapy's response types guess)."""
    mime = content_type.split(";")[0].strip().lower()
    if mime:
        return mime in HTML_TYPES
    guessed = mimetypes.guess_type(url.split("?")[0])[0]
    if guessed:
        return guessed in HTML_TYPES
    head = body[:5000].lower()
    return b"<html" in head or b"<!doctype html" in head
