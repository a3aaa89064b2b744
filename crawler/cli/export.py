"""news-crawler export: stored articles as JSON Lines, filtered by site, language, days, crawl."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

import click

from crawler.cli.common import news_config, open_for_reading, project_settings, setting_option, stored_site

if TYPE_CHECKING:
    pass


DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("export")
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
@click.option("--warc", "warc_path", default=None, metavar="FILE",
              help="Write the selected articles' raw pages as WARC (gzipped) to FILE instead.")  # fmt: skip
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
    warc_path: str | None,
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
        news-crawler export --site demo-nhk --warc nhk-pages.warc.gz
    """
    from crawler.storage.export import ExportFilter, count_export, export_fields, iter_export
    from crawler.storage.jsonl import SCHEMA_PATH, write_jsonl

    if show_schema:
        click.echo(SCHEMA_PATH.read_text(encoding="utf-8"), nl=False)
        return
    config = news_config(project_settings(overrides))
    path = db or config.db
    store = open_for_reading(path, config)
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
    if warc_path:
        from crawler.archive.writer import write_pages
        from crawler.storage.stored_pages import iter_raw_pages

        where, params = filters.where()
        written = write_pages(warc_path, iter_raw_pages(store.db, where, params))
        click.echo(f"{written} raw pages written to {warc_path}", err=True)
        return
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
