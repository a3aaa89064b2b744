from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.pipelines.blocks import BlocksPipeline
from crawler.pipelines.dates import DatesPipeline
from crawler.pipelines.storage import StoragePipeline
from crawler.pipelines.validate import MissingBody, MissingTitle, MissingURL, ValidatePipeline, validation_error
from crawler.spiders.news import NewsSpider


def crawler(**settings: Any) -> Any:
    c = get_crawler(NewsSpider, settings_dict=settings)
    c.stats.open_spider()
    return c


def article(**fields: Any) -> Article:
    base = {"url": "https://ex.jp/a", "title": "T", "blocks": ["本文。"], "language": "ja", "site": "ex"}
    return Article(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, None),
        ({"url": ""}, MissingURL),
        ({"url": None}, MissingURL),
        ({"title": None}, MissingTitle),
        ({"title": "  "}, MissingTitle),
        ({"blocks": []}, MissingBody),
        ({"blocks": ["", "  "]}, MissingBody),
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


def dated(published: list[tuple[str, str]] | None = None, **fields: Any) -> Article:
    return article(published_candidates=published or [], fetched_at=FETCHED, **fields)


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
    signals = json.loads(item["date_signals"])["published"]
    assert [(s["raw"], s["source"]) for s in signals] == published  # every signal kept
    if published and published_at is None:
        assert item["published_raw"] == published[0][0]  # raw kept


def test_dates_pipeline_counts_reasons() -> None:
    c = crawler()
    pipe = DatesPipeline.from_crawler(c)
    pipe.process_item(dated([("nonsense", "meta:date")]))
    pipe.process_item(dated([("2022年2月30日", "byline")]))
    pipe.process_item(dated([("2030-01-01", "meta:date")]))
    pipe.process_item(dated([("2022年3月8日 5時12分", "byline"), ("2022-01-01", "url")]))
    item = pipe.process_item(dated([("2022-03-08", "time")], modified_candidates=[("2022-03-09", "meta:x")]))
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


def test_blocks_pipeline_strips_and_joins() -> None:
    c = crawler()
    blocks = ["alpha one", "bravo two", "alpha one", "bravo two", "charlie 3"]
    item = BlocksPipeline.from_crawler(c).process_item(article(blocks=blocks))
    assert item["body"] == "alpha one\n\nbravo two\n\ncharlie 3"
    assert item["blocks_stripped"] == 2
    assert c.stats.get_value("news/blocks/stripped") == 2


def test_components_switch_off_with_not_configured() -> None:
    with pytest.raises(NotConfigured):
        BlocksPipeline.from_crawler(crawler(NEWS_STRIP_REPEATS=False))
    with pytest.raises(NotConfigured):
        DatesPipeline.from_crawler(crawler(NEWS_DATES_ENABLED=False))
    with pytest.raises(NotConfigured):
        StoragePipeline.from_crawler(crawler(NEWS_DB=""))


def _storage(tmp_path: Path, batch: int = 2) -> tuple[Any, StoragePipeline]:
    c = crawler(NEWS_DB=str(tmp_path / "n.db"), NEWS_DB_BATCH_SIZE=batch)
    c.spider = c._create_spider(start_urls="https://ex.jp/")
    pipe = StoragePipeline.from_crawler(c)
    pipe.open_spider()
    return c, pipe


def stored(**fields: Any) -> Article:
    item = article(**fields)
    item.setdefault("body", "\n\n".join(item["blocks"]))
    item.setdefault("raw_html", b"<html>x</html>")
    item.setdefault("fetched_at", "2026-01-01T00:00:00+00:00")
    return item


def test_storage_batches_upserts_and_records_the_crawl(tmp_path: Path) -> None:
    c, pipe = _storage(tmp_path, batch=2)
    pipe.process_item(stored(url="https://ex.jp/1"))
    db = sqlite_utils.Database(tmp_path / "n.db")
    assert db["articles"].count == 0  # still buffered
    pipe.process_item(stored(url="https://ex.jp/2"))
    assert db["articles"].count == 2  # one batch written
    pipe.process_item(stored(url="https://ex.jp/1", title="T2"))  # same URL again, changed
    pipe.process_item(stored(url="https://ex.jp/2"))  # same URL again, unchanged
    pipe.item_dropped(stored(url="https://ex.jp/3", title=None), None, MissingTitle("https://ex.jp/3"))
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
    drop = next(db["drops"].rows)
    assert (drop["url"], drop["reason"], drop["crawl_id"]) == ("https://ex.jp/3", "missing_title", 1)
    # Raw HTML of the dropped page is kept too.
    assert db["pages"].get("https://ex.jp/3")["html_zlib"]
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_mentions_can_be_switched_off_for_storage_too(tmp_path: Path) -> None:
    c = crawler(NEWS_DB=str(tmp_path / "m.db"), NEWS_MENTIONS_ENABLED=False)
    c.spider = c._create_spider(start_urls="https://ex.jp/")
    pipe = StoragePipeline.from_crawler(c)
    pipe.open_spider()
    pipe.process_item(stored(url="https://ex.jp/1", blocks=["7日に発表しました。"], published_at="2022-03-08"))
    pipe.close_spider()
    assert sqlite_utils.Database(tmp_path / "m.db")["date_mentions"].count == 0
