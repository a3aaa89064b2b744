"""Command line: python -m crawler <command>."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from crawler.clicommon import news_config, open_existing, project_settings, setting_option
from crawler.distributed.commands import redis_group
from crawler.schedule.commands import crawl_command, profiles_group, runs_command, schedule_command

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.storage import ArticleStore

DEMO_PORTS = (8701, 8702)


@click.group()
@click.version_option(package_name=None, version=__import__("crawler").__version__)
def cli() -> None:
    """news-crawler: crawl news sites into a clean SQLite database.

    \b
    Examples:
        news-crawler demo
        news-crawler demo --db /tmp/news.db
        news-crawler export --db data/news.db > articles.jsonl
        scrapy crawl news -a start_urls=https://example.com/sitemap.xml -s NEWS_DB=data/news.db
    """


def _demo_settings(db: str, log_level: str, overrides: tuple[str, ...]) -> Settings:
    settings = project_settings()
    # The demo server is ours and local: no politeness delays.
    settings.setdict(
        {
            "NEWS_DB": db,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "RETRY_TIMES": 1,
            "LOG_LEVEL": log_level,
        },
        priority="cmdline",
    )
    for item in overrides:
        name, _, value = item.partition("=")
        settings.set(name.strip(), value, priority="cmdline")
    return settings


def stored_site(store: ArticleStore, site: str | None, path: str) -> str | None:
    """The stored site key a --site option means (key or name), or one clear error."""
    from crawler.storage.export import resolve_site, site_names

    if not site:
        return None
    key = resolve_site(store.db, site)
    if key is None:
        known = ", ".join(site_names(store.db)) or "none"
        raise click.ClickException(f"no articles of site {site!r} in {path} (sites: {known})")
    return key


@cli.command()
@click.option("--db", default="data/news.db", show_default=True, help="SQLite file to write.")
@click.option(
    "--serve", is_flag=True, help="Only serve the demo sites (until Ctrl-C) so you can run `scrapy crawl` yourself."
)
@click.option("--log-level", default="WARNING", show_default=True, help="Scrapy log level for the crawl.")
@setting_option
def demo(db: str, serve: bool, log_level: str, overrides: tuple[str, ...]) -> None:
    """Serve the bundled demo news sites on 127.0.0.1 and crawl them into DB.

    Two sites are served: a Japanese NHK-style site (sitemap index with a
    gzipped child sitemap, Japanese date forms, Shift_JIS and EUC-JP pages)
    and an English one (RSS and Atom feeds, bad pages, a 404, a 500 and a PDF).
    Ports 8701/8702 are used when free, so re-running updates the same rows.

    \b
    Examples:
        python -m crawler demo
        python -m crawler demo --db /tmp/news.db
        python -m crawler demo --serve
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.demo.server import demo_servers, free_or_zero, start_urls
    from crawler.report import summarize
    from crawler.storage import open_db
    from crawler.storage.runs import last_crawl

    ja, en = demo_servers(free_or_zero(DEMO_PORTS[0]), free_or_zero(DEMO_PORTS[1]))
    with ja, en:
        urls = start_urls(ja, en)
        click.echo(f"Demo sites: {ja.base_url}/ (Japanese, NHK-style)  {en.base_url}/ (English)")
        if serve:
            click.echo("Crawl them with:")
            click.echo(f"  scrapy crawl news -a start_urls={','.join(urls)} -s NEWS_DB={db}")
            click.echo("Ctrl-C to stop.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return
        started = time.monotonic()
        process = CrawlerProcess(_demo_settings(db, log_level, overrides))
        process.crawl("news", start_urls=",".join(urls))
        process.start()
        elapsed = time.monotonic() - started
    crawl = last_crawl(open_db(db)) if Path(db).exists() else None
    if crawl is None:
        click.echo("The crawl did not start: see the log above.", err=True)
        sys.exit(1)
    for line in summarize(crawl, db):
        click.echo(line)
    click.echo(f"Demo finished in {elapsed:.1f} s.")
    venv_bin = os.path.relpath(Path(sys.executable).parent)
    click.echo("Next:")
    click.echo(f"  {venv_bin}/news-crawler serve {db}    # browse and search in Datasette, read-only, on 127.0.0.1")
    click.echo(f"  {venv_bin}/news-crawler search 停戦 --db {db}    # full-text search, Japanese included")
    click.echo(f"  {venv_bin}/news-crawler export --db {db} > articles.jsonl    # export JSONL")
    if crawl.get("status") != "finished":
        sys.exit(1)


DAY = click.DateTime(formats=["%Y-%m-%d"])


@cli.command()
@click.option("--db", default=None, help="SQLite file to read (default: the NEWS_DB setting, data/news.db).")
@click.option("--site", default=None, help="Only this site: its key (profile name or host) or its name.")
@click.option("--language", default=None, help="Only this language (primary subtag: ja, en).")
@click.option("--since", type=DAY, default=None, help="Published on or after this local day (YYYY-MM-DD).")
@click.option("--until", type=DAY, default=None, help="Published on or before this local day (YYYY-MM-DD).")
@click.option("--crawl", "crawl_id", type=int, default=None, help="Only articles last written by this crawl id.")
@click.option(
    "--changed-since",
    default=None,
    metavar="ISO",
    help="Only articles first stored or changed at or after this UTC time (2026-11-01 or 2026-11-01T06:00).",
)
@click.option(
    "--duplicates/--no-duplicates",
    default=True,
    show_default=True,
    help="Include near-duplicates (articles with duplicate_of set).",
)
@click.option("--fields", default=None, metavar="A,B,...", help="Only these fields, in this order (see --schema).")
@click.option("--schema", "show_schema", is_flag=True, help="Print the JSON Schema of a record and exit.")
@click.option("-o", "--output", default="-", metavar="FILE", help="File to write (default: stdout, `-`).")
@setting_option
def export(
    db: str | None,
    site: str | None,
    language: str | None,
    since: datetime | None,
    until: datetime | None,
    crawl_id: int | None,
    changed_since: str | None,
    duplicates: bool,
    fields: str | None,
    show_schema: bool,
    output: str,
    overrides: tuple[str, ...],
) -> None:
    """Write articles as JSON Lines (UTF-8), one object per article, in constant memory.

    Records follow the versioned JSON Schema in crawler/schema/ (print it with
    --schema): JSON columns (authors, date_signals) decoded, date_mentions
    nested. Days are the publisher's local days. A progress bar is shown on
    the terminal when writing to a file.

    \b
    Examples:
        news-crawler export > articles.jsonl
        news-crawler export --site demo-nhk --since 2022-03-08 -o nhk.jsonl
        news-crawler export --language ja --no-duplicates --fields url,title,body,published_local
        news-crawler export --changed-since 2026-11-28T00:00 | head -n 5
    """
    from crawler.jsonl import SCHEMA_PATH, write_jsonl
    from crawler.storage.export import ExportFilter, count_export, export_fields, iter_export

    if show_schema:
        click.echo(SCHEMA_PATH.read_text(encoding="utf-8"), nl=False)
        return
    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_existing(path, config)
    known = export_fields(store.db)
    chosen = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    unknown = [f for f in chosen or [] if f not in known]
    if unknown:
        raise click.BadParameter(f"unknown field {unknown[0]!r} (fields: {', '.join(known)})", param_hint="--fields")
    if changed_since:
        try:
            changed_since = _utc_iso(changed_since)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--changed-since") from exc
    filters = ExportFilter(
        site=stored_site(store, site, path),
        language=language,
        since=since.date().isoformat() if since else None,
        until=until.date().isoformat() if until else None,
        crawl_id=crawl_id,
        changed_since=changed_since,
        duplicates=duplicates,
    )
    to_stdout = output == "-"
    show_progress = not to_stdout and sys.stderr.isatty()
    total = count_export(store.db, filters) if show_progress else 0
    records = iter_export(store.db, filters, chosen)
    try:
        with _open_output(output) as out:
            if show_progress:
                with click.progressbar(length=total, label=f"exporting {total} articles", file=sys.stderr) as bar:
                    count = write_jsonl(records, out, bar.update)
            else:
                count = write_jsonl(records, out)
    except BrokenPipeError:
        # `| head`: the reader has all it wanted. Point stdout at /dev/null so the interpreter's
        # final flush does not fail a second time, and end quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except OSError as exc:
        where = "stdout" if to_stdout else output
        raise click.ClickException(f"cannot write {where}: {exc.strerror or exc}") from exc
    click.echo(f"{count} articles exported" if count else f"no articles in {path} match: nothing exported", err=True)


def _utc_iso(value: str) -> str:
    """An ISO time or day as the UTC string stored in last_changed_at (naive means UTC)."""
    from datetime import UTC

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date or time (2026-11-01, 2026-11-01T06:00+09:00)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds")


@contextmanager
def _open_output(output: str) -> Iterator[TextIO]:
    if output == "-":
        yield sys.stdout
        sys.stdout.flush()  # a closed pipe or a full disk shows here, inside the caller's handlers
        return
    with open(output, "w", encoding="utf-8") as handle:
        yield handle


@cli.command()
@click.argument("query")
@click.option("--db", default=None, help="SQLite file to search (default: the NEWS_DB setting, data/news.db).")
@click.option("--site", default=None, help="Only this site: its key or its name.")
@click.option("--language", default=None, help="Only this language (ja, en).")
@click.option("--limit", type=int, default=10, show_default=True)
@setting_option
def search(
    query: str, db: str | None, site: str | None, language: str | None, limit: int, overrides: tuple[str, ...]
) -> None:
    """Full-text search, Japanese included: every word must match, best first.

    The same index and query form as Datasette's search box (`serve`): 停戦 (two
    characters) finds exactly the articles containing it.

    \b
    Examples:
        news-crawler search 停戦
        news-crawler search "避難ルート" --site demo-nhk
        news-crawler search "ウクライナ election"
    """
    from crawler.storage.search import search as run_search

    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_existing(path, config)
    hits = list(run_search(store.db, query, site=site, language=language, limit=limit))
    for hit in hits:
        click.echo(f"{hit['published_local'] or '':25}  {hit['site']:16}  {hit['title']}")
        click.echo(f"    {hit['snippet'].replace('<mark>', '[').replace('</mark>', ']')}")
        click.echo(f"    {hit['url']}")
    click.echo(f"{len(hits)} articles" + (f" (first {limit})" if len(hits) == limit else ""), err=True)


@cli.command()
@click.argument("db", required=False)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (keep 127.0.0.1 unless you mean it)."
)
@click.option("--port", type=int, default=8001, show_default=True, help="Port (0: any free port).")
@click.option(
    "--get", "get_path", default=None, metavar="PATH", help="Print one page (e.g. /news/search.json?q=停戦) and exit."
)
@setting_option
def serve(db: str | None, host: str, port: int, get_path: str | None, overrides: tuple[str, ...]) -> None:
    """Browse a news database in Datasette, read-only, with search in Japanese.

    Opens DB (default: the NEWS_DB setting) with our plugin: the article_list
    page (newest first, click a title for the article), a search box that finds
    Japanese words of any length, canned queries (search, latest, articles per
    day with a chart, why a URL is not an article, crawl history). Safe to leave
    open while a crawl writes (WAL; Datasette only reads). Migrates an older
    database first (builds its search index).

    \b
    Examples:
        news-crawler serve
        news-crawler serve data/news.db --port 8080
        news-crawler serve --get "/news/search.json?q=停戦&_shape=array"
    """
    from datasette.cli import cli as datasette_cli

    from crawler.datasette import SERVE_SETTINGS

    config = news_config(project_settings(overrides))
    path = db or config.db
    open_existing(path, config).db.conn.close()  # ours, migrated (search index), or one clear error
    name = Path(path).stem
    args = ["serve", path, "--host", host, "--port", str(port)]
    for setting, value in SERVE_SETTINGS.items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        args += ["--setting", setting, text]
    if get_path:
        args += ["--get", get_path]
    else:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            click.echo(f"warning: serving on {host}: reachable from other machines (read-only)", err=True)
        shown = port or "PORT"
        click.echo(f"Serving {path} read-only: http://{host}:{shown}/{name}/article_list  (Ctrl-C to stop)", err=True)
    datasette_cli.main(args=args, prog_name="datasette", standalone_mode=True)


@cli.command()
@click.option("--db", default=None, help="SQLite file to read (default: the NEWS_DB setting, data/news.db).")
@click.option("--chart", type=click.Path(dir_okay=False), default=None, help="Also write a PNG chart to this file.")
@click.option("--days", type=int, default=14, show_default=True, help="Days shown in the table (the chart has all).")
@setting_option
def report(db: str | None, chart: str | None, days: int, overrides: tuple[str, ...]) -> None:
    """Articles per day per site (the publisher's local day), as a table and a PNG chart.

    \b
    Examples:
        news-crawler report
        news-crawler report --chart articles-per-day.png
    """
    from crawler.storage.export import articles_per_day

    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_existing(path, config)
    rows = articles_per_day(store.db)
    if not rows:
        click.echo(f"no dated articles in {path}")
        return
    sites = sorted({r["site"] for r in rows})
    by_day: dict[str, dict[str, int]] = {}
    for r in rows:
        by_day.setdefault(r["day"], {})[r["site"]] = r["articles"]
    width = max(len(s) for s in sites)
    click.echo("day         " + "  ".join(f"{s:>{width}}" for s in sites))
    for day in sorted(by_day)[-days:]:
        click.echo(f"{day}  " + "  ".join(f"{by_day[day].get(s, 0):>{width}}" for s in sites))
    click.echo(f"{sum(r['articles'] for r in rows)} articles on {len(by_day)} days, {len(sites)} sites")
    if chart:
        from crawler.chart import per_day_chart

        try:
            per_day_chart(rows, chart, title=f"Articles per day per site: {Path(path).name}")
        except OSError as exc:
            raise click.ClickException(f"cannot write {chart}: {exc.strerror or exc}") from exc
        click.echo(f"chart written to {chart}")


@cli.command()
@click.option("--db", default=None, help="SQLite file to re-process (default: the NEWS_DB setting, data/news.db).")
@click.option("--site", default=None, help="Only this site: its key (profile name or host) or its name.")
@click.option(
    "--extract/--no-extract",
    default=True,
    show_default=True,
    help="Re-run extraction over the stored raw pages; --no-extract only re-cleans the stored raw blocks.",
)
@click.option("--jobs", type=int, default=None, help="Extraction worker processes (default: one per core).")
@setting_option
def reclean(db: str | None, site: str | None, extract: bool, jobs: int | None, overrides: tuple[str, ...]) -> None:
    """Re-run extraction and cleaning over stored pages, without fetching.

    After a change of rules, extractor or a site profile: every stored raw page
    (table pages) is extracted again, the sites' boilerplate is learned again
    from all their articles, and every article touched is re-cleaned (body,
    stripped_blocks, date_mentions, near-duplicate links). Dates are kept.

    The cleaning settings (NEWS_REPEATS_ENABLED, NEWS_BOILERPLATE_*,
    NEWS_MENTIONS_ENABLED) are the ones the database's latest crawl recorded;
    give -s NAME=VALUE to change one.

    \b
    Examples:
        news-crawler reclean
        news-crawler reclean --site nhk
        news-crawler reclean --no-extract    # only re-learn boilerplate and re-clean
        news-crawler reclean -s NEWS_BOILERPLATE_MIN_ARTICLES=20
    """
    from scrapy.settings import SETTINGS_PRIORITIES

    from crawler.config import NewsConfig
    from crawler.reprocess import reextract
    from crawler.storage import ArticleStore
    from crawler.storage.runs import recorded_config
    from crawler.storage.stored_pages import count_stored_pages

    settings = project_settings(overrides)
    config = news_config(settings)
    path = db or config.db
    store = open_existing(path, config)
    given = {
        name
        for name in NewsConfig.CLEANING
        if settings.getpriority(NewsConfig.setting_name(name)) == SETTINGS_PRIORITIES["cmdline"]
    }
    config = config.with_cleaning(recorded_config(store.db), keep=given)
    store = ArticleStore(store.db, config)
    click.echo(
        "cleaning settings: " + ", ".join(f"{NewsConfig.setting_name(k)}={v}" for k, v in config.cleaning().items())
    )
    key = stored_site(store, site, path)
    started = time.monotonic()
    if extract:
        total = count_stored_pages(store.db, key)
        done = 0

        def advance(n: int) -> None:  # the bar shows the rate beside its time left
            nonlocal done
            done += n
            spent = time.monotonic() - started
            bar.update(n, f"{done / spent:.0f} pages/s" if spent else None)

        with click.progressbar(length=total, label=f"re-extracting {total} pages", file=sys.stderr,
                               show_eta=True, item_show_func=lambda rate: rate) as bar:  # fmt: skip
            counts = reextract(store, key, jobs, advance)
        elapsed = time.monotonic() - started
        rate = counts["pages"] / elapsed if elapsed else 0.0
        click.echo(
            f"{counts['pages']} pages re-extracted in {elapsed:.1f} s ({rate:.0f} pages/s): "
            f"{counts['changed']} articles changed, {counts['unparseable']} unparseable, "
            f"{counts['boilerplate']} boilerplate blocks learned"
        )
    else:
        report = store.learn_boilerplate([key] if key else None)
        for name, r in sorted(report.items()):
            click.echo(
                f"{name}: {r['boilerplate']} boilerplate blocks (+{r['added']} -{r['removed']}), "
                f"{r['recleaned']} articles re-cleaned"
            )
        click.echo(f"done in {time.monotonic() - started:.1f} s")


def main() -> None:
    """The `news-crawler` console script."""
    cli(prog_name="news-crawler")


# Scheduling commands live beside the scheduler (crawler/schedule/commands.py).
for _command in (crawl_command, schedule_command, runs_command, profiles_group):
    cli.add_command(_command)
# The distributed mode's commands live beside it (crawler/distributed/commands.py).
cli.add_command(redis_group)
