"""Near-duplicate links: MinHash LSH over article bodies, `duplicate_of` set, never dropped."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from datasketch import MinHashLSH

from crawler.storage.database import chunks, marks
from crawler.text.shingles import CANDIDATE_THRESHOLD, NUM_PERM, THRESHOLD, from_bytes, signature, to_bytes


class NearDuplicates:
    """The LSH index is loaded once per process from `article_minhash` and kept in step with it."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._lsh: MinHashLSH | None = None

    def _index(self) -> MinHashLSH:
        if self._lsh is None:
            self._lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
            with self._lsh.insertion_session() as session:
                for url, sig in self.db.execute("select url, signature from article_minhash"):
                    session.insert(url, from_bytes(sig), check_duplication=False)
        return self._lsh

    def link(self, rows: list[dict[str, Any]]) -> None:
        """Link each row's body to its near-duplicates in one transaction.

        The original of a group is its earliest-published member (then the smallest URL), so
        the links do not depend on crawl order. Candidate signatures are read in one query per
        batch."""
        lsh = self._index()
        sigs = {row["url"]: signature(row["body"] or "") for row in rows}
        for url in sigs:
            if url in lsh:
                lsh.remove(url)
        candidates = {row["url"]: lsh.query(sig) for row in rows if (sig := sigs[row["url"]]) is not None}
        wanted = sorted({other for found in candidates.values() for other in found})
        stored: dict[str, Any] = {}
        for chunk in chunks(wanted):
            stored.update(
                (u, from_bytes(s))
                for u, s in self.db.execute(
                    f"select url, signature from article_minhash where url in ({marks(chunk)})", chunk
                )
            )
        with self.db.conn:
            for row in rows:
                url, sig = row["url"], sigs[row["url"]]
                if sig is None:
                    self.db.execute("delete from article_minhash where url = ?", [url])
                    continue
                similar = [o for o in candidates[url] if o in stored and stored[o].jaccard(sig) >= THRESHOLD]
                # Rows of the same batch are candidates of each other too.
                similar += [
                    o for o in lsh.query(sig) if o in sigs and o != url and o not in similar
                    and (other := sigs[o]) is not None and other.jaccard(sig) >= THRESHOLD
                ]  # fmt: skip
                lsh.insert(url, sig, check_duplication=False)
                self.db.execute(
                    "insert or replace into article_minhash (url, signature) values (?, ?)", [url, to_bytes(sig)]
                )
                if similar:
                    self._group(url, similar)

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
        self.db.execute(
            f"update articles set duplicate_of = ? where url in ({marks(others)}) or duplicate_of in ({marks(others)})",
            [original, *others, *others],
        )
        self.db.execute("update articles set duplicate_of = null where url = ?", [original])
