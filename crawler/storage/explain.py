"""A page decision in a reader's words: `decisions.kind`, `reason` and `signals` as one sentence.

The decisions table keeps the evidence as JSON for queries; people read "why is this URL not an
article?" as a sentence. Registered as the SQL function `news_decision_text(kind, reason,
signals)` (crawler/storage/search.py), so Datasette's query and the command line say the same.
"""

from __future__ import annotations

import json
from typing import Any

# Feeds and sitemaps, by the listing kind recorded as the reason.
_LISTS = {
    "urlset": "a sitemap",
    "sitemapindex": "a sitemap index",
    "rss": "an RSS feed",
    "atom": "an Atom feed",
    "news": "a news sitemap",
}
# One page-kind point (crawler/extract/pagekind.py) as a phrase.
_POINTS = {
    "og:article": "the page calls itself an article (og:type or article:published_time)",
    "date_on_page": "a publication date on the page",
    "headline": "a headline",
    "long_text": "long running text",
    "running_text": "running text",
    "short_text": "a short text",
    "story_url": "a URL shaped like a story",
    "link_text": "most of its text is the text of links",
    "teasers": "many teasers (headline links to other pages)",
    "listing_url": "a URL of a tag, category, author or page-N list",
    "section_url": "a URL of a home or section front",
    "ld:listing": "JSON-LD says it is a collection or item list",
    "no_text": "no running text",
}
_OTHER = {
    "non_html": "Not a web page (content type {content_type}).",
    "robots_forbidden": "Not fetched: the site's robots.txt forbids it.",
    "unparseable": "The page could not be read as HTML ({error}).",
    "extract_error": "Extraction failed on this page ({error}).",
    "bad_listing": "A feed or sitemap that could not be read ({error}).",
    "filtered_language": "Left out by the language filter: the page is in {language}.",
    "missing_title": "Dropped: no title was found.",
    "missing_body": "Dropped: no article text was found.",
    "missing_url": "Dropped: the item had no URL.",
}


def _signals(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _weighing(signals: dict[str, Any]) -> str:
    points = signals.get("points")
    if not isinstance(points, dict) or not points:
        return ""
    against = [_POINTS.get(str(k), str(k)) for k, v in points.items() if isinstance(v, int) and v < 0]
    for_ = [_POINTS.get(str(k), str(k)) for k, v in points.items() if isinstance(v, int) and v > 0]
    parts = []
    if against:
        parts.append("against an article: " + "; ".join(against))
    if for_:
        parts.append("for: " + "; ".join(for_))
    score = signals.get("score")
    tail = f" (score {score}, an article needs 2)" if isinstance(score, int) else ""
    return " " + ". ".join(p[0].upper() + p[1:] for p in parts) + tail + "."


def decision_text(kind: str | None, reason: str | None, signals: Any = None) -> str:
    """One sentence for a decision row, e.g. 'A list of links, not an article: many teasers ...'."""
    kind, reason = kind or "", reason or ""
    data = _signals(signals)
    if kind == "article":
        return f"Stored as an article ({reason})."
    if reason in _LISTS:
        entries = data.get("entries")
        count = f" of {entries} entries" if isinstance(entries, int) else ""
        return f"{_LISTS[reason][0].upper()}{_LISTS[reason][1:]}{count}: read for its links, not stored."
    if reason.startswith("http_"):
        return f"The server answered HTTP {reason[5:]}: nothing to store."
    if reason.startswith("fetch_error/"):
        return f"The fetch failed ({reason.split('/', 1)[1]}): nothing to store."
    if reason.startswith("listed_"):
        where = data.get("listing")
        why = reason[len("listed_") :].replace("_", " ")
        return f"Listed{' in ' + where if where else ''} but not fetched: {why}."
    if reason in _OTHER:
        try:
            return _OTHER[reason].format_map(data)
        except (KeyError, ValueError):
            return _OTHER[reason].split(" (")[0].rstrip(".") + "."
    if reason == "profile:url_pattern":
        return "The site's profile says this URL is not an article page." + _weighing(data)
    if kind == "listing":
        return "A list of links, not an article." + _weighing(data)
    if reason == "no_text":
        return "No article text on the page." + _weighing(data)
    text = f"Not stored ({kind or 'unknown'}: {reason or 'no reason given'})."
    return text + _weighing(data)
