"""The layout-change alarm through the real crawl: a publisher's page after a redesign, served on
127.0.0.1 at its original path and crawled with its profile (mirror mode)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlite_utils
from click.testing import CliRunner

from crawler.cli import cli
from crawler.demo.server import DemoServer
from crawler.demo.site import Resource
from crawler.profiles import load_profiles
from tests.conftest import FIXTURES, run_crawl
from tests.test_profiles import changed_layout

pytestmark = pytest.mark.e2e


def test_a_redesigned_page_is_stored_from_generic_extraction_and_counted(tmp_path: Path) -> None:
    profile = load_profiles()["asahi"]
    html_path = next((FIXTURES / "sites" / "asahi").glob("*.html"))
    expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert profile.selectors.body
    path = urlsplit(expected["url"]).path
    pages = {
        path: Resource(200, "text/html; charset=utf-8", html_path.read_bytes()),
        "/articles/redesigned.html": Resource(
            200,
            "text/html; charset=utf-8",
            changed_layout(html_path.read_text(encoding="utf-8"), profile.selectors.body).encode(),
        ),
    }
    db = tmp_path / "news.db"
    with DemoServer(lambda base: pages) as site:
        urls = f"{site.base_url}{path},{site.base_url}/articles/redesigned.html"
        run_crawl(db, "site=asahi", f"start_urls={urls}")
    store = sqlite_utils.Database(db)
    rows = {r["fetched_url"].rsplit("/", 1)[1]: r for r in store.query("select * from articles")}
    assert len(rows) == 2  # both stored
    assert rows[path.rsplit("/", 1)[1]]["extractor"] == "selectors"
    redesigned = rows["redesigned.html"]
    assert redesigned["extractor"] != "selectors" and expected["blocks"][0][:20] in redesigned["body"]
    crawl = next(store.query("select * from crawls"))
    assert json.loads(crawl["errors"])["profile/asahi/selector_miss/body"] == 1
    assert json.loads(crawl["stats"])["news/profile/asahi/selector_miss/body"] == 1
    check = CliRunner().invoke(cli, ["profiles", "check", "asahi", "--db", str(db)])
    assert check.exit_code == 1
    assert "selector misses: body 1" in check.output and "redesigned.html" in check.output
