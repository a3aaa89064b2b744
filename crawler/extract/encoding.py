"""Second opinion on a page's charset when the declared one garbles the text.

Scrapy decodes with the charset from the HTTP header, else a BOM, else a
<meta> declaration; a server that sends "charset=utf-8" for Shift_JIS bytes
yields text full of U+FFFD. Then the bytes are detected again
(charset-normalizer) and the better decoding wins; the raw bytes are kept by
storage either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import charset_normalizer

REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    repaired: bool


def looks_garbled(text: str) -> bool:
    """More than a few replacement characters: the declared charset was wrong."""
    bad = text.count(REPLACEMENT)
    return bad > 10 and bad > len(text) // 1000


def redecode(text: str, body: bytes, encoding: str) -> Decoded:
    """The decoded page: as Scrapy decoded it, or re-detected when that looks garbled."""
    if not looks_garbled(text):
        return Decoded(text, encoding, False)
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        return Decoded(text, encoding, False)
    candidate = str(best)
    if candidate.count(REPLACEMENT) >= text.count(REPLACEMENT):
        return Decoded(text, encoding, False)
    return Decoded(candidate, best.encoding, True)
