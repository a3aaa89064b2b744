"""The add-on's first path, kept so projects with `ADDONS = {"crawler.addon.NewsAddon": 0}` go on
working; it lives with the other Scrapy components in `crawler.crawl.addon`."""

from crawler.crawl.addon import NewsAddon

__all__ = ["NewsAddon"]
