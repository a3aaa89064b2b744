"""The only code that writes SQL: schema, migrations, batched upserts, crawl runs."""

from crawler.storage.db import ArticleStore, open_db

__all__ = ["ArticleStore", "open_db"]
