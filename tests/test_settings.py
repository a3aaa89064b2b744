"""Security and politeness defaults, and the User-Agent that names a contact."""

from __future__ import annotations

from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.extension import ExtensionManager
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.crawl import settings as project_settings
from crawler.crawl.middlewares import ContactUserAgentMiddleware
from crawler.crawl.spider import NewsSpider


def test_a_crawler_on_project_settings_loads_no_remote_access_and_obeys_robots() -> None:
    s = Settings()
    s.setmodule(project_settings)
    ours = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    crawler = get_crawler(NewsSpider, settings_dict=ours)
    extensions = {type(e).__name__ for e in ExtensionManager.from_crawler(crawler).middlewares}
    assert "TelnetConsole" not in extensions and "AutoThrottle" in extensions
    assert not any("Remote" in name for name in extensions)
    manager = DownloaderMiddlewareManager.from_crawler(crawler)  # drops the ones that raise NotConfigured
    middlewares = {type(m).__name__ for m in manager.middlewares}
    assert "RobotsTxtMiddleware" in middlewares and "HttpCacheMiddleware" not in middlewares
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4 and s.getfloat("DOWNLOAD_DELAY") >= 0.5


def test_user_agent_names_the_project_and_contact() -> None:
    crawler = get_crawler(NewsSpider, settings_dict={"NEWS_CONTACT": "mailto:desk@example.org"})
    mw = ContactUserAgentMiddleware.from_crawler(crawler)
    assert mw.agent.startswith("news-crawler/") and "mailto:desk@example.org" in mw.agent
    explicit = get_crawler(NewsSpider, settings_dict={"USER_AGENT": "MyBot/1.0"})
    assert ContactUserAgentMiddleware.from_crawler(explicit).agent == "MyBot/1.0"


def test_user_agent_middleware_runs_before_robots_txt() -> None:
    s = Settings()
    s.setmodule(project_settings)
    assert s.getdict("DOWNLOADER_MIDDLEWARES")["crawler.crawl.middlewares.ContactUserAgentMiddleware"] < 100
