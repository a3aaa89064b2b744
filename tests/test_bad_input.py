"""Bad input at the command line: one clear line, a non-zero exit, no file touched."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from crawler.cli import cli
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e  # real `scrapy` processes


def scrapy_crawl(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", *args, "-s", "DOWNLOAD_TIMEOUT=5", "-s", "RETRY_TIMES=0"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def foreign_db(tmp_path: Path) -> Path:
    path = tmp_path / "their-app.db"
    sqlite_utils.Database(path)["customers"].insert({"name": "Ada"})
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["news"], "nothing to crawl: give -a start_urls=URL"),
        (["news", "-a", "start_urls=notaurl"], "start URL 'notaurl' is not an http(s) URL"),
        (["news", "-a", "site=nosuchprofile"], "no site profile named 'nosuchprofile' (known: asahi, chunichi,"),
        (["news", "-a", "start_urls=http://127.0.0.1:9/", "-a", "tz=Mars/Olympus"], "unknown timezone 'Mars/Olympus'"),
        (["news", "-a", "start_urls=http://127.0.0.1:9/", "-a", "follow_depth=two"], "follow_depth must be a whole"),
        (["news", "-a", "start_urls=http://127.0.0.1:9/", "-s", "NEWS_DB=/proc/news.db"], "NEWS_DB: /proc/news.db"),
        (["news", "-a", "start_urls=http://127.0.0.1:9/", "-s", "NEWS_DB_BATCH_SIZE=many"], "NEWS_DB_BATCH_SIZE"),
        (["nosuchspider"], "no spider named 'nosuchspider'"),
    ],
)
def test_scrapy_crawl_refuses_bad_input_in_one_line(args: list[str], message: str) -> None:
    proc = scrapy_crawl(*args)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"scrapy crawl {args[0]}: error: " + proc.stderr.split("error: ", 1)[1].strip()
    ]
    assert message in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("kind", ["text", "foreign"])
def test_scrapy_crawl_refuses_a_database_that_is_not_ours(kind: str, tmp_path: Path, foreign_db: Path) -> None:
    path = foreign_db if kind == "foreign" else tmp_path / "notes.txt"
    if kind == "text":
        path.write_text("shopping list\n")
    before = digest(path)
    proc = scrapy_crawl("news", "-a", "start_urls=http://127.0.0.1:9/", "-s", f"NEWS_DB={path}")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(path) in proc.stderr
    assert ("not an SQLite database" if kind == "text" else "not a news-crawler database") in proc.stderr
    assert digest(path) == before


def test_a_crawl_that_fetches_nothing_exits_non_zero(tmp_path: Path) -> None:
    proc = scrapy_crawl("news", "-a", "start_urls=http://127.0.0.1:9/", "-s", f"NEWS_DB={tmp_path / 'n.db'}")
    assert proc.returncode == 1
    assert "crawl fetched nothing" in proc.stderr


@pytest.mark.parametrize("command", [["export"], ["reclean"], ["reclean", "--no-extract"]])
def test_export_and_reclean_refuse_another_applications_database(command: list[str], foreign_db: Path) -> None:
    before = digest(foreign_db)
    result = CliRunner().invoke(cli, [*command, "--db", str(foreign_db)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {foreign_db}: not a news-crawler database (tables: customers); refusing to touch it"
    ]
    assert digest(foreign_db) == before
    assert sqlite_utils.Database(foreign_db).table_names() == ["customers"]


def test_bad_setting_override_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "x.db"), "-s", "NEWS_DB_TIMEOUT=soon"])
    assert (
        result.exit_code == 1 and result.output.strip() == "Error: setting NEWS_DB_TIMEOUT: 'soon' is not a valid float"
    )
    result = CliRunner().invoke(cli, ["export", "-s", "NOEQUALS"])
    assert result.exit_code == 2 and "is not NAME=VALUE" in result.output


@pytest.mark.parametrize("url", ["http://", "http:///x", "https://:80/"])
def test_a_start_url_without_a_host_is_one_line_and_touches_nothing(url: str, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    result = CliRunner().invoke(cli, ["crawl", url, "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"Error: start URL {url!r} is not an http(s) URL with a host (e.g. https://example.com/)"
    ]
    assert list(tmp_path.iterdir()) == []  # no database, no .locks


def test_news_crawler_crawl_of_a_dead_site_exits_1_in_few_lines(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", "http://127.0.0.1:9/", "--db",
                           str(tmp_path / "n.db"), "-s", "RETRY_TIMES=0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 1
    assert "127.0.0.1:9: nothing fetched (fetch/error/" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) < 10, proc.stderr


def test_components_off_by_default_say_nothing(tmp_path: Path) -> None:
    """Every run printed three "Disabled ..." warnings: the progress line, the Redis acks and the
    WARC recorder, all off by default."""
    proc = scrapy_crawl("news", "-a", "start_urls=http://127.0.0.1:9/", "-s", f"NEWS_DB={tmp_path / 'n.db'}",
                        "-s", "LOG_LEVEL=WARNING", "-s", "RETRY_TIMES=0")  # fmt: skip
    assert "Disabled" not in proc.stderr, proc.stderr[-2000:]
