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
