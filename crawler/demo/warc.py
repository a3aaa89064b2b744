"""A CC-NEWS-style WARC of the demo sites, for trying `news-crawler ingest` offline.

Common Crawl's news archive holds, per fetched URL, a `request` and a `response` record, after
one `warcinfo`; beside the articles it carries what a real archive does: pages that are not
articles (section pages, feeds, robots.txt), responses that are not HTML (a PDF), errors (a 404,
a 500), a `revisit` record (a page fetched again, unchanged) and a `metadata` record. This
writes all of them from the demo sites built in memory (crawler/demo/site.py), under the URLs
the demo serves on 127.0.0.1:8701 (Japanese, read with the `demo-nhk` profile) and :8702
(English), with a fixed fetch time, so the file is the same on every run.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.demo.site import Resource, build_en_site, build_ja_site

JA_BASE = "http://127.0.0.1:8701"
EN_BASE = "http://127.0.0.1:8702"
FETCHED = "2022-03-15T03:00:00Z"  # after every demo article, as a crawl a few days later
REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}
MISSING = Resource(404, "text/html; charset=utf-8", b"<html><body><h1>404 Not Found</h1></body></html>")


def demo_pages() -> Iterator[tuple[str, Resource]]:
    """(URL, resource) of every page of both demo sites, and one URL neither has (a 404)."""
    for base, build in ((JA_BASE, build_ja_site), (EN_BASE, build_en_site)):
        for path, resource in sorted(build(base).items()):
            yield base + path, resource
    yield EN_BASE + "/2021/01/01/removed-story.html", MISSING


def _pair(writer: WARCWriter, url: str, resource: Resource, date: str) -> str:
    reason = REASONS.get(resource.status, "OK")
    http = StatusAndHeaders(
        f"{resource.status} {reason}",
        [("Content-Type", resource.content_type), ("Content-Length", str(len(resource.body)))],
        protocol="HTTP/1.1",
    )
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(resource.body),
        length=len(resource.body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )
    path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(f"GET {path} HTTP/1.1", [("User-Agent", "demo")], is_http_request=True),
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")},
    )
    writer.write_record(request)
    writer.write_record(response)
    return str(response.rec_headers.get_header("WARC-Payload-Digest"))


def write_demo_warc(path: str | Path, gzip: bool = True) -> int:
    """Write the demo archive; returns the number of records written."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    records = 0
    with out.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip, warc_version="1.0")
        writer.write_record(
            writer.create_warcinfo_record(out.name, {"software": "news-crawler demo", "isPartOf": "demo-news"})
        )
        records += 1
        first_url = ""
        first_digest = ""
        for url, resource in demo_pages():
            digest = _pair(writer, url, resource, FETCHED)
            records += 2
            if not first_url and resource.status == 200 and resource.content_type.startswith("text/html"):
                first_url, first_digest = url, digest
        # The first article fetched again a day later, unchanged: a revisit record, no payload.
        revisit = writer.create_revisit_record(first_url, digest=first_digest, refers_to_uri=first_url,
                                               refers_to_date=FETCHED)  # fmt: skip
        revisit.rec_headers.replace_header("WARC-Date", "2022-03-16T03:00:00Z")
        writer.write_record(revisit)
        metadata = writer.create_warc_record(
            first_url,
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 12\n"),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Date": FETCHED},
        )
        writer.write_record(metadata)
        records += 2
    return records
