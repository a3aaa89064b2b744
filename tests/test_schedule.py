"""Scheduling parts without servers: durations, cron, the revisit policy, site locks, targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.crawl.incremental import listing_time
from crawler.crawl.targets import Target, TargetError, group_targets, limit_settings
from crawler.schedule.locks import SiteBusyError, SiteLock
from crawler.schedule.policy import PolicyError, RevisitPolicy, Schedule, parse_duration

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_durations_and_bad_ones() -> None:
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration("1.5h") == timedelta(hours=1.5)
    assert parse_duration("2w") == timedelta(days=14)
    for bad in ("", "15", "m", "-1h", "0s", "1 fortnight", "1y"):
        with pytest.raises(PolicyError):
            parse_duration(bad)


def test_schedule_interval_or_cron() -> None:
    assert Schedule.parse("15m").next_after(NOW) == NOW + timedelta(minutes=15)
    cron = Schedule.parse("*/30 6-23 * * *")
    assert cron.next_after(NOW) == NOW.replace(minute=30)
    assert cron.next_after(NOW.replace(hour=23, minute=45)) == (NOW + timedelta(days=1)).replace(hour=6, minute=0)
    for bad in ("every day", "61 * * * *", "* * *", "15 minutes"):
        with pytest.raises(PolicyError, match="neither an interval"):
            Schedule.parse(bad)


def test_revisit_policy_by_age_and_listing() -> None:
    policy = RevisitPolicy.parse("1d=1h,7d=1d,30d=7d")
    young, week, old = NOW - timedelta(hours=5), NOW - timedelta(days=3), NOW - timedelta(days=90)
    assert policy.due(young, NOW - timedelta(minutes=30), NOW) == (False, "fresh")
    assert policy.due(young, NOW - timedelta(hours=2), NOW) == (True, "revisit_due")
    assert policy.due(week, NOW - timedelta(hours=5), NOW) == (False, "fresh")
    assert policy.due(week, NOW - timedelta(days=2), NOW) == (True, "revisit_due")
    assert policy.due(old, NOW - timedelta(days=300), NOW) == (False, "old")
    assert policy.due(old, NOW - timedelta(days=300), NOW, listing_date=NOW - timedelta(days=1)) == (
        True,
        "listing_newer",
    )
    assert policy.due(None, None, NOW) == (True, "never_fetched")
    assert RevisitPolicy.parse("").due(young, NOW - timedelta(days=1), NOW) == (False, "old")  # never by age
    with pytest.raises(PolicyError, match="AGE=INTERVAL"):
        RevisitPolicy.parse("1d")


def test_listing_dates_of_sitemaps_and_feeds() -> None:
    assert listing_time("2022-03-08T05:12:00+09:00") == datetime(2022, 3, 7, 20, 12, tzinfo=UTC)
    assert listing_time("2022-03-08") == datetime(2022, 3, 8, tzinfo=UTC)
    assert listing_time("Tue, 08 Mar 2022 05:12:00 +0900") == datetime(2022, 3, 7, 20, 12, tzinfo=UTC)
    assert listing_time("soon") is None and listing_time(None) is None


def test_lock_refuses_a_second_holder_and_names_it(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    first = SiteLock(db, "nhk").acquire()
    code = f"from crawler.schedule.locks import SiteLock; SiteLock({db!r}, 'nhk').acquire()"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert other.returncode != 0
    assert f"already being crawled by pid {os.getpid()}" in other.stderr
    assert SiteLock(db, "other-site").acquire().release() is None  # sites are independent
    first.release()
    SiteLock(db, "nhk").acquire().release()  # free again


def test_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    # A holder killed with SIGKILL: the kernel dropped its flock, its PID is still in the file.
    code = (
        f"import os, signal; from crawler.schedule.locks import SiteLock; SiteLock({db!r}, 'nhk').acquire(); "
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    dead = json.loads(SiteLock(db, "nhk").path.read_text())["pid"]
    lock = SiteLock(db, "nhk").acquire()
    assert lock.stale_takeover() == f"took over the lock of site 'nhk' from pid {dead}, which is gone"
    lock.release()
    again = SiteLock(db, "nhk").acquire()
    assert again.stale_takeover() is None  # a clean release leaves nothing to take over
    again.release()


def test_lock_wait_gives_up_with_the_message(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    held = SiteLock(db, "nhk").acquire()
    started = datetime.now(UTC)
    with pytest.raises(SiteBusyError, match="not starting"):
        # Same process, second file handle: flock locks are per open file, so this waits too.
        SiteLock(db, "nhk").acquire(wait=0.5)
    assert datetime.now(UTC) - started >= timedelta(seconds=0.5)
    held.release()


def test_targets_profiles_urls_and_errors() -> None:
    nhk = Target.parse("nhk")
    assert nhk.key == "nhk" and nhk.spider_kwargs == {"site": "nhk"} and nhk.schedule is not None
    url = Target.parse("https://www.example.com/sitemap.xml")
    assert url.key == "example.com"
    grouped = group_targets(["https://example.com/a.xml", "nhk", "https://www.example.com/b.xml"])
    assert [t.key for t in grouped] == ["example.com", "nhk"]
    assert grouped[0].spider_kwargs == {"start_urls": "https://example.com/a.xml,https://www.example.com/b.xml"}
    with pytest.raises(TargetError, match="neither a URL nor a site profile"):
        Target.parse("no-such-site")
    assert limit_settings(100, timedelta(minutes=5), 3) == {
        "CLOSESPIDER_PAGECOUNT": 100,
        "CLOSESPIDER_TIMEOUT": 300.0,
        "CLOSESPIDER_ERRORCOUNT": 3,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "no-such-site"], "neither a URL nor a site profile"),
        (["crawl", "nhk", "--max-time", "soon"], "not a duration"),
        (["schedule", "nhk", "--every", "every day"], "neither an interval"),
        (["schedule", "https://example.com/"], "has no schedule: give --every"),
    ],
)
def test_bad_input_is_one_line_and_touches_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    db = tmp_path / "news.db"
    result = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert result.exit_code == 2 and message in result.output
    assert not db.exists()


def test_a_database_locked_by_another_writer_is_refused_in_one_line(tmp_path: Path) -> None:
    import sqlite3

    from crawler.storage import open_db

    db = tmp_path / "news.db"
    open_db(db).conn.close()
    writer = sqlite3.connect(db)
    writer.execute("begin immediate")  # another program holds the write lock
    try:
        result = CliRunner().invoke(
            cli, ["crawl", "https://example.com/", "--db", str(db), "-s", "NEWS_DB_TIMEOUT=0.5"]
        )
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 1
    assert "locked by another writer for more than 0.5 s" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_another_applications_database_is_refused_before_crawling(tmp_path: Path) -> None:
    import sqlite_utils

    other = tmp_path / "notes.db"
    sqlite_utils.Database(other)["notes"].insert({"text": "mine"})
    result = CliRunner().invoke(cli, ["crawl", "https://example.com/", "--db", str(other)])
    assert result.exit_code == 1 and "not a news-crawler database" in result.output
    assert sqlite_utils.Database(other).table_names() == ["notes"]


def test_a_public_crawl_never_reaches_a_private_address() -> None:
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from crawler.crawl.faults import FaultDrop, PrivateAddressMiddleware, private_host

    def middleware(hosts: set[str], **settings: object) -> PrivateAddressMiddleware:
        crawler = get_crawler(settings_dict=settings)
        crawler.spider = type("Spider", (), {"hosts": hosts})()
        return PrivateAddressMiddleware.from_crawler(crawler)

    public = middleware({"example.com"})
    for url in ("http://127.0.0.1:8080/admin", "http://169.254.169.254/latest/meta-data", "http://[::1]/",
                "http://localhost/", "http://10.1.2.3/x"):  # fmt: skip
        with pytest.raises(FaultDrop) as dropped:
            public.process_request(Request(url))
        assert dropped.value.reason == "private_address"
    assert public.process_request(Request("https://example.com/news/1")) is None
    assert middleware({"127.0.0.1:8701"}).process_request(Request("http://127.0.0.1:8701/x")) is None  # local by choice
    allowed = middleware({"example.com"}, NEWS_ALLOW_PRIVATE=True)
    assert allowed.process_request(Request("http://10.1.2.3/x")) is None
    assert not private_host("news.example.org") and private_host("192.168.0.10:80")


def test_a_run_line_names_what_it_crawled() -> None:
    """`runs` showed "-" as the site of the demo's run (two sites at once)."""
    import json

    from crawler.crawl.targets import one_line

    base = {"id": 1, "started_at": "2026-12-05T09:00:00+00:00", "status": "finished"}
    demo = {**base, "spider_args": json.dumps({"spider": "news", "start_urls": [
        "http://127.0.0.1:8701/sitemap.xml", "http://127.0.0.1:8701/", "http://127.0.0.1:8702/feed.rss"]})}  # fmt: skip
    assert " 127.0.0.1:8701+127.0.0.1:8702: crawl 1 finished" in one_line(demo)
    assert " nhk: crawl 1" in one_line({**base, "site": "nhk"})
    ingest = {**base, "spider_args": json.dumps({"spider": "news-archive", "start_urls": []})}
    assert " news-archive: crawl 1" in one_line(ingest)
