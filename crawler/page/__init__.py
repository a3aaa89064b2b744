"""One page's whole processing, pure: raw bytes, URL, headers and fetch time plus what is known
of the site in; the stored row, the page's decision and its counts out (`process_page`). No
Scrapy, no SQL: the spider, `ingest`, `reclean` and the Redis workers are shells around it."""
