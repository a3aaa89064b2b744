"""Near-duplicate articles: MinHash over character shingles, so Japanese (no spaces) works too.

Pure apart from numpy. The text is normalised (NFKC, all whitespace removed,
case folded) and cut into overlapping character 5-grams; two texts whose estimated Jaccard
similarity is at least the threshold are near duplicates (same story under another URL, print
version, syndicated copy).

Everything after the normalisation is vectorised: the 5-grams are hashed as whole numpy arrays
(a polynomial over code points, then the MurmurHash3 finalizer), and the 128 permutations are
applied to all shingle hashes at once. A signature costs about a tenth of hashing each shingle in
Python. The bands of the LSH index are cut from the signature here too, so the storage layer only
stores and looks up integers.

The signatures are datasketch's MinHash with its "affine32" scheme and seed 1, value for value
(tests/test_storage.py checks it against datasketch): the permutations are drawn here the way
datasketch draws them, because importing datasketch loads scipy, half a second at the start of
every crawl, CLI command and worker process, for two arrays of 128 numbers.
"""

from __future__ import annotations

import unicodedata

import numpy as np

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.8  # estimated Jaccard similarity at which two texts are near-duplicates
# LSH bands: 20 bands of 6 values. Two texts of similarity 0.8 share a band with probability
# 0.998, of 0.5 with 0.27, of 0.1 with 2e-5; every candidate is verified against THRESHOLD.
BANDS, ROWS = 20, 6
_SEED = 1
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_BASE = np.uint64(0x100000001B3)  # an odd multiplier for the polynomial over code points


def _flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: an avalanching bijection (wrapping arithmetic intended)."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """The distinct 32-bit hashes of the text's character k-grams (sorted)."""
    flat = _flat(text)
    if not flat:
        return np.empty(0, dtype=np.uint32)
    points = np.frombuffer(flat.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if len(points) <= k:
        windows = [points]
    else:
        n = len(points) - k + 1
        windows = [points[j : j + n] for j in range(k)]
    h = np.zeros(len(windows[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for w in windows:
            h = h * _BASE + w
        mixed = _fmix64(h)
    hashes = np.sort((mixed >> np.uint64(32)).astype(np.uint32))
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))]  # np.unique, at half its cost


def _permutations(seed: int, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations h -> a * h + b mod 2^32 (odd a), drawn as it draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_A, _B = _permutations(_SEED, NUM_PERM)


class Signature:
    """A MinHash signature: NUM_PERM 32-bit values (what datasketch's LeanMinHash holds)."""

    __slots__ = ("hashvalues",)

    def __init__(self, hashvalues: np.ndarray) -> None:
        self.hashvalues = np.asarray(hashvalues, dtype=np.uint32)

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity: the share of equal values."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)


def signature(text: str) -> Signature | None:
    """MinHash of the text's shingles, or None for text too short to compare."""
    hashes = shingle_hashes(text)
    if len(hashes) < 10:
        return None
    # All permutations over all shingles at once, in one buffer (a third of the cost of fresh
    # temporaries); uint32 wraparound is the modulo 2^32 of datasketch's affine32 permutations.
    grid = np.empty((NUM_PERM, len(hashes)), dtype=np.uint32)
    np.multiply(_A[:, None], hashes[None, :], out=grid)
    np.add(grid, _B[:, None], out=grid)
    return Signature(grid.min(axis=1))


def signature_bytes(text: str) -> bytes | None:
    """The signature as stored (what a worker process hands back), or None for short text."""
    sig = signature(text)
    return None if sig is None else to_bytes(sig)


def band_keys(m: Signature) -> list[int]:
    """One signed 64-bit key per LSH band (band index mixed in), for an SQLite index."""
    values = np.asarray(m.hashvalues[: BANDS * ROWS], dtype=np.uint64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        h = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        for j in range(ROWS):
            h = _fmix64(h ^ values[:, j])
    return [int(x) for x in h.view(np.int64)]


def to_bytes(m: Signature) -> bytes:
    # affine32 values fit in 32 bits: 512 bytes a signature.
    return np.asarray(m.hashvalues).astype("<u4").tobytes()


def similarities(m: Signature, stored: list[bytes]) -> np.ndarray:
    """Estimated Jaccard similarity of m with each stored signature (as LeanMinHash.jaccard
    gives it), in one array operation instead of one Signature a candidate."""
    if not stored:
        return np.zeros(0)
    grid = np.frombuffer(b"".join(stored), dtype="<u4").reshape(len(stored), NUM_PERM)
    return np.count_nonzero(grid == np.asarray(m.hashvalues, dtype=np.uint32), axis=1) / NUM_PERM


def from_bytes(data: bytes) -> Signature:
    return Signature(np.frombuffer(data, dtype="<u4").copy())
