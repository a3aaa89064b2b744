from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.crawl.pipelines.clean import CleanPipeline
from crawler.crawl.pipelines.dates import DatesPipeline
from crawler.crawl.pipelines.mentions import MentionsPipeline
from crawler.crawl.pipelines.storage import StoragePipeline
from crawler.crawl.pipelines.validate import MissingBody, MissingTitle, MissingURL, ValidatePipeline, validation_error
from crawler.crawl.spider import NewsSpider
from crawler.items import COLUMN_FIELDS, Article


def crawler(**settings: Any) -> Any:
    c = get_crawler(NewsSpider, settings_dict=settings)
    c.stats.open_spider()
    return c


def article(**fields: Any) -> Article:
    base = {"url": "https://ex.jp/a", "title": "T", "raw_blocks": ["本文。"], "language": "ja", "site": "ex"}
    return Article(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, None),
        ({"url": ""}, MissingURL),
        ({"url": None}, MissingURL),
        ({"title": None}, MissingTitle),
        ({"title": "  "}, MissingTitle),
        ({"raw_blocks": []}, MissingBody),
        ({"raw_blocks": ["", "  "]}, MissingBody),
    ],
)
def test_validation_errors(fields: dict[str, Any], error: type | None) -> None:
    got = validation_error(dict(article(**fields)))
    assert (type(got) if got else None) is error


def test_validate_pipeline_counts_drops() -> None:
    c = crawler()
    pipe = ValidatePipeline.from_crawler(c)
    with pytest.raises(MissingTitle):
        pipe.process_item(article(title=""))
    assert pipe.process_item(article())["title"] == "T"
    assert c.stats.get_value("news/drop/missing_title") == 1
    assert c.stats.get_value("news/validate/ok") == 1


FETCHED = "2022-03-08T06:00:00+00:00"


def signals(pairs: list[tuple[str, str]] | None) -> list[dict[str, str]]:
    return [{"raw": raw, "source": source} for raw, source in pairs or []]


def dated(
    published: list[tuple[str, str]] | None = None, modified: list[tuple[str, str]] | None = None, **fields: Any
) -> Article:
    found = {"published": signals(published), "modified": signals(modified)}
    return article(date_signals=found, fetched_at=FETCHED, **fields)


@pytest.mark.parametrize(
    ("published", "fields", "published_at", "source", "assumed", "zone_source"),
    [
        ([("2022年3月8日 5時12分", "byline")], {}, "2022-03-07T20:12:00+00:00", "byline", True, "language"),
        (
            [("2022年3月8日 5時12分", "byline")],
            {"timezone": "Asia/Tokyo", "timezone_source": "profile"},
            "2022-03-07T20:12:00+00:00",
            "byline",
            False,
            "profile",
        ),
        (
            [("2022-03-08T05:12:00+09:00", "time")],
            {"language": "en"},
            "2022-03-07T20:12:00+00:00",
            "time",
            False,
            "tld",
        ),
        ([("2022-03-08", "url")], {}, "2022-03-08", "url", False, "language"),
        # the first signal is unreadable: the next one is used
        ([("not a date", "meta:date"), ("2022-03-07", "url")], {}, "2022-03-07", "url", False, "language"),
        # a bare date is refined by a timed signal on the same local day
        (
            [("2022-03-08", "json-ld:datePublished"), ("2022年3月8日 5時12分", "byline")],
            {},
            "2022-03-07T20:12:00+00:00",
            "byline",
            True,
            "language",
        ),
        # a future date is rejected, not stored as fact
        ([("2031-01-01T00:00:00Z", "meta:date"), ("2022-03-08", "url")], {}, "2022-03-08", "url", False, "language"),
        ([("1970-01-01T00:00:00Z", "meta:date")], {}, None, "meta:date", False, "language"),
        ([("きょう 午前10時", "byline")], {}, "2022-03-08T01:00:00+00:00", "byline", True, "language"),
        ([("not a date", "meta:date")], {}, None, "meta:date", False, "language"),
        ([], {}, None, None, False, "language"),
    ],
)
def test_dates_pipeline(
    published: list[tuple[str, str]],
    fields: dict[str, Any],
    published_at: str | None,
    source: str | None,
    assumed: bool,
    zone_source: str,
) -> None:
    c = crawler()
    item = DatesPipeline.from_crawler(c).process_item(dated(published, **fields))
    assert item["published_at"] == published_at
    assert item["published_source"] == source
    assert item["published_tz_assumed"] is assumed
    assert item["timezone_source"] == zone_source
    kept = item["date_signals"]["published"]
    assert [(s["raw"], s["source"]) for s in kept] == published  # every signal kept, parsed
    assert all("value" in s and "error" in s for s in kept)
    if published and published_at is None:
        assert item["published_raw"] == published[0][0]  # raw kept


def test_dates_pipeline_counts_reasons() -> None:
    c = crawler()
    pipe = DatesPipeline.from_crawler(c)
    pipe.process_item(dated([("nonsense", "meta:date")]))
    pipe.process_item(dated([("2022年2月30日", "byline")]))
    pipe.process_item(dated([("2030-01-01", "meta:date")]))
    pipe.process_item(dated([("2022年3月8日 5時12分", "byline"), ("2022-01-01", "url")]))
    item = pipe.process_item(dated([("2022-03-08", "time")], [("2022-03-09", "meta:x")]))
    stats = c.stats.get_stats()
    assert stats["news/dates/published_unparseable"] == 1
    assert stats["news/dates/published_invalid_date"] == 1
    assert stats["news/dates/published_future"] == 1
    assert stats["news/dates/published_normalised"] == 2
    assert stats["news/dates/published_signals_disagree"] == 1
    assert stats["news/dates/modified_normalised"] == 1
    assert stats["news/dates/assumed_tz"] == 1
    assert item["modified_at"] == "2022-03-09"  # modified never replaces published
    assert item["published_at"] == "2022-03-08"


def test_dates_setting_zone_is_not_assumed() -> None:
    c = crawler(NEWS_DEFAULT_TIMEZONE="Europe/London")
    item = DatesPipeline.from_crawler(c).process_item(dated([("2022-03-01T12:00", "time")], language="en"))
    assert item["published_at"] == "2022-03-01T12:00:00+00:00"
    assert item["published_tz_assumed"] is False


def clean(item: Article, **settings: Any) -> Article:
    pipe = CleanPipeline.from_crawler(crawler(**{"NEWS_DB": "", **settings}))
    pipe.open_spider()
    return asyncio.run(pipe.process_item(item))


def test_clean_pipeline_makes_the_body_and_its_audit() -> None:
    blocks = ["Alpha one left.", "Bravo two came.", "Alpha one left.", "Bravo two came.", "Charlie 3 stayed.", "★"]
    item = clean(article(raw_blocks=blocks))
    assert item["body"] == "Alpha one left.\n\nBravo two came.\n\nCharlie 3 stayed."
    assert (item["blocks_total"], item["blocks_stripped"], item["blocks_repeat"], item["blocks_empty"]) == (6, 3, 2, 1)
    assert item["stripped_blocks"][0] == {"position": 2, "text": "Alpha one left.", "reason": "repeat"}
    assert item["content_hash"] and item["content_hash"] != clean(article(raw_blocks=blocks[:2]))["content_hash"]


def test_repeats_switch_changes_the_item_and_the_database(tmp_path: Path) -> None:
    blocks = ["Alpha one left.", "Alpha one left.", "Bravo two came."]
    item = clean(article(raw_blocks=blocks), NEWS_REPEATS_ENABLED=False)
    assert item["body"] == "Alpha one left.\n\nAlpha one left.\n\nBravo two came." and item["blocks_repeat"] == 0
    _, pipe = _storage(tmp_path, NEWS_REPEATS_ENABLED=False)
    _store(pipe, item)
    pipe.close_spider()
    assert sqlite_utils.Database(tmp_path / "n.db")["articles"].get("https://ex.jp/a")["body"] == item["body"]


def test_furniture_switch_changes_the_item(tmp_path: Path) -> None:
    blocks = ["Alpha one left the council.", "Subscribe now to read the full story.", "関連記事"]
    on = clean(article(raw_blocks=blocks))
    assert on["body"] == "Alpha one left the council." and on["blocks_stripped"] == 2
    assert {b["reason"] for b in on["stripped_blocks"]} == {"furniture"}
    off = clean(article(raw_blocks=blocks), NEWS_FURNITURE_ENABLED=False)
    assert off["body"] == "\n\n".join(blocks) and off["blocks_stripped"] == 0


def test_boilerplate_model_of_the_database_is_applied_by_the_clean_pipeline(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    notice = "Photos by the Daily Planet picture desk."
    c, pipe = _storage(tmp_path)
    for i in range(6):
        _store(pipe, clean(article(url=f"https://ex.jp/{i}", raw_blocks=[f"story {i} text", notice])))
    pipe.close_spider()
    pipe.spider_closed(c.spider, "finished")  # learns the notice as boilerplate, re-cleans the rows
    item = clean(article(url="https://ex.jp/new", raw_blocks=["a new story", notice]), NEWS_DB=str(db))
    assert item["body"] == "a new story" and item["blocks_boilerplate"] == 1
    off = clean(article(url="https://ex.jp/new", raw_blocks=["a new story", notice]), NEWS_DB=str(db),
                NEWS_BOILERPLATE_ENABLED=False)  # fmt: skip
    assert notice in off["body"]


def test_components_switch_off_with_not_configured() -> None:
    with pytest.raises(NotConfigured):
        DatesPipeline.from_crawler(crawler(NEWS_DATES_ENABLED=False))
    with pytest.raises(NotConfigured):
        MentionsPipeline.from_crawler(crawler(NEWS_MENTIONS_ENABLED=False))
    with pytest.raises(NotConfigured):
        StoragePipeline.from_crawler(crawler(NEWS_DB=""))


def _storage(tmp_path: Path, batch: int = 2, **settings: Any) -> tuple[Any, StoragePipeline]:
    c = crawler(NEWS_DB=str(tmp_path / "n.db"), NEWS_DB_BATCH_SIZE=batch, **settings)
    c.spider = c._create_spider(start_urls="https://ex.jp/")
    pipe = StoragePipeline.from_crawler(c)
    pipe.open_spider()
    return c, pipe


def response(url: str) -> HtmlResponse:
    return HtmlResponse(url, body=b"<html>x</html>", encoding="utf-8")


def _store(pipe: StoragePipeline, item: Article) -> None:
    """What Scrapy does for an item that passed the pipelines: process_item, then item_scraped."""
    asyncio.run(pipe.process_item(item))
    pipe.item_scraped(item, response(item["url"]))


def stored(**fields: Any) -> Article:
    item = article(**fields)
    item.setdefault("fetched_at", "2026-01-01T00:00:00+00:00")
    return clean(item)


def test_storage_batches_upserts_and_records_the_crawl(tmp_path: Path) -> None:
    c, pipe = _storage(tmp_path, batch=2)
    _store(pipe, stored(url="https://ex.jp/1"))
    db = sqlite_utils.Database(tmp_path / "n.db")
    assert db["articles"].count == 0  # still buffered
    _store(pipe, stored(url="https://ex.jp/2"))
    assert db["articles"].count == 2  # one batch written
    _store(pipe, stored(url="https://ex.jp/1", title="T2"))  # same URL again, changed
    _store(pipe, stored(url="https://ex.jp/2"))  # same URL again, unchanged
    dropped = article(url="https://ex.jp/3", title=None)
    pipe.item_dropped(dropped, response("https://ex.jp/3"), MissingTitle("https://ex.jp/3"))
    c.stats.inc_value("news/drop/missing_title")
    pipe.close_spider()
    pipe.spider_closed(c.spider, "finished")
    db = sqlite_utils.Database(tmp_path / "n.db")
    assert db["articles"].count == 2
    assert db["articles"].get("https://ex.jp/1")["title"] == "T2"
    crawl = db["crawls"].get(1)
    assert (crawl["articles_inserted"], crawl["articles_updated"], crawl["articles_unchanged"]) == (2, 1, 1)
    assert crawl["status"] == "finished"
    assert crawl["drops"] == '{"missing_title": 1}'
    assert json.loads(crawl["config"])["boilerplate_min_articles"] == 5  # the cleaning settings, recorded
    drop = next(db["drops"].rows)
    assert (drop["url"], drop["reason"], drop["crawl_id"]) == ("https://ex.jp/3", "missing_title", 1)
    # Raw pages come from the responses, for stored and dropped items alike.
    assert db["pages"].get("https://ex.jp/1")["html_zlib"]
    assert db["pages"].get("https://ex.jp/3")["html_zlib"]
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_the_item_is_the_stored_row(tmp_path: Path) -> None:
    item = DatesPipeline.from_crawler(crawler()).process_item(
        dated([("2022-03-08T05:12:00+09:00", "time")], raw_blocks=["7日に発表しました。", "続報です。"])
    )
    item = clean(item)
    item = asyncio.run(MentionsPipeline.from_crawler(crawler()).process_item(item))
    json.dumps(dict(item), ensure_ascii=False)  # feed exports can write it
    _, pipe = _storage(tmp_path, batch=1)
    _store(pipe, item)
    pipe.close_spider()
    db = sqlite_utils.Database(tmp_path / "n.db")
    row = db["articles"].get(item["url"])
    for field in COLUMN_FIELDS:
        value = item.get(field)
        if isinstance(value, (list, dict)):
            assert json.loads(row[field]) == value, field
        elif isinstance(value, bool):
            assert row[field] == int(value), field
        else:
            assert row[field] == value, field
    mentions = [dict(m) for m in db.query("select surface, offset, value, precision, kind from date_mentions")]
    assert mentions == item["date_mentions"] and item["body"][mentions[0]["offset"] :].startswith("7日")


def test_mentions_can_be_switched_off_for_storage_too(tmp_path: Path) -> None:
    c, pipe = _storage(tmp_path, batch=1, NEWS_MENTIONS_ENABLED=False)
    _store(pipe, stored(url="https://ex.jp/1", raw_blocks=["7日に発表しました。"], published_at="2022-03-08"))
    pipe.close_spider()
    pipe.spider_closed(c.spider, "finished")
    db = sqlite_utils.Database(tmp_path / "n.db")
    assert db["date_mentions"].count == 0
    # and a later re-clean of that database, with the recorded switch, adds none either
    from crawler.config import NewsConfig
    from crawler.storage import ArticleStore, open_db
    from crawler.storage.runs import recorded_config

    database = open_db(tmp_path / "n.db")
    ArticleStore(database, NewsConfig().with_cleaning(recorded_config(database))).reclean(["https://ex.jp/1"])
    assert db["date_mentions"].count == 0


def test_storage_writes_on_its_thread_in_a_crawl_and_keeps_a_batch_that_failed(tmp_path: Path) -> None:
    """Inside an event loop (a crawl) batches are written on the writer thread, one at a time; a
    batch whose write fails stays buffered and goes with the next write: nothing is lost."""
    c, pipe = _storage(tmp_path, batch=2)
    assert pipe.store is not None
    real_write, threads, failures = pipe.store.write_batch, set(), [1]

    def write_batch(*args: Any, **kwargs: Any) -> dict[str, int]:
        threads.add(threading.current_thread().name)
        if failures:
            failures.pop()
            raise ValueError("a write that fails once")
        return real_write(*args, **kwargs)

    pipe.store.write_batch = write_batch  # type: ignore[method-assign]

    items = [stored(url=f"https://ex.jp/{i}") for i in range(6)]

    async def crawl() -> None:
        for item in items:
            await pipe.process_item(item)
            waiting = pipe.item_scraped(item, response(item["url"]))
            if waiting is not None:
                await waiting
        await pipe.close_spider()  # type: ignore[misc]

    asyncio.run(crawl())
    pipe.spider_closed(c.spider, "finished")
    assert threads == {"news-storage_0", "MainThread"}  # the last batch is written at close
    assert c.stats.get_value("news/storage/write_error") == 1
    db = sqlite_utils.Database(tmp_path / "n.db")
    assert sorted(r["url"] for r in db.query("select url from articles")) == [f"https://ex.jp/{i}" for i in range(6)]
    assert db["pages"].count == 6
