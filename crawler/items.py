"""The Article item: exactly the article that is stored, and JSON-serialisable.

The spider fills what it reads off the page (`raw_blocks`, the unparsed date
signals in `date_signals`); the pipelines fill the rest (dates, `body` and its
counts, `date_mentions`). What leaves the last pipeline is written to SQLite as
it is, so a feed export (`-O out.jsonl`) holds the same articles as the
database. Storage adds only its bookkeeping columns: `crawl_id`,
`first_seen_at`, `last_changed_at` (when the content last changed) and `duplicate_of`
(near-duplicate links need the database).

The raw response body never travels in the item: the storage component takes
it from the response itself (Scrapy's item_scraped / item_dropped signals).
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy import Field, Item


class Article(Item):
    url = Field()  # str: canonical URL (discovery.urls.storage_url): the key articles are stored under
    fetched_url = Field()  # str: the URL fetched (after redirects), fragment removed
    canonical_url = Field()  # str | None: <link rel=canonical>, resolved against the page URL
    site = Field()  # str: stable site key: the profile name, else the registrable host
    site_name = Field()  # str | None: the publisher's own name (og:site_name, JSON-LD publisher, profile title)
    title = Field()  # str: the headline, without the site's learned title affixes (NEWS_TITLE_AFFIX_MIN_PAGES)
    title_extracted = Field()  # str | None: the title as extraction chose it from the page's signals
    page_title = Field()  # str | None: the page's <title> (og:title without one): what affixes are learned from
    raw_blocks = Field()  # list[str]: paragraphs and subheadings in page order, as extracted
    body = Field()  # str: kept blocks joined by blank lines (text.finalize.clean_article)
    blocks_total = Field()  # int
    blocks_stripped = Field()  # int: blocks removed, by reason in the next three
    blocks_repeat = Field()  # int
    blocks_boilerplate = Field()  # int
    blocks_empty = Field()  # int
    stripped_blocks = Field()  # list[dict]: position, text, reason (table stripped_blocks)
    content_hash = Field()  # str: sha256 of title and body; decides new / updated / unchanged
    authors = Field()  # list[str]
    language = Field()  # str | None: primary subtag, e.g. "ja", "en"
    language_source = Field()  # str | None: "page" (declared), "text" (read from the text), "profile"
    section = Field()  # str | None
    description = Field()  # str | None
    image_url = Field()  # str | None
    published_raw = Field()  # str | None: the chosen signal's string exactly as found
    published_source = Field()  # str | None: e.g. "json-ld:datePublished", "meta:article:published_time", "byline"
    published_at = Field()  # str | None: ISO-8601 UTC, or YYYY-MM-DD when the page gives no time
    published_local = Field()  # str | None: the same instant in the publisher's offset, or the bare date
    published_precision = Field()  # str | None: "minute", "day", or "month"/"year" (value "YYYY-MM"/"YYYY")
    published_tz_assumed = Field()  # bool: the raw value had no offset and the zone was inferred
    modified_raw = Field()  # str | None
    modified_source = Field()  # str | None
    modified_at = Field()  # str | None: same format as published_at
    # {"published": [...], "modified": [...]}: every date signal. From the spider: {"raw", "source"};
    # after the dates pipeline each also has "value" (or "error").
    date_signals = Field()
    timezone = Field()  # str | None: IANA zone applied to naive times
    timezone_source = Field()  # str | None: "profile" | "argument" | "setting" | "language" | "tld" | "default"
    date_mentions = Field()  # list[dict]: surface, offset (in body), value (YYYY-MM-DD), kind, precision
    extractor = Field()  # str: "selectors" | "trafilatura" | "density" | "state"
    fetched_at = Field()  # str: ISO-8601 UTC
    http_status = Field()  # int
    encoding = Field()  # str: the charset the page was decoded with
    partial = Field()  # bool: the page arrived cut short (a truncated archive record): what arrived is stored


class ProcessedArticle(Article):
    """An article the page processor (crawler/page/process.py) finished whole: dates, body,
    mentions and the body's signature made in one worker call. The dates, clean and mentions
    pipelines pass it on as it is; they do that work only for the items of a spider of the
    user's own (the add-on). The signature is not a field: it is stored apart, not exported."""

    def __init__(self, *args: Any, signature: bytes | None = None, prepared: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._news_signature = signature
        self._news_prepared = prepared  # crawler.text.prepared.Prepared: the index forms, block keys


# The fields stored as columns of `articles` (the rest go to child tables).
CHILD_FIELDS = ("stripped_blocks", "date_mentions")
COLUMN_FIELDS = tuple(name for name in Article.fields if name not in CHILD_FIELDS)


def shallow_dict(item: Any) -> dict[str, Any]:
    """The item's fields as a new dict; values shared, not copied. ItemAdapter.asdict() walks every
    nested list and dict of the item looking for items inside (there are none here): a tenth of
    the crawl process's time on bench/throughput.py."""
    return dict(ItemAdapter(item).items())
