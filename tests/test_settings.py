"""Security and politeness defaults, and the User-Agent that names a contact."""

from __future__ import annotations

from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.middlewares import ContactUserAgentMiddleware
from crawler.spiders.news import NewsSpider


def test_security_and_politeness_defaults() -> None:
    s = Settings()
    s.setmodule(project_settings)
    assert s.getbool("TELNETCONSOLE_ENABLED") is False
    assert s.getbool("REMOTE_CONTROL_ENABLED") is False
    assert s.getbool("ROBOTSTXT_OBEY") is True
    assert s.getbool("AUTOTHROTTLE_ENABLED") is True
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4
    assert s.getfloat("DOWNLOAD_DELAY") >= 0.5
    assert s.getbool("HTTPCACHE_ENABLED") is False


def test_user_agent_names_the_project_and_contact() -> None:
    crawler = get_crawler(NewsSpider, settings_dict={"NEWS_CONTACT": "mailto:desk@example.org"})
    mw = ContactUserAgentMiddleware.from_crawler(crawler)
    assert mw.agent.startswith("news-crawler/") and "mailto:desk@example.org" in mw.agent
    explicit = get_crawler(NewsSpider, settings_dict={"USER_AGENT": "MyBot/1.0"})
    assert ContactUserAgentMiddleware.from_crawler(explicit).agent == "MyBot/1.0"


def test_user_agent_middleware_runs_before_robots_txt() -> None:
    s = Settings()
    s.setmodule(project_settings)
    assert s.getdict("DOWNLOADER_MIDDLEWARES")["crawler.middlewares.ContactUserAgentMiddleware"] < 100
