"""The only code that runs SQL: open and migrate, articles, pages and drops, crawl runs,
the boilerplate model, near-duplicates, export queries, stored pages for re-extraction."""

from crawler.storage.database import DatabaseError, open_db, open_reader
from crawler.storage.store import ArticleStore

__all__ = ["ArticleStore", "DatabaseError", "open_db", "open_reader"]
