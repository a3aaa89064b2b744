"""Scrapy settings for news-crawler: politeness, security and the order of our components.

Defaults are for a polite crawl of a real site; the demo and the tests
override the politeness settings for their local server.
"""

from __future__ import annotations

BOT_NAME = "news-crawler"
SPIDER_MODULES = ["crawler.crawl.spider", "crawler.crawl.archive"]


# --- our components --------------------------------------------------------
# Our own NEWS_* settings and their defaults are in crawler/config.py (NewsConfig), once.
# Set them here, with -s NAME=VALUE, or in your own project through the add-on.

ITEM_PIPELINES = {
    "crawler.crawl.pipelines.validate.ValidatePipeline": 100,
    "crawler.crawl.pipelines.dates.DatesPipeline": 200,
    "crawler.crawl.pipelines.clean.CleanPipeline": 300,
    "crawler.crawl.pipelines.mentions.MentionsPipeline": 400,
    "crawler.crawl.pipelines.storage.StoragePipeline": 900,
}

# One fetch per story: www/bare host, tracking parameters, print/AMP variants are one request.
REQUEST_FINGERPRINTER_CLASS = "crawler.crawl.fingerprint.CanonicalFingerprinter"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    # An archived record is answered from its WARC file before anything else (crawler/crawl/archive.py).
    "crawler.crawl.archive.ArchiveMiddleware": 10,
    "crawler.crawl.middlewares.ContactUserAgentMiddleware": 50,
    # A 304 to an incremental run's conditional GET stops here (crawler/crawl/incremental.py).
    "crawler.crawl.incremental.NotModifiedMiddleware": 560,
    # Rules for a hostile web (crawler/crawl/faults.py): Retry-After honoured before Scrapy's retry
    # (550) sees the response; redirects off the crawl's hosts dropped; a page budget per site.
    "crawler.crawl.faults.RetryAfterMiddleware": 555,
    "crawler.crawl.faults.SiteBudgetMiddleware": 580,
    "crawler.crawl.faults.PrivateAddressMiddleware": 585,
    "crawler.crawl.faults.OffsiteRedirectMiddleware": 590,
    # NEWS_WARC_DIR: responses written to WARC as they came off the wire (before decompression).
    "crawler.crawl.archive.WarcRecorder": 950,
}

# Stored articles are requested again only when due or changed (crawler/crawl/incremental.py).
SPIDER_MIDDLEWARES = {
    "crawler.crawl.incremental.IncrementalMiddleware": 650,
    # The distributed mode (NEWS_REDIS_URL): releases held requests that gave no item.
    "crawler.crawl.distributed.acks.AckMiddleware": 950,
}

# Scrapy's own scheduler, or with NEWS_REDIS_URL the shared frontier of scrapy-redis
# (crawler/crawl/distributed/frontier.py chooses when the crawl starts).
SCHEDULER = "crawler.crawl.distributed.frontier.NewsScheduler"

# Scrapy starts CONCURRENT_ITEMS (default 100) asyncio tasks for the output of every response;
# an article page yields one item, so most of them only cost time (a fifth of a crawl's
# processing on bench/throughput.py). Eight keep a sitemap's thousands of requests flowing.
CONCURRENT_ITEMS = 8

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

# A live progress line on a terminal when NEWS_PROGRESS is set (the `crawl` command sets it).
EXTENSIONS = {
    "crawler.crawl.progress.ProgressLine": 600,
    # The first Ctrl-C or a limit stops without fetching what waits in the downloader.
    "crawler.crawl.quickstop.QuickStop": 610,
    # Feeds (-o/-O) written from the database after the run, so they hold the re-cleaned bodies.
    "scrapy.extensions.feedexport.FeedExporter": None,
    "crawler.crawl.feeds.DatabaseFeedExporter": 0,
}
REMOTE_CONTROL_ENABLED = False

# `scrapy crawl` with one-line errors for bad arguments and an exit code that tells a failed crawl.
COMMANDS_MODULE = "crawler.crawl.commands"

LOG_FORMATTER = "crawler.crawl.logformatter.NewsLogFormatter"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
