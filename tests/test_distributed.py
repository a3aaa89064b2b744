"""The distributed mode against a real redis-server on 127.0.0.1: workers share one frontier,
one writer stores; nothing is fetched twice, nothing is lost when a worker or the writer dies."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlite_utils

from crawler.config import NewsConfig
from crawler.crawl.distributed.batches import decode, encode
from crawler.crawl.distributed.frontier import Frontier
from crawler.crawl.distributed.seeds import push_seeds, seeds_of
from crawler.crawl.distributed.writer import Writer, WriterBusyError
from crawler.demo.server import DemoServer, demo_servers, start_urls
from crawler.storage import ArticleStore, open_db
from tests.conftest import FAST, ROOT

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def redis_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


def worker(db: Path, url: str, log: Path, **settings: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news"]
    values = {**FAST, "LOG_LEVEL": "INFO", "NEWS_DB": str(db), "NEWS_REDIS_URL": url, "NEWS_REDIS_IDLE_CLOSE": "3",
              "NEWS_REDIS_HEARTBEAT": "3", **settings}  # fmt: skip
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"))


def run_writer(db: Path, url: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "crawler", "redis", "writer", "--redis", url, "--db", str(db), "--once"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=True)


def fetched(*servers: DemoServer, failing: bool = False) -> Counter[str]:
    """Pages fetched (robots.txt is read once per worker, by Scrapy, and is not a page); with
    failing, only the pages that answered 5xx (retried, as in any crawl)."""
    return Counter(
        f"{s.base_url}{path}"
        for s in servers
        for _method, path, status in s.log
        if path != "/robots.txt" and (status >= 500) == failing
    )


def plain_articles(demo_db: tuple[Path, str]) -> set[str]:
    db = sqlite_utils.Database(demo_db[0])
    return {path_of(r["url"]) for r in db.query("select url from articles")}


def path_of(url: str) -> str:
    return url.split("/", 3)[3]


@pytest.mark.e2e
def test_two_workers_and_one_writer_fetch_each_page_once_and_store_each_article_once(
    redis_url: str, demo_db: tuple[Path, str], tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    ja, en = demo_servers()
    with ja, en:
        seeds, hosts = seeds_of(start_urls(ja, en))
        push_seeds(redis.Redis.from_url(redis_url), Frontier(NewsConfig(redis_url=redis_url)).keys, seeds, hosts)
        # Paced (as a real crawl is), so the second worker joins while there is work: an idle worker
        # looks at the shared queue on Scrapy's engine heartbeat, every 5 seconds.
        paced = {"DOWNLOAD_DELAY": "0.2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
        workers = [worker(db, redis_url, tmp_path / f"w{i}.log", **paced) for i in range(2)]
        writer = run_writer(db, redis_url)
        for proc in workers:
            assert proc.wait(60) == 0
        pages, failing = fetched(ja, en), fetched(ja, en, failing=True)
        served = len(ja.log) + len(en.log)
    assert pages and max(pages.values()) == 1, [u for u, n in pages.items() if n > 1]
    assert set(failing.values()) == {int(FAST["RETRY_TIMES"]) + 1}  # a 5xx page: tried, retried once
    logs = [(tmp_path / f"w{i}.log").read_text() for i in range(2)]
    assert all("Traceback" not in log and "eprecat" not in log for log in logs)
    assert all("scheduler/dequeued/redis" in log for log in logs)  # both workers took work
    store = sqlite_utils.Database(db)
    urls = [r["url"] for r in store.query("select url from articles")]
    assert len(urls) == len(set(urls))
    assert {path_of(u) for u in urls} == plain_articles(demo_db)  # the articles of a one-process crawl
    run = next(store.query("select * from crawls"))
    assert run["status"] == "finished" and run["articles_inserted"] == len(urls)

    # The run's counters are the workers' summed: every response the sites gave is counted once.
    def counted(name: str) -> int:
        return sum(int(m) for log in logs for m in re.findall(rf"'{name}': (\d+)", log))

    assert counted("downloader/response_count") == served
    assert run["pages_fetched"] == counted("response_received_count") > 0
    assert sum(json.loads(run["responses"]).values()) == served
    assert store["decisions"].count > len(urls) and "articles written" in writer.stderr
    r = redis.Redis.from_url(redis_url)
    assert r.llen("news:items") == 0 and r.zcard("news:requests") == 0 and not r.exists("news:dupefilter")


@pytest.mark.e2e
def test_a_worker_killed_mid_crawl_loses_no_request(redis_url: str, demo_db: tuple[Path, str], tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    slow = {"DOWNLOAD_DELAY": "0.15", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
    ja, en = demo_servers()
    with ja, en:
        seeds, hosts = seeds_of(start_urls(ja, en))
        push_seeds(redis.Redis.from_url(redis_url), Frontier(NewsConfig(redis_url=redis_url)).keys, seeds, hosts)
        victim = worker(db, redis_url, tmp_path / "victim.log", **slow)
        deadline = time.monotonic() + 60
        while sum(fetched(ja, en).values()) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
        survivor = worker(db, redis_url, tmp_path / "survivor.log", **slow)
        time.sleep(0.5)
        os.kill(victim.pid, signal.SIGKILL)  # mid-crawl, requests held
        victim.wait(10)
        run_writer(db, redis_url, timeout=180)
        assert survivor.wait(60) == 0
    survivor_log = (tmp_path / "survivor.log").read_text()
    assert "back in the queue" in survivor_log
    urls = [r["url"] for r in sqlite_utils.Database(db).query("select url from articles")]
    assert len(urls) == len(set(urls)) and {path_of(u) for u in urls} == plain_articles(demo_db)


@pytest.mark.e2e
def test_a_second_push_fetches_only_listings_and_records_a_second_run(redis_url: str, tmp_path: Path) -> None:
    """Incremental runs hold in the distributed mode: the database stays the record, a worker
    that can read it skips stored articles that are not due (a long-lived worker reads it again
    when it takes the seeds of a new run)."""
    db = tmp_path / "news.db"
    keys = Frontier(NewsConfig(redis_url=redis_url)).keys
    ja, en = demo_servers()
    with ja, en:
        seeds, hosts = seeds_of(start_urls(ja, en))
        lived = worker(db, redis_url, tmp_path / "lived.log", NEWS_REDIS_IDLE_CLOSE="0")
        push_seeds(redis.Redis.from_url(redis_url), keys, seeds, hosts)
        run_writer(db, redis_url)
        first = len(fetched(ja, en))
        before = {s: len(s.log) for s in (ja, en)}
        # What the second run's worker reads: the articles stored by the first.
        stored = {path_of(r["url"]) for r in sqlite_utils.Database(db).query("select url from articles")}
        push_seeds(redis.Redis.from_url(redis_url), keys, seeds, hosts)  # the next scheduled run
        run_writer(db, redis_url)
        lived.send_signal(signal.SIGTERM)
        assert lived.wait(30) == 0
        again = [path for s in (ja, en) for _m, path, _s in s.log[before[s] :]]
    articles = {path_of(r["url"]) for r in sqlite_utils.Database(db).query("select url from articles")}
    assert first > 40 and stored
    refetched = sorted({p.lstrip("/") for p in again} & stored)
    log = (tmp_path / "lived.log").read_text()
    said = [line for line in log.splitlines() for p in refetched if p in line]
    assert not refetched, f"stored articles that are not due were fetched again: {refetched}; the worker said {said}"
    # An article the first run missed (a fetch that timed out on a loaded machine) is fetched and
    # stored by the second: that is the incremental promise too, and is counted as such.
    runs = list(sqlite_utils.Database(db).query("select status, articles_inserted from crawls order by id"))
    assert [r["status"] for r in runs] == ["finished", "finished"]
    assert runs[1]["articles_inserted"] == len(articles - stored), (articles - stored, said)
    assert "incremental/skipped" in log


def article(i: int) -> dict[str, object]:
    return {"url": f"https://ex.com/{i}", "site": "ex.com", "title": f"T{i}", "raw_blocks": [f"Body {i}."],
            "body": f"Body {i} is a story of its own, number {i}, told at some length." * 3}  # fmt: skip


def test_a_writer_killed_before_trimming_writes_the_batch_again_and_changes_nothing(
    redis_url: str, tmp_path: Path
) -> None:
    config = NewsConfig(redis_url=redis_url, db=str(tmp_path / "n.db"))
    frontier = Frontier(config)
    server = frontier.server
    server.rpush(frontier.keys.items, *(encode({"articles": [article(i) for i in range(k, k + 5)]}) for k in (0, 5)))
    writer = Writer(ArticleStore(open_db(config.db), config), frontier)

    def dies(*args: object) -> None:
        raise KeyboardInterrupt  # killed after the commit, before the trim

    server.ltrim = dies  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        writer.drain_once()
    del server.ltrim
    assert server.llen(frontier.keys.items) == 2  # still there: written again by the next writer
    again = Writer(ArticleStore(open_db(config.db), config), frontier)
    assert again.drain_once() == 2 and server.llen(frontier.keys.items) == 0
    assert again.totals["unchanged"] == 10 and again.totals["inserted"] == 0  # nothing doubled, nothing lost
    assert sqlite_utils.Database(config.db)["articles"].count == 10


def test_one_writer_at_a_time(redis_url: str, tmp_path: Path) -> None:
    config = NewsConfig(redis_url=redis_url, db=str(tmp_path / "n.db"))
    first = Writer(ArticleStore(open_db(config.db), config), Frontier(config))
    first.lock()
    with pytest.raises(WriterBusyError, match="another writer"):
        Writer(ArticleStore(open_db(config.db), config), Frontier(config)).lock()
    first.unlock()


def test_a_busy_worker_stays_alive_and_a_stuck_one_is_let_go(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The heartbeat has a thread of its own: a reactor busy for longer than the TTL (a huge
    page, a worker pool starting) keeps what it holds; one stuck for STALLED_AFTER TTLs does not."""
    from crawler.crawl.distributed import frontier as frontier_module

    monkeypatch.setattr(frontier_module, "STALLED_AFTER", 4)
    frontier = Frontier(NewsConfig(redis_url=redis_url, redis_heartbeat=1.0))
    key = frontier.keys.worker(frontier.worker_id)
    frontier.heartbeat(force=True)
    time.sleep(2.5)  # no call from the reactor for 2.5 TTLs
    assert frontier.server.exists(key)
    deadline = time.monotonic() + 10
    while frontier.server.exists(key) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not frontier.server.exists(key)  # let go after about 4 TTLs (+ the TTL of the last beat)
    frontier.heartbeat()  # the reactor comes back: alive again
    assert frontier.server.exists(key)
    frontier.stop()


def test_batches_keep_bytes_and_text() -> None:
    batch = {"pages": [{"html_zlib": b"\x00\xff", "url": "https://ex.jp/停戦"}], "signatures": {"u": b"\x01" * 8}}
    back = decode(encode(batch))
    assert back["pages"] == batch["pages"] and back["signatures"] == batch["signatures"] and back["articles"] == []


def test_seeds_are_json_with_the_profile_and_its_hosts(redis_url: str) -> None:
    seeds, hosts = seeds_of(["nhk", "https://www.example.com/sitemap.xml"])
    assert {"url": "https://www.example.com/sitemap.xml"} in seeds
    assert all(s.get("site") == "nhk" for s in seeds if "nhk" in s["url"]) and "www.example.com" in hosts
    frontier = Frontier(NewsConfig(redis_url=redis_url))
    push_seeds(frontier.server, frontier.keys, seeds, hosts)
    assert frontier.next_seeds(100) == seeds and frontier.hosts() == set(hosts)


def test_status_shows_the_frontier(redis_url: str) -> None:
    frontier = Frontier(NewsConfig(redis_url=redis_url))
    push_seeds(frontier.server, frontier.keys, [{"url": "https://ex.com/"}], ["ex.com"])
    frontier.server.set(frontier.keys.worker("host:1:abc"), "1", ex=30)
    frontier.server.hset(frontier.keys.inflight("host:1:abc"), "1", b"x")
    frontier.server.hset(frontier.keys.inflight("gone:2:def"), "1", b"x")
    out = subprocess.run([sys.executable, "-m", "crawler", "redis", "status", "--redis", redis_url], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "seeds waiting:     1" in out and "workers alive:     1" in out
    assert "host:1:abc  holding 1 requests" in out and "gone:2:def  (no heartbeat: 1 requests" in out
    assert json.loads(frontier.server.lpop(frontier.keys.seeds)) == {"url": "https://ex.com/"}  # type: ignore[arg-type]


def test_bad_input_is_refused_in_one_line(redis_url: str) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "crawler", "redis", *args], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "NEWS_REDIS_URL": ""})  # fmt: skip

    unknown = cli("push", "no-such-site", "--redis", redis_url)
    assert unknown.returncode == 1 and "neither a URL nor a site profile" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert redis.Redis.from_url(redis_url).llen("news:seeds") == 0  # nothing half-pushed
    nothing = cli("status")
    assert nothing.returncode == 1 and "no Redis given" in nothing.stderr
    down = cli("status", "--redis", f"redis://127.0.0.1:{free_port()}/0")
    assert down.returncode == 1 and "cannot reach Redis" in down.stderr and "Traceback" not in down.stderr


@pytest.mark.e2e
def test_ingest_spread_over_workers_each_taking_whole_files(redis_url: str, tmp_path: Path) -> None:
    """WARC files pushed to Redis, two ingest workers each reading whole files, one writer."""
    from crawler.demo.warc import write_demo_warc
    from tests.test_archive import HTML, article_html, write_warc

    demo = tmp_path / "demo.warc.gz"
    write_demo_warc(demo)
    big = tmp_path / "big.warc.gz"
    write_warc(big, [(f"https://news.example.org/2023/05/s-{i}.html", 200, HTML, article_html(i)) for i in range(150)])
    db = tmp_path / "news.db"
    push = subprocess.run([sys.executable, "-m", "crawler", "redis", "push-warc", str(demo), str(big), "--db", str(db),
                           "--redis", redis_url], cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert push.returncode == 0, push.stderr[-2000:]
    assert "pushed 2 WARC files" in push.stdout
    logs = [tmp_path / f"w{i}.log" for i in range(2)]
    workers = []
    for log in logs:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "news-archive"]
        settings = {"LOG_LEVEL": "INFO", "NEWS_DB": str(db), "NEWS_REDIS_URL": redis_url,
                    "NEWS_REDIS_IDLE_CLOSE": "3", "NEWS_REDIS_HEARTBEAT": "3"}  # fmt: skip
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        workers.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w")))
    writer = run_writer(db, redis_url, timeout=240)
    for proc in workers:
        assert proc.wait(120) == 0
    assert "articles written" in writer.stderr
    store = sqlite_utils.Database(db)
    files = {r["name"]: r for r in store.query("select * from warc_files")}
    assert {f["state"] for f in files.values()} == {"done"}
    assert files["demo.warc.gz"]["records"] == 129 and files["big.warc.gz"]["records"] == 303
    assert store["articles"].count == 37 + 150
    # Each file was read whole by one worker, never split between them or read twice.
    reads = [line for log in logs for line in log.read_text().splitlines() if " reads " in line]
    assert sorted(line.rsplit(" reads ", 1)[1] for line in reads) == sorted([str(big), str(demo)])
    assert store["warc_done"].count == 0
    # Pushed again: both are known as done, nothing is queued.
    again = subprocess.run([sys.executable, "-m", "crawler", "redis", "push-warc", str(demo), str(big), "--db", str(db),
                            "--redis", redis_url], cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert "pushed 0 WARC files" in again.stdout and "2 already ingested" in again.stdout
