"""`news-crawler ingest` on real news pages against the archive baseline, same WARC, same run.

    .venv/bin/python bench/ingest_real.py [--sets dates,web,aeb,wcxb-dev] [--dragnet] [--limit N]
                                          [--repeat 1] [--keep DIR] [-s NEWS_X=Y ...]

The pages of ../shared/realpages (the one-page-a-site sets, or with --dragnet the 48 sites of
dragnet-sites, 8-23 pages each, in crawl order, a site's pages together) are written into one
gzipped WARC with their URLs, a response record each. Then, on that file:

- the baseline: one process, warcio reads every response record and
  `trafilatura.bare_extraction(html, url=url, with_metadata=True)` runs on each HTML page;
- ours: `news-crawler ingest FILE --db NEW.db`, defaults (every core), the whole command.

Printed: pages/s of both, the ratio, CPU seconds a page (ours: the command and every process it
waited for), articles stored. Skips cleanly when ../shared/realpages is absent.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "realpages"

TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+")

BASELINE = r"""
import sys, time, trafilatura
from warcio.archiveiterator import ArchiveIterator
pages = 0
with open(sys.argv[1], "rb") as fh:
    for record in ArchiveIterator(fh):
        if record.rec_type != "response":
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        ctype = record.http_headers.get_header("Content-Type") or ""
        body = record.content_stream().read()
        if "html" not in ctype:
            continue
        try:
            trafilatura.bare_extraction(body, url=url, with_metadata=True)
        except Exception:
            pass
        pages += 1
print(pages)
"""


def pages_of(sets: list[str], dragnet: bool, limit: int | None) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    if dragnet:
        labels = json.loads((REAL / "dragnet-sites" / "labels.json").read_text())
        by_site: dict[str, list[str]] = {}
        for key, value in sorted(labels.items()):
            by_site.setdefault(value["site"], []).append(key)
        for site, keys in by_site.items():
            for key in keys:
                html = gzip.decompress((REAL / "dragnet-sites" / "html" / f"{key}.html.gz").read_bytes())
                out.append((f"http://{site}/{key}.html", html))
        return out[:limit]
    for name in sets:
        base = REAL / name
        if name == "aeb":
            truth = json.loads((base / "ground-truth.json").read_text())
            items = [(v.get("url") or f"https://aeb.example/{k}", k) for k, v in sorted(truth.items())]
        else:
            labels = json.loads((base / "labels.json").read_text())
            items = [(v.get("url"), k) for k, v in sorted(labels.items())]
        for url, key in items[:limit]:
            if not (url or "").startswith(("http://", "https://")):
                url = f"https://unknown.example/{name}/{key}.html"
            out.append((url, gzip.decompress((base / "html" / f"{key}.html.gz").read_bytes())))
    # One page a URL: the sets share some pages (a URL stored twice would count once).
    return list({url: (url, body) for url, body in reversed(out)}.values())[::-1]


def write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "bench/ingest_real.py"}))
        for url, body in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-01-01T00:00:00Z"},
            )  # fmt: skip
            writer.write_record(record)


TICK = os.sysconf("SC_CLK_TCK")


def _tree_cpu(root: int, seen: dict[int, float]) -> None:
    """CPU seconds of every live process under root, read from /proc (workers a fork server
    started are not the command's children: rusage would miss them)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    for pid, cpu in times.items():
        at = pid
        while at in parents and at != root and at > 1:
            at = parents[at]
        if at == root:
            seen[pid] = max(seen.get(pid, 0.0), cpu)


def timed(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall s, CPU s of the command and every process under it, the process)."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[int, float] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            _tree_cpu(proc.pid, seen)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    done.set()
    watcher.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    main = seen.pop(proc.pid, 0.0)  # the command itself: its whole figure is in rusage
    cpu = own + sum(seen.values())
    timed.split = (main, sum(seen.values()))  # type: ignore[attr-defined]
    return wall, cpu, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def f1(pred: str, gold: str) -> float:
    p, g = Counter(TOKEN.findall(pred.casefold())), Counter(TOKEN.findall(gold.casefold()))
    common = sum((p & g).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def half(site: str) -> str:
    """Sites split in two halves by a hash of their name: tune on one, judge on the other."""
    return "A" if int(hashlib.sha1(site.encode()).hexdigest(), 16) % 2 == 0 else "B"


def score_dragnet(work: Path, settings: list[str], pages: list[tuple[str, bytes]]) -> None:
    """Body quality of the learned run against a thorough run (NEWS_LEARN_PAGES=0) of the same
    file, token F1 against dragnet's labelled text, per half of the sites; and the thorough
    run's speed (pages/s, the learned path's gain)."""
    thorough = work / "thorough.db"
    thorough.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "crawler", "ingest", str(work / "pages.warc.gz"), "--db", str(thorough)]
    for setting in [*settings, "NEWS_LEARN_PAGES=0"]:
        cmd += ["-s", setting]
    wall, cpu, proc = timed(cmd)
    assert proc.returncode == 0, proc.stderr[-2000:]
    n = len(pages)
    print(f"ours, no learned parsers: {n / wall:6.1f} pages/s  {1000 * cpu / n:6.1f} ms CPU a page")
    labels = json.loads((REAL / "dragnet-sites" / "labels.json").read_text())
    gold = {f"http://{v['site']}/{k}.html": (v["site"], v["text"]) for k, v in labels.items()}
    learned_db = sorted(work.glob("ours-*.db"))[0]
    runs = {}
    for name, db in (("learned", learned_db), ("thorough", thorough)):
        conn = sqlite3.connect(db)
        runs[name] = dict(conn.execute("select fetched_url, coalesce(title, '') || ' ' || body from articles"))
        extractors = dict(conn.execute("select fetched_url, extractor from articles"))
        if name == "learned":
            by_learned = {u for u, e in extractors.items() if e == "learned"}
    for which in ("A", "B"):
        urls = [u for u, (site, _) in gold.items() if half(site) == which]
        line = [f"half {which} ({len(urls)} pages, {len([u for u in urls if u in by_learned])} by learned parsers)"]
        for name, found in runs.items():
            scores = [f1(found.get(u, ""), gold[u][1]) for u in urls]
            line.append(f"{name} text F1 {sum(scores) / len(scores):.3f}")
        learned_only = [u for u in urls if u in by_learned]
        if learned_only:
            a = sum(f1(runs["learned"][u], gold[u][1]) for u in learned_only) / len(learned_only)
            b = sum(f1(runs["thorough"].get(u, ""), gold[u][1]) for u in learned_only) / len(learned_only)
            line.append(f"on the learned pages: learned {a:.3f}, thorough {b:.3f}")
        print("  " + "; ".join(line))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="dates,web,aeb,wcxb-dev")
    parser.add_argument("--dragnet", action="store_true", help="the 48 sites of dragnet-sites instead")
    parser.add_argument("--limit", type=int, default=None, help="the first N pages of each set")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (the best is kept)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the WARC and databases here")
    parser.add_argument("-s", dest="settings", action="append", default=[], help="NEWS_X=Y for ours")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    if not REAL.is_dir():
        print(f"skipped: {REAL} is not present")
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="ingest-real-"))
    work.mkdir(parents=True, exist_ok=True)
    pages = pages_of(args.sets.split(","), args.dragnet, args.limit)
    warc = work / "pages.warc.gz"
    write_warc(warc, pages)
    print(f"{len(pages)} pages of {len({u.split('/')[2] for u, _ in pages})} hosts in {warc}")
    base_best = ours_best = None
    stored = 0
    for run in range(args.repeat):
        if not args.no_baseline:
            wall, cpu, proc = timed([sys.executable, "-c", BASELINE, str(warc)])
            assert proc.returncode == 0, proc.stderr[-2000:]
            n = int(proc.stdout.split()[-1])
            if base_best is None or wall < base_best[0]:
                base_best = (wall, cpu, n)
        db = work / f"ours-{run}.db"
        db.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "crawler", "ingest", str(warc), "--db", str(db)]
        for setting in args.settings:
            cmd += ["-s", setting]
        wall, cpu, proc = timed(cmd)
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-3000:])
            return 1
        stored = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
        if ours_best is None or wall < ours_best[0]:
            ours_best = (wall, cpu, len(pages))
            main, others = timed.split  # type: ignore[attr-defined]
            split = f"writer {1000 * main / len(pages):.1f} ms a page, workers {1000 * others / len(pages):.1f}"
    assert ours_best is not None
    wall, cpu, n = ours_best
    rate = f"{n / wall:6.1f} pages/s  {1000 * cpu / n:6.1f} ms CPU a page"
    print(f"ours     (ingest):  {rate}  {stored} articles stored ({split})")
    if args.dragnet:
        score_dragnet(work, args.settings, pages)
    if base_best is not None:
        bwall, bcpu, bn = base_best
        print(f"baseline (loop):    {bn / bwall:6.1f} pages/s  {1000 * bcpu / bn:6.1f} ms CPU a page")
        print(f"ratio ours/baseline pages/s: {(n / wall) / (bn / bwall):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
