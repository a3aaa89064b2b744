"""Reading WARC files (ISO 28500), plain or gzipped a record a member, with warcio.

Pure: no Scrapy, no SQL. WARC 1.0 and 1.1, the drafts before them (0.17, 0.18), and ARC files
(read as WARC records). `scan` walks a file once and says what each record is (its offset,
type, URL, date, status, content type) without reading bodies; `read_response` reads one
response record back from its offset, its payload decoded (chunked transfer and gzip/deflate
content encodings undone), as the page the server sent.

A damaged file does not end the walk: a record warcio cannot read (a corrupt gzip member, a
broken header) is reported as one `corrupt` record and the walk resumes at the next gzip member
or the next `WARC/1.x` header after it; a record cut short at the end of the file is reported as
`truncated`. A file that does not begin with a WARC record is refused (NotWarcError).
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

GZIP_MAGIC = b"\x1f\x8b\x08"
# WARC/1.0 and 1.1, and the drafts before them (WARC/0.17, 0.18: ClueWeb09 and other archives of
# that time); some writers end lines with "\r\r\n".
WARC_MAGIC = re.compile(rb"WARC/(?:1\.[01]|0\.1[78])\r?\r?\n")
# The Internet Archive's older ARC format (still common in national libraries): a file opens with
# its `filedesc://` record. warcio reads it, each record as a WARC one (arc2warc).
ARC_MAGIC = re.compile(rb"filedesc://")
SCAN_BLOCK = 1 << 20  # bytes read at a time when looking for the next record after damage
HTML_TYPES = ("text/html", "application/xhtml+xml")
# read_response gives the payload decoded (chunked transfer and content encodings undone): the
# headers that described the encoded form no longer hold for it.
DECODED_AWAY = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class _Records(ArchiveIterator):
    """warcio's iterator, without the three-line note it writes straight to stderr when a record is
    not followed by a blank line (a Content-Length a little off, as some writers' ARC files have):
    the record is read all the same, and our one-line-per-problem output has no room for it."""

    INC_RECORD = ""


class NotWarcError(ValueError):
    """The file is not a WARC file; the message is one line and names it."""


@dataclass
class Record:
    """One record of a WARC file, as the walk saw it (no body)."""

    offset: int  # where the record (its gzip member) starts in the file
    kind: str  # "response", "request", "revisit", "metadata", "warcinfo", ..., or "corrupt" / "truncated"
    url: str | None = None  # WARC-Target-URI
    date: str | None = None  # WARC-Date, ISO-8601 UTC
    status: int | None = None  # HTTP status of a response
    content_type: str | None = None  # HTTP Content-Type of a response (lower case, no parameters)
    error: str | None = None  # what was wrong with a corrupt or truncated record
    headers: dict[str, str] = field(default_factory=dict)  # a few HTTP headers of a response

    @property
    def is_html(self) -> bool:
        return (self.content_type or "") in HTML_TYPES


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(3) == GZIP_MAGIC


def check_warc(path: str | Path) -> None:
    """Raise NotWarcError unless the file starts with a WARC record (plain or gzipped)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(3)
            fh.seek(0)
            if head == GZIP_MAGIC:
                with gzip.GzipFile(fileobj=fh) as inner:
                    first = inner.read(16)
            else:
                first = fh.read(16)
    except (OSError, EOFError, zlib.error) as exc:
        raise NotWarcError(f"{path}: not a WARC file ({exc})") from exc
    if not WARC_MAGIC.match(first) and not ARC_MAGIC.match(first):
        raise NotWarcError(
            f"{path}: not a WARC file (it does not begin with a WARC record, WARC/0.17 to WARC/1.1, nor an ARC one)"
        )
    if head == GZIP_MAGIC and WARC_MAGIC.match(first) and _one_gzip_stream(path):
        raise NotWarcError(
            f"{path}: gzipped whole as one stream, not a record a gzip member as WARC readers need; "
            f"recompress it (warcio recompress {path} fixed.warc.gz) and ingest that"
        )


NEXT_RECORD = re.compile(rb"\n" + WARC_MAGIC.pattern)
ONE_STREAM_REACH = 64 << 20  # decompressed bytes looked at for a second record in the first member


def _one_gzip_stream(path: str | Path) -> bool:
    """Whether the first gzip member holds more than one record (`gzip file.warc`): warcio reads
    such a file only to its first record, and offsets into it cannot be seeked."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    tail, seen = b"", 0
    with open(path, "rb") as fh:
        while seen < ONE_STREAM_REACH and not inflate.eof:
            block = fh.read(1 << 16)
            if not block:
                return False
            try:
                out = inflate.decompress(block)
            except zlib.error:
                return False
            window = tail + out
            if NEXT_RECORD.search(window, 1 if seen == 0 else 0):
                return True
            tail, seen = window[-32:], seen + len(out)
    return False


def _header(record: Any, name: str) -> str | None:
    value = record.rec_headers.get_header(name)
    return str(value) if value is not None else None


def _describe(record: Any, offset: int) -> Record:
    kind = record.rec_type or "unknown"
    url = _header(record, "WARC-Target-URI")
    if url and url.startswith("<") and url.endswith(">"):
        url = url[1:-1]  # WARC 1.1's draft syntax, which some writers used: <http://...>
    out = Record(offset=offset, kind=kind, url=url, date=_header(record, "WARC-Date"))
    if kind == "response" and record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        out.status = int(status) if status and str(status).isdigit() else None
        ctype = record.http_headers.get_header("Content-Type") or ""
        out.content_type = ctype.split(";")[0].strip().lower() or None
        for name in ("Date", "Last-Modified", "Content-Language"):
            value = record.http_headers.get_header(name)
            if value:
                out.headers[name] = value
    return out


def _next_start(fh: IO[bytes], after: int, gzipped: bool) -> int | None:
    """The offset of the next plausible record start after a damaged one, or None at the end."""
    pattern = re.compile(re.escape(GZIP_MAGIC)) if gzipped else WARC_MAGIC
    position = after + 1
    while True:
        fh.seek(position)
        block = fh.read(SCAN_BLOCK + 16)
        if not block:
            return None
        match = pattern.search(block)
        while match is not None:
            candidate = position + match.start()
            if _readable_at(fh, candidate, gzipped):
                return candidate
            match = pattern.search(block, match.start() + 1)
        if len(block) <= SCAN_BLOCK:
            return None
        position += SCAN_BLOCK


def _readable_at(fh: IO[bytes], offset: int, gzipped: bool) -> bool:
    fh.seek(offset)
    if not gzipped:
        return bool(WARC_MAGIC.match(fh.read(16)))
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(fh.read(4096), 16)
    except zlib.error:
        return False
    return bool(WARC_MAGIC.match(head))


def _is_arc(fh: IO[bytes], gzipped: bool) -> bool:
    fh.seek(0)
    if gzipped:
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(fh.read(4096), 16)
        except zlib.error:
            return False
    else:
        head = fh.read(16)
    return bool(ARC_MAGIC.match(head))


class _NoRecordError(Exception):
    """warcio read something at an offset where no WARC record begins (see scan)."""


def scan(path: str | Path, start: int = 0) -> Iterator[Record]:
    """Every record of the file from offset `start`, in order; damage is reported, not raised."""
    gzipped = is_gzip(path)
    with open(path, "rb") as fh, open(path, "rb") as probe:
        # When a gzip member's header is damaged, warcio falls back to reading its bytes raw and
        # may take the garbage for a record (an ARC header, even), which can swallow the rest of
        # the file in silence. So every record of a WARC file must start where a WARC header
        # reads; an ARC file (no such header) is taken as warcio reads it.
        arc = _is_arc(probe, gzipped)
        size = fh.seek(0, io.SEEK_END)
        position: int | None = start
        while position is not None and position < size:
            fh.seek(position)
            iterator = _Records(fh, no_record_parse=False, arc2warc=True)
            last = position
            try:
                for record in iterator:
                    offset = iterator.get_record_offset()  # absolute: warcio counts from the file's start
                    if not arc and not _readable_at(probe, offset, gzipped):
                        raise _NoRecordError(f"no WARC record begins at offset {offset}")
                    last = offset
                    yield _describe(record, last)
                position = None  # the walk reached the end
                left = _offset_after(iterator, last)
                if left < size and left > last:
                    # Bytes after the last whole record that warcio stopped at without an error: a
                    # record cut short at the end of the file (a killed download or copy).
                    yield Record(offset=left, kind="truncated", error=f"{size - left} bytes left unread at the end")
            except _NoRecordError as exc:
                following = _next_start(fh, offset, gzipped)
                kind = "truncated" if following is None else "corrupt"
                yield Record(offset=offset, kind=kind, error=str(exc))
                position = following
            except Exception as exc:  # warcio on a damaged record: several kinds; the walk goes on
                at = _offset_after(iterator, last)
                following = _next_start(fh, at, gzipped)
                # Damage with no record after it is a file cut short (a killed download or copy).
                kind = "truncated" if following is None else "corrupt"
                yield Record(offset=at, kind=kind, error=f"{type(exc).__name__}: {exc}"[:200])
                position = following


def _offset_after(iterator: Any, last: int) -> int:
    """Where the damaged record starts: warcio's offset of the record it was reading."""
    try:
        offset = int(iterator.offset)
    except (AttributeError, TypeError, ValueError):
        return last
    return max(offset, last)


@dataclass
class ArchivedResponse:
    """A response record read back: its HTTP status and headers, the payload decoded, a few WARC
    fields, and how many bytes of the record were missing (0 when it is whole)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    warc: dict[str, str | None]
    missing: int = 0


def read_record(path: str | Path, offset: int) -> ArchivedResponse:
    """The response record at offset, whole or as much of it as arrived: a record cut short (a
    truncated file, a clipped download) gives the payload up to the cut, with `missing` > 0.

    Raises ValueError when the bytes at offset are not a readable response record (its headers
    unreadable, the record damaged before its payload)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        try:
            for record in _Records(fh, arc2warc=True):
                if record.rec_type != "response" or record.http_headers is None:
                    raise ValueError(f"{path}@{offset}: a {record.rec_type} record, not a response")
                status = int(record.http_headers.get_statuscode() or 0)
                headers = [(k, v) for k, v in record.http_headers.headers]
                body = _read_payload(record)
                missing = max(int(getattr(record.raw_stream, "limit", 0) or 0), 0)
                warc = {
                    "date": _header(record, "WARC-Date"),
                    "url": _header(record, "WARC-Target-URI"),
                    "record_id": _header(record, "WARC-Record-ID"),
                }
                return ArchivedResponse(status, headers, body, warc, missing)
        except ValueError:
            raise
        except Exception as exc:  # a damaged record, whatever warcio raises for it
            raise ValueError(f"{path}@{offset}: {type(exc).__name__}: {exc}") from exc
    raise ValueError(f"{path}@{offset}: no record there")


def _read_payload(record: Any) -> bytes:
    """The decoded payload; of a record cut inside a compressed payload, what decoded before the cut."""
    stream = record.content_stream()
    parts: list[bytes] = []
    try:
        while chunk := stream.read(1 << 16):
            parts.append(chunk)
    except (zlib.error, EOFError, OSError, ValueError):
        if not parts or getattr(record.raw_stream, "limit", 0) <= 0:
            raise  # damage inside a whole record, or nothing decoded: not a page
    return b"".join(parts)


def read_response(path: str | Path, offset: int) -> tuple[int, list[tuple[str, str]], bytes, dict[str, str | None]]:
    """The whole response record at offset: (status, HTTP headers, decoded payload, WARC fields).

    Raises ValueError when the bytes at offset are not a readable response record, or when the
    record was cut short (see read_record for what arrived of it)."""
    got = read_record(path, offset)
    if got.missing:
        raise ValueError(f"{path}@{offset}: truncated record ({got.missing} bytes missing)")
    return got.status, got.headers, got.body, got.warc
