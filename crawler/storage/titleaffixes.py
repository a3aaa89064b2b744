"""Each site's learned title affixes: its name and section labels, repeated at the ends of its
page titles (crawler/extract/titles.py learns them; this file keeps them)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from crawler.extract.titles import learn_affixes, site_title, title_key, title_parts
from crawler.storage.sql import now_iso


def read_affixes(path: str | Path) -> dict[str, frozenset[str]]:
    """Every site's learned affix keys, read-only; {} without a database (or one older than them).
    The clean pipeline reads this when a crawl starts, so the title it emits is the title stored."""
    if not path or not Path(path).is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute("select site, key from title_affixes").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}
    out: dict[str, set[str]] = {}
    for site, key in rows:
        out.setdefault(site, set()).add(key)
    return {site: frozenset(keys) for site, keys in out.items()}


def site_affixes(db: sqlite_utils.Database, site: str) -> frozenset[str]:
    return frozenset(r[0] for r in db.execute("select key from title_affixes where site = ?", [site]))


def learn_site(db: sqlite_utils.Database, site: str, min_titles: int) -> tuple[dict[str, int], list[str]]:
    """Learn a site's title affixes again from all its stored page titles (min_titles 0: none).
    Returns the report ({"affixes", "added", "removed"}) and the URLs whose stored title the new
    affixes change (to re-clean)."""
    rows = db.execute(
        "select url, page_title, coalesce(title_extracted, title), title from articles where site = ?", [site]
    ).fetchall()
    titles = [page_title for _, page_title, _, _ in rows if page_title]
    learned = learn_affixes(titles, min_titles)
    texts: dict[str, str] = {}
    for page_title in titles:  # the part as the site writes it, for the reader of the table
        for part in title_parts(page_title):
            texts.setdefault(title_key(part), part)
    old = site_affixes(db, site)
    with db.atomic():
        db.execute("delete from title_affixes where site = ?", [site])
        db.table("title_affixes").insert_all(
            {
                "site": site,
                "key": key,
                "text": texts.get(key, key),
                "titles": count,
                "site_titles": len({title_key(t) for t in titles}),
                "learned_at": now_iso(),
            }
            for key, count in learned.items()
        )
    keys = frozenset(learned)
    changed = [url for url, page_title, extracted, title in rows if site_title(extracted, page_title, keys) != title]
    report = {"affixes": len(keys), "added": len(keys - old), "removed": len(old - keys)}
    return report, changed
