"""Runs that go on for months, end to end: the demo site on 127.0.0.1, changed between runs by the
test, crawled by real processes; what was fetched is read from the server's own request log."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from crawler.demo.content import JA_ARTICLES
from crawler.demo.server import DemoServer, start_urls
from crawler.demo.site import Resource, build_en_site, build_ja_site, seed_articles
from crawler.schedule.locks import SiteLock
from tests.conftest import FAST, ROOT, run_crawl

pytestmark = pytest.mark.e2e
JA_SITEMAP_ARTICLES = 3 + len(JA_ARTICLES) + 3  # what a crawl of the Japanese sitemap stores


def article_gets(server: DemoServer) -> dict[str, int]:
    """Article pages requested, with the status served (the last one when fetched twice)."""
    return {path: status for method, path, status in server.log if method == "GET" and path.startswith("/news/html/")}


def cli(*args: str, settings: dict[str, str] | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "crawler", *args]
    for key, value in {**FAST, **(settings or {})}.items():
        if key != "LOG_LEVEL":
            cmd += ["-s", f"{key}={value}"]
    return cmd


def change_site(site: DemoServer) -> tuple[str, str, str]:
    """Edit one article (its text, and its sitemap lastmod) and publish a new one; returns
    (changed path, new path, the changed paragraph as it was)."""
    seed = seed_articles()[0]
    path = f"/news/html/20220308/{seed.slug}.html"
    text = seed.blocks[0][1]
    page = site.pages[path]
    assert text.encode() in page.body
    site.pages[path] = Resource(
        200, page.content_type, page.body.replace(text.encode(), (text + "（追記あり）").encode())
    )
    sitemap = site.pages["/sitemaps/news.xml"]
    loc = f"<loc>{site.base_url}{path}</loc>".encode()
    assert loc in sitemap.body
    stamp = datetime.now(UTC).isoformat(timespec="seconds").encode()
    body = sitemap.body.replace(loc, loc + b"<lastmod>" + stamp + b"</lastmod>")
    new_path = "/news/html/20220312/k19999999999.html"
    fresh = page.body.replace(path.encode(), new_path.encode()).replace(
        text.encode(), "新しい記事です。".encode() + text.encode()
    )
    site.pages[new_path] = Resource(200, page.content_type, fresh)
    body = body.replace(b"</urlset>", f"<url><loc>{site.base_url}{new_path}</loc></url></urlset>".encode())
    site.pages["/sitemaps/news.xml"] = Resource(200, sitemap.content_type, body)
    return path, new_path, text


def test_second_run_fetches_only_new_and_changed_articles(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with DemoServer(build_ja_site) as site:
        args = f"start_urls={site.base_url}/sitemap.xml"
        run_crawl(db, args)
        first = article_gets(site)
        assert len(first) >= JA_SITEMAP_ARTICLES
        changed, new, old_text = change_site(site)
        site.log.clear()
        run_crawl(db, args)
        assert set(article_gets(site)) == {changed, new}  # the server saw nothing else of the articles
        listings = {p for m, p, _ in site.log if p.startswith("/sitemap")}
        assert listings == {"/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/archive.xml.gz"}  # read every run
    store = sqlite_utils.Database(db)
    runs = list(store.query("select * from crawls order by id"))
    assert (runs[1]["articles_inserted"], runs[1]["articles_updated"], runs[1]["articles_unchanged"]) == (1, 1, 0)
    assert runs[1]["skipped"] == JA_SITEMAP_ARTICLES - 1
    assert runs[1]["requests"] <= runs[0]["requests"] / 4
    row = next(store.query("select * from articles where url like ?", [f"%{changed}"]))
    assert row["version_count"] == 2 and "（追記あり）" in row["body"]
    versions = list(store.query("select * from article_versions where url = ?", [row["url"]]))
    assert len(versions) == 1 and versions[0]["version"] == 1
    assert old_text in versions[0]["body"] and "（追記あり）" not in versions[0]["body"]
    assert versions[0]["content_hash"] != row["content_hash"]
    unchanged = next(store.query("select * from articles where url not like ? and url not like ? limit 1",
                                 [f"%{changed}", f"%{new}"]))  # fmt: skip
    assert unchanged["version_count"] == 1
    assert store["article_versions"].count == 1


def test_not_modified_answers_move_only_last_seen(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with DemoServer(build_ja_site) as site:
        args = f"start_urls={site.base_url}/sitemap.xml"
        run_crawl(db, args)
        before = {r["url"]: r for r in sqlite_utils.Database(db).query("select * from articles")}
        time.sleep(1.2)
        site.log.clear()
        run_crawl(db, args, settings={"NEWS_REVISIT": "100000d=1s"})  # every stored article due again
        statuses = article_gets(site)
    assert statuses and set(statuses.values()) == {304}  # conditional GETs, all answered 304
    store = sqlite_utils.Database(db)
    run = list(store.query("select * from crawls order by id"))[1]
    assert run["not_modified"] == len(before) and run["articles_updated"] == 0
    after = {r["url"]: r for r in store.query("select * from articles")}
    for url, row in after.items():
        assert row["last_seen_at"] > before[url]["last_seen_at"]
        assert (row["body"], row["content_hash"], row["last_changed_at"], row["version_count"]) == (
            before[url]["body"],
            before[url]["content_hash"],
            before[url]["last_changed_at"],
            1,
        )


def _wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def _articles(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("select count(*) from articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


SLOW = {"DOWNLOAD_DELAY": "0.25", "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "RANDOMIZE_DOWNLOAD_DELAY": "0"}


def test_two_starts_of_one_site_never_both_crawl(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with DemoServer(build_ja_site) as site:
        url = f"{site.base_url}/sitemap.xml"
        first = subprocess.Popen(cli("crawl", url, "--db", str(db), settings=SLOW), cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        lock = SiteLock(str(db), f"127.0.0.1:{site.base_url.rsplit(':', 1)[1]}")
        _wait_for(lambda: lock.holder().get("pid") == first.pid)
        refused = subprocess.run(cli("crawl", url, "--db", str(db)), cwd=ROOT, capture_output=True, text=True)
        assert refused.returncode == 1
        assert f"is already being crawled by pid {first.pid}" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        # A cron job that may wait: it starts once the first run is over.
        waiter = subprocess.run(cli("crawl", url, "--db", str(db), "--wait", "2m"), cwd=ROOT,
                                capture_output=True, text=True)  # fmt: skip
        assert first.wait(timeout=120) == 0
        assert waiter.returncode == 0, waiter.stderr
    runs = list(sqlite_utils.Database(db).query("select * from crawls order by id"))
    assert len(runs) == 2  # the refused start left no row
    assert runs[1]["started_at"] >= runs[0]["finished_at"]


def test_a_killed_crawl_resumes_without_refetching_what_was_committed(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with DemoServer(build_ja_site) as site:
        url = f"{site.base_url}/sitemap.xml"
        victim = subprocess.Popen(cli("crawl", url, "--db", str(db), settings={**SLOW, "NEWS_DB_BATCH_SIZE": "2"}),
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        _wait_for(lambda: _articles(db) >= 6)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        conn = sqlite3.connect(db)
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        status = conn.execute("select status from crawls").fetchall()
        committed = {r[0] for r in conn.execute("select fetched_url from articles")}
        # No half-written article: every stored article has its fetch state, written with it.
        orphans = conn.execute(
            "select count(*) from articles a where not exists (select 1 from fetch_state f where f.article_url = a.url)"
        ).fetchone()[0]
        conn.close()
        assert status == [("running",)] and orphans == 0
        assert 6 <= len(committed) < JA_SITEMAP_ARTICLES
        site.log.clear()
        resumed = subprocess.run(cli("crawl", url, "--db", str(db)), cwd=ROOT, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        assert f"from pid {victim.pid}, which is gone" in resumed.stderr
        fetched_again = {site.base_url + p for p in article_gets(site)}
    assert not fetched_again & committed  # nothing committed was fetched twice
    store = sqlite_utils.Database(db)
    assert store["articles"].count == JA_SITEMAP_ARTICLES  # and nothing is missing
    assert [r["status"] for r in store.query("select status from crawls order by id")] == ["killed", "finished"]


def test_first_ctrl_c_stops_without_fetching_what_waits_in_the_downloader(tmp_path: Path) -> None:
    # Scrapy's graceful stop fetched every request already queued on the site's slot, one per
    # delay: the first Ctrl-C took about 19 s. Those requests are dropped, counted and said.
    db = tmp_path / "news.db"
    polite = {"DOWNLOAD_DELAY": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "RANDOMIZE_DOWNLOAD_DELAY": "0"}
    with DemoServer(build_ja_site) as site:
        url = f"{site.base_url}/sitemap.xml"
        proc = subprocess.Popen(cli("crawl", url, "--db", str(db), settings=polite), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        _wait_for(lambda: len(article_gets(site)) >= 2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        fetched = len(article_gets(site))
        # At most the transfer under way and one more slot turn finish after the signal.
        assert fetched <= 4, (fetched, err)
        assert proc.returncode == 1, err
        first = out.splitlines()[0]
        assert "stopped (shutdown)" in first and "waiting requests not made" in first, out
        # Nothing was lost: the next run makes the requests the stop dropped.
        again = subprocess.run(cli("crawl", url, "--db", str(db)), cwd=ROOT, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
    assert sqlite_utils.Database(db)["articles"].count == JA_SITEMAP_ARTICLES


def _reader(proc: subprocess.Popen[str], lines: list[str]) -> threading.Thread:
    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_scheduler_runs_two_sites_again_and_again_then_stops_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with DemoServer(build_ja_site) as ja, DemoServer(build_en_site) as en:
        cmd = cli("schedule", f"{ja.base_url}/sitemap.xml", f"{en.base_url}/feed.rss", "--every", "2s", "--db", str(db))
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        reader = _reader(proc, lines)
        keys = [f"127.0.0.1:{s.base_url.rsplit(':', 1)[1]}" for s in (ja, en)]

        def runs_of(key: str) -> int:
            return sum(f" {key}: crawl " in line for line in list(lines))

        _wait_for(lambda: all(runs_of(k) >= 2 for k in keys), timeout=90)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, "\n".join(lines)
        reader.join(timeout=5)
    assert any("scheduler stopped" in line for line in lines)
    rows = list(sqlite_utils.Database(db).query("select site, status from crawls"))
    assert all(r["status"] in {"finished", "stopped"} for r in rows), rows  # none left running
    for key in keys:
        assert sum(r["site"] == key for r in rows) >= 2
    # Runs after the first of each site are incremental: stored articles are not requested again.
    later = list(sqlite_utils.Database(db).query("select * from crawls where id > 2 and status = 'finished'"))
    assert later and all(r["articles_inserted"] == 0 for r in later)


def test_schedule_once_runs_each_site_once_for_cron(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with DemoServer(build_ja_site) as ja, DemoServer(build_en_site) as en:
        cmd = cli("schedule", f"{ja.base_url}/sitemap.xml", f"{en.base_url}/feed.rss", "--once", "--db", str(db))
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sum(": crawl " in line for line in done.stdout.splitlines()) == 2
    runs = json.loads(json.dumps(list(sqlite_utils.Database(db).query("select status from crawls"))))
    assert [r["status"] for r in runs] == ["finished", "finished"]


def test_crawl_shows_a_progress_line_on_a_terminal_only(tmp_path: Path) -> None:
    import pty

    db = tmp_path / "news.db"
    with DemoServer(build_en_site) as site:
        cmd = cli("crawl", f"{site.base_url}/feed.rss", "--db", str(db))
        main, terminal = pty.openpty()
        try:
            done = subprocess.run(cmd, cwd=ROOT, stderr=terminal, stdout=subprocess.PIPE, text=True, timeout=120)
            shown = os.read(main, 65536).decode("utf-8", "replace")
        finally:
            os.close(terminal)
            os.close(main)
        assert done.returncode == 0
        assert "pages " in shown and "articles " in shown and "pages/s" in shown
        assert "Crawl 1 finished" in done.stdout and "pages/s" not in done.stdout
        piped = subprocess.run(cli("crawl", f"{site.base_url}/feed.rss", "--db", str(db)), cwd=ROOT,
                               capture_output=True, text=True, timeout=120)  # fmt: skip
    assert piped.returncode == 0 and "pages/s" not in piped.stderr


def test_the_summary_says_how_many_articles_the_requests_not_made_were_for(
    demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path
) -> None:
    """The second demo run said "82 requests for stored articles not made" for 37 articles: an
    article linked from several pages is several requests."""
    from crawler.cli.summary import summarize
    from crawler.storage import open_db

    ja, en = demo_sites
    db = tmp_path / "n.db"
    for _ in range(2):
        run_crawl(db, "start_urls=" + ",".join(start_urls(ja, en)))
    crawl = next(iter(open_db(db).query("select * from crawls order by id desc limit 1")))
    line = next(x for x in summarize(crawl, str(db)) if x.startswith("Incremental:"))
    stored = open_db(db)["articles"].count
    assert f"requests for {stored} stored articles not made" in line, line
    assert crawl["skipped"] >= stored
