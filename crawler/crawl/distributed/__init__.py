"""The distributed mode: many crawl processes share one frontier in Redis; one writer keeps SQLite.

Switched on by `NEWS_REDIS_URL`. scrapy-redis provides the shared request queue and dupefilter
(`frontier.py` adapts them: our fingerprints, a persistent frontier, requests held by a worker
until their result is safe). Workers run the whole pipeline except SQLite: their storage
pipeline pushes batches to a Redis list (`pipeline.py`), which the single writer drains into the
database (`writer.py`): articles, near-duplicate links, boilerplate learning and the `crawls`
record happen there, as in a one-process crawl.
"""
