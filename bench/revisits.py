"""Incremental runs through the real crawl: a generated site served on 127.0.0.1, crawled three
times by `scrapy crawl news` into one database.

    .venv/bin/python bench/revisits.py [--articles 600] [--changed 0.05]

1. the first run fetches everything;
2. an unchanged second run: only the sitemap (and robots.txt) should be fetched;
3. after editing a share of the articles (their text and their sitemap <lastmod>), a third run
   should fetch about that share of the articles, plus the listings.
Requests are counted by the server itself; times are the crawl processes' wall time.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.demo.server import DemoServer
from crawler.demo.site import Resource

ROOT = Path(__file__).resolve().parents[1]
FAST = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "ERROR",
}
WORDS = "government economy market council report minister election budget company inflation wages".split()


def article_html(base: str, i: int, day: datetime, text: str) -> bytes:
    paragraphs = "".join(f"<p>{text} Paragraph {k} of story {i}.</p>" for k in range(6))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story {i} | Bench News</title>'
        f'<link rel="canonical" href="{base}/news/{i}.html">'
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Story {i}", '
        f'"datePublished": "{day.isoformat()}"}}</script></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Story {i}</h1>{paragraphs}</article></body></html>"
    ).encode()


def build(n: int, seed: int = 3) -> tuple[callable, dict[int, datetime]]:  # type: ignore[valid-type]
    rng = random.Random(seed)
    days = {i: datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=7 * i) for i in range(n)}

    def make(base: str) -> dict[str, Resource]:
        pages: dict[str, Resource] = {}
        entries = []
        for i in range(n):
            text = " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "."
            pages[f"/news/{i}.html"] = Resource(200, "text/html; charset=utf-8", article_html(base, i, days[i], text))
            entries.append(f"<url><loc>{base}/news/{i}.html</loc><lastmod>{days[i].isoformat()}</lastmod></url>")
        sitemap = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        pages["/sitemap.xml"] = Resource(200, "application/xml", (sitemap + "".join(entries) + "</urlset>").encode())
        pages["/robots.txt"] = Resource(200, "text/plain", f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode())
        return pages

    return make, days


def crawl(site: DemoServer, db: Path) -> tuple[int, int, float]:
    site.log.clear()
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={site.base_url}/sitemap.xml"]
    for key, value in {**FAST, "NEWS_DB": str(db)}.items():
        cmd += ["-s", f"{key}={value}"]
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    articles = sum(1 for method, path, _ in site.log if method == "GET" and path.startswith("/news/"))
    return len(site.log), articles, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--changed", type=float, default=0.05)
    args = parser.parse_args()
    make, days = build(args.articles)
    with tempfile.TemporaryDirectory() as tmp, DemoServer(make) as site:
        db = Path(tmp) / "news.db"
        first = crawl(site, db)
        second = crawl(site, db)
        rng = random.Random(11)
        changed = rng.sample(range(args.articles), max(1, int(args.articles * args.changed)))
        sitemap = site.pages["/sitemap.xml"].body
        now = datetime.now(UTC).replace(microsecond=0)
        for i in changed:
            page = site.pages[f"/news/{i}.html"]
            site.pages[f"/news/{i}.html"] = Resource(
                200, page.content_type, page.body.replace(b"</h1>", b"</h1><p>Update: corrected.</p>")
            )
            old = f"<lastmod>{days[i].isoformat()}</lastmod>".encode()
            sitemap = sitemap.replace(
                f"{i}.html</loc>".encode() + old, f"{i}.html</loc><lastmod>{now.isoformat()}</lastmod>".encode()
            )
        site.pages["/sitemap.xml"] = Resource(200, "application/xml", sitemap)
        third = crawl(site, db)
    print(f"{args.articles} generated articles (sitemap with lastmod, ETags), scrapy crawl news, same database")
    print(f"  run 1 (first):      {first[0]:5} requests, {first[1]:5} article pages, {first[2]:5.1f} s")
    print(f"  run 2 (unchanged):  {second[0]:5} requests, {second[1]:5} article pages, {second[2]:5.1f} s"
          f"   = {second[0] / first[0]:.3f} of the requests, {second[2] / first[2]:.2f} of the time")  # fmt: skip
    share, fetched = len(changed) / args.articles, third[1] / args.articles
    print(f"  run 3 ({len(changed)} changed): {third[0]:5} requests, {third[1]:5} article pages, {third[2]:5.1f} s"
          f"   = {fetched:.3f} of the articles fetched ({share:.3f} changed)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
