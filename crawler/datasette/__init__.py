"""Datasette plugin and metadata for news-crawler databases."""
