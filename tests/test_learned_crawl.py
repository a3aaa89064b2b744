"""Learned site parsers in the crawl: the same learning as `ingest` (crawler/ingest/learning.py),
through `scrapy crawl news` over a site served on 127.0.0.1. A site with enough URLs known (its
sitemap lists them) is learned from its first article pages; its next pages take the learned
path and give the thorough path's row; a template that changes halfway is caught and learned
again; what was learned is stored (`site_parsers`) and a later crawl starts with it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import run_crawl
from tests.test_learned_parsers import assert_learned_rows_agree, rows, story

pytestmark = pytest.mark.e2e


class Herald:
    """The Town Herald of test_learned_parsers on 127.0.0.1: a sitemap of its stories, each in its template."""

    def __init__(self, templates: list[str]) -> None:
        self.templates = templates
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path == "/sitemap.xml":
                    count = len(site.templates)
                    urls = "".join(f"<url><loc>{site.base}/news/{i}.html</loc></url>" for i in range(count))
                    body, ctype = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                   f"{urls}</urlset>").encode(), "application/xml"  # fmt: skip
                elif path.startswith("/news/") and path.endswith(".html") and path[6:-5].isdigit():
                    i = int(path[6:-5])
                    if i >= len(site.templates):
                        self.send_error(404)
                        return
                    body, ctype = story(i, site.templates[i]), "text/html; charset=utf-8"
                elif path == "/robots.txt":
                    body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> Herald:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def herald() -> Iterator[Herald]:
    with Herald(["a"] * 40) as site:
        yield site


def crawl(db: Path, site: Herald, **settings: str) -> None:
    # One link hop only: the stories' "read more" links point past the sitemap's end.
    run_crawl(db, f"start_urls={site.base}/sitemap.xml", settings={"NEWS_FOLLOW_DEPTH": "0", **settings})


def test_a_crawl_learns_a_sites_parser_and_its_rows_agree(herald: Herald, tmp_path: Path) -> None:
    crawl(tmp_path / "learned.db", herald)
    crawl(tmp_path / "thorough.db", herald, NEWS_LEARN_PAGES="0")
    learned = rows(tmp_path / "learned.db")
    assert len(learned) == 40
    claimed = assert_learned_rows_agree(learned, rows(tmp_path / "thorough.db"))
    assert claimed >= 20  # the first pages teach (some in flight while it learns), the rest are learned
    db = sqlite_utils.Database(tmp_path / "learned.db")
    parser = next(db.query("select * from site_parsers"))
    assert parser["state"] == "active" and parser["body_selector"] == "div.story-text"
    assert parser["pages"] == claimed and parser["samples"] >= 1 and parser["samples_agreed"] == parser["samples"]
    stats = next(db.query("select stats from crawls order by id desc limit 1"))["stats"]
    assert '"news/learned/sites": 1' in stats
    assert not list(sqlite_utils.Database(tmp_path / "thorough.db").query("select * from site_parsers"))
    # The next crawl starts with the stored parser: every page it fetches again is learned at once.
    crawl(tmp_path / "learned.db", herald, NEWS_INCREMENTAL="0")
    again = rows(tmp_path / "learned.db")
    assert sum(r["extractor"] == "learned" for r in again.values()) >= 35


def test_a_template_that_changes_halfway_is_caught_in_the_crawl(tmp_path: Path) -> None:
    with Herald(["a"] * 30 + ["b"] * 40) as site:
        crawl(tmp_path / "learned.db", site, CONCURRENT_REQUESTS="4")
        crawl(tmp_path / "thorough.db", site, NEWS_LEARN_PAGES="0", CONCURRENT_REQUESTS="4")
    learned = rows(tmp_path / "learned.db")
    assert_learned_rows_agree(learned, rows(tmp_path / "thorough.db"))
    assert all(r["body"] for r in learned.values())
    parser = next(sqlite_utils.Database(tmp_path / "learned.db").query("select * from site_parsers"))
    assert parser["relearned"] >= 1  # the redesign was caught
