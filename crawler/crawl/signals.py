"""Our own Scrapy signal: the spider's decision about each page, sent beside the items.

    crawler.signals.connect(handler, signal=page_decided)
    def handler(decision: dict) -> None: ...

A decision is {"url", "kind" ("article" | "listing" | "other"), "reason", "signals" (dict),
"links" (requests yielded from the page)}; the storage component writes it to `decisions`.
"""

from __future__ import annotations

page_decided = object()

# A stored article answered 304 Not Modified to a conditional GET: handler(url: str), where url
# is the canonical fetched URL (fetch_state.url). Storage moves its last_seen_at.
page_not_modified = object()

# The distributed mode: a worker took new seeds from Redis (a new run begins). handler() with no
# arguments; the incremental middleware reads the database's seen-state again.
frontier_seeded = object()

# The storage component has finished the run (batches written, boilerplate learned, articles it
# touched re-cleaned, the run recorded): handler(read, crawl_id), where read(urls) returns the
# stored articles by URL in the item's shape, or is None when the run was not stored whole.
# Sent once per crawl, whatever happened; the feed exporter waits for it.
storage_closed = object()

# An ingest worker of the distributed mode has read a WARC file to its end and every request of it
# has ended: handler(file_id: int, records: int, counts: dict, held: str). The Redis storage
# component pushes it to the writer after the batches holding the file's records (the writer then
# marks the file done) and releases the worker's hold on the file in the same transaction.
archive_file_read = object()
