"""The demo database opens in real Datasette, read-only, with our metadata from the plugin."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

pytestmark = pytest.mark.e2e


def test_any_file_name_gets_our_metadata_from_the_plugin(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    db = tmp_path / "tokyo-2026.db"  # not news.db: metadata.json alone would not apply
    shutil.copy(demo_db[0], db)
    other = tmp_path / "notes.db"
    sqlite_utils.Database(other)["notes"].insert({"text": "mine"})

    async def run() -> None:
        ds = Datasette([], immutables=[str(db), str(other)])
        await ds.invoke_startup()
        plugins = (await ds.client.get("/-/plugins.json")).json()
        assert any(p["name"] == "news-crawler" and "get_metadata" in p["hooks"] for p in plugins)
        rows = (await ds.client.get("/tokyo-2026/articles.json?_shape=array&_size=max")).json()
        assert any(r["url"].endswith("k10013519522.html") for r in rows)
        page = await ds.client.get("/tokyo-2026/articles")
        assert page.status_code == 200
        assert "One row per article URL" in page.text  # table description from our metadata
        facets = (await ds.client.get("/tokyo-2026/articles.json?_facet=site_name")).json()
        names = {f["value"] for f in facets["facet_results"]["site_name"]["results"]}
        assert names == {"NHKデモニュース", "The Daily Example"}
        assert "site" in (await ds.client.get("/tokyo-2026/articles.json")).json()["facet_results"]  # default facets
        assert not ds.databases["tokyo-2026"].is_mutable
        # Another application's database gets none of it.
        notes = await ds.client.get("/notes/notes")
        assert "One row per article URL" not in notes.text

    asyncio.run(run())


# -- search, pages and queries (the reader's side) ------------------------------------------------

from crawler.text.search import normalize, query_terms  # noqa: E402


def _truth(db: Path, query: str) -> set[str]:
    """The URLs whose title or body contains every term: plain substring search, no index."""
    rows = sqlite_utils.Database(db).query("select url, title, body from articles")
    return {
        r["url"]
        for r in rows
        if all(normalize(t) in normalize(f"{r['title']}\n{r['body']}") for t in query_terms(query))
    }


async def _datasette(db: Path) -> Datasette:
    ds = Datasette([str(db)])  # mutable, as `news-crawler serve` opens it
    await ds.invoke_startup()
    return ds


@pytest.mark.parametrize(
    "query", ["停戦", "停戦交渉", "避難ルート", "ウクライナ", "inflation", "ウクライナ 停戦", "bridges"]
)
def test_search_box_returns_exactly_the_matching_articles(demo_db: tuple[Path, str], query: str) -> None:
    db = demo_db[0]
    truth = _truth(db, query)

    async def run() -> None:
        ds = await _datasette(db)
        for table in ("article_list", "articles"):
            rows = (await ds.client.get(f"/news/{table}.json?_search={query}&_shape=array&_size=max")).json()
            assert {r["url"] for r in rows} == truth, (table, query)
        page = await ds.client.get(f"/news/article_list?_search={query}")
        assert page.status_code == 200 and 'name="_search"' in page.text

    asyncio.run(run())
    if query in {"停戦", "ウクライナ", "inflation"}:
        assert truth  # the demo has them: the comparison is not empty against empty


def test_ranked_search_query_highlights_and_escapes(demo_db: tuple[Path, str]) -> None:
    async def run() -> None:
        ds = await _datasette(db := demo_db[0])
        empty = "&site=&language=&since=&until="
        rows = (await ds.client.get(f"/news/search.json?q=停戦{empty}&_shape=array")).json()
        assert {r["url"] for r in rows} == _truth(db, "停戦")
        relevance = [r["relevance"] for r in rows]
        assert relevance == sorted(relevance, reverse=True)  # best matches first
        assert rows[0]["url"].endswith("k10013519522.html")  # 停戦 in its title and body
        assert all("<mark>停戦</mark>" in r["snippet"] for r in rows)
        page = await ds.client.get(f"/news/search?q=停戦{empty}")
        assert "<mark>停戦</mark>" in page.text  # rendered as a highlight, not as text
        only_ja = (await ds.client.get("/news/search.json?q=the&site=&language=ja&since=&until=&_shape=array")).json()
        assert only_ja == []
        since = (
            await ds.client.get("/news/search.json?q=ウクライナ&site=&language=ja&since=2022-03-09&until=&_shape=array")
        ).json()
        assert since and all(r["published"][:10] >= "2022-03-09" for r in since)
        for hostile in ['"', "NEAR(停戦", "停戦 OR", "(((", "-", "*", "AND"]:
            for path in (
                f"/news/search?q={hostile}{empty}",
                f"/news/article_list?_search={hostile}",
                f"/news/article_list?_search_title={hostile}",
            ):
                assert (await ds.client.get(path)).status_code == 200, path
            # Raw FTS syntax only when asked for in the URL: a clear 400 then, never a 500.
            raw = await ds.client.get(f"/news/article_list?_search={hostile}&_searchmode=raw")
            assert raw.status_code in {200, 400}, hostile

    asyncio.run(run())


def test_reader_pages_link_titles_and_fold_long_bodies(demo_db: tuple[Path, str]) -> None:
    async def run() -> None:
        ds = await _datasette(demo_db[0])
        listing = await ds.client.get("/news/article_list")
        assert listing.status_code == 200
        import html
        import re

        link = re.search(r'<td class="col-title[^>]*><a href="(/news/-/article\?url=[^"]+)">([^<]+)</a>', listing.text)
        assert link, "the title links to the article page"
        page = await ds.client.get(html.unescape(link.group(1)))
        assert page.status_code == 200 and f"<h1>{link.group(2)}</h1>" in page.text
        rows = (await ds.client.get("/news/article_list.json?_shape=array&_size=5")).json()
        published = [r["published"] for r in rows]
        assert published == sorted(published, reverse=True)  # newest first by default
        assert set(rows[0]) == {"article_id", "title", "site", "published", "language", "lead", "url", "duplicate_of"}
        assert all("\n" not in (r["lead"] or "") and len(r["lead"] or "") <= 200 for r in rows)
        table = await ds.client.get("/news/articles?_size=3")
        assert "<details><summary>" in table.text  # long bodies folded, one click away

    asyncio.run(run())


def test_every_canned_query_runs_with_empty_parameters(demo_db: tuple[Path, str]) -> None:
    from crawler.datasette.queries import QUERIES

    async def run() -> None:
        ds = await _datasette(demo_db[0])
        for name in QUERIES:
            response = await ds.client.get(f"/news/{name}.json?q=&site=&language=&since=&until=&url=&day=&_shape=array")
            assert response.status_code == 200, (name, response.text[:300])
        per_day = (await ds.client.get("/news/articles_per_day.json?_shape=array")).json()
        assert (
            sum(r["articles"] for r in per_day)
            == sqlite_utils.Database(demo_db[0])
            .execute("select count(*) from articles where published_at is not null and duplicate_of is null")
            .fetchone()[0]
        )
        why = (await ds.client.get("/news/why_not_an_article.json?url=&_shape=array")).json()
        assert {"listing", "other", "dropped"} <= {r["kind"] for r in why}
        # Each reason reads as a sentence, never as the raw JSON it came from.
        assert all(r["why"].endswith(".") and "{" not in r["why"] for r in why)
        said = {r["reason"]: r["why"] for r in why}
        assert said["http_404"] == "The server answered HTTP 404: nothing to store."
        assert said["missing_title"] == "Dropped: no title was found."
        assert said["non_html"] == "Not a web page (content type application/pdf)."
        mentions = (await ds.client.get("/news/articles_mentioning_day.json?day=2022-03-07&_shape=array")).json()
        assert mentions and all(r["value"] == "2022-03-07" for r in mentions)
        history = (await ds.client.get("/news/crawl_history.json?_shape=array")).json()
        assert history[0]["status"] == "finished"

    asyncio.run(run())


def test_chart_page_uses_datasette_vega(demo_db: tuple[Path, str]) -> None:
    async def run() -> None:
        ds = await _datasette(demo_db[0])
        plugins = {p["name"] for p in (await ds.client.get("/-/plugins.json")).json()}
        assert "datasette-vega" in plugins
        db_page = await ds.client.get("/news")
        assert "articles_per_day" in db_page.text
        page = await ds.client.get("/news/articles_per_day")
        assert "g.mark=line" in page.text and "/-/static-plugins/datasette_vega/" in page.text

    asyncio.run(run())


def test_home_page_shows_the_reader_pages_first_and_hides_index_tables(demo_db: tuple[Path, str]) -> None:
    async def run() -> None:
        ds = await _datasette(demo_db[0])
        home = (await ds.client.get("/")).text
        section = home[home.index('<a href="/news">news</a>') :]
        reader = ["/news/article_list", "/news/search", "/news/articles_per_day", "/news/why_not_an_article"]
        positions = [section.index(f'href="{href}"') for href in reader]
        first_table = min(section.index(f'href="/news/{t}"') for t in ("articles", "decisions"))
        assert positions == sorted(positions) and positions[-1] < first_table  # reader's pages first
        for internal in (
            "minhash_bands_new",
            "block_occurrences",
            "title_parts",
            "article_minhash",
            "fetch_state",
            "_migrations",
        ):
            assert f"/news/{internal}" not in section, internal
        database_page = (await ds.client.get("/news")).text
        assert "/news/minhash_bands_new" not in database_page.split("hidden tables")[0]
        for href in reader:  # each of them opens
            assert (await ds.client.get(href)).status_code == 200, href

    asyncio.run(run())


# -- the article page for reading (crawler/datasette/plugin/article.py) ---------------------------


def _article_page(ds: Datasette, url: str) -> str:
    from urllib.parse import quote

    return f"/news/-/article?url={quote(url, safe='')}"


def test_article_page_reads_as_a_story_with_the_evidence_folded(demo_db: tuple[Path, str]) -> None:
    import html
    import re

    db = sqlite_utils.Database(demo_db[0])
    row = next(db.query("select * from articles where url like '%k10013519522.html'"))
    copy = next(db.query("select url, duplicate_of from articles where duplicate_of is not null"))

    async def run() -> None:
        ds = await _datasette(demo_db[0])
        page = await ds.client.get(_article_page(ds, row["url"]))
        assert page.status_code == 200
        text = page.text
        assert f"<h1>{html.escape(row['title'])}</h1>" in text
        body = text[text.index('<div class="news-body">') : text.index('<section class="news-evidence">')]
        shown = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
        assert shown == [p for p in row["body"].split("\n\n") if p.strip()]  # every block a paragraph, in order
        assert 'lang="ja"' in text
        # The local time with its offset, UTC beside it.
        assert '2022-03-08 15:05 <span class="news-offset">UTC+09:00</span>' in text
        assert "(2022-03-08 06:05 UTC)" in text
        assert f'href="{html.escape(row["url"])}"' in text  # the original
        for fold in ("Stripped from the text", "Date signals", "Earlier versions", "Near-duplicates",
                     "Page decision", "The stored row"):  # fmt: skip
            assert f"<summary>{fold}" in text, fold
        assert text.count("<details>") == 6 and "<details open" not in text  # folded until asked
        # A near-duplicate links to its original's page, and the original lists the copy.
        original = await ds.client.get(_article_page(ds, copy["duplicate_of"]))
        assert html.escape(_article_page(ds, copy["url"])) in original.text
        # The raw row links here; an unknown URL is a 404 that says where to look.
        from datasette.utils import tilde_encode

        raw = await ds.client.get(f"/news/articles/{tilde_encode(row['url'])}")
        assert "Read this article" in raw.text and "/news/-/article?url=" in raw.text
        missing = await ds.client.get(_article_page(ds, "http://127.0.0.1:8702/nowhere.html"))
        assert missing.status_code == 404 and "Why is this URL not an article?" in missing.text

    asyncio.run(run())


def test_query_forms_speak_a_readers_words(demo_db: tuple[Path, str]) -> None:
    async def run() -> None:
        ds = await _datasette(demo_db[0])
        page = (await ds.client.get("/news/search?q=停戦&site=&language=&since=&until=")).text
        assert "Custom SQL query" not in page and "Run SQL" not in page
        assert 'value="Search"' in page and ">Words</label>" in page
        assert "2 articles, best matches first" in page
        assert ">relevance</th>" in page and ">rank<" not in page
        # Another database's queries stay Datasette's own.
        other = await ds.client.get("/news?sql=select+1")
        assert "Custom SQL query" in other.text

    asyncio.run(run())
