"""Near-duplicate articles: MinHash over character shingles, so Japanese (no spaces) works too.

Pure apart from datasketch. The text is normalised (NFKC, all whitespace
removed, case folded) and cut into overlapping character 5-grams; two texts
whose estimated Jaccard similarity is at least the threshold are near
duplicates (same story under another URL, print version, syndicated copy).
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata

import numpy as np
from datasketch import LeanMinHash, MinHash

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.8  # estimated Jaccard similarity at which two texts are near-duplicates
# LSH only proposes candidates; a lower band threshold means a true near-duplicate
# (similarity >= THRESHOLD) is almost never missed, and each candidate is verified.
CANDIDATE_THRESHOLD = 0.5
_SEED = 1
_SCHEME = "affine32"  # fixed so stored signatures stay comparable across datasketch releases


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    flat = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    if len(flat) <= k:
        return {flat.encode("utf-8")} if flat else set()
    return {flat[i : i + k].encode("utf-8") for i in range(len(flat) - k + 1)}


def _hash(data: bytes) -> int:
    return struct.unpack("<I", hashlib.blake2b(data, digest_size=4).digest())[0]


def signature(text: str) -> MinHash | None:
    """MinHash of the text's shingles, or None for text too short to compare."""
    grams = shingles(text)
    if len(grams) < 10:
        return None
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_hash, scheme=_SCHEME, permutations=_PERMUTATIONS)
    m.update_batch(list(grams))
    return m


def to_bytes(m: MinHash) -> bytes:
    # affine32 values fit in 32 bits: 512 bytes a signature.
    return m.hashvalues.astype("<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    # LeanMinHash skips generating permutations: 3 us instead of 120 us a signature.
    return LeanMinHash(seed=_SEED, hashvalues=np.frombuffer(data, dtype="<u4").copy(), scheme=_SCHEME)


# Generating the permutations costs ~0.2 ms a MinHash; they depend only on the seed: made once.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations
