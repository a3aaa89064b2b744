"""Human summary of one crawl, from its `crawls` row."""

from __future__ import annotations

import json
from typing import Any


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value or "{}")
    except ValueError:
        return {}


def _pairs(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def summarize(crawl: dict[str, Any], db_path: str) -> list[str]:
    """Lines describing a finished crawl: articles, blocks, dates, drops, fetch problems."""
    stats = _json(crawl.get("stats"))
    drops = _json(crawl.get("drops"))
    errors = _json(crawl.get("errors"))
    stored = (crawl.get("articles_inserted") or 0) + (crawl.get("articles_updated") or 0) + (crawl.get("articles_unchanged") or 0)
    unreadable = sum(v for k, v in stats.items() if k.startswith("news/dates/") and k.split("/")[-1].split("_", 1)[-1] in {"unparseable", "invalid_date", "out_of_range"})
    elapsed = stats.get("elapsed_time_seconds")
    took = f" in {elapsed:.1f} s" if isinstance(elapsed, (int, float)) else ""
    return [
        f"Crawl {crawl['id']} {crawl.get('status')} ({crawl.get('finish_reason')}){took}: {crawl.get('pages_fetched') or 0} pages fetched",
        f"Articles stored: {stored} ({crawl.get('articles_inserted') or 0} new, {crawl.get('articles_updated') or 0} updated, "
        f"{crawl.get('articles_unchanged') or 0} unchanged) -> {db_path}",
        f"Listing pages crawled for links, not stored: {stats.get('news/pages/listing', 0)}",
        f"Blocks stripped as in-article repeats: {stats.get('news/blocks/stripped', 0)} "
        f"(in {stats.get('news/blocks/articles_with_repeats', 0)} articles)",
        f"Dates normalised to UTC: {stats.get('news/dates/published_normalised', 0)} published, "
        f"{stats.get('news/dates/modified_normalised', 0)} modified; {stats.get('news/dates/assumed_tz', 0)} with an assumed "
        f"timezone; {unreadable} unreadable (raw string kept)",
        f"Dropped items by reason: {_pairs(drops)}",
        f"Fetch and parse problems: {_pairs(errors)}",
    ]
