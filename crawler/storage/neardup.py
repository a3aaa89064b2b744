"""Near-duplicate links: MinHash LSH over article bodies, `duplicate_of` set, never dropped.

The LSH index lives in SQLite (one integer key per band of each signature, in WITHOUT ROWID
tables of three sizes; see LEVELS), so nothing is loaded when a crawl opens the database and
memory does not grow with it: a lookup is one indexed query over an article's 20 band keys in
the three tables, at any size; in the big one only for the keys its bitmap may hold
(crawler/storage/bandfilter.py).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import sqlite_utils

from crawler.storage import bandfilter
from crawler.storage.sql import chunks, marks
from crawler.text.shingles import THRESHOLD, Signature, band_keys, from_bytes, signature, similarities, to_bytes

CANDIDATES = 100  # band entries read to link one article (see _match)
# Band keys go to the smallest table and move down to the next in key order when a table holds
# its share (a log-structured merge in three levels). Inserted batch by batch into one big index,
# 20 random keys an article landed on almost every leaf page of it once it had more leaves than a
# batch has keys, so each batch rewrote a share of the index that grew with the database
# (bench/README.md, "Flat at scale"). Merged in key order, each leaf is rewritten once a merge;
# with one waiting table only, a merge still rewrote most of the big index every 10,000 articles
# once it held millions of keys; the middle table makes that once every 100,000.
MERGE_AT = 200_000  # keys in the smallest table that start a merge (10,000 articles)
FANOUT = 10  # each level is merged into the next when it holds FANOUT times the level above
LEVELS = ("minhash_bands_new", "minhash_bands_mid", "minhash_bands")  # smallest first
BAND_TABLES = LEVELS[::-1]  # in the order lookups read them (the oldest keys first)


class NearDuplicates:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._keys: dict[str, int] = {}  # band keys in each level but the last (counted at first use)
        self.filter = bandfilter.BandFilter(db)  # which keys may be in the big index

    def link(self, rows: list[dict[str, Any]], signatures: dict[str, bytes | None] | None = None) -> None:
        """Link each row's body to its near-duplicates in one transaction: index, then match.

        The original of a group is its earliest-published member (then the smallest URL), so
        the links do not depend on crawl order. `signatures` holds the signatures of bodies made
        elsewhere (a worker process)."""
        with self.db.atomic():
            self.finish(self.index(rows, signatures))

    def finish(self, urls: list[str]) -> None:
        """Match what `index` returned (see `match`), then merge the waiting band keys if due."""
        self.match(urls)
        self.merge_if_due()

    def merge_if_due(self, at: int = MERGE_AT) -> bool:
        """Merge a level into the next when it holds its share: `at` keys in the smallest,
        FANOUT times as many in the middle one. Returns whether anything moved."""
        merged = False
        for depth, (level, into) in enumerate(pairwise(LEVELS)):
            if self._count(level) < at * FANOUT**depth:
                break
            if into == LEVELS[-1]:
                self.filter.add_from(level)
            self.db.execute(f"insert or ignore into {into} select key, id from {level} order by key, id")
            self.db.execute(f"delete from {level}")
            if into in self._keys:
                self._keys[into] += self._keys[level]
            self._keys[level] = 0
            merged = True
        return merged

    def _count(self, level: str) -> int:
        if level not in self._keys:
            self._keys[level] = self.db.execute(f"select count(*) from {level}").fetchone()[0]
        return self._keys[level]

    def index(self, rows: list[dict[str, Any]], signatures: dict[str, bytes | None] | None = None) -> list[str]:
        """The rows' signatures into the index; returns the URLs to match (see `match`).

        A body that changed so much that it is no longer a near-duplicate of its old text leaves
        its group, and the articles that pointed to it are matched again. A body still near its
        old self (a re-clean that took a line out, a correction) keeps its group."""
        given = signatures or {}
        sigs = {
            row["url"]: (from_bytes(b) if (b := given[row["url"]]) else None)
            if row["url"] in given
            else signature(row["body"] or "")
            for row in rows
        }
        pending: dict[str, None] = {}
        for url, sig in sigs.items():
            old = self.db.execute("select id, signature from article_minhash where url = ?", [url]).fetchone()
            if old is not None and sig is not None and old[1] == to_bytes(sig):
                continue  # the same text again: its index entry and links stand
            if old is not None:
                old_sig = from_bytes(old[1])
                self._forget(old[0], old_sig)
                if sig is None or old_sig.jaccard(sig) < THRESHOLD:
                    followers = self.db.execute("select url from articles where duplicate_of = ?", [url]).fetchall()
                    pending.update((u, None) for (u,) in followers)
                    self.db.execute(
                        "update articles set duplicate_of = null where url = ? or duplicate_of = ?", [url, url]
                    )
            if sig is not None:
                cursor = self.db.execute(
                    "insert into article_minhash (url, signature) values (?, ?)", [url, to_bytes(sig)]
                )
                keys = band_keys(sig)
                self.db.conn.executemany(
                    "insert or ignore into minhash_bands_new (key, id) values (?, ?)",
                    [(k, cursor.lastrowid) for k in keys],
                )
                if LEVELS[0] in self._keys:
                    self._keys[LEVELS[0]] += len(keys)
                pending[url] = None
        return list(pending)

    def match(self, urls: list[str]) -> None:
        """Match indexed articles with their near-duplicates, earliest first.

        Every article of the batch is indexed before any is matched, so rows of one batch are
        candidates of each other. Earliest first, an article joins a group whose original is
        already in place: the group's links are written once, not moved to a new original each
        time an earlier member arrives (quadratic in a storm of copies)."""
        self.filter.refresh()
        order: list[tuple[str, str, bytes]] = []
        for chunk in chunks(urls):
            order += self.db.execute(
                "select coalesce(a.published_at, '9999'), m.url, m.signature from article_minhash m "
                f"join articles a on a.url = m.url where m.url in ({marks(chunk)})",
                chunk,
            ).fetchall()
        for _, url, stored in sorted(order):
            self._match(url, from_bytes(stored))

    def _match(self, url: str, sig: Signature) -> None:
        """Group the article with the indexed articles whose bodies are near-duplicates of it.

        At most CANDIDATES band entries are read. A group is joined through any one of its
        members (_group adds the member's original), so a page copied under thousands of URLs
        costs the same to link as any other: reading every copy's entry made such a store
        quadratic (40 articles/s at 40,000 copies of 37 pages). The price: an article that
        resembles two groups, one of them that large, may be linked to one of them only."""
        keys = band_keys(sig)
        # The big index only for the keys its bitmap may hold (most lookups there find nothing).
        probes = [(t, self.filter.maybe(keys) if t == LEVELS[-1] else keys) for t in BAND_TABLES]
        probes = [(t, k) for t, k in probes if k]
        found = self.db.execute(
            "select url, signature from article_minhash where id in ("
            + " union all ".join(f"select id from {t} where key in ({marks(k)})" for t, k in probes)
            + f" limit {CANDIDATES})",
            [key for _, k in probes for key in k],
        ).fetchall()
        scores = similarities(sig, [s for _, s in found])
        similar = sorted(u for (u, _), score in zip(found, scores, strict=True) if u != url and score >= THRESHOLD)
        if similar:
            self._group(url, similar)

    def _forget(self, id_: int, sig: Signature) -> None:
        """Take an earlier signature out of the index (its text changed, or went away)."""
        keys = band_keys(sig)
        for table in BAND_TABLES:
            self.db.execute(f"delete from {table} where id = ? and key in ({marks(keys)})", [id_, *keys])
        self.db.execute("delete from article_minhash where id = ?", [id_])

    def _group(self, url: str, similar: list[str]) -> None:
        group = [url, *similar]
        linked = self.db.execute(
            f"select distinct duplicate_of from articles where url in ({marks(group)}) and duplicate_of is not null",
            group,
        ).fetchall()
        group += [u for (u,) in linked if u not in group]
        members = self.db.execute(
            f"select url, coalesce(published_at, '9999') from articles where url in ({marks(group)})", group
        ).fetchall()
        if not members:
            return
        original = min(members, key=lambda m: (m[1], m[0]))[0]
        others = [u for u in group if u != original]
        # Only rows that change are written: in a group of thousands of copies, every member
        # already pointing at the original was rewritten for each new copy (quadratic).
        self.db.execute(
            f"update articles set duplicate_of = ? where (url in ({marks(others)}) "
            f"or duplicate_of in ({marks(others)})) and duplicate_of is not ?",
            [original, *others, *others, original],
        )
        self.db.execute(
            "update articles set duplicate_of = null where url = ? and duplicate_of is not null", [original]
        )


def rebuild(db: sqlite_utils.Database) -> int:
    """Signatures and band keys of every stored body, made anew (after a change of the
    signature); the `duplicate_of` links already made are kept. Returns the signatures stored."""
    with db.atomic():  # one transaction: not an index half rebuilt, nor one commit per article
        present = db.table_names()
        for table in BAND_TABLES:
            if table in present:  # the smaller levels are not yet there when migration m009 rebuilds
                db.execute(f"delete from {table}")
        db.execute("delete from article_minhash")
        done = 0
        for url, body in db.execute("select url, body from articles order by rowid").fetchall():
            sig = signature(body or "")
            if sig is None:
                continue
            cursor = db.execute("insert into article_minhash (url, signature) values (?, ?)", [url, to_bytes(sig)])
            db.conn.executemany(
                "insert or ignore into minhash_bands (key, id) values (?, ?)",
                [(k, cursor.lastrowid) for k in band_keys(sig)],
            )
            done += 1
        if bandfilter.TABLE in present:
            bandfilter.build(db)
    return done
