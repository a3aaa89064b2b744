"""The project's one spider lives in news.py."""
