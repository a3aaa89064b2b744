"""The crawl contract as a Scrapy user meets it: feed exports, the add-on in another project,
one row per page whatever the URL spelling, re-clean with the crawl's own settings."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from crawler.cli import cli
from crawler.demo.server import DemoServer, start_urls
from crawler.demo.site import Resource
from tests.conftest import FAST, ROOT, run_crawl

pytestmark = pytest.mark.e2e

HTML = "text/html; charset=utf-8"


def _rows(db: Path) -> dict[str, dict]:
    return {r["url"]: r for r in sqlite_utils.Database(db).query("select * from articles")}


def _jsonl(path: Path) -> dict[str, dict]:
    return {r["url"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_feed_export_holds_the_stored_articles(demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path) -> None:
    ja, en = demo_sites
    urls = "start_urls=" + ",".join(start_urls(ja, en))
    db = tmp_path / "news.db"
    first = tmp_path / "first.jsonl"
    run_crawl(db, urls, settings={"FEEDS": json.dumps({str(first): {"format": "jsonlines"}})})
    stored, exported = _rows(db), _jsonl(first)
    assert set(exported) == set(stored) and len(stored) >= 30
    # The first crawl of a site learns its boilerplate at the end and re-cleans what it touches;
    # the feed is written from the database once that is done, so it holds the re-cleaned rows
    # (a plain Scrapy feed would hold the bodies as the pipelines emitted them, boilerplate in).
    crawl = json.loads(sqlite_utils.Database(db)["crawls"].get(1)["stats"])
    assert crawl["news/boilerplate/recleaned"] > 0  # the case is really exercised
    for url, item in exported.items():
        row = stored[url]
        for field in ("body", "blocks_boilerplate", "blocks_stripped", "blocks_total", "content_hash", "title"):
            assert item[field] == row[field], (url, field)
        assert item["raw_blocks"] == json.loads(row["raw_blocks"])
        assert item["published_tz_assumed"] == bool(row["published_tz_assumed"])
    children = sqlite_utils.Database(db).query("select article_url, position, text, reason from stripped_blocks")
    stripped = {(c["article_url"], c["position"], c["text"], c["reason"]) for c in children}
    assert stripped == {
        (u, s["position"], s["text"], s["reason"]) for u, i in exported.items() for s in i["stripped_blocks"]
    }
    # The next crawl cleans with the learned model: what it exports is exactly what is stored.
    # (Every article fetched again: incremental runs would leave the unchanged ones alone.)
    second = tmp_path / "second.jsonl"
    run_crawl(db, urls, settings={"FEEDS": json.dumps({str(second): {"format": "jsonlines"}}), "NEWS_INCREMENTAL": "0"})
    stored, exported = _rows(db), _jsonl(second)
    assert set(exported) == set(stored)
    for url, item in exported.items():
        row = stored[url]
        for field in ("title", "body", "published_at", "published_raw", "modified_at", "site", "content_hash"):
            assert item.get(field) == row[field], (url, field)
        assert item["date_signals"] == json.loads(row["date_signals"])
        mentions = sqlite_utils.Database(db).query(
            "select offset, surface from date_mentions where article_url = ?", [url]
        )
        for m in mentions:  # offsets in the export point into the stored body
            assert row["body"][m["offset"] :].startswith(m["surface"])


def test_feed_export_without_storage_and_as_csv(demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path) -> None:
    ja, _ = demo_sites
    out, table = tmp_path / "out.jsonl", tmp_path / "out.csv"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={ja.base_url}/sitemap.xml"]
    cmd += ["-O", str(out), "-O", str(table), "-s", "NEWS_DB="]
    for key, value in FAST.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    records = _jsonl(out)
    assert len(records) >= 15 and all(r["body"] and r["published_at"] for r in records.values())
    with table.open(encoding="utf-8") as fh:
        assert {r["url"] for r in csv.DictReader(fh)} == set(records)


def test_addon_runs_our_pipelines_in_another_project(demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path) -> None:
    _, en = demo_sites
    project = tmp_path / "theirs"
    (project / "theirproject" / "spiders").mkdir(parents=True)
    (project / "scrapy.cfg").write_text("[settings]\ndefault = theirproject.settings\n")
    (project / "theirproject" / "__init__.py").write_text("")
    (project / "theirproject" / "settings.py").write_text(
        textwrap.dedent(f"""
        BOT_NAME = "theirs"
        SPIDER_MODULES = ["theirproject.spiders"]
        ADDONS = {{"crawler.addon.NewsAddon": 0}}  # the first path, kept working
        COMMANDS_MODULE = "crawler.crawl.commands"  # exit statuses a scheduler can trust
        NEWS_DB = {str(tmp_path / "theirs.db")!r}
        ROBOTSTXT_OBEY = True
        """)
    )
    (project / "theirproject" / "spiders" / "__init__.py").write_text("")
    (project / "theirproject" / "spiders" / "pages.py").write_text(
        textwrap.dedent(f"""
        import scrapy


        class Pages(scrapy.Spider):
            name = "pages"
            start_urls = ["{en.base_url}/2022/03/08/central-bank-holds-rates.html",
                          "{en.base_url}/2022/03/08/port-strike-ends.html"]

            def parse(self, response):
                yield {{
                    "url": response.url,
                    "site": "mine",
                    "title": response.css("h1::text").get(),
                    "raw_blocks": response.css("div.article-body p::text").getall() * 2,
                    "date_signals": {{"published": [{{
                        "raw": response.css("script::text").re_first(r'"datePublished": "([^"]+)"'),
                        "source": "json-ld:datePublished",
                    }}]}},
                    "fetched_at": "2022-03-12T00:00:00+00:00",
                }}


        class Dead(scrapy.Spider):
            name = "dead"
            start_urls = ["http://127.0.0.1:9/"]

            def parse(self, response):
                yield {{"url": response.url, "title": "x", "raw_blocks": ["y"]}}


        class Minimal(scrapy.Spider):
            # The documented minimum: url, title, raw_blocks (it lost every item: KeyError 'site').
            name = "minimal"
            start_urls = ["{en.base_url}/2022/03/08/port-strike-ends.html"]
            custom_settings = {{"NEWS_DB": {str(tmp_path / "minimal.db")!r}}}

            def parse(self, response):
                yield {{"url": response.url, "title": response.css("h1::text").get(),
                        "raw_blocks": response.css("div.article-body p::text").getall()}}
        """)
    )
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}  # their scrapy.cfg decides
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "pages", "-s", "LOG_LEVEL=INFO"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Enabled addons" in proc.stderr and "NewsAddon" in proc.stderr
    rows = list(sqlite_utils.Database(tmp_path / "theirs.db").query("select * from articles order by url"))
    assert len(rows) == 2
    assert rows[0]["published_at"] == "2022-03-08T15:15:00+00:00"  # the dates pipeline ran: -05:00 to UTC
    for row in rows:
        assert all("value" in s for s in json.loads(row["date_signals"])["published"])
        assert row["blocks_repeat"] > 0 and row["body"].count("\n\n") < len(json.loads(row["raw_blocks"]))
    assert sqlite_utils.Database(tmp_path / "theirs.db")["pages"].count == 2  # raw pages from the responses
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "minimal"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    minimal = list(sqlite_utils.Database(tmp_path / "minimal.db").query("select site, body from articles"))
    assert len(minimal) == 1 and minimal[0]["site"] == "127.0.0.1:" + en.base_url.rsplit(":", 1)[1]
    assert minimal[0]["body"]
    # A spider of theirs on a dead site: under cron, not a success (it exited 0).
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "dead", "-s", "RETRY_ENABLED=0"], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 1 and "crawl fetched nothing" in proc.stderr, proc.stderr[-3000:]


def _japanese_site(base: str) -> dict[str, Resource]:
    encoded = "/news/%E5%81%9C%E6%88%A6%E4%BA%A4%E6%B8%89.html"  # /news/停戦交渉.html
    article = """<html lang="ja"><head><title>停戦交渉 続く</title>
    <link rel="canonical" href="停戦交渉.html">
    <meta property="og:type" content="article">
    <meta property="article:published_time" content="2022-03-08T15:05:00+09:00"></head>
    <body><h1>停戦交渉 続く</h1><article>
    <p>ロシアとウクライナの代表団は8日、停戦に向けた3回目の交渉を行いました。</p>
    <p>交渉では人道回廊の設置などについて話し合われましたが、隔たりは埋まっていません。</p>
    <p>次回の交渉の日程は決まっていません。両国は引き続き協議するとしています。</p>
    </article></body></html>"""
    index = f"""<html><head><title>ニュース</title></head><body>
    <a href="/news/停戦交渉.html">停戦交渉 (UTF-8 のまま)</a>
    <a href="{encoded}">停戦交渉 (パーセント符号化)</a>
    <a href="http://{base.split("//")[1]}:80/news/../news/停戦交渉.html#top">停戦交渉 (別の書き方)</a>
    </body></html>"""
    return {
        "/": Resource(200, HTML, index.encode()),
        encoded: Resource(200, HTML, article.encode()),
        "/robots.txt": Resource(200, "text/plain", b"User-agent: *\nAllow: /\n"),
    }


def test_a_japanese_path_in_any_spelling_is_one_row(tmp_path: Path) -> None:
    db = tmp_path / "ja.db"
    with DemoServer(_japanese_site) as site:
        run_crawl(db, f"start_urls={site.base_url}/")
        direct = tmp_path / "direct.db"
        run_crawl(direct, f"start_urls={site.base_url}/news/停戦交渉.html")
    rows = list(sqlite_utils.Database(db).query("select url, fetched_url, canonical_url from articles"))
    assert len(rows) == 1
    assert rows[0]["url"].endswith("/news/%E5%81%9C%E6%88%A6%E4%BA%A4%E6%B8%89.html")
    assert rows[0]["canonical_url"] == rows[0]["fetched_url"]  # the relative canonical, resolved
    assert [r["url"] for r in sqlite_utils.Database(direct).query("select url from articles")] == [rows[0]["url"]]
    stats = json.loads(sqlite_utils.Database(db)["crawls"].get(1)["stats"])
    assert stats["downloader/request_count"] - stats.get("news/discovery/robots_sitemaps", 0) <= 4  # /, robots, 1 page


def test_reclean_uses_the_thresholds_the_crawl_recorded(
    demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path
) -> None:
    ja, en = demo_sites
    db = tmp_path / "strict.db"
    run_crawl(db, "start_urls=" + ",".join(start_urls(ja, en)), settings={"NEWS_BOILERPLATE_MIN_ARTICLES": "1000"})
    database = sqlite_utils.Database(db)
    assert database["boilerplate"].count == 0
    before = {r["url"]: r["body"] for r in database.query("select url, body from articles")}
    result = CliRunner().invoke(cli, ["reclean", "--db", str(db), "--no-extract"])
    assert result.exit_code == 0, result.output
    assert "NEWS_BOILERPLATE_MIN_ARTICLES=1000" in result.output
    after = {r["url"]: r["body"] for r in sqlite_utils.Database(db).query("select url, body from articles")}
    assert after == before and sqlite_utils.Database(db)["boilerplate"].count == 0
    # Told otherwise on the command line, it learns with the new threshold.
    relaxed = CliRunner().invoke(
        cli, ["reclean", "--db", str(db), "--no-extract", "-s", "NEWS_BOILERPLATE_MIN_ARTICLES=5"]
    )
    assert relaxed.exit_code == 0 and "NEWS_BOILERPLATE_MIN_ARTICLES=5" in relaxed.output
    assert sqlite_utils.Database(db)["boilerplate"].count >= 2
