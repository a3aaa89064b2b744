"""Request fingerprints on canonical URLs, so one story is fetched once.

Scrapy's duplicate filter compares request fingerprints; with this
fingerprinter, "www." and bare host, tracking parameters and print/AMP
variants of a URL count as the same request.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.request import fingerprint

from crawler.discovery.urls import canonicalize


class CanonicalFingerprinter:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        return fingerprint(request.replace(url=canonicalize(request.url)))
