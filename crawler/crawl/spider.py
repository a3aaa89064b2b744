"""Spider `news`: sitemaps, feeds or pages in; article items out.

    scrapy crawl news -a start_urls=URL[,URL...] [-a tz=Asia/Tokyo] [-a follow_depth=2]
    scrapy crawl news -a site=NAME [-a start_urls=...]

Each start URL may be a sitemap (index or urlset, gzipped or not), an RSS/Atom
feed, or an HTML page. From HTML pages, same-host links are followed up to
`follow_depth` hops (NEWS_FOLLOW_DEPTH); URLs listed by sitemaps and feeds are
fetched but their links are not followed, since the listing is the site's own
statement of what its articles are. A start URL that is a site's home page also
reads the `Sitemap:` lines of that site's robots.txt.

A page whose host belongs to a site profile is read with that profile (its
selectors, article URL patterns, zone and name), whether the crawl named it
with `-a site=` or not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.config import NewsConfig
from crawler.crawl.distributed.frontier import Frontier
from crawler.crawl.distributed.seeds import push_seeds
from crawler.crawl.faults import FaultDrop
from crawler.crawl.incremental import NotModified
from crawler.crawl.quickstop import StopDrop
from crawler.crawl.signals import frontier_seeded, page_decided
from crawler.crawl.sitemodels import SiteModels, page_rules
from crawler.crawl.workpool import WorkPool
from crawler.discovery.feeds import parse_listing
from crawler.discovery.links import should_follow, skip_reason
from crawler.discovery.urls import netloc, site_key, start_url_problem, strip_fragment
from crawler.ingest.learning import Learner
from crawler.ingest.rules import site_snapshot
from crawler.items import Article, ProcessedArticle
from crawler.page.kind import listing_kind
from crawler.page.learn import LearnedParser
from crawler.page.learnsite import Learned, checked, learn_site
from crawler.page.process import PageOutcome, PageRules, RawPage, SiteSnapshot, process_page
from crawler.profiles import (
    ProfileError,
    SiteProfile,
    get_profile,
    host_matches,
    load_profiles,
    profile_for_url,
    use_profiles_dir,
)
from crawler.text.dates import get_tz

logger = logging.getLogger(__name__)

SKIPPED_ROWS = 1000  # decision rows for the entries one listing lists but the crawl does not fetch


class SpiderArgumentError(ValueError):
    """A spider argument that cannot start a crawl; the message is one line for the user."""


def _split(value: str | Iterable[str] | None) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [v.strip() for v in value or [] if v.strip()]


def check_start_url(url: str) -> None:
    problem = start_url_problem(url)
    if problem:
        raise SpiderArgumentError(problem)


class NewsSpider(scrapy.Spider):
    name = "news"
    needs_start = True  # start URLs or a profile (the archive spider reads files instead)
    # Stopping drops requests still waiting in the downloader (crawl/quickstop.py): the next run
    # finds them again. Not in the distributed mode, whose shared frontier must see each one done.
    news_quick_stop = True

    def __init__(
        self,
        start_urls: str | list[str] | None = None,
        site: str | None = None,
        tz: str | None = None,
        follow_depth: str | int | None = None,
        *args: Any,
        distributed: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        try:
            self.profile: SiteProfile | None = get_profile(site) if site else None
        except ProfileError as exc:
            raise SpiderArgumentError(str(exc)) from exc
        urls = _split(start_urls)
        if not urls and self.profile:
            urls = list(self.profile.entry_points)
        self.frontier: Frontier | None = None  # the shared frontier in the distributed mode (from_crawler)
        if distributed:
            self.news_quick_stop = False
        if not urls and not distributed and self.needs_start:
            raise SpiderArgumentError("nothing to crawl: give -a start_urls=URL[,URL...] or -a site=NAME")
        for url in urls:
            check_start_url(url)
        self.start_urls = urls
        if tz and get_tz(tz) is None:
            raise SpiderArgumentError(f"unknown timezone {tz!r} (an IANA name such as Asia/Tokyo or Europe/London)")
        self.tz_argument = tz
        try:
            self._follow_depth_arg = int(follow_depth) if follow_depth is not None else None
        except ValueError as exc:
            raise SpiderArgumentError(f"follow_depth must be a whole number, not {follow_depth!r}") from exc
        # Ad-hoc crawls stay on the hosts (with port) of their start URLs; a profile adds its
        # domains, and start URLs given with it (a mirror) too.
        self.hosts = {netloc(u) for u in urls}
        if self.profile:
            if not start_urls:
                self.hosts = set(self.profile.allowed_domains)
            elif any(host_matches(u, self.profile) for u in urls):
                self.hosts |= set(self.profile.allowed_domains)
            # else a mirror or a local copy: its links stay on its own hosts, never the live site
        self.follow_depth = 2
        self._profiles: dict[str, SiteProfile] = {}
        self._by_host: dict[str, SiteProfile | None] = {}
        # Our should_follow filters hosts and file types (a linked PDF is fetched and counted as non-HTML).
        self._links = LinkExtractor(deny_extensions=[], canonicalize=False, unique=True)
        self.pool = WorkPool(0)  # from_crawler replaces it with NEWS_WORKERS processes
        self.page_rules = PageRules()
        self.site_models = SiteModels()  # what storage learned of the sites: from_crawler reads it
        self._snapshots: dict[tuple[str | None, str], SiteSnapshot] = {}
        # Learned site parsers (crawler/ingest/learning.py, as in `ingest`): made once the first
        # page needs it, with the parsers earlier runs stored; off in the distributed mode.
        self.learner: Learner[_Learning] | None = None
        self._learn = (0, 10, 25)  # NEWS_LEARN_PAGES, NEWS_LEARN_SAMPLE, NEWS_LEARN_MIN_PAGES
        self._known: dict[str, set[str]] = {}  # a site's URLs met so far, up to NEWS_LEARN_MIN_PAGES
        self._site_by_host: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        config = NewsConfig.from_settings(crawler.settings)
        use_profiles_dir(config.profiles_dir)  # before __init__ looks the site's profile up
        # A worker of the distributed mode takes its seeds from Redis: it may start with none.
        spider: NewsSpider = super().from_crawler(crawler, *args, distributed=bool(config.redis_url), **kwargs)
        depth = spider._follow_depth_arg
        spider.follow_depth = depth if depth is not None else config.follow_depth
        spider._profiles = load_profiles()
        spider.pool = WorkPool.of(crawler)
        spider.page_rules = page_rules(config)
        spider.site_models = SiteModels.of(crawler)
        if not config.redis_url:  # a worker of the distributed mode would learn for itself alone
            spider._learn = (config.learn_pages, config.learn_sample, config.learn_min_pages)
        if config.redis_url:
            spider.frontier = Frontier.of(crawler)
            crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    # -- the distributed mode -----------------------------------------------

    def _idle(self) -> None:
        """An idle worker takes seeds from Redis; it stops only after NEWS_REDIS_IDLE_CLOSE seconds
        of a drained frontier (never by default: a worker waits for the next push)."""
        assert self.frontier is not None
        seeds = self.frontier.next_seeds(16)
        for seed in seeds:
            for request in self._seed_requests(seed.get("url", "")):
                if self.frontier.dupefilter is not None:
                    self.frontier.dupefilter.request_seen(request)  # a link back to it is then a duplicate
                assert self.crawler.engine is not None
                self.crawler.engine.crawl(request)
        if seeds:
            self._inc("news/redis/seeds", len(seeds))
            self.crawler.signals.send_catch_log(frontier_seeded)
        elif self.frontier.may_close():
            return
        raise DontCloseSpider

    def _seed_requests(self, url: str) -> list[scrapy.Request]:
        try:
            check_start_url(url)
        except SpiderArgumentError:
            logger.warning("ignored seed %r: not an http(s) URL", url)
            return []
        # Seeds are fetched on every push (dont_filter), as start URLs are on every run.
        requests = [scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={"news_depth": 0},
                                   dont_filter=True)]  # fmt: skip
        if urlsplit(url).path in {"", "/"}:
            robots = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/robots.txt"
            requests.append(scrapy.Request(robots, callback=self.parse_robots, errback=self.on_error, dont_filter=True))
        return requests

    def _hosts(self) -> set[str]:
        """Hosts links may lead to: the start URLs', or in the distributed mode every pushed site's."""
        return self.frontier.hosts() | self.hosts if self.frontier is not None else self.hosts

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key, count)

    def decide(
        self,
        url: str,
        kind: str,
        reason: str,
        signals: dict[str, Any] | None = None,
        links: int = 0,
        origin: Any = None,
    ) -> None:
        """Record why a page is (or is not) an article: counted, and stored in `decisions`.
        origin: the archive record the page came from (`news_warc` of an ingested page), which
        storage marks as done with the decision."""
        self._inc(f"news/decisions/{kind}/{reason}")
        decision = {"url": url, "kind": kind, "reason": reason, "signals": signals or {}, "links": links}
        if origin is not None:
            decision["warc"] = origin
        self.crawler.signals.send_catch_log(page_decided, decision=decision)

    def site_for(self, url: str) -> str:
        """The URL's site key: its profile's name, else its registrable domain (cached per host:
        every link a page has asks it)."""
        host = netloc(url)
        key = self._site_by_host.get(host)
        if key is None:
            profile = self.profile_for(url)
            key = self._site_by_host[host] = profile.name if profile else site_key(url)
        return key

    def profile_for(self, url: str) -> SiteProfile | None:
        """The named profile, else the one that owns the URL's host (cached per host)."""
        if self.profile:
            return self.profile
        host = netloc(url)
        if host not in self._by_host:
            self._by_host[host] = profile_for_url(url, self._profiles)
        return self._by_host[host]

    async def start(self) -> AsyncIterator[Any]:
        if self.frontier is not None:
            if self.start_urls:  # `scrapy crawl news -a site=... -s NEWS_REDIS_URL=...`: pushed as seeds
                push_seeds(self.frontier.server, self.frontier.keys, [{"url": u} for u in self.start_urls],
                           sorted(self.hosts))  # fmt: skip
            return
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={"news_depth": 0})
            if urlsplit(url).path in {"", "/"}:
                # A site's home page: its robots.txt may announce sitemaps.
                robots = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/robots.txt"
                yield scrapy.Request(robots, callback=self.parse_robots, errback=self.on_error)

    # -- responses ---------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        hosts = self._hosts()
        for url in sitemap_urls_from_robots(response.body, response.url):
            if should_follow(url, hosts, [], self.deny_for(url), check_extension=False):
                self._inc("news/discovery/robots_sitemaps")
                yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={"news_depth": 0})

    def deny_for(self, url: str) -> list[re.Pattern[str]]:
        profile = self.profile_for(url)
        return list(profile.deny) if profile else []

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        self._inc("news/pages/fetched")
        kind = self._listing_kind(response)
        if kind != "html":
            for request in self._parse_listing(response, kind):
                yield request
            return
        if not isinstance(response, HtmlResponse):
            self._inc("news/pages/non_html")
            ctype = (response.headers.get("Content-Type") or b"").decode("latin-1")
            self.decide(
                response.url, "other", "non_html", {"content_type": ctype}, origin=response.meta.get("news_warc")
            )
            logger.info("skipped non-HTML response %s (%s)", response.url, ctype)
            return
        async for result in self._parse_html(response):
            yield result

    def _listing_kind(self, response: Response) -> str:
        return listing_kind((response.headers.get("Content-Type") or b"").decode("latin-1"), response.body)

    def _parse_listing(self, response: Response, kind: str) -> Iterator[Any]:
        try:
            listing = parse_listing(response.body)
        except (ValueError, OSError, EOFError) as exc:
            self._inc("news/discovery/bad_listing")
            self.decide(response.url, "other", "bad_listing", {"error": str(exc)[:200]})
            logger.warning("could not read %s as %s: %s", response.url, kind, exc)
            return
        self._inc(f"news/discovery/{listing.kind}")
        links = 0
        skips: dict[str, int] = {}
        hosts = self._hosts()  # once a listing: in the distributed mode it is a fresh set
        for entry in listing.entries:
            try:
                url = strip_fragment(response.urljoin(entry.url))
                urlsplit(url).port  # noqa: B018  (raises on a malformed port)
            except ValueError:
                # One malformed entry must not end the listing.
                self._inc("news/discovery/bad_url")
                logger.info("skipped malformed URL %r in %s", entry.url, response.url)
                continue
            deny = self.deny_for(url)
            skipped = skip_reason(url, hosts, [], deny, check_extension=listing.kind != "sitemapindex")
            if skipped:
                # A URL the publisher lists is a page the user may look for: say why it was not
                # fetched (links found on pages are not recorded: every page has hundreds). A
                # listing of 50,000 off-site URLs gets its first rows and a count per reason.
                self._inc("news/discovery/offsite_or_denied")
                skips[skipped] = skips.get(skipped, 0) + 1
                if sum(skips.values()) <= SKIPPED_ROWS:
                    self.decide(url, "other", f"listed_{skipped}", {"listing": response.url})
                continue
            self._inc(f"news/discovery/{listing.kind}_urls")
            meta = {
                "news_depth": self.follow_depth,
                "news_listing_date": entry.published_raw,
                "news_listing_date_source": entry.published_source,
                # The headline the publisher lists it under (<news:title>, a feed item's title):
                # one more voice for the page's title.
                "news_listing_title": entry.title,
                # What says the page changed (lastmod / updated, else the listed date): the
                # incremental middleware compares it with the one stored at the last fetch.
                "news_listing_changed": entry.changed_raw or entry.published_raw,
            }
            links += 1
            self._expect(url)
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta=meta)
        signals: dict[str, Any] = {"entries": len(listing.entries)}
        if skips:
            signals["skipped"] = skips
        self.decide(response.url, "listing", listing.kind, signals, links)

    def _selector_misses(self, name: str, misses: list[str], url: str) -> None:
        """The layout-change alarm: a profile selector that found nothing on an article page (the
        article is still stored, from generic extraction where the body missed)."""
        for field_name in misses:
            key = f"news/profile/{name}/selector_miss/{field_name}"
            first = not (self.crawler.stats and self.crawler.stats.get_value(key))
            self._inc(key)
            if first:
                logger.warning(
                    "profile %s: selector for %s matched nothing on %s (layout change?); "
                    "`news-crawler profiles check` lists every miss",
                    name,
                    field_name,
                    url,
                )

    def snapshot(self, profile: SiteProfile | None, site: str) -> SiteSnapshot:
        """What the page processor knows of a page's site: its profile, and the title affixes and
        boilerplate storage learned of it (read once when the run opened, NEWS_* switches applied)."""
        key = (profile.name if profile else None, site)
        known = self._snapshots.get(key)
        if known is None:
            known = site_snapshot(
                profile,
                self.tz_argument,
                self.site_models.boilerplate.get(site, frozenset()),
                self.site_models.affixes.get(site, frozenset()),
            )
            self._snapshots[key] = known
        return known

    # -- learned site parsers ------------------------------------------------

    def learner_now(self) -> Learner[_Learning]:
        if self.learner is None:
            pages, sample, min_pages = self._learn
            self.learner = Learner[_Learning](self.site_models.parsers() if pages else {}, pages, sample, min_pages)
        return self.learner

    def _expect(self, url: str) -> None:
        """A URL of a site is on its way: a site is learned once NEWS_LEARN_MIN_PAGES of its URLs
        are known (from a sitemap, a feed, links), as `ingest` learns a site with that many pages
        in its files. Only the first ones are kept: enough to count to the threshold."""
        if not self._learn[0]:
            return
        key = self.site_for(url)
        known = self._known.setdefault(key, set())
        if len(known) < self._learn[2] and url not in known:
            known.add(url)
            self.learner_now().expect(key, 1)

    async def _process(self, page: RawPage, site: SiteSnapshot, key: str) -> PageOutcome:
        """The page through its site's learned parser when it has one (a sample of its pages also
        through the thorough path, to check it), else the thorough way; a site whose thorough pages
        can teach is learned from them (in a worker) and its next pages take the learned path."""
        learner = self.learner_now()
        parser, sample = learner.for_job(key)
        check = None
        if parser is None:
            outcome = await self.pool.run(process_page, page, site, self.page_rules)
        elif sample:
            outcome, check = await self.pool.run(checked, page, site, self.page_rules, parser)
        else:
            outcome = await self.pool.run(process_page, page, site, self.page_rules, parser)
        row = outcome.row if outcome.kind == "article" and outcome.drop is None else None
        pages = learner.seen(key, _Learning(page, parser), row, outcome.counts, check)
        if pages:
            self._inc("news/learned/attempts")
            try:
                samples = [(job.page, row) for job, row in pages]
                learned = await self.pool.run(learn_site, samples, site, self.page_rules)
            except Exception:  # a bug in learning must not end the crawl: the site stays thorough
                logger.exception("learning the parser of %s failed", key)
                self._inc("news/learned/error")
                learned = Learned(None, "error", len(pages))
            self._inc("news/learned/sites" if learned.parser else "news/learned/not_learned")
            learner.learned(key, learned)
        return outcome

    async def _parse_html(self, response: HtmlResponse) -> AsyncIterator[Any]:
        url = strip_fragment(response.url)
        origin = response.meta.get("news_warc")
        profile = self.profile_for(url)
        meta = response.meta
        page = RawPage(
            url=url,
            body=response.body,
            content_type=(response.headers.get("Content-Type") or b"").decode("latin-1"),
            status=response.status,
            # When the page was fetched: now, or for an archived page the record's WARC-Date.
            fetched_at=meta.get("news_fetched_at") or datetime.now(UTC).isoformat(timespec="seconds"),
            last_modified=meta.get("news_last_modified"),
            listed_date=meta.get("news_listing_date"),
            listed_date_source=meta.get("news_listing_date_source"),
            listed_title=meta.get("news_listing_title"),
            missing=meta.get("news_missing", 0),
        )
        key = self.site_for(url)
        site = self.snapshot(profile, key)
        # The whole page in one worker call: extraction, dates, cleaning, mentions, signature.
        outcome = await self._process(page, site, key)
        for key, value in outcome.counts.items():
            self._inc(key, value)
        for line in outcome.warnings:
            logger.warning("%s", line)
        if outcome.error:
            logger.error("%s", outcome.error)
        if outcome.kind == "other" and outcome.reason in {"unparseable", "extract_error"}:
            self.decide(url, "other", outcome.reason, outcome.signals, origin=origin)
            return
        if profile and outcome.kind == "article":
            self._selector_misses(profile.name, outcome.selector_misses, url)
        depth = response.meta.get("news_depth", 0)
        follow = list(self._follow_links(response, depth)) if depth < self.follow_depth else []
        for request in follow:
            yield request
        # An article's record is marked done when its item is stored, not with this decision.
        self.decide(url, outcome.kind, outcome.reason, outcome.signals, len(follow),
                    origin=None if outcome.kind == "article" else origin)  # fmt: skip
        if outcome.row is None:
            return
        if outcome.drop is not None:
            yield Article(**outcome.row)  # the validate pipeline drops it, storage records why
            return
        yield ProcessedArticle(**outcome.row, signature=outcome.signature, prepared=outcome.prepared)

    def _follow_links(self, response: TextResponse, depth: int) -> Iterator[scrapy.Request]:
        profile = self.profile_for(response.url)
        allow = list(profile.allow) if profile else []
        deny = list(profile.deny) if profile else []
        hosts = self._hosts()
        for link in self._links.extract_links(response):
            url = strip_fragment(link.url)
            if should_follow(url, hosts, allow, deny):
                self._expect(url)
                yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={"news_depth": depth + 1})

    # -- failures ----------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        origin = request.meta.get("news_warc")
        if self.frontier is not None:
            self.frontier.ack(request)  # the request has ended (an error is its result)
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            if request.callback == self.parse_robots:
                return  # no robots.txt: nothing announced
            self._inc(f"news/fetch/http_{status}")
            self.decide(request.url, "other", f"http_{status}", origin=origin)
            logger.warning("HTTP %s for %s", status, request.url)
        elif failure.check(NotModified):
            return  # a stored article the server says is unchanged (304): counted and recorded
        elif failure.check(StopDrop):
            return  # not fetched because the run was stopping: counted by QuickStop
        elif failure.check(FaultDrop):
            # Dropped by a rule for a hostile web (crawler/crawl/faults.py): counted there, decided here.
            value = failure.value
            self.decide(getattr(value, "url", None) or request.url, "other", getattr(value, "reason", "dropped"),
                        origin=origin)  # fmt: skip
        elif failure.check(IgnoreRequest):
            # Forbidden by robots.txt (counted by Scrapy as robotstxt/forbidden), or filtered.
            if "robots.txt" in failure.getErrorMessage():
                self.decide(request.url, "other", "robots_forbidden")
            else:
                self._inc("news/fetch/ignored")
            logger.info("not fetched %s: %s", request.url, failure.getErrorMessage())
        else:
            name = failure.type.__name__ if failure.type else "Error"
            self._inc(f"news/fetch/error/{name}")
            if request.callback != self.parse_robots:
                self.decide(request.url, "other", f"fetch_error/{name}", origin=origin)
            logger.warning("failed to fetch %s: %s", request.url, failure.getErrorMessage())


class _Learning:
    """A page as the learner holds it: the page (to learn from) and the parser it went through."""

    __slots__ = ("page", "parser")

    def __init__(self, page: RawPage, parser: LearnedParser | None) -> None:
        self.page, self.parser = page, parser
