"""The boilerplate model's tables: block occurrences per site, and the blocks learned from them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from crawler.storage.sql import chunks, marks, now_iso, read_site_keys, write_rows
from crawler.text.blocks import block_key, normalize_block
from crawler.text.boilerplate import BoilerplateRule


def read_models(path: str | Path) -> dict[str, frozenset[str]]:
    """Every site's learned boilerplate keys, read-only; {} when there is no database yet.

    The clean pipeline reads this when a crawl starts, so the body it emits is the body stored."""
    return read_site_keys(path, "boilerplate")


def site_keys(db: sqlite_utils.Database, site: str) -> frozenset[str]:
    return frozenset(r[0] for r in db.execute("select key from boilerplate where site = ?", [site]))


def replace_occurrences(db: sqlite_utils.Database, occurrences: dict[tuple[str, str], list[str]]) -> None:
    """Block keys of each (article url, site), replacing the article's earlier ones."""
    urls = [url for url, _ in occurrences]
    for chunk in chunks(urls):
        db.execute(f"delete from block_occurrences where article_url in ({marks(chunk)})", chunk)
    rows = [{"article_url": url, "site": site, "key": k} for (url, site), keys in occurrences.items() for k in keys]
    if rows:
        write_rows(db, "block_occurrences", rows)


def learn_site(db: sqlite_utils.Database, site: str, rule: BoilerplateRule) -> tuple[dict[str, int], list[str]]:
    """Recompute a site's boilerplate from all its stored articles.

    Returns the report ({"boilerplate", "added", "removed"}) and the URLs of the articles whose
    text a change touches (to re-clean)."""
    site_articles = db.execute("select count(*) from articles where site = ?", [site]).fetchone()[0]
    candidates = db.execute(
        "select key, count(*) from block_occurrences where site = ? group by key having count(*) >= ?",
        [site, rule.min_articles],
    ).fetchall()
    learned: dict[str, tuple[str, int]] = {}
    for key, count in candidates:
        text = _block_text(db, site, key)
        if text is not None and rule.is_boilerplate(count, site_articles, normalize_block(text)):
            learned[key] = (text, count)
    old = site_keys(db, site)
    changed = sorted(set(learned) ^ old)
    with db.atomic():
        db.execute("delete from boilerplate where site = ?", [site])
        db.table("boilerplate").insert_all(
            {
                "site": site,
                "key": k,
                "text": t,
                "article_count": c,
                "site_articles": site_articles,
                "learned_at": now_iso(),
            }
            for k, (t, c) in learned.items()
        )
    urls: set[str] = set()
    for chunk in chunks(changed):
        urls.update(
            u
            for (u,) in db.execute(
                f"select distinct article_url from block_occurrences where site = ? and key in ({marks(chunk)})",
                [site, *chunk],
            )
        )
    report = {"boilerplate": len(learned), "added": len(set(learned) - old), "removed": len(old - set(learned))}
    return report, sorted(urls)


def forget_site(db: sqlite_utils.Database, site: str) -> list[str]:
    """Drop a site's model (boilerplate switched off); return the articles it had stripped blocks from."""
    urls = [
        u
        for (u,) in db.execute(
            "select distinct article_url from stripped_blocks where site = ? and reason = 'boilerplate'", [site]
        )
    ]
    with db.atomic():
        db.execute("delete from boilerplate where site = ?", [site])
    return urls


def _block_text(db: sqlite_utils.Database, site: str, key: str) -> str | None:
    row = db.execute(
        "select a.raw_blocks from block_occurrences o join articles a on a.url = o.article_url"
        " where o.site = ? and o.key = ? limit 1",
        [site, key],
    ).fetchone()
    if row is None:
        return None
    return next((b for b in json.loads(row[0] or "[]") if block_key(b) == key), None)


def all_sites(db: sqlite_utils.Database) -> Iterable[str]:
    return [r[0] for r in db.execute("select distinct site from articles")]
