"""Archive ingest without the crawl engine: records read by the workers themselves by file and
offset, each page processed whole by the page processor, one writer applying the rows in
batches. No Scrapy: `news-crawler ingest` runs this; `scrapy crawl news-archive` stays a shell
over the same processor."""
