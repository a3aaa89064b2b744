"""Throughput of the real crawl against bare Scrapy, same pages, same run.

    .venv/bin/python bench/throughput.py [--pages 5000]

1. Generates a site of N article pages of about 30 KB (half Japanese, half English; JSON-LD,
   bylines, site navigation and footers on every page, an in-article repeated run like the
   NHK duplication) and a sitemap listing them.
2. Serves it with nginx (Debian's nginx-light) on 127.0.0.1 when installed, else with Python's
   threaded http.server (which caps a crawl near 160 pages/s: the figures then measure it),
   and prints the server's own capacity (requests/s from 16 client threads).
3. In the same run: bare Scrapy (a spider that reads the sitemap and fetches every page, no
   processing), then `scrapy crawl news` into SQLite. Prints pages/s of each from Scrapy's own
   elapsed time, and their ratio.
4. CPU time per page for each stage, measured in-process on a sample of the same pages with the
   crawl's own functions: parse + extraction, dates, cleaning (blocks), mentions, MinHash
   signature, storage.

Profile the crawl itself with py-spy (not installed by default):
    .venv/bin/pip install py-spy
    .venv/bin/py-spy record -o crawl.svg -- .venv/bin/python -m scrapy crawl news -a start_urls=URL -s NEWS_DB=/tmp/p.db
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
FAST = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "LOG_LEVEL": "ERROR",
    "ROBOTSTXT_OBEY": "0",
    "TELNETCONSOLE_ENABLED": "0",
}
_VOCAB_RNG = random.Random(0)
# Synthetic vocabularies with a natural (Zipf) word frequency: a few words on every page, most
# words rare, as in real text (a 70-word list would make every page share every bigram).
JA_WORDS = ["".join(chr(0x4E00 + _VOCAB_RNG.randrange(6000)) for _ in range(2)) for _ in range(4000)]
_SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in "aeiou"]
EN_WORDS = ["".join(_VOCAB_RNG.choices(_SYLLABLES, k=_VOCAB_RNG.randint(1, 3))) for _ in range(6000)]
_JA_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(JA_WORDS))))
_EN_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(EN_WORDS))))
NAV = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(40))
FOOTER = "<footer><p>Copyright Bench News. All rights reserved.</p><p>Contact us | Privacy | Terms</p></footer>"


def sentence(rng: random.Random, japanese: bool) -> str:
    """A sentence of random words: every page's text is its own, as on a real site."""
    if japanese:
        words = rng.choices(JA_WORDS, cum_weights=_JA_WEIGHTS, k=rng.randint(6, 10))
        return "、".join("".join(words[k : k + 2]) + rng.choice("はがをにでと") for k in range(0, len(words), 2)) + "。"
    words = rng.choices(EN_WORDS, cum_weights=_EN_WEIGHTS, k=rng.randint(10, 18))
    return " ".join(words).capitalize() + "."


def page(i: int) -> str:
    # Every 50th page is a syndicated copy of the page before it (the crawl links such pairs).
    rng = random.Random(i - 1 if i % 50 == 49 else i)
    japanese = i % 2 == 0 if i % 50 != 49 else (i - 1) % 2 == 0
    day = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=3 * i)
    gap = "" if japanese else " "
    paragraphs = [gap.join(sentence(rng, japanese) for _ in range(3)) for _ in range(rng.randint(25, 40))]
    run = paragraphs[2:5]
    paragraphs[12:12] = run  # an in-article repeated run
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    title = f"{'経済対策' if japanese else 'Council budget'} {i}"
    ld = json.dumps({"@type": "NewsArticle", "headline": title, "datePublished": day.isoformat(),
                     "author": {"@type": "Person", "name": "Bench Writer"}}, ensure_ascii=False)  # fmt: skip
    padding = "<!-- " + "x" * max(0, 30_000 - len(body.encode()) - 3000) + " -->"
    return (
        f'<!DOCTYPE html><html lang="{"ja" if japanese else "en"}"><head><meta charset="utf-8">'
        f'<title>{title} | Bench News</title><script type="application/ld+json">{ld}</script></head>'
        f"<body><nav><ul>{NAV}</ul></nav><main><article><h1>{title}</h1>"
        f'<p class="byline">By Bench Writer, {day:%Y-%m-%d %H:%M}</p>{body}</article></main>'
        f"{padding}{FOOTER}</body></html>"
    )


def build_site(folder: Path, pages: int, base: str) -> None:
    (folder / "news").mkdir(parents=True)
    entries = []
    for i in range(pages):
        (folder / "news" / f"{i}.html").write_text(page(i), encoding="utf-8")
        entries.append(f"<url><loc>{base}/news/{i}.html</loc></url>")
    sitemap = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    (folder / "sitemap.xml").write_text(sitemap + "".join(entries) + "</urlset>", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """nginx when installed (not the bottleneck), else Python's threaded server."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.kind = "nginx" if shutil.which("nginx") else "python http.server"
        self.proc: subprocess.Popen[bytes] | None = None
        self.httpd: ThreadingHTTPServer | None = None

    def __enter__(self) -> Server:
        if self.kind == "nginx":
            conf = self.root.parent / "nginx.conf"
            conf.write_text(
                f"worker_processes 1; daemon off; pid {self.root.parent}/nginx.pid; error_log stderr error;\n"
                "events { worker_connections 1024; }\n"
                f"http {{ access_log off; default_type text/html; types {{ application/xml xml; text/html html; }}\n"
                f"  server {{ listen 127.0.0.1:{self.port}; root {self.root}; }} }}\n"
            )
            self.proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(self.root.parent)])
        else:
            root = str(self.root)

            class Quiet(SimpleHTTPRequestHandler):
                def __init__(self, *args: object, **kwargs: object) -> None:
                    super().__init__(*args, directory=root, **kwargs)  # type: ignore[arg-type]

                def log_message(self, *args: object) -> None:
                    pass

            self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Quiet)
            self.httpd.daemon_threads = True
            threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/sitemap.xml", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()


def capacity(base: str, pages: int, seconds: float = 3.0) -> float:
    done = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        nonlocal done
        i = offset
        while time.monotonic() < stop:
            try:
                urllib.request.urlopen(f"{base}/news/{i % pages}.html", timeout=5).read()
            except OSError as exc:
                raise SystemExit(f"the server failed: {exc}") from exc
            i += 16
            with lock:
                done += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done / seconds


BARE = """
import scrapy
from scrapy.spiders import SitemapSpider
class Bare(SitemapSpider):
    name = "bare"
    def parse(self, response):
        pass
"""


def _rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else None


def machine_cpu() -> tuple[float, float]:
    """(busy, idle) core-seconds of the whole machine since boot, from /proc/stat: every process
    counts (the crawl, its workers, nginx), which is what bounds a crawl on a few cores."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / tick, idle / tick


class Cpu(NamedTuple):
    machine: float  # core-seconds the whole machine was busy during the run
    idle: float  # share of the machine's core time left idle
    crawl: float  # core-seconds of the crawl's own process (user + system)


def scrapy_run(cmd: list[str], cwd: Path) -> tuple[str, float, list[float], Cpu]:
    """Run a crawl; its log (stderr), its peak resident memory in MB (the crawl's own process,
    read from the kernel's rusage when it exits; worker processes are not counted), its
    resident memory sampled every second, to see whether it grows with the crawl's length, and
    the CPU time it took: of the whole machine, and of the crawl's own process."""
    samples: list[float] = []
    busy0, idle0 = machine_cpu()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, text=True)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                rss = _rss_mb(proc.pid)
                if rss is not None:
                    samples.append(rss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        busy1, idle1 = machine_cpu()
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        log = err.read()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[:6])} ... failed:\n{log[-3000:]}")
    busy, idle = busy1 - busy0, idle1 - idle0
    cpu = Cpu(busy, idle / max(busy + idle, 1e-9), usage.ru_utime + usage.ru_stime)
    return log, usage.ru_maxrss / 1024, samples, cpu


def cpu_line(cpu: Cpu, pages: int) -> str:
    return (f"CPU a page: {cpu.machine * 1000 / pages:5.1f} ms of core time on the machine "
            f"(the crawl's own process {cpu.crawl * 1000 / pages:4.1f}), {cpu.idle:.0%} of it idle")  # fmt: skip


def over_time(samples: list[float]) -> str:
    """Resident memory at 10%, 25%, 50%, 75% and 95% of a run's time."""
    if not samples:
        return "no samples"
    at = [samples[min(len(samples) - 1, int(len(samples) * share))] for share in (0.1, 0.25, 0.5, 0.75, 0.95)]
    return " / ".join(f"{mb:.0f}" for mb in at) + " MB"


def bare(base: str, work: Path) -> tuple[int, float, float, Cpu]:
    """Bare Scrapy: the sitemap read, every page fetched, nothing done with it. Pages and seconds
    are read from Scrapy's own stats dump at the end of its log."""
    spider = work / "bare_spider.py"
    spider.write_text(BARE + f"\nBare.sitemap_urls = [{base + '/sitemap.xml'!r}]\n")
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(spider)]
    for key, value in {**FAST, "LOG_LEVEL": "INFO"}.items():
        cmd += ["-s", f"{key}={value}"]
    log, rss, _, cpu = scrapy_run(cmd, work)
    pages = re.search(r"'response_received_count': (\d+)", log)
    seconds = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    assert pages and seconds, log[-2000:]
    return int(pages.group(1)), float(seconds.group(1)), rss, cpu


def full(
    base: str, db: Path, workers: int, extra: dict[str, str] | None = None
) -> tuple[int, float, float, list[float], Cpu]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={base}/sitemap.xml"]
    # A backfill of one site: its page budget (NEWS_SITE_PAGE_BUDGET, 20,000 a run) lifted.
    settings = {**FAST, "NEWS_DB": str(db), "NEWS_INCREMENTAL": "0", "NEWS_WORKERS": str(workers)}
    settings["NEWS_SITE_PAGE_BUDGET"] = "0"
    settings.update(extra or {})
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    _, rss, samples, cpu = scrapy_run(cmd, ROOT)
    conn = sqlite3.connect(db)
    stats = json.loads(conn.execute("select stats from crawls order by id desc").fetchone()[0])
    stored = conn.execute("select count(*) from articles").fetchone()[0]
    conn.close()
    learned = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("news/learned/")}
    if learned:
        print(f"  learned site parsers: {learned}")
    if stored < stats.get("response_received_count", 0) - 1:
        raise SystemExit(f"only {stored} articles stored of {stats.get('response_received_count')} pages")
    return int(stats.get("response_received_count", 0)), float(stats["elapsed_time_seconds"]), rss, samples, cpu


def stages(folder: Path, sample: int) -> dict[str, float]:
    """CPU ms per page of each stage, in-process, on `sample` of the generated pages."""
    from crawler.config import NewsConfig
    from crawler.extract import extract_page
    from crawler.storage import ArticleStore, open_db
    from crawler.text.dates import parse_date
    from crawler.text.finalize import article_mentions, clean_article
    from crawler.text.shingles import signature

    texts = [(folder / "news" / f"{i}.html").read_text(encoding="utf-8") for i in range(sample)]
    timing = dict.fromkeys(("parse + extraction", "dates", "blocks", "mentions", "signature", "storage"), 0.0)
    articles = []
    for i, text in enumerate(texts):
        t0 = time.process_time()
        page = extract_page(text, f"https://bench.example/news/{i}.html")
        t1 = time.process_time()
        parsed = parse_date(page.published_candidates[0][0], "Asia/Tokyo") if page.published_candidates else None
        t2 = time.process_time()
        result = clean_article(page.blocks, frozenset(), repeats=True)
        body = result.fields(page.title)["body"]
        t3 = time.process_time()
        mentions = article_mentions(body, parsed.value if parsed else None, "Asia/Tokyo")
        t4 = time.process_time()
        signature(body)
        t5 = time.process_time()
        for name, spent in zip(timing, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=False):
            timing[name] += spent
        articles.append({"url": f"https://bench.example/news/{i}.html", "site": "bench", "title": page.title,
                         "raw_blocks": page.blocks, "published_at": parsed.value if parsed else None,
                         "date_mentions": mentions, **result.fields(page.title)})  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        store = ArticleStore(open_db(Path(tmp) / "s.db"), NewsConfig())
        t0 = time.process_time()
        for start in range(0, len(articles), 200):
            store.upsert_articles(articles[start : start + 200], None)
        timing["storage"] = time.process_time() - t0
    return {name: spent * 1000 / len(texts) for name, spent in timing.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=300, help="pages timed per stage, in-process")
    parser.add_argument(
        "--workers", default="-1,0", help="NEWS_WORKERS values for the full crawl (comma-separated; -1: the default)"
    )
    parser.add_argument("--no-bare", action="store_true", help="skip bare Scrapy (a memory run)")
    parser.add_argument("--no-learn", action="store_true", help="also the default crawl with NEWS_LEARN_PAGES=0")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers run as another user: they must be able to read the site
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        build_site(work / "site", args.pages, base)
        size = sum(p.stat().st_size for p in (work / "site" / "news").iterdir()) / args.pages / 1024
        with Server(work / "site", port) as server:
            print(f"{args.pages} pages of {size:.0f} KB on average, served by {server.kind}")
            print(f"server capacity: {capacity(base, args.pages):.0f} requests/s (16 client threads)")
            bare_run = None if args.no_bare else bare(base, work)
            runs = {int(w): full(base, work / f"news{w}.db", int(w)) for w in args.workers.split(",")}
            if args.no_learn:  # the same crawl without learned site parsers (key -2)
                runs[-2] = full(base, work / "nolearn.db", -1, {"NEWS_LEARN_PAGES": "0"})
        if bare_run:
            bare_pages, bare_s, bare_rss, bare_cpu = bare_run
            label = "bare Scrapy:"
            print(f"{label:29}{bare_pages} pages in {bare_s:6.1f} s = {bare_pages / bare_s:6.1f} pages/s, "
                  f"peak RSS {bare_rss:4.0f} MB")  # fmt: skip
            print(f"{'':29}{cpu_line(bare_cpu, bare_pages)}")
        for workers, (pages, seconds, rss, samples, cpu) in runs.items():
            label = ("scrapy crawl news, default:" if workers == -1 else "default, no learning:" if workers == -2
                     else f"scrapy crawl news, {workers} workers:")  # fmt: skip
            ratio = f", ratio {pages / seconds / (bare_run[0] / bare_run[1]):.2f}" if bare_run else ""
            print(f"{label:29}{pages} pages in {seconds:6.1f} s = {pages / seconds:6.1f} pages/s, "
                  f"peak RSS {rss:4.0f} MB{ratio}")  # fmt: skip
            print(f"{'':29}RSS at 10/25/50/75/95% of the crawl: {over_time(samples)}")
            print(f"{'':29}{cpu_line(cpu, pages)}")
        print(f"CPU ms per page by stage (in-process, {args.sample} pages):")
        for name, ms in stages(work / "site", min(args.sample, args.pages)).items():
            print(f"  {name:20} {ms:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
