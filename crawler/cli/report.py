"""news-crawler report: articles per day per site, as a table and optionally a PNG chart."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.cli.common import news_config, open_for_reading, project_settings, setting_option

if TYPE_CHECKING:
    pass


@click.command("report")
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
    store = open_for_reading(path, config)
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
    counted = sum(r["articles"] for r in rows)
    click.echo(f"{counted} articles on {len(by_day)} days, {len(sites)} sites")
    stored = store.db.execute("select count(*) from articles").fetchone()[0]
    if stored > counted:
        # The database holds more than the days count: say which, so that the figures add up.
        no_day, copies = store.db.execute(
            "select sum(published_at is null or length(published_at) < 10),"
            " sum(duplicate_of is not null and published_at is not null and length(published_at) >= 10)"
            " from articles"
        ).fetchone()
        click.echo(f"({stored} stored: {no_day or 0} without a publication day, {copies or 0} near-duplicates"
                   " of another article; neither is counted by day)")  # fmt: skip
    if chart:
        from crawler.cli.chart import per_day_chart

        try:
            per_day_chart(rows, chart, title=f"Articles per day per site: {Path(path).name}")
        except OSError as exc:
            raise click.ClickException(f"cannot write {chart}: {exc.strerror or exc}") from exc
        click.echo(f"chart written to {chart}")
