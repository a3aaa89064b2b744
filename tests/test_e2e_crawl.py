"""End to end: the demo sites over real HTTP on 127.0.0.1, the real spider in its own
process, a real SQLite file. Shared crawl from conftest.demo_db."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
import sqlite_utils

from crawler.demo.content import EN_ARTICLES, JA_ARTICLES
from crawler.demo.server import DemoServer
from crawler.demo.site import seed_articles
from crawler.storage import open_db
from tests.conftest import run_crawl

BOILERPLATE = (
    "シェア",
    "ツイート",
    "関連ニュース",
    "NHKのサイトを離れます",
    "Copyright",
    "受信料",
    "Share this article",
    "Related stories",
    "newsletter",
    "All rights reserved",
)

pytestmark = pytest.mark.e2e


def test_each_seed_article_stored_once_with_each_paragraph_once_in_order(open_demo_db: sqlite_utils.Database) -> None:
    seeds = seed_articles()
    assert len(seeds) == 3
    for seed in seeds:
        rows = list(open_demo_db.query("select * from articles where url like ?", [f"%/{seed.slug}.html"]))
        assert len(rows) == 1, seed.slug
        row = rows[0]
        assert row["title"] == seed.title
        body_blocks = row["body"].split("\n\n")
        # Expected: the seed's blocks, first occurrences only, in the seed's order.
        expected = list(dict.fromkeys(text for _, text in seed.blocks))
        assert body_blocks == expected
        for text in expected:
            assert row["body"].count(text) == 1
        assert row["blocks_repeat"] == len(seed.blocks) - len(expected)
        assert row["published_at"] == seed.expected_published_at
        for junk in BOILERPLATE:
            assert junk not in row["body"], (seed.slug, junk)


def test_seed_repeats_are_the_runs_of_five(open_demo_db: sqlite_utils.Database) -> None:
    stripped = {
        r["url"].rsplit("/", 1)[-1]: r["blocks_repeat"]
        for r in open_demo_db.query("select url, blocks_repeat from articles where url like '%/k1001351%'")
    }
    assert stripped == {"k10013519411.html": 0, "k10013519522.html": 5, "k10013519633.html": 5}


def test_every_demo_article_stored_and_no_listing_pages(open_demo_db: sqlite_utils.Database) -> None:
    urls = {r["url"] for r in open_demo_db.query("select url from articles")}
    # 3 seed + 14 Japanese + Shift_JIS + EUC-JP + a wrong header charset; 15 English + a wire copy + the page whose date
    # cannot be read. The print versions of Japanese pages are the same articles.
    assert len(urls) == 3 + len(JA_ARTICLES) + 3 + len(EN_ARTICLES) + 1 + 1
    assert not any("print" in u for u in urls)
    for url in urls:
        path = url.split("/", 3)[3]
        assert not path.startswith(("news/cat/", "authors/", "about", "privacy")), url
        assert path not in ("", "world/", "business/")
        assert "/private/" not in url  # robots.txt obeyed
    assert open_demo_db.execute("select count(*) from articles where body = '' or title = ''").fetchone()[0] == 0


def test_published_dates_are_utc_instants(open_demo_db: sqlite_utils.Database) -> None:
    rows = {r["url"].split("/", 3)[3]: r for r in open_demo_db.query("select * from articles")}
    expect = {
        # JSON-LD with offset
        "2022/03/08/central-bank-holds-rates.html": ("2022-03-08T15:15:00+00:00", "json-ld:datePublished", 0),
        # English byline with a zone abbreviation
        "2022/03/08/wheat-prices.html": ("2022-03-08T19:30:00+00:00", "byline", 0),
        # RSS pubDate only
        "2022/03/09/electric-buses.html": ("2022-03-09T18:05:00+00:00", "feed:pubDate", 0),
        # Atom <published> only
        "2022/03/10/heat-pump-grants.html": ("2022-03-10T13:00:00+00:00", "feed:published", 0),
        # naive <time>: no zone known for this site -> UTC, flagged as assumed
        "2022/03/10/school-meals.html": ("2022-03-10T12:00:00+00:00", "time", 1),
        # date only stays a date
        "2022/03/09/chip-plant.html": ("2022-03-09", "byline", 0),
        # Japanese era byline, naive -> Asia/Tokyo inferred from the page language
        "news/html/20220310/k10013520005.html": ("2022-03-10T04:15:00+00:00", "byline", 1),
        # full-width digits
        "news/html/20220310/k10013520006.html": ("2022-03-10T12:48:00+00:00", "byline", 1),
        # Google News sitemap tag, read from the nested news: element
        "news/html/20220310/k10013520010.html": ("2022-03-10T01:10:00+00:00", "sitemap:news:publication_date", 0),
        # 午前9時 JST is midnight UTC
        "news/html/20220310/k10013520013.html": ("2022-03-11T00:00:00+00:00", "byline", 1),
    }
    for path, (value, source, assumed) in expect.items():
        row = rows[path]
        assert (row["published_at"], row["published_source"], row["published_tz_assumed"]) == (
            value,
            source,
            assumed,
        ), path
        assert row["published_raw"]


def test_legacy_charsets_declared_only_in_meta_are_decoded(open_demo_db: sqlite_utils.Database) -> None:
    sjis = open_demo_db["articles"].get(
        next(r["url"] for r in open_demo_db.query("select url from articles where url like '%k10013520101.html'"))
    )
    euc = open_demo_db["articles"].get(
        next(r["url"] for r in open_demo_db.query("select url from articles where url like '%k10013520102.html'"))
    )
    assert sjis["title"] == "老舗旅館 創業300年を記念して特別公開"
    assert "創業300年を迎えた京都の老舗旅館" in sjis["body"]
    assert euc["title"] == "漁港でサワラの水揚げ最盛期"
    assert "サワラの水揚げが最盛期" in euc["body"]
    page = open_demo_db["pages"].get(sjis["url"])
    assert page["encoding"].lower().replace("_", "").replace("-", "") in {"shiftjis", "cp932", "sjis"}
    wrong = next(open_demo_db.query("select * from articles where url like '%k10013520103.html'"))
    assert wrong["title"] == "商店街で春の大売り出し始まる"  # header said UTF-8, bytes were Shift_JIS
    assert "\ufffd" not in wrong["body"] and "大勢の買い物客" in wrong["body"]
    # The raw bytes are kept as served, for re-processing.
    assert zlib.decompress(page["html_zlib"]).decode("shift_jis").count("老舗旅館") >= 1


def test_bad_input_is_counted_in_the_crawls_row(open_demo_db: sqlite_utils.Database, demo_db: tuple[Path, str]) -> None:
    crawl = next(open_demo_db.query("select * from crawls order by id desc limit 1"))
    assert crawl["status"] == "finished"
    assert crawl["articles_inserted"] == open_demo_db["articles"].count
    assert json.loads(crawl["drops"]) == {"missing_body": 1, "missing_title": 1}
    errors = json.loads(crawl["errors"])
    assert errors["fetch/http_404"] == 1
    assert errors["fetch/http_500"] == 1
    assert errors["pages/non_html"] == 1
    assert errors["pages/charset_mismatch"] == 1
    assert errors["extract/unparseable"] == 1  # an empty 200 response
    assert errors["dates/published_unparseable"] == 1
    assert errors["fetch/robots_forbidden"] == 2
    assert crawl["pages_fetched"] > 40
    drops = {r["reason"]: r for r in open_demo_db.query("select * from drops")}
    assert drops["missing_body"]["url"].endswith("/2022/03/12/empty.html")
    assert drops["missing_title"]["url"].endswith("/2022/03/12/untitled.html")
    # The unreadable date: stored article, null date, raw string kept.
    row = next(open_demo_db.query("select * from articles where url like '%/opinion/parking-fees.html'"))
    assert row["published_at"] is None and row["published_raw"] == "sometime last spring"
    assert "Traceback" not in demo_db[1]


def test_second_crawl_updates_rows_and_never_duplicates(
    demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path
) -> None:
    ja, _ = demo_sites
    db = tmp_path / "again.db"
    args = f"start_urls={ja.base_url}/sitemap.xml"
    run_crawl(db, args)
    first = open_db(db)  # our connection: the search index triggers need its functions
    count = first["articles"].count
    assert count == 3 + len(JA_ARTICLES) + 3
    first.execute("update articles set title = 'stale', content_hash = 'stale' where url like '%k10013519411.html'")
    first.conn.commit()
    first.close()
    run_crawl(db, args, settings={"NEWS_INCREMENTAL": "0"})  # every article again, not only what is due
    again = sqlite_utils.Database(db)
    assert again["articles"].count == count
    assert again.execute("select count(distinct url) from articles").fetchone()[0] == count
    crawls = list(again.query("select * from crawls order by id"))
    assert len(crawls) == 2
    assert (crawls[1]["articles_inserted"], crawls[1]["articles_updated"], crawls[1]["articles_unchanged"]) == (
        0,
        1,
        count - 1,
    )
    assert next(again.query("select title from articles where url like '%k10013519411.html'"))["title"] != "stale"


def test_profile_crawl_uses_selectors_and_profile_timezone(
    demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path
) -> None:
    ja, _ = demo_sites
    db = tmp_path / "profile.db"
    run_crawl(db, "site=demo-nhk", f"start_urls={ja.base_url}/sitemap.xml")
    rows = list(sqlite_utils.Database(db).query("select * from articles"))
    assert len(rows) == 3 + len(JA_ARTICLES) + 3
    for row in rows:
        assert row["site"] == "demo-nhk"
        assert row["extractor"] == "selectors"
        assert row["timezone"] == "Asia/Tokyo" and row["timezone_source"] == "profile"
        assert row["published_tz_assumed"] == 0
    seed = next(r for r in rows if r["url"].endswith("k10013519522.html"))
    assert seed["blocks_repeat"] == 5 and seed["published_at"] == "2022-03-08T06:05:00+00:00"


def test_html_start_page_follows_links_to_depth_limit(
    demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path
) -> None:
    _, en = demo_sites
    db = tmp_path / "depth.db"
    run_crawl(db, f"start_urls={en.base_url}/", "follow_depth=0")
    assert sqlite_utils.Database(db)["articles"].count == 0  # the home page is a listing; nothing followed
    run_crawl(db, f"start_urls={en.base_url}/", "follow_depth=1")
    assert sqlite_utils.Database(db)["articles"].count >= 10


def test_date_mentions_are_stored_with_true_offsets(open_demo_db: sqlite_utils.Database) -> None:
    row = next(open_demo_db.query("select * from articles where url like '%k10013519522.html'"))
    mentions = list(
        open_demo_db.query("select * from date_mentions where article_url = ? order by offset", [row["url"]])
    )
    for m in mentions:
        assert row["body"][m["offset"] : m["offset"] + len(m["surface"])] == m["surface"]
    found = {(m["surface"], m["value"]) for m in mentions}
    assert {("7日", "2022-03-07"), ("今月10日", "2022-03-10")} <= found
    assert not any(m["surface"].startswith("3日") for m in mentions)  # 3日連続 is a count
    signals = json.loads(row["date_signals"])
    assert signals["published"][0]["source"] == "json-ld:datePublished"
    assert all(s["value"] for s in signals["published"])


def test_mentions_are_replaced_not_duplicated_on_recrawl(
    demo_sites: tuple[DemoServer, DemoServer], tmp_path: Path
) -> None:
    ja, _ = demo_sites
    db = tmp_path / "mentions.db"
    run_crawl(db, f"start_urls={ja.base_url}/sitemap.xml")
    first = sqlite_utils.Database(db)["date_mentions"].count
    assert first >= 10
    run_crawl(db, f"start_urls={ja.base_url}/sitemap.xml")
    assert sqlite_utils.Database(db)["date_mentions"].count == first


def test_site_boilerplate_is_learned_stripped_and_audited(open_demo_db: sqlite_utils.Database) -> None:
    from crawler.demo.site import EN_BODY_NOTICE, JA_BODY_NOTICE, JA_VIDEO_NOTICE

    learned = {
        (r["site_name"], r["text"])
        for r in open_demo_db.query(
            "select distinct a.site_name, b.text from boilerplate b join articles a on a.site = b.site"
        )
    }
    assert ("NHKデモニュース", JA_BODY_NOTICE) in learned
    assert ("NHKデモニュース", JA_VIDEO_NOTICE) in learned  # on half the pages only
    assert ("The Daily Example", EN_BODY_NOTICE) in learned
    for notice in (JA_BODY_NOTICE, JA_VIDEO_NOTICE, EN_BODY_NOTICE):
        assert (
            open_demo_db.execute("select count(*) from articles where body like ?", [f"%{notice}%"]).fetchone()[0] == 0
        )
    # No content paragraph was learned as boilerplate.
    assert len(learned) == 3
    audit = {
        (r["reason"], r["n"])
        for r in open_demo_db.query("select reason, count(*) n from stripped_blocks group by reason")
    }
    articles = open_demo_db["articles"].count
    assert ("repeat", 11) in audit
    boiler = dict(audit)["boilerplate"]
    assert boiler >= articles  # every article lost its notice line
    total = open_demo_db.execute("select sum(blocks_stripped) from articles").fetchone()[0]
    assert total == sum(n for _, n in audit)
    # The raw blocks are kept, so nothing is lost.
    raw = json.loads(
        next(open_demo_db.query("select raw_blocks from articles where url like '%k10013519522.html'"))["raw_blocks"]
    )
    assert JA_BODY_NOTICE in raw and JA_VIDEO_NOTICE in raw and len(raw) == 15 + 2


def test_wire_copy_is_kept_and_linked_as_near_duplicate(open_demo_db: sqlite_utils.Database) -> None:
    rows = {
        r["url"].split("/", 3)[3]: r
        for r in open_demo_db.query("select * from articles where duplicate_of is not null")
    }
    assert list(rows) == ["2022/03/08/wire-rates-decision.html"]
    assert rows["2022/03/08/wire-rates-decision.html"]["duplicate_of"].endswith(
        "/2022/03/08/central-bank-holds-rates.html"
    )


def test_every_fetched_page_has_a_decision_with_its_reason(open_demo_db: sqlite_utils.Database) -> None:
    decisions = {r["url"]: r for r in open_demo_db.query("select * from decisions")}
    stored = {r["fetched_url"] for r in open_demo_db.query("select fetched_url from articles")}
    # Every stored article was decided an article; every other fetched page says why it is not one.
    assert stored <= {u for u, d in decisions.items() if d["kind"] == "article"}
    kinds = {(d["kind"], d["reason"]) for d in decisions.values()}
    assert {("other", "http_404"), ("other", "non_html"), ("other", "unparseable")} <= kinds
    listings = [d for d in decisions.values() if d["kind"] == "listing"]
    feeds = [d for d in listings if d["reason"] in {"rss", "atom", "urlset"}]
    assert feeds and all(d["links"] > 0 for d in feeds)  # a listing records what it yielded
    home = next(d for d in listings if d["reason"] not in {"rss", "atom", "urlset", "sitemapindex"} and d["links"])
    assert json.loads(home["signals"])["score"] < 2 or home["reason"] == "profile:url_pattern"
    # "Why is this URL not in articles?": the untitled page was an article, dropped for its title.
    untitled = next(u for u in decisions if u.endswith("untitled.html"))
    assert decisions[untitled]["kind"] == "article"
    assert open_demo_db.execute("select reason from drops where url = ?", [untitled]).fetchone()[0] == "missing_title"
