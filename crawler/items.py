"""The Article item: the contract between the spider and the pipelines.

Dates travel raw from the spider; the dates pipeline fills the normalised
twins. Blocks travel as a list; the blocks pipeline strips repeats and sets
`body`.
"""

from __future__ import annotations

from scrapy import Field, Item


class Article(Item):
    url = Field()  # str: canonical URL (see discovery.links.storage_url): the key articles are stored under
    fetched_url = Field()  # str: the URL fetched (after redirects), fragment removed
    canonical_url = Field()  # str | None: <link rel=canonical>
    site = Field()  # str: profile name, else og:site_name / publisher, else host[:port]
    title = Field()  # str
    blocks = Field()  # list[str]: paragraphs and subheadings in page order, as extracted
    body = Field()  # str: kept blocks joined by blank lines (set by the blocks pipeline)
    blocks_stripped = Field()  # int: blocks removed as in-article repeats
    authors = Field()  # list[str]
    language = Field()  # str | None: primary subtag, e.g. "ja", "en"
    section = Field()  # str | None
    description = Field()  # str | None
    image_url = Field()  # str | None
    published_candidates = Field()  # list[(raw, source)]: every published-date signal, best first
    modified_candidates = Field()  # list[(raw, source)]
    published_raw = Field()  # str | None: the chosen signal's string exactly as found
    published_source = Field()  # str | None: e.g. "json-ld:datePublished", "meta:article:published_time", "byline"
    published_at = Field()  # str | None: ISO-8601 UTC, or YYYY-MM-DD when the page gives no time
    published_precision = Field()  # str | None: "minute" or "day"
    date_signals = Field()  # str: JSON {"published": [...], "modified": [...]}: every signal, parsed, with errors
    published_tz_assumed = Field()  # bool: the raw value had no offset and the zone was inferred
    modified_raw = Field()  # str | None
    modified_source = Field()  # str | None
    modified_at = Field()  # str | None: same format as published_at
    timezone = Field()  # str: IANA zone applied to naive times (profile, -a tz, or inferred)
    timezone_source = Field()  # str: "profile" | "argument" | "language" | "tld" | "default"
    date_mentions = Field()  # list[dict]: surface, offset (in body), value (YYYY-MM-DD), kind, precision
    extractor = Field()  # str: "selectors" | "trafilatura"
    fetched_at = Field()  # str: ISO-8601 UTC
    http_status = Field()  # int
    encoding = Field()  # str: the charset the page was decoded with
    raw_html = Field()  # bytes: the response body, kept so pages can be re-processed
