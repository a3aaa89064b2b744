"""Scrapy settings for news-crawler. Our own components read NEWS_* settings.

Defaults are for a polite crawl of a real site; the demo and the tests
override the politeness settings for their local server.
"""

from __future__ import annotations

BOT_NAME = "news-crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- our components --------------------------------------------------------
NEWS_DB = "data/news.db"  # SQLite file; empty disables storage
NEWS_DB_BATCH_SIZE = 200  # items per write transaction
NEWS_STORE_RAW = True  # keep zlib-compressed response bodies in `pages` for re-processing
NEWS_FOLLOW_DEPTH = 2  # link hops followed from HTML start pages
NEWS_DEFAULT_TIMEZONE = ""  # zone for naive dates when no profile/-a tz gives one; "" = infer
NEWS_DATES_ENABLED = True
NEWS_STRIP_REPEATS = True
NEWS_BOILERPLATE_MIN_ARTICLES = 5  # a block in at least this many articles of a site ...
NEWS_BOILERPLATE_MIN_SHARE = 0.1  # ... and in at least this share of them ...
NEWS_BOILERPLATE_MAX_CHARS = 300  # ... and at most this long (CJK counted double) is boilerplate
NEWS_MENTIONS_ENABLED = True  # date expressions inside the body -> table date_mentions
NEWS_DATES_MIN_YEAR = 1990  # published/modified dates before this year are rejected as implausible
NEWS_DATES_FUTURE_TOLERANCE_MINUTES = 60  # dates later than fetch time + this are rejected
NEWS_CONTACT = ""  # a URL or e-mail address site owners can reach you at; goes in the User-Agent

ITEM_PIPELINES = {
    "crawler.pipelines.validate.ValidatePipeline": 100,
    "crawler.pipelines.dates.DatesPipeline": 200,
    "crawler.pipelines.blocks.BlocksPipeline": 300,
    "crawler.pipelines.mentions.MentionsPipeline": 400,
    "crawler.pipelines.storage.StoragePipeline": 900,
}

# One fetch per story: www/bare host, tracking parameters, print/AMP variants are one request.
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.CanonicalFingerprinter"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.ContactUserAgentMiddleware": 50,
}

# --- politeness ------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024

# --- development -----------------------------------------------------------
# Turn on with `-s HTTPCACHE_ENABLED=1` while working on extraction: pages are
# fetched once and replayed from .scrapy/httpcache afterwards.
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 0

# --- security --------------------------------------------------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_FORMATTER = "crawler.logformatter.NewsLogFormatter"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
