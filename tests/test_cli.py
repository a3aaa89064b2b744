from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlite_utils
from click.testing import CliRunner

from crawler.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_help_shows_examples() -> None:
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0 and "python -m crawler demo" in top.output
    demo = runner.invoke(cli, ["demo", "--help"])
    assert demo.exit_code == 0 and "Examples:" in demo.output and "--db" in demo.output


def test_demo_command_crawls_and_prints_a_summary(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "demo", "--db", str(db)],
        cwd=ROOT,
        env=env,
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
    assert "datasette serve -i" in out and "sqlite-utils rows" in out
