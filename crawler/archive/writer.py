"""Writing WARC files (ISO 28500) with warcio: rotating, gzipped a record a member, each file
opening with a `warcinfo` record, each response with its request beside it.

Pure: no Scrapy, no SQL. A response record carries WARC-Target-URI, WARC-Date, the payload and
block digests (sha1, as readers expect), and the server's IP address when known; the request
record is tied to it by WARC-Concurrent-To. Files are named
`news-<UTC start>-<pid>-<target>-<token>-<serial>.warc.gz` and rotated when they pass `max_bytes`;
a file being written ends in `.open` until it is closed, so a reader never takes a half-written
file for a whole one. A file is never shared by two writers: two crawls in one process (two targets
of `news-crawler crawl`) started in the same second once wrote the same file, and lost records.
The random token keeps the names apart and the exclusive open (`xb`) makes a clash an error, never
a shared file.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB, as Common Crawl's files


class WarcWriter:
    def __init__(
        self,
        directory: str | Path,
        max_bytes: int = DEFAULT_MAX_BYTES,
        software: str | None = None,
        target: str = "",
    ) -> None:
        self.directory = Path(directory)
        self.target = ""
        self.set_target(target)
        self.token = secrets.token_hex(4)
        self.max_bytes = max_bytes
        self.software = software or "news-crawler"
        self.serial = 0
        self.stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.path: Path | None = None
        self._fh: io.BufferedWriter | None = None
        self._warc: WARCWriter | None = None

    def set_target(self, target: str) -> None:
        """What the files hold (a profile or host), readable in a listing; the token, not this,
        is what keeps two writers apart. Applies to the files opened from now on."""
        self.target = re.sub(r"[^\w.-]+", "_", target)[:40].strip("_.")

    def _final_name(self, path: Path) -> Path:
        return path.with_name(path.name.removesuffix(".open"))

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        target = f"{self.target}-" if self.target else ""
        name = f"news-{self.stamp}-{os.getpid()}-{target}{self.token}-{self.serial:05d}.warc.gz"
        self.path = self.directory / (name + ".open")
        self._fh = open(self.path, "xb")  # exclusive: never append to another writer's file
        self._warc = WARCWriter(self._fh, gzip=True, warc_version="1.1")
        info = {
            "software": self.software,
            "hostname": socket.gethostname(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        }
        self._warc.write_record(self._warc.create_warcinfo_record(name, info))

    def write(
        self,
        url: str,
        method: str,
        request_headers: list[tuple[str, str]],
        status: int,
        response_headers: list[tuple[str, str]],
        body: bytes,
        ip: str | None = None,
        reason: str = "",
    ) -> tuple[str, int]:
        """Write a response record and its request; return (final file path, response offset)."""
        if self._fh is None or self._fh.tell() >= self.max_bytes:
            self.close()
            self._open()
        assert self._warc is not None and self._fh is not None and self.path is not None
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        http = StatusAndHeaders(f"{status} {reason or 'OK'}".strip(), response_headers, protocol="HTTP/1.1")
        extra = {"WARC-Date": date}
        if ip:
            extra["WARC-IP-Address"] = ip
        response = self._warc.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http, warc_headers_dict=extra
        )
        offset = self._fh.tell()
        self._warc.write_record(response)
        path = urlsplit_path(url)
        request_http = StatusAndHeaders(f"{method} {path} HTTP/1.1", request_headers, is_http_request=True)
        request = self._warc.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=request_http,
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        self._warc.write_record(request)
        return str(self._final_name(self.path).resolve()), offset

    def close(self) -> None:
        if self._fh is not None and self.path is not None:
            self._fh.close()
            self.path.rename(self._final_name(self.path))
        self._fh = None
        self._warc = None


def urlsplit_path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def write_pages(path: str | Path, pages: Iterable[ArchivedPage], software: str = "news-crawler export") -> int:
    """One WARC file (gzipped, a record a member) of stored raw pages: a warcinfo record, then a
    response record per page with its URL, fetch time, status and headers. Returns the count."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(out.name, {"software": software}))
        for page in pages:
            http = StatusAndHeaders(f"{page.status} OK", page.headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                page.url,
                "response",
                payload=io.BytesIO(page.body),
                length=len(page.body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": page.date},
            )
            writer.write_record(record)
            count += 1
    return count


@dataclass
class ArchivedPage:
    url: str
    date: str  # WARC-Date: YYYY-MM-DDThh:mm:ssZ
    status: int
    headers: list[tuple[str, str]]
    body: bytes
