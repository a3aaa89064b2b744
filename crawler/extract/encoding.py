"""Second opinion on a page's charset when the declared one garbles the text.

Scrapy decodes with the charset from the HTTP header, else a BOM, else a
<meta> declaration. Two mistakes are common and each leaves a trace:

- a multi-byte page declared UTF-8 (Shift_JIS bytes sent as "charset=utf-8")
  decodes to text full of U+FFFD: the bytes are detected again
  (charset-normalizer) and the better decoding wins;
- a UTF-8 page declared as a single-byte charset (iso-8859-1, windows-1252)
  decodes without any U+FFFD, as mojibake ("fÃ¼r"): single-byte decoding
  never fails, so the test is on the bytes instead. Non-ASCII bytes that all
  form valid UTF-8 multi-byte sequences are, in practice, never Latin-1 text
  (a Latin-1 letter followed by the exact continuation bytes UTF-8 needs is
  vanishingly rare in prose), so such a page is read as UTF-8.

The raw bytes are kept by storage either way.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

REPLACEMENT = "\ufffd"
SINGLE_BYTE = {"latin_1", "iso8859_1", "cp1252", "iso8859_15", "ascii", "cp1250", "iso8859_2"}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name.lower()


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
    if _codec(encoding) in SINGLE_BYTE and _UTF8_MULTIBYTE.search(body):
        try:
            return Decoded(body.decode("utf-8"), "utf-8", True)
        except UnicodeDecodeError:
            pass  # really single-byte: bytes that are not valid UTF-8
    if not looks_garbled(text):
        return Decoded(text, encoding, False)
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        return Decoded(text, encoding, False)
    candidate = str(best)
    if candidate.count(REPLACEMENT) >= text.count(REPLACEMENT):
        return Decoded(text, encoding, False)
    return Decoded(candidate, best.encoding, True)


def _auto_detect(body: bytes) -> str | None:
    for candidate in ("ascii", "utf-8"):
        try:
            body.decode(candidate)
        except UnicodeError:
            continue
        return resolve_encoding(candidate)
    match = charset_normalizer.from_bytes(body).best()
    return resolve_encoding(match.encoding) if match else None


def decode_response(body: bytes, content_type: str) -> tuple[str, str]:
    """(text, encoding) of an HTML response body, decided as Scrapy's TextResponse decides them
    (byte-order mark, then the Content-Type charset, then the page's own declaration, then
    detection), so a page read from an archive without Scrapy decodes as a crawled one."""
    encoding = read_bom(body)[0] or http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    if encoding is None:
        encoding = html_to_unicode(content_type, body, auto_detect_fun=_auto_detect, default_encoding="ascii")[0]
    return html_to_unicode(f"charset={encoding}", body)[1], encoding
