"""Shared fixtures: the demo sites on 127.0.0.1 and a runner for real `scrapy crawl` processes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from crawler.demo.server import DemoServer, demo_servers

# The tests never read the profiles of the person running them (~/.config/news-crawler/sites):
# every process they start inherits an empty config folder of their own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="news-tests-config-")
os.environ.pop("NEWS_PROFILES_DIR", None)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Local servers need no politeness; a short timeout keeps failures fast.
FAST = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_TIMES": "1",
    "DOWNLOAD_TIMEOUT": "10",
    "LOG_LEVEL": "INFO",
}


def run_crawl(db: Path, *spider_args: str, settings: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real spider in its own process, as a user would."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news"]
    for arg in spider_args:
        cmd += ["-a", arg]
    for key, value in {**FAST, "NEWS_DB": str(db), **(settings or {})}.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


@pytest.fixture(scope="session")
def demo_sites() -> Iterator[tuple[DemoServer, DemoServer]]:
    ja, en = demo_servers()
    with ja, en:
        yield ja, en


@pytest.fixture(scope="session")
def demo_db(demo_sites: tuple[DemoServer, DemoServer], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One real crawl of both demo sites, shared by the end-to-end tests. Returns (db path, log)."""
    from crawler.demo.server import start_urls

    ja, en = demo_sites
    db = tmp_path_factory.mktemp("e2e") / "news.db"
    proc = run_crawl(db, "start_urls=" + ",".join(start_urls(ja, en)))
    return db, proc.stderr


@pytest.fixture()
def open_demo_db(demo_db: tuple[Path, str]) -> sqlite_utils.Database:
    return sqlite_utils.Database(demo_db[0])
