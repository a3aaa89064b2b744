"""Each site's learned title affixes: its name and section labels, repeated at the ends of its
page titles. crawler/extract/titles.py says which parts of a title are candidates (and states the
rule on a list of titles, `learn_affixes`); storage keeps each article's candidates in
`title_parts` as it writes the article, and counts them here per site in SQL, so learning after a
crawl costs one indexed query a site however many articles it has."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from crawler.extract.titles import site_title
from crawler.storage.sql import chunks, marks, now_iso, read_site_keys


def read_affixes(path: str | Path) -> dict[str, frozenset[str]]:
    """Every site's learned affix keys, read-only; {} without a database (or one older than them).
    The clean pipeline reads this when a crawl starts, so the title it emits is the title stored."""
    return read_site_keys(path, "title_affixes")


def site_affixes(db: sqlite_utils.Database, site: str) -> frozenset[str]:
    return frozenset(r[0] for r in db.execute("select key from title_affixes where site = ?", [site]))


def learn_site(db: sqlite_utils.Database, site: str, min_titles: int) -> tuple[dict[str, int], list[str]]:
    """Learn a site's title affixes again from the candidate parts of all its stored page titles
    (table title_parts; min_titles 0: none). Returns the report ({"affixes", "added", "removed"})
    and the URLs whose stored title a change of them may touch (to re-clean): the articles whose
    page title carries an added or a removed affix."""
    learned: dict[str, tuple[str, int]] = {}
    if min_titles >= 2:
        for key, text, count in db.execute(
            "select key, min(text), count(distinct title_key) n from title_parts where site = ?"
            " group by key having n >= ?",
            [site, min_titles],
        ):
            learned[key] = (text, count)
    site_titles = db.execute("select count(distinct title_key) from title_parts where site = ?", [site]).fetchone()[0]
    old = site_affixes(db, site)
    keys = frozenset(learned)
    with db.atomic():
        db.execute("delete from title_affixes where site = ?", [site])
        db.table("title_affixes").insert_all(
            {
                "site": site,
                "key": key,
                "text": text,
                "titles": count,
                "site_titles": site_titles,
                "learned_at": now_iso(),
            }
            for key, (text, count) in learned.items()
        )
    changed = sorted(keys ^ old)
    urls: list[str] = []
    for chunk in chunks(changed):
        # Only the articles whose stored title the change alters: most of a site's titles already
        # come without its name (JSON-LD headline, <h1>), and a re-clean is not free.
        urls += [
            url
            for url, page_title, extracted, title in db.execute(
                "select url, page_title, coalesce(title_extracted, title), title from articles where url in"
                f" (select article_url from title_parts where site = ? and key in ({marks(chunk)}))",
                [site, *chunk],
            )
            if site_title(extracted, page_title, keys) != title
        ]
    report = {"affixes": len(keys), "added": len(keys - old), "removed": len(old - keys)}
    return report, sorted(set(urls))
