"""The crawl path on real pages: our spider against trafilatura-in-Scrapy, same pages, same run.

    .venv/bin/python bench/realpages.py [--sets aeb,jp,dates,web] [--limit N] [--keep DIR] [--local]

Each set of ../shared/realpages is served on 127.0.0.1 by a server that is also the crawlers'
HTTP proxy, every page at its original host and path (see Site; --local: all under 127.0.0.1),
crawled by `scrapy crawl news` into SQLite, and by the baseline spider
(bench/baseline_spider.py) into its own SQLite file; then both databases are scored
against the labels: pages stored, decisions by reason, body F1 (aeb, jp) or snippet F1 (web),
title exact, day in the publisher's local day, minute+offset and authors (jp), ms per page.
Skips cleanly when the folder is absent: the pages never enter this repository.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

import sqlite_utils
from extraction import prf  # the same token metric as bench/extraction.py
from w3lib.url import safe_url_string

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "realpages"
BENCH = Path(__file__).resolve().parent
FAST = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_TIMES": "0",
    "DOWNLOAD_TIMEOUT": "20",
    "LOG_LEVEL": "ERROR",
}
_WS = re.compile(r"\s+")


# -- the sets ------------------------------------------------------------------


@dataclass
class Case:
    key: str
    url: str  # the original URL
    html: bytes
    body: str | None = None  # aeb, jp
    title: str | None = None  # web, jp
    day: str | None = None  # dates, web, jp (YYYY-MM-DD, publisher's local day)
    instant: str | None = None  # jp: "2025-01-13 21:37:00+09:00"
    authors: list[str] = field(default_factory=list)  # jp
    with_: list[str] = field(default_factory=list)  # web
    without: list[str] = field(default_factory=list)  # web
    kind: str = "article"  # wcxb-dev: "listing" pages must not be stored
    path: str = ""  # where it is served on 127.0.0.1 (--local)
    served: str = ""  # the URL it is crawled at (its original host, through the bench's proxy)


def load_set(name: str, limit: int | None) -> list[Case]:
    base = REAL / name
    cases: list[Case] = []
    if name == "aeb":
        truth = json.loads((base / "ground-truth.json").read_text())
        for key, value in sorted(truth.items())[:limit]:
            html = gzip.decompress((base / "html" / f"{key}.html.gz").read_bytes())
            cases.append(Case(key, value.get("url") or f"https://aeb.example/{key}", html, body=value["articleBody"]))
    elif name == "jp":
        meta = json.loads((base / "meta.info").read_text())
        for file, info in sorted(meta.items())[:limit]:
            doc = next(iter(json.loads((base / f"{file.split('_')[0]}.json").read_text()).values()))
            parts = list(doc["body"].get("summary") or [])
            for section in doc["body"].get("sections") or []:
                parts += (section.get("headline") or []) + (section.get("paragraphs") or [])
            cases.append(
                Case(
                    file,
                    info["url"],
                    gzip.decompress((base / file).read_bytes()),
                    body="\n".join(parts),
                    title=doc.get("title"),
                    day=(doc.get("publishing_date") or "")[:10] or None,
                    instant=doc.get("publishing_date"),
                    authors=list(doc.get("authors") or []),
                )
            )
    else:
        labels = json.loads((base / "labels.json").read_text())
        for key, value in sorted(labels.items())[:limit]:
            html = gzip.decompress((base / "html" / f"{key}.html.gz").read_bytes())
            day = value.get("date")
            cases.append(
                Case(
                    key,
                    value.get("url") or f"https://unknown.example/{key}",  # two wcxb pages have no URL
                    html,
                    body=value.get("body"),
                    title=value.get("title"),
                    day=day if day and len(day) == 10 else None,  # wcxb: "2025-09" names no day
                    with_=list(value.get("with") or []),
                    without=list(value.get("without") or []),
                    kind=value.get("kind") or "article",
                )
            )
    seen: set[str] = set()
    served_seen: set[str] = set()
    for case in cases:
        parts = urlsplit(case.url)
        if not parts.netloc:  # labels without a real URL ("hard::site.page.html"): a path of its own
            parts = urlsplit("https://unknown.example/" + re.sub(r"[^\w.-]+", "-", case.url))
        path = ((parts.path or "/") + (f"?{parts.query}" if parts.query else "")).strip()
        if path in seen or path in {"/", "/sitemap.xml", "/robots.txt"}:
            path = f"/{parts.hostname}{path}"  # two pages of one path on different hosts
        if path in seen:
            path = f"/{case.key}{path}"
        seen.add(path)
        case.path = path
        host = _ascii_host(parts.hostname or "unknown.example")
        served = f"http://{host}{(parts.path or '/')}{'?' + parts.query if parts.query else ''}".strip()
        case.served = served if served not in served_seen else f"http://{host}/{case.key}{parts.path}".strip()
        served_seen.add(case.served)
    return cases


def _ascii_host(host: str) -> str:
    """The host as a request line carries it (IDNA: xn--...)."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


# -- serving -------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        # As a proxy, the request line holds the whole URL (http://host/path); else a path.
        pages: dict[str, tuple[str, bytes]] = self.server.pages  # type: ignore[attr-defined]
        url = self.path if self.path.startswith("http://") else self.server.base + self.path  # type: ignore[attr-defined]
        found = pages.get(unquote(url))
        self.server.hits += 1  # type: ignore[attr-defined]
        status, ctype, body = (200, *found) if found else (404, "text/html", b"<h1>404</h1>")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _sitemap(urls: list[str]) -> tuple[str, bytes]:
    entries = "".join(f"<url><loc>{escape(safe_url_string(url))}</loc></url>" for url in urls)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    return "application/xml", xml.encode()


class Site:
    """The pages of a set on 127.0.0.1. By default the server is also the crawlers' HTTP proxy
    and every page keeps its original host (http://www.example.de/2022/01/story.html): the site
    is the publisher's, as in a real crawl (its zone from the host's country, a site profile by
    host, boilerplate learned per site, not across the whole set). A sitemap per host starts our
    crawl (it stays on its start URLs' hosts); one sitemap of every page starts the baseline.
    local=True serves every page under http://127.0.0.1:PORT instead, one site for the set."""

    SITEMAP = "/.bench-sitemap.xml"

    def __init__(self, cases: list[Case], local: bool = False) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.local = local
        if local:
            for case in cases:
                case.served = self.base + case.path
        pages = {unquote(c.served): ("text/html", c.html) for c in cases}
        pages[self.base + "/sitemap.xml"] = _sitemap([c.served for c in cases])
        self.start_urls = [self.base + "/sitemap.xml"]
        if not local:
            by_host: dict[str, list[str]] = {}
            for case in cases:
                by_host.setdefault(urlsplit(case.served).netloc, []).append(case.served)
            self.start_urls = [f"http://{host}{self.SITEMAP}" for host in sorted(by_host)]
            for host, urls in by_host.items():
                pages[f"http://{host}{self.SITEMAP}"] = _sitemap(urls)
        self.httpd.pages = pages  # type: ignore[attr-defined]
        self.httpd.base = self.base  # type: ignore[attr-defined]
        self.httpd.hits = 0  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def env(self) -> dict[str, str]:
        """The crawlers' environment: every request through this server (Scrapy's
        HttpProxyMiddleware reads http_proxy), never to the network."""
        env = {k: v for k, v in os.environ.items() if k.lower() not in {"http_proxy", "https_proxy", "no_proxy"}}
        if not self.local:
            env["http_proxy"] = env["https_proxy"] = self.base
        return env

    @property
    def hits(self) -> int:
        return int(self.httpd.hits)  # type: ignore[attr-defined]

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- crawling --------------------------------------------------------------------


OURS: dict[str, str] = {}  # --set KEY=VALUE: settings of our crawl only (NEWS_WORKERS=0, ...)


def news_cmd(db: Path, *spider_args: str) -> list[str]:
    """`scrapy crawl news` with the bench's settings, into db."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news"]
    for arg in spider_args:
        cmd += ["-a", arg]
    for key, value in {**FAST, "NEWS_DB": str(db), "ROBOTSTXT_OBEY": "0", **OURS}.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def crawl_ours(site: Site, db: Path) -> float:
    cmd = news_cmd(db, f"start_urls={','.join(site.start_urls)}")
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=site.env(), check=False, capture_output=True)
    return time.perf_counter() - started


def crawl_profiles(site: Site, cases: list[Case], db: Path) -> float:
    """Mirror mode: each page crawled with the profile its original host has (-a site=NAME
    -a start_urls=<the local copy>), as a user applies a profile to a local copy."""
    from crawler.profiles import load_profiles, profile_for_url

    profiles = load_profiles()
    groups: dict[str, list[str]] = {}
    for case in cases:
        profile = profile_for_url(case.url, profiles)
        if profile is not None:
            groups.setdefault(profile.name, []).append(safe_url_string(case.served))
    started = time.perf_counter()
    for name, urls in sorted(groups.items()):
        subprocess.run(news_cmd(db, f"site={name}", f"start_urls={','.join(urls)}"), cwd=ROOT, env=site.env(),
                       check=False, capture_output=True)  # fmt: skip
    return time.perf_counter() - started


def crawl_baseline(site: Site, db: Path, workdir: Path) -> float:
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(BENCH / "baseline_spider.py")]
    cmd += ["-a", f"sitemap={site.base}/sitemap.xml", "-a", f"db={db}"]
    for key, value in {**FAST, "ROBOTSTXT_OBEY": "0"}.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in site.env().items() if k != "SCRAPY_SETTINGS_MODULE"}
    started = time.perf_counter()
    subprocess.run(cmd, cwd=workdir, env=env, check=False, capture_output=True)  # no project: plain Scrapy
    return time.perf_counter() - started


# -- scoring -------------------------------------------------------------------


def f1(pred: str, gold: str) -> float:
    return prf(pred, gold)[2]


def norm(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


@dataclass
class Found:
    """What one crawler stored for one page."""

    title: str | None = None
    body: str = ""
    day: str | None = None
    instant: str | None = None  # ISO with offset when known
    authors: list[str] = field(default_factory=list)


def ours_found(db: Path) -> tuple[dict[str, Found], dict[str, int]]:
    found: dict[str, Found] = {}
    decisions: Counter[str] = Counter()
    if not db.exists():
        return found, {}
    database = sqlite_utils.Database(db)
    columns = database["articles"].columns_dict
    for row in database.query("select * from articles"):
        local = row.get("published_local") if "published_local" in columns else None
        day = local[:10] if local else _local_day(row.get("published_at"), row.get("timezone"))
        authors = json.loads(row["authors"] or "[]")
        instant = local or row.get("published_at")
        url = unquote(row.get("fetched_url") or row["url"])
        found[url] = Found(row["title"], row["body"] or "", day, instant, authors)
    if "decisions" in database.table_names():
        for r in database.query("select kind, reason, count(*) n from decisions group by 1, 2"):
            decisions[f"{r['kind']}:{r['reason']}"] += r["n"]
    crawl = next(database.query("select * from crawls order by id desc limit 1"), None)
    if crawl:
        stats = json.loads(crawl["stats"] or "{}")
        for key in ("news/pages/listing", "news/extract/unparseable", "news/pages/non_html"):
            if stats.get(key) and not decisions:
                decisions[key.rsplit("/", 1)[-1]] += stats[key]
        for key, value in json.loads(crawl["drops"] or "{}").items():
            decisions[f"dropped:{key}"] += value
        for key, value in stats.items():
            if key.startswith("news/extract/error/"):
                decisions[key] += value
    return found, dict(decisions)


def _local_day(value: str | None, tz: str | None) -> str | None:
    if not value:
        return None
    if len(value) == 10:
        return value
    from zoneinfo import ZoneInfo

    try:
        return datetime.fromisoformat(value).astimezone(ZoneInfo(tz or "UTC")).date().isoformat()
    except (ValueError, KeyError):
        return value[:10]


def baseline_found(db: Path) -> dict[str, Found]:
    if not db.exists() or "articles" not in sqlite_utils.Database(db).table_names():
        return {}
    out = {}
    for row in sqlite_utils.Database(db).query("select * from articles"):
        authors = [a.strip() for a in (row.get("author") or "").split(";") if a.strip()]
        out[unquote(row["url"])] = Found(row["title"], row["text"] or "", row["date"], None, authors)
    return out


def htmldate_found(cases: list[Case]) -> dict[str, Found]:
    """htmldate alone on each page (the day it finds, as it finds it): the day chooser's bar."""
    import logging

    from htmldate import find_date

    logging.getLogger("htmldate").setLevel(logging.ERROR)
    out = {}
    for c in cases:
        try:
            day = find_date(c.html.decode("utf-8", "replace"), url=c.url, original_date=True)
        except (ValueError, TypeError):
            day = None
        out[unquote(c.served)] = Found(day=day)
    return out


def half_of(key: str) -> str:
    """The half of its set a page belongs to: "tune" (rules may be fitted to it) or "held" (only
    measured). Fixed by a hash of the page's key, so the halves never move between runs, and
    mixed across sites and languages. A rule that raises the tuning half and lowers the held-back
    half is not kept (bench/README.md)."""
    return "tune" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0 else "held"


def score(name: str, cases: list[Case], found: dict[str, Found]) -> dict[str, Any]:
    listings = [c for c in cases if c.kind == "listing"]
    cases = [c for c in cases if c.kind != "listing"]
    result: dict[str, Any] = {"stored": sum(unquote(c.served) in found for c in cases), "of": len(cases)}
    if listings:
        refused = sum(unquote(c.served) not in found for c in listings)
        result["listings_refused"], result["listings"] = refused / len(listings), f"{refused}/{len(listings)}"
    got = [(c, found.get(unquote(c.served), Found())) for c in cases]
    bodied = [(c, f) for c, f in got if c.body is not None]
    if bodied:
        result["body_f1"] = sum(f1(f.body, c.body or "") for c, f in bodied) / len(bodied)
    if any(c.with_ or c.without for c in cases):
        tp = fn = fp = 0
        for c, f in got:
            body = norm(f.body)
            hits = [norm(s) in body for s in c.with_]
            tp, fn = tp + sum(hits), fn + len(hits) - sum(hits)
            fp += sum(norm(s) in body for s in c.without if norm(s))
        p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
        result["snippet_f1"] = 2 * p * r / (p + r) if p + r else 0.0
        result["snippet_p"], result["snippet_r"] = p, r
    titled = [(c, f) for c, f in got if c.title]
    if titled:
        result["title_exact"] = sum(norm(f.title or "") == norm(c.title or "") for c, f in titled) / len(titled)
    dated = [(c, f) for c, f in got if c.day]
    if dated:
        right = sum((f.day or "")[:10] == c.day for c, f in dated)
        result["day"], result["days"] = right / len(dated), f"{right}/{len(dated)}"
    if name == "jp":
        result["minute_offset"] = sum(_same_instant(f.instant, c.instant) for c, f in got) / len(got)
        result["authors_f1"] = sum(_set_f1(f.authors, c.authors) for c, f in got) / len(got)
    return result


def _same_instant(ours: str | None, gold: str | None) -> bool:
    if not ours or not gold or len(ours) <= 10:
        return False
    a, b = datetime.fromisoformat(ours), datetime.fromisoformat(gold)
    # To the minute (labels drop seconds), and in the same offset.
    return a.replace(second=0) == b.replace(second=0) and a.utcoffset() == b.utcoffset()


def _set_f1(pred: list[str], gold: list[str]) -> float:
    p, g = {norm(x) for x in pred}, {norm(x) for x in gold}
    if not p and not g:
        return 1.0
    common = len(p & g)
    return 2 * common / (len(p) + len(g)) if common else 0.0


def _fmt(result: dict[str, Any]) -> str:
    parts = [f"stored {result['stored']}/{result['of']}"]
    keys = ("listings_refused", "body_f1", "snippet_f1", "snippet_p", "snippet_r", "title_exact", "day",
            "minute_offset", "authors_f1")  # fmt: skip
    for key in keys:
        if key in result:
            extra = {"day": "days", "listings_refused": "listings"}.get(key)
            parts.append(f"{key} {result[key]:.3f}" + (f" ({result[extra]})" if extra else ""))
    if "ms" in result:
        parts.append(f"{result['ms']:.1f} ms/page")
    return ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="aeb,jp,dates,web")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    parser.add_argument("--keep", type=Path, default=None, help="keep the databases in this folder")
    parser.add_argument("--misses", type=int, default=0, help="print up to N pages we miss, per set")
    parser.add_argument(
        "--misses-of", choices=("tune", "held", "all"), default="tune", help="whose misses to print (default: tune)"
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--local", action="store_true", help="serve every page under 127.0.0.1 (one site) instead of its own host"
    )
    parser.add_argument(
        "--profiles", action="store_true", help="also crawl each page with its site profile (mirror mode), jp set"
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="score each set's tuning half and held-back half apart (the halves: half_of(key))",
    )
    parser.add_argument("--htmldate", action="store_true", help="also score htmldate alone's day (find_date)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a setting of our crawl (not the baseline's)"
    )
    args = parser.parse_args()
    OURS.update(item.split("=", 1) for item in args.set)
    if not REAL.exists():
        print(f"skipped: {REAL} is not present")
        return 0
    work = Path(tempfile.mkdtemp(prefix="realpages-"))
    try:
        for name in args.sets.split(","):
            if not (REAL / name).exists():
                print(f"{name}: skipped (absent)")
                continue
            cases = load_set(name, args.limit)
            ours_db, base_db = work / f"{name}-ours.db", work / f"{name}-baseline.db"
            with Site(cases, local=args.local) as site:
                elapsed = crawl_ours(site, ours_db)
                found, decisions = ours_found(ours_db)
                if args.profiles:
                    profiled_db = work / f"{name}-profiles.db"
                    profiled_elapsed = crawl_profiles(site, cases, profiled_db)
                    profiled, _ = ours_found(profiled_db)
                if not args.no_baseline:
                    base_elapsed = crawl_baseline(site, base_db, work)
                    base_found = baseline_found(base_db)
                crawls = 1 + (not args.no_baseline) + args.profiles
                if site.hits < len(cases) * crawls:  # the crawl did not go through the proxy
                    print(f"{name}: warning: {site.hits} requests served for {len(cases)} pages x {crawls} crawls")
            ours = {**score(name, cases, found), "ms": elapsed * 1000 / len(cases)}
            print(f"{name:<6} ours     {_fmt(ours)}")
            if args.split:
                for half in ("tune", "held"):
                    part = [c for c in cases if half_of(c.key) == half]
                    if part:
                        print(f"{name:<6}   {half:<6} {_fmt({**score(name, part, found), 'ms': ours['ms']})}")
            if args.profiles:
                with_profiles = {**score(name, cases, profiled), "ms": profiled_elapsed * 1000 / len(cases)}
                print(f"{name:<6} profiles {_fmt(with_profiles)}")
            if not args.no_baseline:
                baseline = {**score(name, cases, base_found), "ms": base_elapsed * 1000 / len(cases)}
                print(f"{name:<6} baseline {_fmt(baseline)}")
                if args.split:
                    for half in ("tune", "held"):
                        part = [c for c in cases if half_of(c.key) == half]
                        if part:
                            print(
                                f"{name:<6}   {half:<6} {_fmt({**score(name, part, base_found), 'ms': baseline['ms']})}"
                            )
            if args.htmldate:
                alone = htmldate_found(cases)
                for half in ("tune", "held") if args.split else ("all",):
                    part = [c for c in cases if half in ("all", half_of(c.key)) and c.kind != "listing" and c.day]
                    if part:
                        right = sum((alone[unquote(c.served)].day or "") == c.day for c in part)
                        print(f"{name:<6} htmldate {half:<6} day {right / len(part):.3f} ({right}/{len(part)})")
            print(f"{'':<6} decisions: " + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())))
            if args.misses:
                shown = [c for c in cases if args.misses_of in ("all", half_of(c.key))]
                _print_misses(name, shown, found, args.misses)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for db in (ours_db, base_db):
                    if db.exists():
                        shutil.copy(db, args.keep / db.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _print_misses(name: str, cases: list[Case], found: dict[str, Found], limit: int) -> None:
    shown = 0
    for c in cases:
        f = found.get(unquote(c.served))
        why = None
        if f is None:
            why = "not stored"
        elif c.day and (f.day or "")[:10] != c.day:
            why = f"day {f.day} != {c.day}"
        elif c.title and norm(f.title or "") != norm(c.title):
            why = f"title {f.title!r} != {c.title!r}"
        if why and shown < limit:
            print(f"    miss {name}/{c.key} {c.served[:80]}: {why}")
            shown += 1


if __name__ == "__main__":
    raise SystemExit(main())
