"""The end of a run, the same for a crawl, the distributed mode's writer and an ingest: each
site's title affixes and boilerplate learned from all its stored articles, what a change touches
re-cleaned, and the run's row written with its counts, drops and problems."""

from __future__ import annotations

import logging
from typing import Any

from crawler.storage.runs import crawl_report, finish_crawl
from crawler.storage.store import ArticleStore

logger = logging.getLogger(__name__)

# Stats that are problems worth a line in the crawl's `errors`, renamed where Scrapy names them.
PROBLEM_PREFIXES = (
    "news/fetch/",
    "news/extract/",
    "news/dates/published_",
    "news/dates/modified_",
    "news/profile/",  # the layout-change alarm: profile/<name>/selector_miss/<field>
)
PROBLEM_STATS = {
    "news/pages/non_html": "pages/non_html",
    "news/pages/charset_mismatch": "pages/charset_mismatch",
    "robotstxt/forbidden": "fetch/robots_forbidden",
    # Damaged archive records: a file read to its end is still a problem worth a line.
    "news/archive/corrupt": "archive/corrupt",
    "news/archive/truncated": "archive/truncated",
    "news/pages/partial": "pages/partial",  # stored from what arrived of a record cut short
}


def run_status(reason: str) -> str:
    """finished; stopped (a limit the user set was hit, or a clean stop on a signal); failed."""
    if reason == "finished":
        return "finished"
    if reason in {"closespider_pagecount", "closespider_timeout", "closespider_itemcount", "shutdown"}:
        return "stopped"
    return "failed"


def responses_by_class(stats: dict[str, Any]) -> dict[str, int]:
    """Scrapy's downloader/response_status_count/<status> grouped as {"2xx": n, "3xx": n, ...}."""
    out: dict[str, int] = {}
    prefix = "downloader/response_status_count/"
    for key, value in stats.items():
        if key.startswith(prefix):
            group = key[len(prefix)][:1] + "xx"
            out[group] = out.get(group, 0) + value
    return dict(sorted(out.items()))


def close_run(
    store: ArticleStore, crawl_id: int, sites: set[str], totals: dict[str, int], reason: str, stats: dict[str, Any]
) -> dict[str, Any]:
    """The end of a run: learn each crawled site's title affixes and boilerplate from all its
    stored articles and re-clean what a change touches (so the result does not depend on crawl
    order), then record the run. Returns the counters it adds (news/titles/*, news/boilerplate/*,
    news/clean/*). Shared by the one-process crawl and the distributed mode's writer."""
    added: dict[str, Any] = {}
    for site, report in store.learn_titles(sites).items():
        for key, value in report.items():
            added[f"news/titles/{key}"] = added.get(f"news/titles/{key}", 0) + value
        if report["added"] or report["removed"]:
            logger.info("site %s title affixes: %s", site, report)
    for site, report in store.learn_boilerplate(sites).items():
        for key, value in report.items():
            added[f"news/boilerplate/{key}"] = added.get(f"news/boilerplate/{key}", 0) + value
        if report["added"] or report["removed"]:
            logger.info("site %s: %s", site, report)
    for key, value in crawl_report(store.db, crawl_id).items():
        added[f"news/clean/{key}"] = value
    stats = {**stats, **added}
    drops = {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("news/drop/")}
    errors = {
        k[len("news/") :]: v
        for k, v in stats.items()
        if k.startswith(PROBLEM_PREFIXES) and not k.endswith(("_normalised", "_missing"))
    }
    errors.update({name: stats[key] for key, name in PROBLEM_STATS.items() if stats.get(key)})
    finish_crawl(
        store.db,
        crawl_id,
        status=run_status(reason),
        finish_reason=reason,
        pages_fetched=stats.get("response_received_count", 0),
        articles_inserted=totals.get("inserted", 0),
        articles_updated=totals.get("updated", 0),
        articles_unchanged=totals.get("unchanged", 0),
        items_dropped=sum(drops.values()),
        drops=drops,
        errors=errors,
        stats={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()},
        requests=stats.get("downloader/request_count", 0),
        responses=responses_by_class(stats),
        not_modified=stats.get("news/incremental/not_modified", 0),
        skipped=sum(v for k, v in stats.items() if k.startswith("news/incremental/skipped_")),
        elapsed_seconds=stats.get("elapsed_time_seconds"),
    )
    return added
