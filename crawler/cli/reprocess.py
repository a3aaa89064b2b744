"""Re-run extraction and cleaning over stored raw pages, without fetching anything.

Used after a rule, extractor or profile change: `python -m crawler reclean`.
Extraction runs in worker processes (it is CPU-bound: lxml plus trafilatura);
the one writer applies the results in batches, then the sites' boilerplate
is learned again and every article touched is re-cleaned.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from crawler.extract import extract_page
from crawler.extract.article import ExtractError
from crawler.profiles import SiteProfile, get_profile, load_profiles, profile_for_url, profile_path
from crawler.storage import ArticleStore
from crawler.storage.articles import Reextracted
from crawler.storage.stored_pages import StoredPage, iter_stored_pages, load_body

BATCH = 200


def _profile(site: str, url: str) -> SiteProfile | None:
    """The profile the crawl used: named by the site key, else the one owning the URL's host."""
    parts = urlsplit(url)
    return _profile_of(site, parts.scheme, parts.netloc)


@functools.lru_cache(maxsize=4096)
def _profile_of(site: str, scheme: str, netloc: str) -> SiteProfile | None:
    # Once per site and host in a process: reading every profile's YAML for each page cost more
    # than extracting it (py-spy on `bench/reclean.py --pages 100000`).
    if profile_path(site) is not None:
        return get_profile(site)
    return profile_for_url(f"{scheme}://{netloc}/", _all_profiles())


@functools.lru_cache(maxsize=1)
def _all_profiles() -> dict[str, SiteProfile]:
    return load_profiles()


MISSING = "\x00raw page missing"  # a title no page has: the raw page could not be read


def extract_stored(job: StoredPage) -> tuple[str, list[str] | None, str | None, str | None]:
    """(url, blocks, title, page title) from one stored page; blocks None when the page cannot be
    parsed; title MISSING (blocks None) when its raw page cannot be read (a WARC file moved away)."""
    url, fetched_url, site, body_ref, encoding = job
    profile = _profile(site, fetched_url)
    try:
        text = load_body(body_ref).decode(encoding or "utf-8", "replace")
    except (OSError, ValueError):
        return url, None, MISSING, None
    article_url = any(p.search(fetched_url) for p in profile.article_urls) if profile and profile.article_urls else None
    try:
        page = extract_page(text, fetched_url, profile.selectors if profile else None, article_url)
    except ExtractError:
        return url, None, None, None
    return url, page.blocks, page.title, page.page_title


def reextract(
    store: ArticleStore,
    site: str | None = None,
    jobs: int | None = None,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """Re-extract blocks (and titles) of stored articles from their raw pages; then re-clean."""
    workers = max(1, jobs or os.cpu_count() or 1)
    _profile_of.cache_clear()  # the profiles as they are on disk now
    _all_profiles.cache_clear()
    counts = {"pages": 0, "unparseable": 0, "changed": 0, "raw_missing": 0}
    updates: list[Reextracted] = []

    def flush() -> None:
        counts["changed"] += store.replace_raw_blocks(updates)
        updates.clear()

    results: Iterator[tuple[str, list[str] | None, str | None, str | None]]
    if workers == 1:
        results = map(extract_stored, iter_stored_pages(store.db, site))
        executor = None
    else:
        executor = ProcessPoolExecutor(max_workers=workers)
        results = executor.map(extract_stored, iter_stored_pages(store.db, site), chunksize=16)
    try:
        for url, blocks, title, page_title in results:
            counts["pages"] += 1
            if title == MISSING:
                counts["raw_missing"] += 1  # the article is left as it is
            elif blocks is None:
                counts["unparseable"] += 1
            else:
                updates.append((url, blocks, title, page_title))
            if len(updates) >= BATCH:
                flush()
            if progress:
                progress(1)
        flush()
    finally:
        if executor is not None:
            executor.shutdown()
    sites = [site] if site else None
    titles = store.learn_titles(sites)
    counts["title_affixes"] = sum(r["affixes"] for r in titles.values())
    report = store.learn_boilerplate(sites)
    counts["boilerplate"] = sum(r["boilerplate"] for r in report.values())
    return counts
