"""`news-crawler redis ...`: push seeds, run the writer, run a worker, see the frontier."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

import click

from crawler.cli.common import news_config, project_settings, setting_option
from crawler.cli.ingest import archive_filters, check_archives, expand

redis_option = click.option(
    "--redis",
    "redis_url",
    default=None,
    metavar="URL",
    help="Redis of the shared frontier (default: the NEWS_REDIS_URL setting or environment variable).",
)


def _config(redis_url: str | None, overrides: tuple[str, ...], db: str | None = None) -> Any:
    settings = project_settings(overrides)
    url = redis_url or settings.get("NEWS_REDIS_URL") or os.environ.get("NEWS_REDIS_URL")
    if not url:
        raise click.ClickException("no Redis given: --redis redis://HOST:PORT/DB, or the NEWS_REDIS_URL setting")
    settings.set("NEWS_REDIS_URL", url, priority="cmdline")
    if db:
        settings.set("NEWS_DB", db, priority="cmdline")
    return news_config(settings)


def _frontier(config: Any) -> Any:
    import redis

    from crawler.crawl.distributed.frontier import Frontier

    frontier = Frontier(config)
    try:
        frontier.server.ping()
    except redis.RedisError as exc:
        raise click.ClickException(f"cannot reach Redis at {config.redis_url}: {exc}") from exc
    return frontier


@click.group("redis")
def redis_group() -> None:
    """The distributed mode: workers on any machines share one frontier in Redis; one writer
    stores their results in SQLite."""


@redis_group.command("push")
@click.argument("targets", nargs=-1, required=True, metavar="SITE|URL...")
@redis_option
@setting_option
def push_command(targets: tuple[str, ...], redis_url: str | None, overrides: tuple[str, ...]) -> None:
    """Push site profiles (their entry points) or start URLs for the workers to crawl."""
    from crawler.crawl.distributed.seeds import push_seeds, seeds_of
    from crawler.crawl.targets import TargetError

    frontier = _frontier(_config(redis_url, overrides))
    try:
        seeds, hosts = seeds_of(list(targets))
    except TargetError as exc:
        raise click.ClickException(str(exc)) from exc
    pushed = push_seeds(frontier.server, frontier.keys, seeds, hosts)
    click.echo(f"pushed {pushed} seeds to {frontier.keys.seeds} ({', '.join(hosts)})")


@redis_group.command("push-warc")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--db", default=None, help="The writer's SQLite file, where WARC files are registered (default: NEWS_DB)."
)
@archive_filters
@redis_option
@setting_option
def push_warc_command(
    paths: tuple[str, ...],
    db: str | None,
    filters: dict[str, Any],
    redis_url: str | None,
    overrides: tuple[str, ...],
) -> None:
    """Push WARC files for ingest workers (`redis worker --archive`): each worker takes whole files.

    The files are registered in the writer's database first: one ingested whole is not pushed
    again, and a file a stopped run left part-way is pushed with its records already stored,
    which the worker skips. PATH must be readable at the same path on the workers' machines (a
    shared or synced folder).
    """
    import json
    from pathlib import Path

    from crawler.storage import DatabaseError, open_db
    from crawler.storage import archives as registry

    config = _config(redis_url, overrides, db)
    files, urls = expand(paths)
    if urls:
        raise click.UsageError("push-warc takes local paths; download URLs first (news-crawler ingest fetches them)")
    check_archives(files, filters)
    frontier = _frontier(config)
    try:
        store = open_db(config.db, config.db_timeout)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    seeds, skipped = [], 0
    for file in files:
        row = registry.register(store, file, source=file)
        if row["state"] == "done":
            skipped += 1
            continue
        done = sorted(registry.done_offsets(store, row["id"]))
        seeds.append({"path": str(Path(file).resolve()), "file_id": row["id"], "done": done, "filters": filters})
    if seeds:
        frontier.server.rpush(frontier.keys.warcs, *(json.dumps(seed) for seed in seeds))
    click.echo(f"pushed {len(seeds)} WARC files to {frontier.keys.warcs} ({skipped} already ingested, not pushed)")


@redis_group.command("writer")
@click.option("--db", default=None, help="SQLite file to write (default: the NEWS_DB setting, data/news.db).")
@click.option("--once", is_flag=True, help="Stop after the first run has drained and been recorded.")
@click.option("--settle", default=3.0, show_default=True, help="Seconds of a drained frontier that close a run.")
@redis_option
@setting_option
def writer_command(
    db: str | None, once: bool, settle: float, redis_url: str | None, overrides: tuple[str, ...]
) -> None:
    """Drain the workers' batches into the database (the only process that writes it)."""
    from crawler.crawl.distributed.writer import Writer, WriterBusyError
    from crawler.storage import ArticleStore, DatabaseError, open_db

    config = _config(redis_url, overrides, db)
    frontier = _frontier(config)
    try:
        store = ArticleStore(open_db(config.db, config.db_timeout), config)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"writer: {frontier.keys.items} -> {config.db}", err=True)
    try:
        written = Writer(store, frontier, settle=settle).run(once=once, stop=lambda: stopping)
    except WriterBusyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"writer: {written} articles written", err=True)


@redis_group.command("worker", context_settings={"ignore_unknown_options": True})
@redis_option
@click.option("--idle-close", default=0.0, show_default=True,
              help="Stop after the frontier has been empty this many seconds (0: wait for the next push).")  # fmt: skip
@click.option("--archive", is_flag=True, help="An ingest worker: reads whole WARC files pushed with push-warc.")
@setting_option
def worker_command(redis_url: str | None, idle_close: float, archive: bool, overrides: tuple[str, ...]) -> None:
    """Run one crawl worker (`scrapy crawl news` on the shared frontier), or with --archive one
    ingest worker (`scrapy crawl news-archive`); start one per core."""
    config = _config(redis_url, overrides)
    spider = "news-archive" if archive else "news"
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"NEWS_REDIS_URL={config.redis_url}",
           "-s", f"NEWS_REDIS_IDLE_CLOSE={idle_close}"]  # fmt: skip
    for item in overrides:
        cmd += ["-s", item]
    os.execv(sys.executable, cmd)  # the worker is this process: signals (SIGTERM, Ctrl-C) reach Scrapy


@redis_group.command("status")
@redis_option
@setting_option
def status_command(redis_url: str | None, overrides: tuple[str, ...]) -> None:
    """Queue length, fingerprints seen, batches waiting for the writer, live workers."""
    frontier = _frontier(_config(redis_url, overrides))
    server, keys = frontier.server, frontier.keys
    workers = sorted(k.decode()[len(keys.worker("")) :] for k in server.scan_iter(match=keys.worker_pattern))
    held: dict[str, int] = {}
    for raw in server.scan_iter(match=keys.inflight_pattern):
        key = raw.decode()
        if not key.endswith(":n"):
            held[key[len(keys.inflight("")) :]] = int(server.hlen(raw))
    writer = server.get(keys.writer)
    click.echo(f"seeds waiting:     {server.llen(keys.seeds)}")
    click.echo(f"WARC files queued: {server.llen(keys.warcs)}")
    click.echo(f"requests queued:   {server.zcard(keys.requests)}")
    click.echo(f"requests seen:     {server.scard(keys.dupefilter)}")
    click.echo(f"batches waiting:   {server.llen(keys.items)}")
    click.echo(f"writer:            {writer.decode() if isinstance(writer, bytes) else 'none'}")
    click.echo(f"workers alive:     {len(workers)}")
    for worker in workers:
        click.echo(f"  {worker}  holding {held.pop(worker, 0)} requests")
    for worker, count in held.items():
        click.echo(f"  {worker}  (no heartbeat: {count} requests go back to the queue)")
    click.echo(f"at {time.strftime('%Y-%m-%d %H:%M:%S')}")
