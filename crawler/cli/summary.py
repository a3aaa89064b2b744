"""Human summary of one crawl, from its `crawls` row."""

from __future__ import annotations

import json
from typing import Any

UNREADABLE = {"unparseable", "invalid_date", "out_of_range"}


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value or "{}")
    except ValueError:
        return {}


def _pairs(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def _decisions(stats: dict[str, Any]) -> str:
    kinds: dict[str, int] = {}
    for key, value in stats.items():
        if key.startswith("news/decisions/"):
            kind = key.split("/")[2]
            kinds[kind] = kinds.get(kind, 0) + value
    return ", ".join(f"{kind} {kinds[kind]}" for kind in ("article", "listing", "other") if kind in kinds) or "none"


def summarize(crawl: dict[str, Any], db_path: str) -> list[str]:
    """Lines describing a finished crawl: articles, blocks, dates, drops, fetch problems."""
    stats = _json(crawl.get("stats"))
    s = stats.get
    new, updated, same = (crawl.get(k) or 0 for k in ("articles_inserted", "articles_updated", "articles_unchanged"))
    unreadable = sum(
        v
        for k, v in stats.items()
        if k.startswith(("news/dates/published_", "news/dates/modified_")) and k.split("_", 1)[-1] in UNREADABLE
    )
    elapsed = s("elapsed_time_seconds")
    took = f" in {elapsed:.1f} s" if isinstance(elapsed, (int, float)) else ""
    status = f"{crawl.get('status')} ({crawl.get('finish_reason')})"
    dropped = s("quickstop/dropped", 0)
    waiting = f"; {dropped} waiting requests not made (the next run finds them again)" if dropped else ""
    return [
        f"Crawl {crawl['id']} {status}{took}: {crawl.get('pages_fetched') or 0} pages fetched{waiting}",
        f"Articles stored: {new + updated + same} ({new} new, {updated} updated, {same} unchanged) -> {db_path}",
        f"Listing pages crawled for links, not stored: {s('news/pages/listing', 0)}",
        "Page decisions (table decisions): " + _decisions(stats),
        f"Blocks stripped as in-article repeats: {s('news/blocks/stripped', 0)} "
        f"(in {s('news/blocks/articles_with_repeats', 0)} articles); "
        f"furniture lines (paywall calls, related headings): {s('news/clean/stripped_furniture', 0)}",
        f"Site boilerplate: {s('news/boilerplate/boilerplate', 0)} blocks learned, "
        f"{s('news/clean/stripped_boilerplate', 0)} stripped; "
        f"{s('news/boilerplate/recleaned', 0)} articles re-cleaned; "
        f"near-duplicates linked: {s('news/clean/near_duplicates', 0)}",
        f"Dates normalised to UTC: {s('news/dates/published_normalised', 0)} published, "
        f"{s('news/dates/modified_normalised', 0)} modified; {s('news/dates/assumed_tz', 0)} with an assumed timezone; "
        f"{unreadable} unreadable (raw string kept)",
        f"Incremental: {crawl.get('skipped') or 0} requests for {s('news/incremental/not_due_articles', 0)} stored "
        "articles not made (not due), "
        f"{crawl.get('not_modified') or 0} unchanged by conditional GET (304), "
        f"{s('news/incremental/refetch_listing_newer', 0)} fetched again for a newer sitemap/feed date",
        f"Dropped items by reason: {_pairs(_json(crawl.get('drops')))}",
        f"Fetch and parse problems: {_pairs(_json(crawl.get('errors')))}",
    ]
