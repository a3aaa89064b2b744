"""The Scrapy add-on: our pipelines and request fingerprints inside anyone's Scrapy project.

    # settings.py of your project
    ADDONS = {"crawler.crawl.addon.NewsAddon": 0}
    NEWS_DB = "data/news.db"

Your spiders then yield `crawler.items.Article` items (or dicts with the same fields:
at least url, title, raw_blocks; `date_signals` with raw published/modified signals
when you have them), or use our spider: `from crawler.crawl.spider import NewsSpider`.
The add-on only adds: settings you set yourself keep their values.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.extensions.feedexport import FeedExporter
from scrapy.settings import BaseSettings

from crawler.crawl.distributed.acks import AckMiddleware
from crawler.crawl.faults import (
    OffsiteRedirectMiddleware,
    PrivateAddressMiddleware,
    RetryAfterMiddleware,
    SiteBudgetMiddleware,
)
from crawler.crawl.feeds import DatabaseFeedExporter
from crawler.crawl.incremental import IncrementalMiddleware, NotModifiedMiddleware
from crawler.crawl.middlewares import ContactUserAgentMiddleware
from crawler.crawl.pipelines.clean import CleanPipeline
from crawler.crawl.pipelines.dates import DatesPipeline
from crawler.crawl.pipelines.mentions import MentionsPipeline
from crawler.crawl.pipelines.storage import StoragePipeline
from crawler.crawl.pipelines.validate import ValidatePipeline

# The same order as the project's own settings.py.
PIPELINES: dict[type, int] = {
    ValidatePipeline: 100,
    DatesPipeline: 200,
    CleanPipeline: 300,
    MentionsPipeline: 400,
    StoragePipeline: 900,
}
DOWNLOADER_MIDDLEWARES: dict[type, int] = {
    ContactUserAgentMiddleware: 50,
    RetryAfterMiddleware: 555,
    NotModifiedMiddleware: 560,
    SiteBudgetMiddleware: 580,
    PrivateAddressMiddleware: 585,
    OffsiteRedirectMiddleware: 590,
}
SPIDER_MIDDLEWARES: dict[type, int] = {IncrementalMiddleware: 650, AckMiddleware: 950}


class NewsAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        for cls, order in PIPELINES.items():
            settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", cls, order)
        for cls, order in DOWNLOADER_MIDDLEWARES.items():
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", cls, order)
        for cls, order in SPIDER_MIDDLEWARES.items():
            settings.setdefault_in_component_priority_dict("SPIDER_MIDDLEWARES", cls, order)
        # Our middleware sets the User-Agent (with NEWS_CONTACT) before robots.txt is matched.
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", UserAgentMiddleware, None)
        settings.set("REQUEST_FINGERPRINTER_CLASS", "crawler.crawl.fingerprint.CanonicalFingerprinter", "addon")
        if settings.get("NEWS_REDIS_URL"):
            # The distributed mode: the shared frontier replaces the scheduler (crawler/crawl/distributed).
            settings.set("SCHEDULER", "crawler.crawl.distributed.frontier.NewsScheduler", "addon")
        # Feeds written from the database once the run is stored (crawler/crawl/feeds.py).
        settings.set_in_component_priority_dict("EXTENSIONS", FeedExporter, None)
        settings.setdefault_in_component_priority_dict("EXTENSIONS", DatabaseFeedExporter, 0)
        settings.set("FEED_EXPORT_ENCODING", settings.get("FEED_EXPORT_ENCODING") or "utf-8", "addon")
