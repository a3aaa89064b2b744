"""news-crawler: a Scrapy project that turns news sites into a clean SQLite database."""

from __future__ import annotations

__version__ = "0.1.0"
