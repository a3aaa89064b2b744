"""The Scrapy add-on: our pipelines and request fingerprints inside anyone's Scrapy project.

    # settings.py of your project
    ADDONS = {"crawler.addon.NewsAddon": 0}
    NEWS_DB = "data/news.db"

Your spiders then yield `crawler.items.Article` items (or dicts with the same fields:
at least url, title, raw_blocks; `date_signals` with raw published/modified signals
when you have them), or use our spider: `from crawler.spiders.news import NewsSpider`.
The add-on only adds: settings you set yourself keep their values.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

PIPELINES = {
    "crawler.pipelines.validate.ValidatePipeline": 100,
    "crawler.pipelines.dates.DatesPipeline": 200,
    "crawler.pipelines.clean.CleanPipeline": 300,
    "crawler.pipelines.mentions.MentionsPipeline": 400,
    "crawler.pipelines.storage.StoragePipeline": 900,
}
DOWNLOADER_MIDDLEWARES = {"crawler.middlewares.ContactUserAgentMiddleware": 50}


class NewsAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        for path, order in PIPELINES.items():
            settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", path, order)
        for path, order in DOWNLOADER_MIDDLEWARES.items():
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", path, order)
        # Our middleware sets the User-Agent (with NEWS_CONTACT) before robots.txt is matched.
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware", None
        )
        settings.set("REQUEST_FINGERPRINTER_CLASS", "crawler.fingerprint.CanonicalFingerprinter", "addon")
        settings.set("FEED_EXPORT_ENCODING", settings.get("FEED_EXPORT_ENCODING") or "utf-8", "addon")
