"""The Datasette side: the plugin, its metadata and canned queries, and how `serve` runs it."""

# Datasette settings `news-crawler serve` uses. Suggested facets are off: on 100,000 articles
# they cost about 200 ms of every search page (bench/search.py); the configured facets stay.
# Cells are not truncated in HTML: the plugin folds long ones itself.
SERVE_SETTINGS: dict[str, object] = {"suggest_facets": False, "truncate_cells_html": 0}
