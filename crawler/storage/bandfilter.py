"""A bitmap of the big near-duplicate index's band keys, kept in SQLite beside it.

At a million articles `minhash_bands` holds 20 million random keys; each of an article's 20
lookups lands on a leaf page of its own, read from disk or the OS cache (0.2 ms an article: most
of what the insert rate lost between the start and the millionth article, bench/README.md).
Almost all of those lookups find nothing. One bit per key, at the key's low 27 bits (16 MB at any
size, from the first merge into the big index; at 20 million keys 14% of the bits are set),
answers "certainly not there" for most of them without a page read.

A set bit may be stale (its key was deleted since): that costs a lookup, never a link. A key in
`minhash_bands` always has its bit: `minhash_bands` is written only by the merge from the middle
level and by a rebuild, and both set the bits in the same transaction. A process that sees
another's newer bitmap (the `version` column) reads it again before it matches.
"""

from __future__ import annotations

import numpy as np
import sqlite_utils

BITS = 1 << 27
_MASK = BITS - 1
TABLE = "minhash_filter"


class BandFilter:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.version: int | None = None  # of the bitmap held; None: not read yet, or no table
        self.bits = bytearray()

    def refresh(self) -> None:
        """Read the bitmap again when another process (or none yet) has written a newer one."""
        row = self.db.execute(f"select version from {TABLE} where id = 1").fetchone()
        if row is None:
            self.version, self.bits = None, bytearray()
        elif row[0] != self.version:
            blob = self.db.execute(f"select bits from {TABLE} where id = 1").fetchone()[0]
            self.version, self.bits = row[0], bytearray(blob)

    def maybe(self, keys: list[int]) -> list[int]:
        """The keys that may be in the big index (all of them when there is no bitmap)."""
        if self.version is None:
            return keys
        bits = self.bits
        if not bits:
            return []  # an empty bitmap: the big index has never had a key
        return [k for k in keys if bits[(k & _MASK) >> 3] >> (k & 7) & 1]

    def add_from(self, table: str) -> None:
        """Set the bits of every key in `table` (about to be merged into the big index) and store
        the bitmap, in the caller's transaction."""
        self.refresh()
        if self.version is None:
            return  # no bitmap in this database (before its migration): lookups read everything
        keys = np.fromiter((k for (k,) in self.db.execute(f"select key from {table}")), dtype=np.int64)
        if not self.bits:
            self.bits = bytearray(BITS // 8)
        _set(self.bits, keys)
        self.version += 1
        self.db.execute(f"update {TABLE} set version = ?, bits = ? where id = 1", [self.version, bytes(self.bits)])


def build(db: sqlite_utils.Database) -> None:
    """The bitmap made anew from every key of the big index (a migration, a rebuild). An empty
    index has an empty bitmap (no 16 MB in a new database until its first 100,000 articles)."""
    bits = bytearray(BITS // 8 if db.execute("select 1 from minhash_bands limit 1").fetchone() else 0)
    cursor = db.execute("select key from minhash_bands")
    while rows := cursor.fetchmany(1_000_000):
        _set(bits, np.fromiter((k for (k,) in rows), dtype=np.int64, count=len(rows)))
    old = db.execute(f"select version from {TABLE} where id = 1").fetchone()
    version = (old[0] if old else 0) + 1
    db.execute(f"insert or replace into {TABLE} (id, version, bits) values (1, ?, ?)", [version, bytes(bits)])


def _set(bits: bytearray, keys: np.ndarray) -> None:
    view = np.frombuffer(bits, dtype=np.uint8)
    low = keys & _MASK
    np.bitwise_or.at(view, low >> 3, (1 << (low & 7)).astype(np.uint8))
