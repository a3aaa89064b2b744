"""news-crawler reclean: re-clean (or re-extract) stored articles with the current rules."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from crawler.cli.common import news_config, open_existing, project_settings, setting_option, stored_site

if TYPE_CHECKING:
    pass


@click.command("reclean")
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
    (table pages) is extracted again, the sites' title affixes and boilerplate
    are learned again from all their articles, and every article touched is
    re-cleaned (title, body, stripped_blocks, date_mentions, near-duplicate
    links). Dates are kept.

    The cleaning settings (NEWS_REPEATS_ENABLED, NEWS_BOILERPLATE_*,
    NEWS_MENTIONS_ENABLED, NEWS_TITLE_AFFIX_MIN_PAGES) are the ones the database's latest crawl recorded;
    give -s NAME=VALUE to change one.

    \b
    Examples:
        news-crawler reclean
        news-crawler reclean --site nhk
        news-crawler reclean --no-extract    # only re-learn boilerplate and re-clean
        news-crawler reclean -s NEWS_BOILERPLATE_MIN_ARTICLES=20
    """
    from scrapy.settings import SETTINGS_PRIORITIES

    from crawler.cli.reprocess import reextract
    from crawler.config import NewsConfig
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
            f"{counts['boilerplate']} boilerplate blocks and {counts['title_affixes']} title affixes learned"
        )
        if counts["raw_missing"]:
            click.echo(
                f"{counts['raw_missing']} raw pages could not be read (their WARC files moved or deleted?): "
                "those articles were left as they are",
                err=True,
            )
    else:
        titles = store.learn_titles([key] if key else None)
        for name, t in sorted(titles.items()):
            if t["affixes"] or t["removed"]:
                click.echo(
                    f"{name}: {t['affixes']} title affixes (+{t['added']} -{t['removed']}), {t['retitled']} retitled"
                )
        report = store.learn_boilerplate([key] if key else None)
        for name, r in sorted(report.items()):
            click.echo(
                f"{name}: {r['boilerplate']} boilerplate blocks (+{r['added']} -{r['removed']}), "
                f"{r['recleaned']} articles re-cleaned"
            )
        click.echo(f"done in {time.monotonic() - started:.1f} s")
