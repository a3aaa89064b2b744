"""Log lines for scraped and dropped items that name the URL, not the whole item.

Scrapy's default formatter prints every field of a dropped item, raw HTML included.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, logformatter
from scrapy.http import Response
from scrapy.logformatter import LogFormatterResult
from twisted.python.failure import Failure


class NewsLogFormatter(logformatter.LogFormatter):
    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider | None = None
    ) -> LogFormatterResult:
        return {
            "level": logging.WARNING,
            "msg": "Dropped %(reason)s: %(url)s",
            "args": {"reason": getattr(exception, "reason", type(exception).__name__), "url": _url(item, response)},
        }

    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider | None = None
    ) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Scraped %(url)s", "args": {"url": _url(item, response)}}


def _url(item: Any, response: Response | Failure | None) -> str:
    try:
        return item.get("url") or getattr(response, "url", "?")
    except AttributeError:
        return getattr(response, "url", "?")


class NetworkErrorsInOneLine(logging.Filter):
    """A site that cannot be reached (refused, no such host, timed out) is one line a request,
    not a traceback: Scrapy's robots.txt middleware logs such a failure with its whole chain of
    exceptions (40 lines each on a dead site). Other errors keep their tracebacks."""

    NETWORK = ("ConnectionRefused", "DNSLookup", "TimeoutError", "ConnectionLost", "TCPTimedOut", "NoRoute")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            name = record.exc_info[0].__name__
            if any(part in name for part in self.NETWORK):
                record.exc_info = None
                record.exc_text = None
        return True


def quiet_network_tracebacks() -> None:
    """Install NetworkErrorsInOneLine where Scrapy logs unreachable sites with tracebacks."""
    for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper", "scrapy.core.engine"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, NetworkErrorsInOneLine) for f in logger.filters):
            logger.addFilter(NetworkErrorsInOneLine())
