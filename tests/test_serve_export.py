"""`serve` (a real Datasette on 127.0.0.1 while a crawl writes), `export` with filters and its
schema, `search` and `report --chart`, through the real command line."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
import sqlite_utils
from click.testing import CliRunner

from crawler.cli import cli
from crawler.config import NewsConfig
from crawler.storage import ArticleStore, open_db
from crawler.storage.jsonl import SCHEMA_PATH

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(quote(url, safe=":/?&=_.-"), timeout=10) as response:
        return json.loads(response.read())


def start_serve(db: Path, port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve", str(db), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            get_json(f"http://127.0.0.1:{port}/-/versions.json")
            return proc
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read() if proc.stdout else "serve exited") from None
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("serve did not start")


def story(i: int) -> dict[str, Any]:
    return {
        "url": f"http://127.0.0.1/live/{i}",
        "site": "live",
        "title": f"停戦交渉 第{i}報",
        "body": f"停戦に向けた協議が続いている。速報 {i}。",
        "raw_blocks": [f"停戦に向けた協議が続いている。速報 {i}。"],
        "language": "ja",
        "published_at": "2022-03-08",
    }


def test_serve_reads_consistently_while_a_crawl_writes(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    db.write_bytes(demo_db[0].read_bytes())
    port = free_port()
    proc = start_serve(db, port)
    base = f"http://127.0.0.1:{port}/live"
    seen: list[tuple[int, int]] = []
    errors: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                total = get_json(f"{base}/articles.json?_size=0")["filtered_table_rows_count"]
                hits = get_json(f"{base}/article_list.json?_search=停戦交渉&_shape=array&_size=max")
                seen.append((total, len(hits)))
            except Exception as exc:  # any failure of the reader is the test's failure
                errors.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        store = ArticleStore(open_db(db, timeout=30), NewsConfig())
        before = store.db["articles"].count
        for batch in range(20):  # a crawl's batches, one transaction each
            store.upsert_articles([story(batch * 10 + i) for i in range(10)], None)
            time.sleep(0.02)
        time.sleep(0.5)
    finally:
        done.set()
        reader.join(timeout=30)
    try:
        assert not errors, errors[:3]
        assert len(seen) >= 5
        totals = [t for t, _ in seen]
        assert totals == sorted(totals)  # never a step back: each read sees whole transactions
        assert all(before <= t <= before + 200 for t in totals)
        final = get_json(f"{base}/article_list.json?_search=停戦交渉&_shape=array&_size=max")
        assert len(final) == 200 + sum("停戦交渉" in (r["title"] or "") for r in final if "/live/" not in r["url"])
        # Read-only: Datasette refuses anything but a select.
        try:
            urllib.request.urlopen(f"{base}.json?sql=delete+from+articles", timeout=10)
        except urllib.error.HTTPError as exc:
            assert exc.code == 400
        assert sqlite_utils.Database(db)["articles"].count == before + 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_refuses_what_is_not_ours(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    sqlite_utils.Database(other)["notes"].insert({"text": "mine"})
    result = CliRunner().invoke(cli, ["serve", str(other), "--port", "0"])
    assert result.exit_code == 1 and "not a news-crawler database" in result.output
    assert CliRunner().invoke(cli, ["serve", str(tmp_path / "none.db")]).exit_code == 1


def run_export(db: Path, *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["export", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_export_filters(demo_db: tuple[Path, str]) -> None:
    db = demo_db[0]
    rows = sqlite_utils.Database(db).query("select * from articles")
    everything = list(rows)
    assert len(run_export(db)) == len(everything)
    ja = run_export(db, "--language", "ja")
    assert ja and {r["language"] for r in ja} == {"ja"} and len(ja) < len(everything)
    day = run_export(db, "--since", "2022-03-09", "--until", "2022-03-09")
    truth = {r["url"] for r in everything if (r["published_local"] or r["published_at"] or "")[:10] == "2022-03-09"}
    assert day and {r["url"] for r in day} == truth
    no_dup = run_export(db, "--no-duplicates")
    assert len(no_dup) == sum(r["duplicate_of"] is None for r in everything) < len(everything)
    crawl = run_export(db, "--crawl", "1")
    assert len(crawl) == sum(r["crawl_id"] == 1 for r in everything)
    assert run_export(db, "--changed-since", "2999-01-01") == []
    assert len(run_export(db, "--changed-since", "2000-01-01T00:00+09:00")) == len(everything)
    picked = run_export(db, "--fields", "title,url,date_mentions")
    assert all(list(r) == ["title", "url", "date_mentions"] for r in picked)
    bad = CliRunner().invoke(cli, ["export", "--db", str(db), "--fields", "title,nope"])
    assert bad.exit_code == 2 and "unknown field 'nope'" in bad.output
    bad_day = CliRunner().invoke(cli, ["export", "--db", str(db), "--since", "yesterday"])
    assert bad_day.exit_code == 2


def test_export_matches_its_json_schema(demo_db: tuple[Path, str]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    records = run_export(demo_db[0])
    for record in records:
        errors = list(validator.iter_errors(record))
        assert not errors, (record["url"], errors[0].message)
    # The schema names every field an export can carry, and nothing else.
    assert set(schema["properties"]) == set().union(*(r.keys() for r in records))
    assert any(r["date_mentions"] for r in records)
    printed = CliRunner().invoke(cli, ["export", "--schema"])
    assert json.loads(printed.output) == schema


def test_export_is_utf8_and_ends_cleanly_on_a_closed_pipe_or_a_full_disk(demo_db: tuple[Path, str]) -> None:
    db = demo_db[0]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cmd = f"{sys.executable} -m crawler export --db {db} | head -n 1"
    piped = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ROOT, capture_output=True, text=True, env=env)
    assert piped.returncode == 0, piped.stderr
    assert "Traceback" not in piped.stderr and "Broken pipe" not in piped.stderr
    assert len(piped.stdout.splitlines()) == 1 and "\\u" not in piped.stdout  # UTF-8, not \\u escapes
    full = subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--db", str(db), "-o", "/dev/full"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert full.returncode == 1
    assert full.stderr.strip().splitlines() == ["Error: cannot write /dev/full: No space left on device"]


def test_search_command_and_report_chart(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    db = demo_db[0]
    result = CliRunner().invoke(cli, ["search", "停戦", "--db", str(db)])
    assert result.exit_code == 0 and "[停戦]" in result.stdout
    assert "k10013519522.html" in result.stdout.splitlines()[2]  # best match first
    chart = tmp_path / "per-day.png"
    report = CliRunner().invoke(cli, ["report", "--db", str(db), "--chart", str(chart)])
    assert report.exit_code == 0, report.output
    assert "2022-03-08" in report.output and f"chart written to {chart}" in report.output
    # The day counts add up to what is stored (it said 35 where the database holds 37, unexplained).
    counted = int(report.output.split(" articles on ")[0].split()[-1])
    stored = sqlite_utils.Database(db)["articles"].count
    if stored > counted:
        assert f"({stored} stored: " in report.output and "neither is counted by day" in report.output
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    unwritable = CliRunner().invoke(cli, ["report", "--db", str(db), "--chart", str(tmp_path / "no" / "x.png")])
    assert unwritable.exit_code == 1 and "cannot write" in unwritable.output


def test_export_shows_progress_on_a_terminal_only(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    import pty

    out = tmp_path / "a.jsonl"
    main, terminal = pty.openpty()
    cmd = [sys.executable, "-m", "crawler", "export", "--db", str(demo_db[0])]
    try:
        subprocess.run([*cmd, "-o", str(out)], cwd=ROOT, stderr=terminal, stdout=subprocess.DEVNULL, check=True)
        shown = os.read(main, 65536).decode("utf-8", "replace")
    finally:
        os.close(terminal)
        os.close(main)
    assert "exporting" in shown and "100%" in shown
    piped = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    assert "exporting" not in piped.stderr and len(piped.stdout.splitlines()) == len(out.read_text().splitlines())


def _read_only_mount(source: Path, target: Path) -> bool:
    """A read-only bind mount of source at target (a read-only disk); False where mounting is
    not allowed (the test is then skipped)."""
    target.mkdir()
    first = subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True)
    if first.returncode != 0:
        return False
    ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], capture_output=True)
    if ro.returncode != 0:
        subprocess.run(["umount", str(target)], capture_output=True)
        return False
    return True


def test_the_read_commands_read_a_database_on_a_read_only_disk(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    """search, export, report, runs and serve once refused a read-only database with "cannot write"."""
    db, _ = demo_db
    source = tmp_path / "source"
    source.mkdir()
    with sqlite3.connect(source / "news.db") as copy, sqlite3.connect(db) as original:
        original.backup(copy)
    mounted = tmp_path / "ro"
    if not _read_only_mount(source, mounted):
        pytest.skip("no read-only bind mount here (needs mount privileges)")
    try:
        path = str(mounted / "news.db")

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            # Its own process, as a user runs it: the file is closed when it ends (the mount must go).
            return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True,
                                  text=True, timeout=120)  # fmt: skip

        for command in (["search", "停戦"], ["export"], ["report"], ["runs"], ["profiles", "learned"]):
            result = run(*command, "--db", path)
            assert result.returncode == 0, (command, result.stderr[-2000:])
        assert "停戦" in run("search", "停戦", "--db", path).stdout
        served = run("serve", path, "--get", "/news/article_list.json?_shape=array&_size=2")
        assert served.returncode == 0 and '"title"' in served.stdout, served.stderr[-2000:]
        assert sorted(p.name for p in mounted.iterdir()) == ["news.db"]
    finally:
        if subprocess.run(["umount", str(mounted)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mounted)], capture_output=True)


def test_reading_an_empty_file_writes_nothing_into_it(tmp_path: Path) -> None:
    """`search` on an empty file once wrote a schema into it."""
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for command in (["search", "x"], ["export"], ["report"], ["runs"]):
        result = CliRunner().invoke(cli, [*command, "--db", str(empty)])
        assert result.exit_code == 1 and "an empty file, not a news-crawler database" in result.output, result.output
    assert empty.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]
