"""Web archives: WARC files read (every record type, damage, refusal), written (rotation, pointers),
and ingested through the real spider and pipelines: the demo archive, filters, idempotence, a
resume after a SIGKILL, a WARC given by URL, and the crawl -> WARC -> ingest round trip."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.archive.warc import NotWarcError, check_warc, read_response, scan
from crawler.archive.writer import WarcWriter
from crawler.demo.server import DemoServer, start_urls
from crawler.demo.warc import write_demo_warc
from tests.conftest import ROOT, run_crawl

HTML = "text/html; charset=utf-8"


def article_html(i: int) -> bytes:
    text = " ".join(
        f"Paragraph {p} of story {i} tells what the council decided about road {i * 7 + p}." for p in range(6)
    )
    return (
        f'<html lang="en"><head><title>Story {i} on the council</title>'
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="2023-05-{1 + i % 28:02d}T08:00:00+00:00"></head>'
        f"<body><article><h1>Story {i} on the council</h1>"
        + "".join(f"<p>{text} ({p})</p>" for p in range(4))
        + "</article></body></html>"
    ).encode()


def write_warc(path: Path, pages: list[tuple[str, int, str, bytes]], gz: bool = True, extra: bool = True) -> None:
    """A WARC of (url, status, content type, body) responses, each after its request; with extra,
    also a warcinfo, a revisit and a metadata record."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        if extra:
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for url, status, ctype, body in pages:
            http_headers = StatusAndHeaders(f"{status} X", [("Content-Type", ctype)], protocol="HTTP/1.1")
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                                          http_headers=request))  # fmt: skip
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http_headers))  # fmt: skip
        if extra:
            writer.write_record(writer.create_revisit_record(pages[0][0], digest="sha1:AAAA", refers_to_uri=pages[0][0],
                                                             refers_to_date="2023-01-01T00:00:00Z"))  # fmt: skip
            writer.write_record(writer.create_warc_record(pages[0][0], "metadata", payload=io.BytesIO(b"a: b\n"),
                                                          warc_content_type="application/warc-fields"))  # fmt: skip


SMALL = [
    ("https://news.example.org/2023/05/01/a.html", 200, HTML, article_html(1)),
    ("https://news.example.org/missing.html", 404, HTML, b"<h1>gone</h1>"),
    ("https://news.example.org/report.pdf", 200, "application/pdf", b"%PDF-1.4"),
]


@pytest.mark.parametrize("gz", [True, False])
def test_scan_names_every_record_and_reads_responses_back(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("a.warc.gz" if gz else "a.warc")
    write_warc(path, SMALL, gz=gz)
    records = list(scan(path))
    assert [r.kind for r in records] == ["warcinfo"] + ["request", "response"] * 3 + ["revisit", "metadata"]
    responses = [r for r in records if r.kind == "response"]
    assert [(r.status, r.content_type, r.is_html) for r in responses] == [
        (200, "text/html", True),
        (404, "text/html", True),
        (200, "application/pdf", False),
    ]
    status, _, body, warc = read_response(path, responses[0].offset)
    assert status == 200 and body == article_html(1) and warc["url"] == SMALL[0][0]
    # A walk can start at any record's offset (how a stopped ingest would go on).
    assert next(r.offset for r in scan(path, responses[1].offset)) == responses[1].offset


@pytest.mark.parametrize("gz", [True, False])
def test_damage_is_counted_and_the_walk_goes_on(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("a.warc.gz" if gz else "a.warc")
    pages = [(f"https://news.example.org/{i}.html", 200, HTML, article_html(i)) for i in range(6)]
    write_warc(path, pages, gz=gz, extra=False)
    data = path.read_bytes()
    offsets = [r.offset for r in scan(path)]
    broken = bytearray(data)
    third = offsets[5]  # the third response
    broken[third : third + 12] = b"\x00" * 12 if gz else b"garbage here"
    damaged = tmp_path / ("b.warc.gz" if gz else "b.warc")
    damaged.write_bytes(bytes(broken))
    kinds = [r.kind for r in scan(damaged)]
    assert kinds.count("corrupt") == 1 and kinds.count("response") == 5  # the rest read on
    cut = tmp_path / ("c.warc.gz" if gz else "c.warc")
    cut.write_bytes(data[: offsets[-1] + 60])  # the last record cut short
    kinds = [r.kind for r in scan(cut)]
    assert kinds[-1] == "truncated" and kinds.count("response") == 5


def test_a_damaged_member_read_raw_does_not_swallow_the_rest(tmp_path: Path) -> None:
    # A gzip member whose header is damaged makes warcio read its bytes raw; bytes that happen to
    # read as an ARC header then made one bogus record of the rest of the file, and the walk ended
    # with no word of damage (seen in CI: zeroed header bytes did it now and then).
    path = tmp_path / "a.warc.gz"
    pages = [(f"https://news.example.org/{i}.html", 200, HTML, article_html(i)) for i in range(6)]
    write_warc(path, pages, gz=True, extra=False)
    data = path.read_bytes()
    offsets = [r.offset for r in scan(path)]
    arc_like = b"http://x.org/ 1.2.3.4 20200101000000 text/html 999999\n"
    damaged = tmp_path / "b.warc.gz"
    damaged.write_bytes(data[: offsets[5]] + arc_like + data[offsets[5] + 60 :])
    records = list(scan(damaged))
    assert [r.kind for r in records].count("corrupt") == 1
    assert [r.kind for r in records].count("response") == 5
    assert next(r for r in records if r.kind == "corrupt").offset == offsets[5]


def test_a_file_that_is_not_warc_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html>hello</html>")
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(b"<html>hello</html>"))
    for path in (page, packed):
        with pytest.raises(NotWarcError, match="not a WARC file"):
            check_warc(path)


def test_writer_rotates_files_and_points_at_readable_records(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path / "warc", max_bytes=3000, software="test")
    places = []
    for i in range(8):
        places.append(writer.write(f"https://ex.org/{i}", "GET", [("User-Agent", "t")], 200, [("Content-Type", HTML)],
                                   article_html(i), ip="127.0.0.1"))  # fmt: skip
    assert any(p.name.endswith(".open") for p in (tmp_path / "warc").iterdir())  # still being written
    writer.close()
    files = sorted((tmp_path / "warc").iterdir())
    assert len(files) > 1 and all(f.name.endswith(".warc.gz") for f in files)  # rotated, all closed
    for f in files:
        with f.open("rb") as fh:
            kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Payload-Digest")) for r in ArchiveIterator(fh)]
        assert kinds[0][0] == "warcinfo"
        assert {k for k, _ in kinds[1:]} == {"response", "request"}
        assert all(d and d.startswith("sha1:") for k, d in kinds if k == "response")
    for i, (path, offset) in enumerate(places):
        status, _, body, warc = read_response(path, offset)
        assert status == 200 and body == article_html(i) and warc["url"] == f"https://ex.org/{i}"


# -- through the crawl ---------------------------------------------------------


def ingest(
    db: Path, *args: str, settings: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "crawler", "ingest", *args, "--db", str(db), "--log-level", "WARNING"]
    for key, value in {"NEWS_DISK_FRONTIER": "0", **(settings or {})}.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


def rows(db: Path, sql: str = "select * from articles order by url") -> list[dict]:
    return list(sqlite_utils.Database(db).query(sql))


@pytest.fixture(scope="module")
def demo_warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("warc") / "demo-news.warc.gz"
    write_demo_warc(path)
    return path


@pytest.mark.e2e
def test_demo_archive_goes_through_the_pipelines_and_twice_adds_nothing(demo_warc: Path, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    proc = ingest(db, str(demo_warc))
    assert "Articles stored: 37 (37 new" in proc.stdout
    files = rows(db, "select * from warc_files")
    assert len(files) == 1 and files[0]["state"] == "done"
    counts = json.loads(files[0]["counts"])
    # Every record is accounted for, by what happened to it.
    assert files[0]["records"] == sum(counts.values()) == 129
    assert counts["warcinfo"] == 1 and counts["revisit"] == 1 and counts["metadata"] == 1
    responses = sum(v for k, v in counts.items() if k.startswith("response"))
    assert counts["request"] == responses + counts["denied_by_profile"]
    assert counts["response_http_404"] == 1 and counts["response_http_500"] == 1
    assert counts["response_not_html"] >= 4  # the PDF, robots.txt, feeds and sitemaps
    decisions = {(r["kind"], r["reason"]) for r in rows(db, "select kind, reason from decisions")}
    assert {("other", "http_404"), ("other", "http_500"), ("other", "non_html")} <= decisions
    stored = rows(db)
    nhk = [r for r in stored if r["site"] == "demo-nhk"]
    assert len(nhk) == 20 and all(r["fetched_at"] == "2022-03-15T03:00:00+00:00" for r in stored)
    seed = next(r for r in nhk if "停戦" in r["title"])
    assert seed["body"].count(seed["body"].split("\n\n")[1]) == 1  # the seed's repeated runs stripped
    assert sqlite_utils.Database(db)["warc_done"].count == 0  # a finished file keeps no offsets
    pages = rows(db, "select html_zlib, warc_file, warc_offset from pages")
    assert pages and all(p["html_zlib"] is None and p["warc_file"] == str(demo_warc.resolve()) for p in pages)
    # The same file again, and a copy under another name: skipped, nothing duplicated.
    copy = tmp_path / "renamed.warc.gz"
    copy.write_bytes(demo_warc.read_bytes())
    again = ingest(db, str(demo_warc), str(copy))
    assert again.stdout.count("already ingested") == 2 and "Nothing to ingest." in again.stdout
    assert len(rows(db)) == 37 and len(rows(db, "select * from crawls")) == 1


@pytest.mark.e2e
def test_filters_count_what_they_leave_out(demo_warc: Path, tmp_path: Path) -> None:
    db = tmp_path / "en.db"
    ingest(db, str(demo_warc), "--site", "127.0.0.1:8702", "--url-pattern", r"/2022/03/")
    stored = rows(db)
    assert stored and all(":8702/2022/03/" in r["url"] for r in stored)
    counts = json.loads(rows(db, "select counts from warc_files")[0]["counts"])
    assert counts["filtered_site"] > 0 and counts["filtered_url"] > 0
    ja = tmp_path / "ja.db"
    ingest(ja, str(demo_warc), "--language", "ja")
    assert rows(ja) and {r["language"] for r in rows(ja)} == {"ja"}
    # the 17 English articles, and the 2 English pages validation would drop (no title, no body)
    assert rows(ja, "select count(*) n from decisions where reason = 'filtered_language'")[0]["n"] == 19
    late = tmp_path / "late.db"
    ingest(late, str(demo_warc), "--since", "2022-03-16")  # the fetches were on the 15th
    assert rows(late) == []
    counts = json.loads(rows(late, "select counts from warc_files")[0]["counts"])
    assert counts["filtered_date"] == counts["request"] - counts.get("denied_by_profile", 0)
    assert not any(k.startswith("response") for k in counts)


@pytest.mark.e2e
def test_not_a_warc_is_refused_in_one_line(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html>not an archive</html>")
    proc = ingest(tmp_path / "x.db", str(page), check=False)
    assert proc.returncode == 2 and "not a WARC file" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.db").exists()
    warc = tmp_path / "ok.warc.gz"
    write_warc(warc, SMALL)
    bad_filters = [
        (["--since", "March"], "since must be a day"),
        (["--url-pattern", "("], "not a regular expression"),
        (["--site", "no-such-profile"], "no-such-profile"),
    ]
    for bad, says in bad_filters:
        refused = ingest(tmp_path / "y.db", str(warc), *bad, check=False)
        assert refused.returncode == 2 and says in refused.stderr and "Traceback" not in refused.stderr, bad
        assert not (tmp_path / "y.db").exists()


@pytest.mark.e2e
def test_a_killed_ingest_goes_on_from_where_it_stopped(tmp_path: Path) -> None:
    total = 600
    pages = [(f"https://news.example.org/2023/05/story-{i}.html", 200, HTML, article_html(i)) for i in range(total)]
    path = tmp_path / "big.warc.gz"
    write_warc(path, pages)
    db = tmp_path / "big.db"
    cmd = [sys.executable, "-m", "crawler", "ingest", str(path), "--db", str(db), "--log-level", "WARNING",
           "-s", "NEWS_DB_BATCH_SIZE=10", "-s", "NEWS_DISK_FRONTIER=0", "-s", "CONCURRENT_REQUESTS=4"]  # fmt: skip
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    done_at_kill = 0
    try:
        while time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
            if not db.exists():
                continue
            try:
                done_at_kill = sqlite_utils.Database(db).execute("select count(*) from warc_done").fetchone()[0]
            except Exception:  # the schema not made yet
                continue
            if done_at_kill >= 30:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert 30 <= done_at_kill < total, "the ingest was killed part-way"
    done = sqlite_utils.Database(db).execute("select count(*) from warc_done").fetchone()[0]
    stored_before = len(rows(db))
    assert rows(db, "select state from warc_files")[0]["state"] == "running"
    assert stored_before >= done - 1  # every record marked done has its row (the last may be a non-article)
    proc = ingest(db, str(path))
    counts = json.loads(rows(db, "select counts from warc_files")[0]["counts"])
    assert counts["already_stored"] == done  # skipped: exactly the records already stored
    assert counts["already_stored"] + counts["response"] == total  # and the others read: nothing lost
    assert len(rows(db)) == total  # one row each: nothing twice
    assert rows(db, "select state from warc_files")[0]["state"] == "done"
    assert "Articles stored" in proc.stdout


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture()
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "served"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()


@pytest.mark.e2e
def test_a_warc_given_by_url_is_fetched_through_scrapy(
    file_server: tuple[str, Path], demo_warc: Path, tmp_path: Path
) -> None:
    base, root = file_server
    (root / "CC-NEWS-20220315.warc.gz").write_bytes(demo_warc.read_bytes())
    db = tmp_path / "url.db"
    proc = ingest(db, f"{base}/CC-NEWS-20220315.warc.gz", "--download-dir", str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "CC-NEWS-20220315.warc.gz").read_bytes() == demo_warc.read_bytes()
    assert "Articles stored: 37" in proc.stdout
    assert rows(db, "select name, state from warc_files") == [{"name": "CC-NEWS-20220315.warc.gz", "state": "done"}]
    (root / "not-warc.warc.gz").write_bytes(gzip.compress(b"<html>hi</html>"))
    refused = ingest(tmp_path / "x.db", f"{base}/not-warc.warc.gz", "--download-dir", str(tmp_path / "dl"), check=False)
    assert refused.returncode == 2 and "not a WARC file" in refused.stderr


@pytest.mark.e2e
def test_crawl_to_warc_to_ingest_gives_the_same_articles(
    demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path
) -> None:
    ja, en = demo_sites
    crawled = tmp_path / "crawl.db"
    warc_dir = tmp_path / "warc"
    run_crawl(crawled, "start_urls=" + ",".join(start_urls(ja, en)), settings={"NEWS_WARC_DIR": str(warc_dir)})
    files = sorted(warc_dir.iterdir())
    assert files and all(f.name.endswith(".warc.gz") for f in files)  # closed at the end of the crawl
    pages = rows(crawled, "select html_zlib, warc_file, warc_offset from pages")
    assert pages and all(p["html_zlib"] is None and p["warc_file"] and p["warc_offset"] is not None for p in pages)
    # Re-clean reads the raw pages from the WARC files.
    reclean = subprocess.run([sys.executable, "-m", "crawler", "reclean", "--db", str(crawled), "--jobs", "1"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert reclean.returncode == 0, reclean.stderr[-3000:]
    assert "0 unparseable" in reclean.stdout and "could not be read" not in reclean.stderr
    ingested = tmp_path / "ingested.db"
    ingest(ingested, *map(str, files))
    fields = "url, title, body, published_at, published_local, modified_at, site, language, authors, duplicate_of"
    crawl_rows = rows(crawled, f"select {fields} from articles order by url")
    archive_rows = rows(ingested, f"select {fields} from articles order by url")
    assert len(crawl_rows) >= 30
    assert archive_rows == crawl_rows
    # And out again: the stored raw pages of a query written as WARC, read back by ingest.
    exported = tmp_path / "export.warc.gz"
    out = subprocess.run([sys.executable, "-m", "crawler", "export", "--db", str(crawled), "--warc", str(exported)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0 and f"{len(crawl_rows)} raw pages written" in out.stderr
    again = tmp_path / "again.db"
    ingest(again, str(exported))
    # The export holds the articles' pages only, not the feeds and sitemaps that gave some of them
    # a time: those keep their day. Everything else is the crawl's.
    kept = "url, title, body, site, language, authors, duplicate_of, substr(published_at, 1, 10) day"
    assert rows(again, f"select {kept} from articles order by url") == rows(
        crawled, f"select {kept} from articles order by url"
    )


def test_two_writers_in_one_second_never_share_a_file(tmp_path: Path) -> None:
    """Two crawls in one process (two targets of `news-crawler crawl`) once opened the same
    `news-<second>-<pid>-00001.warc.gz.open`: records were lost and the second rename failed."""
    first = WarcWriter(tmp_path, target="demo-nhk")
    second = WarcWriter(tmp_path, target="127.0.0.1:8702")
    second.stamp = first.stamp  # the same second, as two crawls started together
    for i in range(3):
        first.write(f"http://a.test/{i}", "GET", [], 200, [("Content-Type", HTML)], article_html(i))
        second.write(f"http://b.test/{i}", "GET", [], 200, [("Content-Type", HTML)], article_html(i + 10))
    first.close()
    second.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2 and all(f.name.endswith(".warc.gz") for f in files)
    assert any("demo-nhk" in f.name for f in files)
    for f in files:
        with f.open("rb") as fh:
            uris = [
                r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh) if r.rec_type == "response"
            ]
        assert len(uris) == 3 and len({u.split("/")[2] for u in uris}) == 1  # whole, and one writer's alone


@pytest.mark.e2e
def test_two_targets_of_one_crawl_write_whole_warc_files(
    demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path
) -> None:
    """`news-crawler crawl SITE_A URL_B -s NEWS_WARC_DIR=D`: both crawls run side by side in one
    process, each with its own file; every record is readable and reclean finds every raw page."""
    ja, en = demo_sites
    db, warc_dir = tmp_path / "news.db", tmp_path / "warc"
    cmd = [sys.executable, "-m", "crawler", "crawl", f"{ja.base_url}/sitemap.xml", f"{en.base_url}/feed.rss",
           "--db", str(db), "-s", f"NEWS_WARC_DIR={warc_dir}", "--log-level", "WARNING"]  # fmt: skip
    for key, value in {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "RETRY_TIMES": "0"}.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "FileNotFoundError" not in proc.stderr
    files = sorted(warc_dir.iterdir())
    assert len(files) >= 2 and all(f.name.endswith(".warc.gz") for f in files), files
    for f in files:
        check = subprocess.run(
            [str(Path(sys.executable).with_name("warcio")), "check", str(f)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr
    reclean = subprocess.run([sys.executable, "-m", "crawler", "reclean", "--db", str(db), "--jobs", "1"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert reclean.returncode == 0 and "could not be read" not in reclean.stderr, reclean.stderr[-2000:]


def test_the_spider_form_of_ingest_reads_a_warc(demo_warc: Path, tmp_path: Path) -> None:
    """`scrapy crawl news-archive -a warc=FILE`, as docs/archives.md documents it, once refused
    with "nothing to crawl: give -a start_urls" (its arguments were checked by the news spider)."""
    db = tmp_path / "spider.db"
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news-archive", "-a", f"warc={demo_warc}",
                           "-s", f"NEWS_DB={db}", "-s", "LOG_LEVEL=ERROR"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(rows(db)) == 37
    refused = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news-archive", "-s", f"NEWS_DB={db}"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.strip() == "scrapy crawl news-archive: error: nothing to ingest: give -a warc=FILE[,FILE...]"


def old_formats(folder: Path) -> dict[str, str]:
    """Archives of formats others write, made by hand: WARC/0.18 (ClueWeb09), a WARC whose lines
    end "\\r\\r\\n", and ARC (the Internet Archive's older format), plain and gzipped a record a
    member. Returns {file name: the URL of its page}."""
    made: dict[str, str] = {}

    def http(i: int) -> bytes:
        body = article_html(100 + i)
        return b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s" % (
            len(body),
            body,
        )

    for i, (name, version, eol) in enumerate(
        [("clueweb.warc", b"WARC/0.18", b"\r\n"), ("crr.warc", b"WARC/1.0", b"\r\r\n")]
    ):
        url = f"http://old.example/{name}.html"
        payload = http(i)
        fields = [
            version,
            b"WARC-Type: response",
            b"WARC-Target-URI: " + url.encode(),
            b"WARC-Date: 2009-03-01T10:00:00Z",
            b"WARC-Record-ID: <urn:uuid:12345678-1234-1234-1234-12345678901%d>" % i,
            b"Content-Type: application/http; msgtype=response",
            b"Content-Length: %d" % len(payload),
        ]
        (folder / name).write_bytes(eol.join(fields) + eol + eol + payload + b"\r\n\r\n")
        made[name] = url
    header = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    filedesc = b"filedesc://old.arc 0.0.0.0 20090301100000 text/plain %d\n%s\n" % (len(header), header)
    for i, name in enumerate(["old.arc", "old.arc.gz"]):
        url = f"http://old.example/{name}.html"
        payload = http(2 + i)
        record = b"%s 93.184.216.34 20090301100000 text/html %d\n%s\n" % (url.encode(), len(payload), payload)
        if name.endswith(".gz"):
            (folder / name).write_bytes(gzip.compress(filedesc) + gzip.compress(record))
        else:
            (folder / name).write_bytes(filedesc + record)
        made[name] = url
    return made


@pytest.mark.e2e
def test_archives_of_other_formats_are_read_and_a_bad_file_does_not_stop_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "archives"
    folder.mkdir()
    made = old_formats(folder)
    (folder / "notes.warc").write_text("shopping list\n")  # not an archive, in the same folder
    # `gzip file.warc`: one gzip stream, which warcio reads only to its first record. It was
    # "done" with one "truncated record at offset 0"; it is named, with what to do.
    plain = tmp_path / "plain.warc"
    write_warc(plain, [("https://news.example.org/w.html", 200, HTML, article_html(7))], gz=False)
    (folder / "whole.warc.gz").write_bytes(gzip.compress(plain.read_bytes()))
    db = tmp_path / "old.db"
    proc = ingest(db, str(folder), check=False)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert f"skipped {folder / 'notes.warc'}: not a WARC file" in proc.stderr and "Traceback" not in proc.stderr
    assert f"skipped {folder / 'whole.warc.gz'}: gzipped whole as one stream" in proc.stderr
    assert "warcio recompress" in proc.stderr
    assert {r["url"] for r in rows(db)} == set(made.values())  # every good file read
    for name in made:
        assert f"{name}: " in proc.stdout and "done" in proc.stdout
    # A file that is not an archive, alone: refused in one line, exit status 2, nothing created.
    alone = ingest(tmp_path / "none.db", str(folder / "notes.warc"), check=False)
    assert alone.returncode == 2 and not (tmp_path / "none.db").exists()


@pytest.mark.e2e
def test_a_damaged_archive_is_said_at_the_default_log_level(tmp_path: Path) -> None:
    """A clipped archive was marked done with "Fetch and parse problems: none", the offset only in
    a log line the default level hides."""
    path = tmp_path / "a.warc.gz"
    write_warc(
        path, [(f"https://news.example.org/{i}.html", 200, HTML, article_html(i)) for i in range(4)], extra=False
    )
    offsets = [r.offset for r in scan(path)]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(path.read_bytes()[: offsets[-1] + 60])
    cmd = [sys.executable, "-m", "crawler", "ingest", str(cut), "--db", str(tmp_path / "n.db")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert f"{cut.resolve()}: truncated record at offset" in proc.stderr
    assert "archive/truncated 1" in proc.stdout  # among the problems of the run
    assert len(rows(tmp_path / "n.db")) == 3


@pytest.mark.e2e
@pytest.mark.parametrize("gz", [True, False])
def test_a_page_cut_short_is_kept_from_what_arrived_and_said_partial(tmp_path: Path, gz: bool) -> None:
    """A page cut at 74,970 of 88,275 bytes was thrown away whole; a reader keeps what arrived."""
    path = tmp_path / ("a.warc.gz" if gz else "a.warc")
    long_page = article_html(9).replace(b"</article>", b"".join(
        b"<p>Paragraph %d of the long story tells more of what the council decided and why it matters.</p>" % i
        for i in range(60)) + b"</article>")  # fmt: skip
    pages = [(f"https://news.example.org/{i}.html", 200, HTML, article_html(i)) for i in range(3)]
    write_warc(path, [*pages, ("https://news.example.org/long.html", 200, HTML, long_page)], gz=gz, extra=False)
    data = path.read_bytes()
    last = [r.offset for r in scan(path)][-1]
    cut = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    cut.write_bytes(data[: last + (len(data) - last) * 3 // 4])  # the last response cut in its payload
    db = tmp_path / "n.db"
    proc = subprocess.run([sys.executable, "-m", "crawler", "ingest", str(cut), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    stored = {r["url"]: r for r in rows(db)}
    assert len(stored) == 4
    partial = stored["https://news.example.org/long.html"]
    assert partial["partial"] == 1 and "Paragraph 0 of the long story" in partial["body"]
    assert "Paragraph 59 of" not in partial["body"]  # the end never arrived
    assert all(r["partial"] == 0 for url, r in stored.items() if url != partial["url"])
    store = sqlite_utils.Database(db)
    detail = json.loads(next(store.query("select signals from decisions where url = ?", [partial["url"]]))["signals"])
    assert detail["partial"] is True and detail["missing_bytes"] > 0
    assert "truncated record at offset" in proc.stderr and "stored as partial" in proc.stderr
    assert '"partial": 1' in proc.stdout and "pages/partial 1" in proc.stdout


def test_ingest_walks_a_file_once_and_again_only_past_the_records_it_keeps(
    demo_warc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first pass keeps what each record says, so the pages are handed out without walking
    (decompressing) the file a second time; a file of more records than it keeps is walked again,
    to the same database."""
    import crawler.ingest.records as records
    import crawler.ingest.run as run
    from crawler.config import NewsConfig
    from crawler.storage import ArticleStore, open_db

    walks: list[str] = []

    def counted(scan_of):  # type: ignore[no-untyped-def]
        def walk(path: str, start: int = 0):  # type: ignore[no-untyped-def]
            walks.append(path)
            return scan_of(path, start)

        return walk

    monkeypatch.setattr(records, "scan", counted(records.scan))
    monkeypatch.setattr(run, "scan", counted(run.scan))

    def ingest_here(name: str) -> list[dict]:
        db = tmp_path / f"{name}.db"
        config = NewsConfig(db=str(db))
        walks.clear()
        run.Ingest(ArticleStore(open_db(db), config), config, records.RecordFilter.of(), 0).run(
            [run.ArchiveFile(None, str(demo_warc))]
        )
        return rows(db, "select url, title, body, published_at from articles order by url")

    kept = ingest_here("kept")
    assert walks == [str(demo_warc)] and len(kept) > 10
    monkeypatch.setattr(records, "KEEP_RECORDS", 3)
    again = ingest_here("again")
    assert walks == [str(demo_warc)] * 2
    assert again == kept
