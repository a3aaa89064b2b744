from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from crawler.cli import cli
from crawler.storage import open_db

ROOT = Path(__file__).resolve().parents[1]


def test_help_shows_examples() -> None:
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0 and "news-crawler demo" in top.output
    demo = runner.invoke(cli, ["demo", "--help"])
    assert demo.exit_code == 0 and "Examples:" in demo.output and "--db" in demo.output


@pytest.mark.e2e
def test_demo_command_crawls_and_prints_a_summary(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "demo", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    count = sqlite_utils.Database(db)["articles"].count
    assert count >= 30
    assert f"Articles stored: {count} ({count} new, 0 updated, 0 unchanged)" in out
    assert "Blocks stripped as in-article repeats: 11" in out
    assert "Dropped items by reason: missing_body 1, missing_title 1" in out
    assert "crawler serve" in out and "crawler search" in out and "crawler export" in out


@pytest.mark.e2e
def test_export_writes_jsonl_with_mentions(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    result = CliRunner().invoke(cli, ["export", "--db", str(demo_db[0]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == sqlite_utils.Database(demo_db[0])["articles"].count
    seed = next(r for r in records if r["url"].endswith("k10013519411.html"))
    assert seed["date_mentions"][0] == {
        "surface": "7日",
        "offset": 6,
        "value": "2022-03-07",
        "precision": "day",
        "kind": "day_of_month",
    }
    assert isinstance(seed["authors"], list) and seed["date_signals"]["published"]
    only = CliRunner().invoke(cli, ["export", "--db", str(demo_db[0]), "--site", "The Daily Example"])
    # --site takes the site's name as well as its key; an unknown one says so and fails.
    english = [json.loads(line) for line in only.stdout.splitlines()]
    assert english and all(r["site_name"] == "The Daily Example" for r in english)
    by_key = CliRunner().invoke(cli, ["export", "--db", str(demo_db[0]), "--site", english[0]["site"]])
    assert by_key.stdout == only.stdout
    unknown = CliRunner().invoke(cli, ["export", "--db", str(demo_db[0]), "--site", "Nowhere News"])
    assert unknown.exit_code == 1 and "no articles of site 'Nowhere News'" in unknown.output


def test_export_without_database_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no such database" in result.output
    assert not (tmp_path / "none.db").exists()  # nothing created


@pytest.mark.e2e
def test_reclean_reproduces_the_crawl_from_stored_pages(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "re.db"
    shutil.copy(demo_db[0], db)
    before = {r["url"]: r["body"] for r in sqlite_utils.Database(db).query("select url, body from articles")}
    # Simulate an extraction change: wipe the stored raw blocks of every article (through our
    # own connection: the search index's triggers need its functions).
    database = open_db(db)
    database.execute("update articles set raw_blocks = '[]', body = ''")
    database.conn.commit()
    result = CliRunner().invoke(cli, ["reclean", "--db", str(db), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert f"{len(before)} pages re-extracted" in result.output
    after = {r["url"]: r["body"] for r in sqlite_utils.Database(db).query("select url, body from articles")}
    assert after == before  # same text as the crawl produced, without fetching anything
    only = CliRunner().invoke(cli, ["reclean", "--db", str(db), "--no-extract", "--site", "The Daily Example"])
    assert only.exit_code == 0 and ": 1 boilerplate blocks (+0 -0), 0 articles re-cleaned" in only.output
