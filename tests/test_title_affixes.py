"""A site's own title affixes (its name, its section labels), learned across its pages as its
boilerplate is, and taken off its titles (issue 27, item 5): the pure rule, the store's learning
and re-cleaning, and a real crawl of a site whose titles carry them."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from crawler.config import NewsConfig
from crawler.extract.titles import learn_affixes, strip_affixes
from crawler.storage import ArticleStore, open_db
from tests.conftest import run_crawl

SITE = "The Morning Chronicle of Springfield"
PAGES = [
    ("council-budget", "Council votes on the new budget", "Politics"),
    ("mayor-resigns", "Mayor resigns after two years", "Politics"),
    ("school-plan", "A new plan for the old school", "Politics"),
    ("rates-rise", "Rates rise for the third time", "Business"),
    ("bakery-opens", "Bakery opens its second shop", "Business"),
    ("port-jobs", "The port hires four hundred people", "Business"),
]


def titles_of(pages: list[tuple[str, str, str]]) -> list[str]:
    return [f"{headline} | {section} | {SITE}" for _, headline, section in pages]


# -- the rule --------------------------------------------------------------------------------


def test_the_site_name_and_its_sections_are_learned_from_repetition() -> None:
    learned = learn_affixes(titles_of(PAGES), 3)
    assert set(learned) == {"politics", "business", SITE.casefold()}
    assert learned[SITE.casefold()] == 6
    assert strip_affixes("Council votes on the new budget | Politics | " + SITE, learned) == (
        "Council votes on the new budget"
    )
    # A section seen on too few pages stays: two titles are not yet a repetition.
    assert "business" not in learn_affixes(titles_of(PAGES[:5]), 3)


def test_a_prefix_is_learned_as_a_suffix_is() -> None:
    titles = [
        f"NHKニュース｜{h}"
        for h in ("東京で大雨の恐れ 気象庁が警戒", "株価が大幅に下落 市場に動揺", "首相が記者会見へ 午後に")
    ]
    learned = learn_affixes(titles, 3)
    assert set(learned) == {"nhkニュース"}
    assert strip_affixes(titles[1], learned) == "株価が大幅に下落 市場に動揺"


def test_a_series_label_with_short_varying_parts_teaches_nothing_and_loses_nothing() -> None:
    # "Weather - Monday": removing either part leaves no headline, so neither is counted.
    titles = ["Weather - Monday", "Weather - Tuesday", "Weather - Wednesday", "Weather - Thursday"]
    assert learn_affixes(titles, 3) == {}
    # Nor is a learned part taken off when what is left would be no headline.
    assert strip_affixes("Weather - Monday", {"weather"}) == "Weather - Monday"


def test_the_same_title_twice_counts_once_and_a_title_of_affixes_alone_stays() -> None:
    same = [f"Council votes on the new budget | {SITE}"] * 5
    assert learn_affixes(same, 3) == {}
    learned = learn_affixes(titles_of(PAGES), 3)
    assert strip_affixes(f"Politics | {SITE}", learned) == f"Politics | {SITE}"
    assert strip_affixes("A headline without separators", learned) == "A headline without separators"
    assert learn_affixes(titles_of(PAGES), 0) == {}  # switched off


# -- the store -------------------------------------------------------------------------------


def article(slug: str, headline: str, section: str, site: str = "chronicle.example") -> dict[str, object]:
    title = f"{headline} | {section} | {SITE}"
    return {
        "url": f"https://{site}/{slug}",
        "site": site,
        "title": title,
        "title_extracted": title,
        "page_title": title,
        "raw_blocks": [f"{headline}: a paragraph of running text long enough to be a body, about {slug}."],
        "published_tz_assumed": False,
    }


def stored_titles(db: sqlite_utils.Database) -> dict[str, tuple[str, str]]:
    rows = db.query("select url, title, title_extracted from articles order by url")
    return {r["url"].rsplit("/", 1)[1]: (r["title"], r["title_extracted"]) for r in rows}


def test_the_store_learns_after_a_crawl_and_retitles_what_it_stored(tmp_path: Path) -> None:
    db = open_db(tmp_path / "n.db")
    store = ArticleStore(db)
    store.write_raw([article(*p) for p in PAGES], None)
    store.write_raw([article("elsewhere", "Council votes on the new budget", "Politics", "other.example")], None)
    before = {r["url"]: r["content_hash"] for r in db.query("select url, content_hash from articles")}
    report = store.learn_titles(["chronicle.example", "other.example"])
    assert report["chronicle.example"] == {"affixes": 3, "added": 3, "removed": 0, "retitled": 6}
    assert report["other.example"]["affixes"] == 0  # one page: nothing repeats
    titles = stored_titles(db)
    assert titles["council-budget"] == (
        "Council votes on the new budget",
        f"Council votes on the new budget | Politics | {SITE}",
    )
    assert titles["elsewhere"][0] == f"Council votes on the new budget | Politics | {SITE}"
    affixes = {r["text"]: r["titles"] for r in db.query("select text, titles from title_affixes")}
    assert affixes == {SITE: 6, "Politics": 3, "Business": 3}
    # The content hash follows the title, so the next fetch of an unchanged page is "unchanged".
    after = {r["url"]: r["content_hash"] for r in db.query("select url, content_hash from articles")}
    assert after["https://chronicle.example/council-budget"] != before["https://chronicle.example/council-budget"]
    again = ArticleStore(db).upsert_articles([ArticleStore(db).cleaned(article(*PAGES[0]))], None)
    assert again["unchanged"] == 1
    # A page fetched again under another title: its old candidate parts go with it.
    moved = {**article(*PAGES[3]), "page_title": "Rates rise for the third time | Money | The Evening Post"}
    store.write_raw([moved], None)
    parts = {r["key"] for r in db.query("select key from title_parts where article_url like '%rates-rise'")}
    # (every part whose removal leaves a headline is a candidate, the headline too: repetition decides)
    assert parts == {"money", "the evening post", "rates rise for the third time"}
    # Switched off: learning again forgets them, and the titles are the extracted ones again.
    off = ArticleStore(db, NewsConfig(title_affix_min_pages=0))
    assert off.learn_titles(["chronicle.example"])["chronicle.example"]["removed"] == 3
    assert stored_titles(db)["council-budget"][0] == f"Council votes on the new budget | Politics | {SITE}"


# -- a real crawl ----------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def page_html(headline: str, section: str) -> str:
    text = "".join(
        f"<p>{headline}. This is paragraph {i} of the story, with enough running text to read as one.</p>"
        for i in range(5)
    )
    return (
        f"<html lang='en'><head><title>{headline} | {section} | {SITE}</title>"
        "<meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2026-11-30T08:00:00+00:00'></head>"
        f"<body><nav><a href='/index.html'>Home</a></nav><main>{text}</main></body></html>"
    )


@pytest.fixture()
def chronicle(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "site"
    root.mkdir()
    links = "".join(f"<li><a href='/{slug}.html'>{headline}</a></li>" for slug, headline, _ in PAGES)
    (root / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>")
    for slug, headline, section in PAGES:
        (root / f"{slug}.html").write_text(page_html(headline, section))
    # A Google News sitemap: each URL with the headline the publisher lists it under.
    entries = "".join(
        f"<url><loc>/{slug}.html</loc><news:news><news:publication><news:name>{SITE}</news:name>"
        "<news:language>en</news:language></news:publication>"
        "<news:publication_date>2026-11-30T08:00:00+00:00</news:publication_date>"
        f"<news:title>{headline}</news:title></news:news></url>"
        for slug, headline, _ in PAGES
    )
    (root / "news-sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.mark.e2e
def test_a_crawl_learns_the_sites_affixes_and_the_next_one_strips_them_as_it_goes(
    chronicle: str, tmp_path: Path
) -> None:
    db_path = tmp_path / "news.db"
    first = tmp_path / "first.jsonl"
    run_crawl(
        db_path,
        f"start_urls={chronicle}/index.html",
        settings={"FEEDS": json.dumps({str(first): {"format": "jsonlines"}})},
    )
    # The feed is written from the database after the run: the titles learning just made.
    exported = [json.loads(line) for line in first.read_text().splitlines()]
    assert sorted(i["title"] for i in exported) == sorted(h for _, h, _ in PAGES)
    db = sqlite_utils.Database(db_path)
    rows = {
        r["url"].rsplit("/", 1)[1]: r for r in db.query("select url, title, title_extracted, page_title from articles")
    }
    assert len(rows) == len(PAGES)
    for slug, headline, section in PAGES:
        row = rows[f"{slug}.html"]
        assert row["title"] == headline
        assert row["page_title"] == f"{headline} | {section} | {SITE}"
        # Alone, extraction takes the longest part of a <title> for the headline: here the site's
        # name. The learned affixes tell it apart; the page's <title> gives the headline.
        assert row["title_extracted"] == SITE
    stats = json.loads(db.execute("select stats from crawls order by id desc limit 1").fetchone()[0])
    assert stats["news/titles/retitled"] == len(PAGES) and stats["news/titles/affixes"] == 3

    # The next crawl reads the learned affixes when it starts: its items (and a feed export) carry
    # the stripped titles, and the stored pages are unchanged.
    feed = tmp_path / "out.jsonl"
    run_crawl(
        db_path,
        f"start_urls={chronicle}/index.html",
        settings={"NEWS_INCREMENTAL": "0", "FEEDS": json.dumps({str(feed): {"format": "jsonlines"}})},
    )
    items = [json.loads(line) for line in feed.read_text().splitlines()]
    assert sorted(i["title"] for i in items) == sorted(h for _, h, _ in PAGES)
    stats = json.loads(db.execute("select stats from crawls order by id desc limit 1").fetchone()[0])
    assert stats["news/titles/affix_stripped"] == len(PAGES)
    assert stats["news/storage/unchanged"] == len(PAGES)


def test_reclean_learns_them_for_a_database_stored_before_them(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    path = tmp_path / "n.db"
    ArticleStore(open_db(path)).write_raw([article(*p) for p in PAGES], None)  # stored, never learned
    result = CliRunner().invoke(cli, ["reclean", "--db", str(path), "--no-extract"])
    assert result.exit_code == 0, result.output
    assert "chronicle.example: 3 title affixes (+3 -0), 6 retitled" in result.output
    assert stored_titles(sqlite_utils.Database(path))["rates-rise"][0] == "Rates rise for the third time"
    off = CliRunner().invoke(cli, ["reclean", "--db", str(path), "--no-extract", "-s", "NEWS_TITLE_AFFIX_MIN_PAGES=0"])
    assert "chronicle.example: 0 title affixes (+0 -3), 6 retitled" in off.output
    assert (
        stored_titles(sqlite_utils.Database(path))["rates-rise"][0]
        == f"Rates rise for the third time | Business | {SITE}"
    )


@pytest.mark.e2e
def test_a_news_sitemaps_titles_give_the_headlines_from_the_first_crawl(chronicle: str, tmp_path: Path) -> None:
    db_path = tmp_path / "news.db"
    run_crawl(db_path, f"start_urls={chronicle}/news-sitemap.xml")
    rows = list(sqlite_utils.Database(db_path).query("select title, title_extracted from articles"))
    # <news:title> agrees with the headline part of each <title>: right before anything is learned.
    assert sorted(r["title_extracted"] for r in rows) == sorted(h for _, h, _ in PAGES)
    assert sorted(r["title"] for r in rows) == sorted(h for _, h, _ in PAGES)


def test_a_site_whose_titles_already_come_clean_is_not_re_cleaned(tmp_path: Path) -> None:
    # Most sites: the JSON-LD headline or the <h1> gives the title; only <title> carries the name.
    db = open_db(tmp_path / "n.db")
    store = ArticleStore(db)
    store.write_raw([{**article(*p), "title": p[1], "title_extracted": p[1]} for p in PAGES], None)
    report = store.learn_titles(["chronicle.example"])["chronicle.example"]
    assert report["affixes"] == 3 and report["retitled"] == 0
