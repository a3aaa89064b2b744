"""Releasing held requests that end without an item (listings, sitemaps, pages that are not
articles, callbacks that raise): after the callback's whole output has gone through, the
request is acknowledged with the worker's next pushed batch. Requests that give an item are
released by storage, with the batch that holds the item; failed downloads by the spider's errback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from itemadapter import is_item
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.config import NewsConfig
from crawler.crawl.distributed.frontier import Frontier


class AckMiddleware:
    def __init__(self, frontier: Frontier) -> None:
        self.frontier = frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AckMiddleware:
        if not NewsConfig.from_settings(crawler.settings).redis_url:
            # Off by default (NEWS_REDIS_URL is not set: no shared frontier).
            # Without a message Scrapy says nothing: every run printed a "Disabled ..." warning.
            raise NotConfigured()
        return cls(Frontier.of(crawler))

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        items = 0
        for output in result:
            items += is_item(output)
            yield output
        if not items:
            self.frontier.ack(response.request)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        items = 0
        async for output in result:
            items += is_item(output)
            yield output
        if not items:
            self.frontier.ack(response.request)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self.frontier.ack(response.request)
