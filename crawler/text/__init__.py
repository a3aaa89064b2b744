"""Pure text functions (no Scrapy, no SQLite): dates and blocks."""
