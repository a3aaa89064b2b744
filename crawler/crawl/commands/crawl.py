"""`scrapy crawl`, with bad input refused in one line and a failed crawl exiting non-zero.

Scrapy's own command builds the spider inside the reactor, so a bad argument
becomes an asyncio traceback and exit status 0. This one checks the news
spider's arguments, the NEWS_* settings and the database before anything
starts (a usage error: one line, exit 2), and exits 1 when the crawl did not
finish or fetched nothing at all.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.spiderloader import get_spider_loader

from crawler.config import NewsConfig
from crawler.crawl.logformatter import quiet_network_tracebacks
from crawler.crawl.spider import NewsSpider, SpiderArgumentError
from crawler.storage import DatabaseError, open_db
from crawler.text.dates import get_tz

logger = logging.getLogger(__name__)


class BadInputError(Exception):
    """Input that cannot start a crawl; its message is the one line the user sees."""


def check_config(config: NewsConfig) -> None:
    """Refuse settings that cannot work, before the crawl starts."""
    if config.default_timezone and get_tz(config.default_timezone) is None:
        raise BadInputError(f"NEWS_DEFAULT_TIMEZONE: unknown timezone {config.default_timezone!r}")
    if config.db and not config.redis_url:  # a distributed worker never opens the database: the writer does
        try:
            open_db(config.db, config.db_timeout).close()
        except DatabaseError as exc:
            raise BadInputError(f"NEWS_DB: {exc}") from exc


def check_news_arguments(
    spargs: dict[str, str], distributed: bool = False, spidercls: type[NewsSpider] = NewsSpider
) -> None:
    """Refuse bad spider arguments in one line, with the spider class that will take them (the
    archive spider takes -a warc=FILE, not start URLs)."""
    try:
        spidercls(**spargs, distributed=distributed)
    except SpiderArgumentError as exc:
        raise BadInputError(str(exc)) from exc
    except TypeError as exc:  # an argument the spider does not take
        raise BadInputError(f"unknown spider argument: {exc}") from exc


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        # Runs before Scrapy sets up logging and the reactor: a refusal is the only line printed.
        super().process_options(args, opts)
        if len(args) != 1:
            return  # Scrapy's own usage errors, in run()
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(args[0])
        except KeyError:
            self._refuse(args[0], f"no spider named {args[0]!r} (spiders: {', '.join(loader.list())})")
        try:
            if issubclass(spidercls, NewsSpider):
                redis = bool(NewsConfig.from_settings(self.settings).redis_url)
                check_news_arguments(opts.spargs, redis, spidercls)
            check_config(NewsConfig.from_settings(self.settings))
        except (BadInputError, ValueError) as exc:
            self._refuse(args[0], str(exc))

    @staticmethod
    def _refuse(spider: str, message: str) -> NoReturn:
        print(f"scrapy crawl {spider}: error: {message}", file=sys.stderr)
        sys.exit(2)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)
            return
        assert self.crawler_process is not None
        quiet_network_tracebacks()
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = stats.get("finish_reason")
        distributed = bool(NewsConfig.from_settings(crawler.settings).redis_url)
        if distributed and reason == "shutdown" and not self.crawler_process.bootstrap_failed:
            return  # a worker stopped by SIGTERM or Ctrl-C: its work is back in the shared frontier
        if self.crawler_process.bootstrap_failed or reason != "finished":
            logger.error("crawl did not finish (%s)", reason or "did not start")
            self.exitcode = 1
        elif not stats.get("response_received_count") and not distributed:
            # (A worker of the distributed mode may stop without a page: others took them.)
            logger.error("crawl fetched nothing: no start URL answered")
            self.exitcode = 1
