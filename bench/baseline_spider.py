"""The baseline: trafilatura inside a Scrapy callback, stored with sqlite-utils (about 40 lines).

    scrapy runspider bench/baseline_spider.py -a sitemap=URL -a db=PATH

What a user writes in an afternoon; bench/realpages.py crawls the same pages with it and with
our spider in the same run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
import sqlite_utils
import trafilatura
from scrapy.spiders import SitemapSpider


class BaselineSpider(SitemapSpider):
    name = "baseline"

    def __init__(self, sitemap: str, db: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sitemap_urls = [sitemap]
        self.table = sqlite_utils.Database(db)["articles"]

    def parse(self, response: scrapy.http.Response) -> Iterator[dict[str, Any]]:
        doc = trafilatura.bare_extraction(response.body, url=response.url, with_metadata=True)
        if doc is None:
            return
        row = {
            "url": response.url,
            "title": doc.title,
            "date": doc.date,
            "author": doc.author,
            "text": doc.text,
        }
        self.table.upsert(row, pk="url")
        yield row
