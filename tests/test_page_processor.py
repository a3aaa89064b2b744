"""The page processor (crawler/page/process.py) against the pipelines a spider of the user's own
goes through (the add-on): on every page of the demo sites, and on real pages when
../shared/realpages is present, the processor's finished row is the row the validate, dates,
clean and mentions pipelines make from the same extraction, field by field, signature included.
The crawl's end-to-end tests hold the stored rows to what the demo promises."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler.crawl.pipelines.clean import CleanPipeline
from crawler.crawl.pipelines.dates import DatesPipeline
from crawler.crawl.pipelines.mentions import MentionsPipeline
from crawler.crawl.sitemodels import SiteModels
from crawler.crawl.spider import NewsSpider
from crawler.demo.site import build_en_site, build_ja_site
from crawler.discovery.urls import site_key, storage_url
from crawler.extract import extract_page
from crawler.extract.article import ExtractError
from crawler.extract.encoding import decode_response, redecode
from crawler.extract.titles import affix_candidates
from crawler.items import Article
from crawler.page.process import PageRules, RawPage, SiteSnapshot, process_page
from crawler.profiles import get_profile
from crawler.text.blocks import block_key
from crawler.text.language import choose_language
from crawler.text.shingles import signature_bytes

FETCHED = "2022-03-10T00:00:00+00:00"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realpages"


def through_pipelines(page: RawPage, site: SiteSnapshot) -> tuple[dict[str, Any] | None, bytes | None]:
    """The add-on's path: extraction, a plain Article, then each pipeline in turn."""
    text, encoding = decode_response(page.body, page.content_type)
    decoded = redecode(text, page.body, encoding)
    article_url = any(p.search(page.url) for p in site.article_urls) if site.article_urls else None
    try:
        extracted = extract_page(decoded.text, page.url, site.selectors, article_url)
    except ExtractError:
        return None, None
    if not extracted.is_article or not extracted.title or not any(b.strip() for b in extracted.blocks):
        return None, None
    language, _ = choose_language(extracted.language, site.language, extracted.title or "", extracted.blocks)
    item = Article(
        url=storage_url(page.url, extracted.canonical_url), site=site.name or site_key(page.url),
        title=extracted.title, title_extracted=extracted.title, page_title=extracted.page_title,
        raw_blocks=extracted.blocks, language=language, fetched_at=page.fetched_at,
        timezone=site.timezone, timezone_source=site.timezone_source,
        date_signals={"published": [{"raw": r, "source": s} for r, s in extracted.published_candidates],
                      "modified": [{"raw": r, "source": s} for r, s in extracted.modified_candidates]},
    )  # fmt: skip
    crawler = get_crawler(NewsSpider, settings_dict={"NEWS_DB": ""})
    crawler.stats.open_spider()
    item = DatesPipeline.from_crawler(crawler).process_item(item)
    clean = CleanPipeline.from_crawler(crawler)
    clean.models = SiteModels.given({item["site"]: site.boilerplate}, {item["site"]: site.affixes})
    item = asyncio.run(clean.process_item(item))
    item = asyncio.run(MentionsPipeline.from_crawler(crawler).process_item(item))
    return dict(item), signature_bytes(item["body"])


def assert_same(page: RawPage, site: SiteSnapshot) -> bool:
    out = process_page(page, site, PageRules())
    expected, signature = through_pipelines(page, site)
    if expected is None:
        assert out.row is None or out.drop is not None, page.url
        return False
    assert out.row is not None and out.drop is None, page.url
    for name, value in expected.items():
        assert out.row[name] == value, (page.url, name)
    assert out.signature == signature
    return True


def demo_pages() -> list[tuple[str, RawPage]]:
    pages = []
    for build, base in ((build_ja_site, "http://127.0.0.1:8701"), (build_en_site, "http://127.0.0.1:8702")):
        for path, resource in build(base).items():
            if resource.status == 200 and "html" in resource.content_type:
                pages.append((base, RawPage(base + path, resource.body, resource.content_type, 200, FETCHED)))
    return pages


def test_the_processor_gives_the_pipelines_row_on_every_demo_page() -> None:
    nhk = get_profile("demo-nhk")
    profiled = SiteSnapshot(name=nhk.name, title=nhk.title, language=nhk.language, timezone=nhk.timezone,
                            timezone_source="profile", selectors=nhk.selectors,
                            article_urls=tuple(nhk.article_urls))  # fmt: skip
    articles = 0
    for base, page in demo_pages():
        site = profiled if base.endswith(":8701") else SiteSnapshot()
        articles += assert_same(page, site)
    assert articles >= 35  # the demo's articles, each compared field by field


def test_learned_boilerplate_and_affixes_are_applied_as_the_pipelines_apply_them() -> None:
    """With a site's learned models in the snapshot, the processor strips what the pipelines strip."""
    changed = 0
    for _, page in demo_pages():
        plain = process_page(page, SiteSnapshot(), PageRules())
        if plain.row is None or plain.drop or len(plain.row["raw_blocks"]) < 3:
            continue
        site = SiteSnapshot(
            boilerplate=frozenset({block_key(plain.row["raw_blocks"][0])}),
            affixes=frozenset(affix_candidates(plain.row["page_title"])),
        )
        assert assert_same(page, site)
        learned = process_page(page, site, PageRules())
        assert learned.row is not None and learned.row["blocks_boilerplate"] >= 1
        changed += 1
    assert changed >= 30


@pytest.mark.skipif(not (REAL / "dates").is_dir(), reason="../shared/realpages not present")
def test_the_processor_gives_the_pipelines_row_on_real_pages() -> None:
    labels = json.loads((REAL / "dates" / "labels.json").read_text())
    compared = 0
    for page_id, label in sorted(labels.items())[:80]:
        body = gzip.decompress((REAL / "dates" / "html" / f"{page_id}.html.gz").read_bytes())
        compared += assert_same(RawPage(label["url"], body, "text/html", 200, FETCHED), SiteSnapshot())
    assert compared >= 60


def test_what_the_workers_prepare_is_what_storage_would_make(tmp_path: Path) -> None:
    """The index's bigram forms and the block keys made beside the row in the worker (and used by
    the one writer instead of making them again) are the writer's own, row for row."""
    import subprocess
    import sys

    import sqlite_utils

    from crawler.demo.warc import write_demo_warc
    from crawler.text.prepared import row_block_keys
    from crawler.text.search import bigram_form
    from tests.conftest import ROOT

    warc, db = tmp_path / "demo.warc.gz", tmp_path / "n.db"
    write_demo_warc(warc)
    proc = subprocess.run([sys.executable, "-m", "crawler", "ingest", str(warc), "--db", str(db),
                           "-s", "NEWS_WORKERS=0"], cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    store = sqlite_utils.Database(db)
    rows = list(store.query("select rowid, url, title, body, raw_blocks from articles"))
    assert len(rows) == 37
    for row in rows:
        fts = next(store.query("select title, body from articles_fts where rowid = ?", [row["rowid"]]))
        assert (fts["title"], fts["body"]) == (bigram_form(row["title"]), bigram_form(row["body"])), row["url"]
        keys = [r["key"] for r in store.query("select key from block_occurrences where article_url = ?", [row["url"]])]
        assert sorted(keys) == row_block_keys(json.loads(row["raw_blocks"])), row["url"]
