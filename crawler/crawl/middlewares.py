"""Downloader middleware: an honest User-Agent that names the project and a contact."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler

from crawler import __version__
from crawler.config import NewsConfig


def user_agent(contact: str) -> str:
    suffix = f"; +{contact}" if contact else ""
    return f"news-crawler/{__version__} (research crawler{suffix})"


class ContactUserAgentMiddleware:
    """Sets User-Agent from NEWS_CONTACT unless USER_AGENT is set explicitly.

    Ordered before RobotsTxtMiddleware (100) so robots.txt rules are matched
    against the agent we actually send.
    """

    def __init__(self, agent: str) -> None:
        self.agent = agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        explicit = settings.getpriority("USER_AGENT") or 0
        agent = settings.get("USER_AGENT") if explicit > 0 else user_agent(NewsConfig.from_settings(settings).contact)
        return cls(agent)

    def process_request(self, request: Request) -> None:
        request.headers.setdefault(b"User-Agent", self.agent)
