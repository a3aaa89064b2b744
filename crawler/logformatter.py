"""Log lines for scraped and dropped items that name the URL, not the whole item.

Scrapy's default formatter prints every field of a dropped item, raw HTML included.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter


class NewsLogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> dict[str, Any]:
        return {
            "level": logging.WARNING,
            "msg": "Dropped %(reason)s: %(url)s",
            "args": {"reason": getattr(exception, "reason", type(exception).__name__), "url": _url(item, response)},
        }

    def scraped(self, item: Any, response: Any, spider: Any = None) -> dict[str, Any]:
        return {"level": logging.DEBUG, "msg": "Scraped %(url)s", "args": {"url": _url(item, response)}}


def _url(item: Any, response: Any) -> str:
    try:
        return item.get("url") or getattr(response, "url", "?")
    except AttributeError:
        return getattr(response, "url", "?")
