"""Hostile content through the real crawl: no crash, memory bounded, text stored as text."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.server import DemoServer
from crawler.demo.site import Resource
from tests.conftest import FAST, ROOT

pytestmark = pytest.mark.e2e
HTML = "text/html; charset=utf-8"
# Runs a command and prints its peak resident memory (KB) as the last line of stderr.
PEAK = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(done.returncode)"
)


def story(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta property="og:type" content="article"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode("utf-8", "surrogatepass")


PARAS = "".join(f"<p>Paragraph {i} of a long enough story about the city budget and its schools.</p>" for i in range(5))


def site(base: str) -> dict[str, Resource]:
    pages: dict[str, Resource] = {}
    entries = ["/nested", "/links", "/huge", "/controls", "/script-title", "/good"]
    pages["/nested"] = Resource(200, HTML, story("Deep", "<div>" * 10_000 + PARAS + "</div>" * 10_000))
    offsite = "".join(f'<a href="https://elsewhere{i}.example/{i}">link {i}</a>' for i in range(100_000))
    pages["/links"] = Resource(200, HTML, story("Many links", PARAS + offsite))
    pages["/huge"] = Resource(200, HTML, b"<html><body><p>" + b"x" * (50 * 1024 * 1024) + b"</p></body></html>")
    controls = "<p>Control\x01 characters\x08 and a lone \ud800 surrogate in a paragraph about the budget vote.</p>"
    pages["/controls"] = Resource(200, HTML, story("Controls\x07 in\x1f the title", PARAS + controls))
    pages["/script-title"] = Resource(
        200,
        HTML,
        story("&lt;script&gt;alert(1)&lt;/script&gt;<b>Bold</b> budget news", PARAS + "<script>alert(2)</script>"),
    )
    pages["/good"] = Resource(200, HTML, story("A good story", PARAS))
    urlset = "".join(f"<url><loc>{base}{p}</loc></url>" for p in entries)
    urlset += "".join(f"<url><loc>https://elsewhere.example/{i}</loc></url>" for i in range(50_000 - len(entries)))
    sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>'
    pages["/sitemap-big.xml"] = Resource(200, "application/xml", sitemap.encode())
    # A sitemap index that lists itself (and the big sitemap), and a gzip bomb of a sitemap.
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/sitemap.xml</loc></sitemap><sitemap><loc>{base}/sitemap-big.xml</loc></sitemap>"
        f"<sitemap><loc>{base}/bomb.xml.gz</loc></sitemap></sitemapindex>"
    )
    pages["/sitemap.xml"] = Resource(200, "application/xml", index.encode())
    bomb = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + b" " * (
        60 * 1024 * 1024
    )
    pages["/bomb.xml.gz"] = Resource(200, "application/gzip", gzip.compress(bomb, compresslevel=9))
    return pages


def test_hostile_pages_are_survived_and_stored_as_text(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with DemoServer(site) as server:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={server.base_url}/sitemap.xml"]
        for key, value in {**FAST, "NEWS_DB": str(db), "NEWS_INCREMENTAL": "0"}.items():
            cmd += ["-s", f"{key}={value}"]
        # Measured in a fresh wrapper process, so only this crawl counts (not earlier children of
        # the test run, such as the browser test's Chromium).
        done = subprocess.run([sys.executable, "-c", PEAK, *cmd], cwd=ROOT, capture_output=True, text=True, timeout=300)
        peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
    assert done.returncode == 0, done.stderr[-3000:]
    assert peak_mb < 500, f"crawl peaked at {peak_mb:.0f} MB"
    conn = sqlite3.connect(db)
    stored = {
        r[0].rsplit("/", 1)[1]: (r[1], r[2]) for r in conn.execute("select fetched_url, title, body from articles")
    }
    decided = {r[0].rsplit("/", 1)[1]: r[1] for r in conn.execute("select url, reason from decisions")}
    crawl = conn.execute("select status, errors, stats from crawls").fetchone()
    skipped_rows = conn.execute("select count(*) from decisions where reason = 'listed_offsite'").fetchone()[0]
    listed_skips = [
        json.loads(r[0])["skipped"] for r in conn.execute("select signals from decisions where kind = 'listing'")
        if "skipped" in json.loads(r[0])
    ]  # fmt: skip
    conn.close()
    assert crawl[0] == "finished"
    errors, stats = json.loads(crawl[1]), json.loads(crawl[2])
    assert {"links", "controls", "script-title", "good"} <= set(stored)
    # 10,000 nested levels: the HTML parser stops descending (libxml2's depth limit), so the page
    # has no readable text; it is not stored, and the decision says why.
    assert "nested" in stored or decided["nested"] == "no_text"
    # Over DOWNLOAD_MAXSIZE (20 MB): cancelled while downloading, counted, recorded.
    assert "huge" not in stored and decided["huge"].startswith("fetch_error/")
    title, body = stored["controls"]
    assert "\x01" not in body and "\ud800" not in body and "\x07" not in title
    title, body = stored["script-title"]
    assert "<" not in title and "alert(2)" not in body and "<script" not in body
    # Listings: the self-listing index was read once, the big sitemap's off-site URLs not fetched,
    # the gzip bomb refused by the size cap.
    assert stats["news/discovery/offsite_or_denied"] >= 50_000 - 6
    # Each skipped entry is queryable, up to a cap a hostile listing cannot push past; the
    # listing's own row counts them all.
    assert skipped_rows == 1000
    assert sum(s.get("offsite", 0) for s in listed_skips) >= 50_000 - 6
    assert errors.get("fetch/http_404", 0) == 0
    assert stats.get("news/discovery/bad_listing", 0) == 1


def test_a_title_element_inside_the_body_is_not_page_text() -> None:
    from crawler.extract import extract_page

    page = extract_page("<html><body><p>Body text.<title>A <script> tag</title></p></body></html>", "https://ex.com/a")
    assert page.blocks == ["Body text."]
    assert page.title == "A tag"  # still the document title (tags stripped from titles)
