"""Pure extraction: HTML text -> article fields. No Scrapy import."""

from crawler.extract.article import ExtractedPage, Selectors, extract_page

__all__ = ["ExtractedPage", "Selectors", "extract_page"]
