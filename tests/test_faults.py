"""Server faults against a real hostile server on 127.0.0.1: each retried or dropped by a stated
rule, counted per reason in stats and `crawls`, never fatal to the crawl."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from tests.conftest import FAST, ROOT, run_crawl

pytestmark = pytest.mark.e2e


def article(title: str, n: int = 0) -> bytes:
    text = "".join(
        f"<p>{title}: paragraph {i} of a story about a council meeting and its budget vote.</p>" for i in range(6)
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="article">'
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}", '
        f'"datePublished": "2022-03-0{1 + n % 8}T10:00:00+00:00"}}</script></head>'
        f"<body><article><h1>{title}</h1>{text}</article></body></html>"
    ).encode()


LINKS = ["/limited", "/busy", "/flaky", "/slow", "/drip", "/reset", "/truncated", "/loop-a", "/offsite",
         "/same/1", "/same/2", "/good"]  # fmt: skip


class Hostile(BaseHTTPRequestHandler):
    hits: dict[str, list[float]] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body)),
                           **(headers or {})}.items():  # fmt: skip
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        seen = self.hits.setdefault(path, [])
        seen.append(time.monotonic())
        if path == "/robots.txt":
            return self.send(404)
        if path == "/":
            links = "".join(f'<li><a href="{p}">{p} link to a story page</a></li>' for p in LINKS)
            return self.send(200, f"<html><body><ul>{links}</ul></body></html>".encode())
        if path == "/limited":  # 429 once, with a short Retry-After, then the article
            if len(seen) == 1:
                return self.send(429, b"slow down", {"Retry-After": "1"})
            return self.send(200, article("Limited then served", 1))
        if path == "/busy":  # asks for a wait longer than anyone should honour
            return self.send(503, b"busy", {"Retry-After": "100000"})
        if path == "/flaky":  # a 500 burst, then fine
            if len(seen) == 1:
                return self.send(500, b"oops")
            return self.send(200, article("Flaky then served", 2))
        if path == "/slow":  # never answers within the timeout
            time.sleep(4)
            return self.send(200, article("Too slow"))
        if path == "/drip":  # headers at once, the body a byte at a time
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(40):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return None
                time.sleep(0.1)
            return None
        if path == "/reset":  # the connection dropped without an answer
            self.connection.shutdown(2)
            return None
        if path == "/truncated":  # Content-Length promises more than is sent
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "50000")
            self.end_headers()
            self.wfile.write(article("Truncated")[:300])
            self.connection.shutdown(2)
            return None
        if path in {"/loop-a", "/loop-b"}:
            return self.send(302, b"", {"Location": "/loop-b" if path == "/loop-a" else "/loop-a"})
        if path == "/offsite":
            port = self.server.server_address[1]
            return self.send(302, b"", {"Location": f"http://127.0.0.2:{port}/elsewhere"})
        if path.startswith("/same/"):  # every URL the same page
            return self.send(200, article("The same page everywhere", 3))
        if path.startswith("/calendar"):  # an endless calendar
            day = int(path.split("=")[1])
            links = "".join(
                f'<a href="/calendar?day={day + k}">day {day + k} of the calendar archive</a> ' for k in (1, 2)
            )
            return self.send(200, f"<html><body><h1>Day {day}</h1><p>{links}</p></body></html>".encode())
        if path == "/good":
            return self.send(200, article("A good story", 4))
        return self.send(404, b"not found")


@pytest.fixture()
def hostile() -> Iterator[str]:
    Hostile.hits = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FAULTS = {"DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "1", "NEWS_RETRY_AFTER_MAX": "60", "NEWS_INCREMENTAL": "0"}


def test_a_hostile_site_is_crawled_to_the_end_with_every_fault_counted(hostile: str, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    started = time.monotonic()
    run_crawl(db, f"start_urls={hostile}/", settings=FAULTS)
    assert time.monotonic() - started < 90
    store = sqlite_utils.Database(db)
    crawl = next(store.query("select * from crawls"))
    assert crawl["status"] == "finished"
    errors, stats = json.loads(crawl["errors"]), json.loads(crawl["stats"])
    stored = {r["fetched_url"].split(hostile, 1)[1] for r in store.query("select fetched_url from articles")}
    # Retried by rule, then stored.
    assert {"/limited", "/flaky", "/good"} <= stored
    limited = Hostile.hits["/limited"]
    assert len(limited) == 2 and limited[1] - limited[0] >= 0.9  # waited as asked
    assert errors["fetch/retry_after"] == 1
    # Dropped by rule, each with its reason, in stats, `crawls.errors` and `decisions`.
    assert errors["fetch/retry_after_too_long"] == 1
    assert errors["fetch/offsite_redirect"] == 1
    decisions = {r["url"].split(hostile, 1)[-1]: r["reason"] for r in store.query("select url, reason from decisions")}
    assert decisions["/busy"] == "retry_after_too_long"
    assert decisions["/offsite"] == "offsite_redirect"  # recorded under the URL the crawl asked for
    assert len(Hostile.hits.get("/busy", [])) == 1  # not hammered
    # Timeouts, resets, a drip and a truncated body: failed fetches, counted, the crawl went on.
    failures = {k: v for k, v in errors.items() if k.startswith("fetch/error/")}
    assert sum(failures.values()) >= 4, errors
    assert {"/slow", "/drip", "/reset", "/truncated"} & set(decisions) == {"/slow", "/drip", "/reset", "/truncated"}
    assert stats["finish_reason"] == "finished"
    # The same page at every URL: stored once as an original, the others linked to it.
    same = list(store.query("select url, duplicate_of from articles where fetched_url like '%/same/%'"))
    assert len(same) == 2 and sum(r["duplicate_of"] is not None for r in same) == 1
    # No markup stored as text.
    assert not list(store.query("select url from articles where body like '%<p>%' or title like '%<%'"))


@pytest.mark.parametrize(
    ("settings", "bound"),
    [
        ({"NEWS_FOLLOW_DEPTH": "3"}, 5),  # bounded by link depth (the default is 2)
        ({"NEWS_FOLLOW_DEPTH": "1000", "NEWS_SITE_PAGE_BUDGET": "25"}, 25),  # bounded by the page budget
    ],
)
def test_an_endless_calendar_is_bounded(hostile: str, tmp_path: Path, settings: dict[str, str], bound: int) -> None:
    db = tmp_path / "news.db"
    run_crawl(db, f"start_urls={hostile}/calendar?day=1", settings={**FAULTS, **settings})
    crawl = next(sqlite_utils.Database(db).query("select * from crawls"))
    pages = sum(1 for p in Hostile.hits if p.startswith("/calendar"))
    assert crawl["status"] == "finished" and 2 < pages <= bound * 2
    if "NEWS_SITE_PAGE_BUDGET" in settings:
        assert pages <= bound and json.loads(crawl["errors"])["fetch/site_budget"] >= 1


def test_a_full_disk_stops_the_crawl_in_one_line_and_loses_nothing_committed(tmp_path: Path) -> None:
    import os
    import shutil
    import sqlite3
    import subprocess

    from crawler.demo.server import DemoServer
    from crawler.demo.site import build_ja_site
    from tests.test_incremental import JA_SITEMAP_ARTICLES, cli

    small = tmp_path / "small"
    small.mkdir()
    # 1000 KB: room for the database and a few batches of the Japanese demo site, not for all of
    # it (measured: 700 KB holds no batch, 1100 KB holds 18 of 20 articles, 1500 KB all of them).
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1000k", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            raise AssertionError(f"CI must be able to mount a small tmpfs: {mounted.stderr!r}")
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        with DemoServer(build_ja_site) as site:
            urls = [f"{site.base_url}/sitemap.xml", f"{site.base_url}/"]
            cmd = cli("crawl", *urls, "--db", str(small / "news.db"), settings={"NEWS_DB_BATCH_SIZE": "2"})
            full = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            assert full.returncode == 1
            errors = [line for line in full.stderr.splitlines() if "ERROR" in line or line.startswith("Error")]
            assert len(errors) == 1 and "disk full" in errors[0] and "committed articles kept" in errors[0]
            assert "Traceback" not in full.stderr
            conn = sqlite3.connect(small / "news.db")
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
            committed = {r[0] for r in conn.execute("select url from articles")}
            run = conn.execute("select status, finish_reason from crawls").fetchall()
            conn.close()
            assert committed and run == [("failed", "disk_full")]
            # The next run, on a disk with room, goes on from there.
            roomy = tmp_path / "roomy"
            roomy.mkdir()
            for part in small.glob("news.db*"):
                if part.is_file():
                    shutil.copy(part, roomy / part.name)
            again = subprocess.run(cli("crawl", *urls, "--db", str(roomy / "news.db")), capture_output=True, text=True)
            assert again.returncode == 0, again.stderr
        store = sqlite_utils.Database(roomy / "news.db")
        urls_now = {r["url"] for r in store.query("select url from articles")}
        assert committed <= urls_now and len(urls_now) == JA_SITEMAP_ARTICLES
    finally:
        subprocess.run(["umount", str(small)], check=False)


def test_a_writer_holding_the_database_makes_the_crawl_wait_not_fail(tmp_path: Path) -> None:
    import sqlite3
    import subprocess

    from crawler.demo.server import DemoServer
    from crawler.demo.site import build_ja_site
    from crawler.storage import open_db
    from tests.test_incremental import JA_SITEMAP_ARTICLES

    db = tmp_path / "news.db"
    open_db(db).conn.close()
    with DemoServer(build_ja_site) as site:
        other = sqlite3.connect(db, timeout=30)
        other.execute("begin immediate")  # another program is in a long write when the crawl starts
        cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={site.base_url}/sitemap.xml"]
        for key, value in {**FAST, "NEWS_DB": str(db), "NEWS_DB_TIMEOUT": "0.3", "NEWS_DB_BATCH_SIZE": "2"}.items():
            cmd += ["-s", f"{key}={value}"]
        crawl = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4)
        other.rollback()
        other.close()
        _out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 0, err
    store = sqlite_utils.Database(db)
    assert store["articles"].count == JA_SITEMAP_ARTICLES  # nothing dropped while it waited
    stats = json.loads(next(store.query("select stats from crawls"))["stats"])
    assert stats.get("news/storage/locked_retry", 0) >= 1
