"""The writer's side of learned site parsers: which site's pages go the learned way, when a site
has enough thorough pages to learn from, which pages are sampled, and when a site whose samples
stop agreeing (a changed layout) is learned again. What it decides is reported per site into
`site_parsers` at the end of the run. Used by `ingest` (its jobs) and by the crawl (its pages)."""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from crawler.page.learn import Agreement, LearnedParser, learnable
from crawler.page.learnsite import Learned

logger = logging.getLogger(__name__)


class Job(Protocol):
    """A page handed out: an ingest job (file, offset) or a crawled page; the parser it went through."""

    @property
    def parser(self) -> LearnedParser | None: ...


J = TypeVar("J", bound=Job)


ATTEMPTS = 2  # learning tried this many times on a site (each on its next pages) before it stays thorough
RETRY_AFTER = 50  # thorough pages of a site after a failed attempt before the next one
RECENT = 10  # checks remembered per site: samples, and articles the selector missed
CHANGED = 3  # this many failed checks (samples that disagree, articles the selector missed) among
# the recent ones: the layout changed, learn again


LEARNING = Learned(None, "learning", 0)  # the mark of a site whose parser is being learned


@dataclass
class SiteLearning(Generic[J]):
    parser: LearnedParser | None = None
    pending: list[tuple[J, dict[str, Any]]] = field(default_factory=list)
    learning: Future[Learned] | Learned | None = None
    attempts: int = 0
    dispatched: int = 0  # learned-path pages handed out (the sampling clock)
    in_flight: int = 0  # thorough pages handed out whose outcome has not come back
    outcomes: int = 0  # thorough outcomes seen, and how many of them could be learned from
    learnable: int = 0
    recent: deque[bool] = field(default_factory=lambda: deque(maxlen=RECENT))
    report: dict[str, Any] = field(default_factory=dict)

    def add(self, key: str, value: float = 1) -> None:
        self.report[key] = self.report.get(key, 0) + value


class Learner(Generic[J]):
    """Per-site learning state of one run. learn_pages 0 switches learning off."""

    def __init__(
        self, parsers: dict[str, LearnedParser], learn_pages: int, sample_every: int, min_site_pages: int = 0
    ) -> None:
        self.learn_pages = learn_pages
        # NEWS_LEARN_MIN_PAGES: a site with fewer pages in the files is not learned (a parser
        # stored by an earlier run is used whatever the count)
        self.min_site_pages = min_site_pages
        self.sample_every = max(1, sample_every)
        self.sites: dict[str, SiteLearning[J]] = {}
        self.expected: dict[str, int] = {}  # HTML pages of each site in the files read so far
        for site, parser in parsers.items():
            self.sites[site] = SiteLearning[J](parser=parser)

    def expect(self, site: str, pages: int) -> None:
        self.expected[site] = self.expected.get(site, 0) + pages

    def worth_learning(self, site: str) -> bool:
        return self.expected.get(site, self.min_site_pages) >= self.min_site_pages

    def for_job(self, site: str) -> tuple[LearnedParser | None, bool]:
        """(the parser the site's next page uses, whether that page is a sample); counts it."""
        state = self.sites.setdefault(site, SiteLearning[J]())
        if state.parser is None or not self.learn_pages:
            state.in_flight += 1
            return None, False
        state.dispatched += 1
        return state.parser, state.dispatched % self.sample_every == 0

    def waiting(self, site: str) -> bool:
        """Whether the site's next page should wait for the parser being learned: its first pages
        are out (or being learned from), and its pages so far could mostly be learned from (a
        site of listings, or with a profile's own body selector, is not held back)."""
        state = self.sites.get(site)
        if not self.learn_pages or state is None or state.parser is not None or state.attempts >= ATTEMPTS:
            return False
        if state.attempts and state.learning is None:
            return False  # a failed attempt: its next pages are not held for the next one
        if state.outcomes and state.learnable * 2 < state.outcomes:
            return False
        if not self.worth_learning(site):
            return False
        return state.learning is not None or state.in_flight + len(state.pending) >= self.learn_pages

    def seen(
        self, site: str, job: J, row: dict[str, Any] | None, counts: dict[str, int], check: Agreement | None
    ) -> list[tuple[J, dict[str, Any]]] | None:
        """One page's outcome of a site; returns the learning pages when the site is ready to learn."""
        if not self.learn_pages or not site:
            return None
        state = self.sites.setdefault(site, SiteLearning[J]())
        if job.parser is None:
            state.in_flight = max(0, state.in_flight - 1)
            state.outcomes += 1
            state.learnable += int(row is not None and learnable(row))
        if job.parser is not None:
            if counts.get("news/learned/pages"):
                state.add("pages")
            if counts.get("news/learned/doubtful"):
                state.add("doubtful")
            if counts.get("news/learned/missed"):
                self._check(site, state, False)  # the selector missed an article: the layout?
            if check is not None:
                state.add("samples")
                state.add("samples_agreed", int(check.same))
                state.add("f1_sum", check.body_f1)
                self._check(site, state, check.same)
            return None
        if state.parser is not None or state.learning is not None or state.attempts >= ATTEMPTS:
            return None
        if state.attempts and state.outcomes < state.attempts * RETRY_AFTER:
            return None  # a failed attempt: the next one on pages further on
        if row is None or not learnable(row) or not self.worth_learning(site):
            return None
        state.pending.append((job, row))
        if len(state.pending) < self.learn_pages:
            return None
        pages, state.pending = state.pending, []
        state.attempts += 1
        state.learning = LEARNING
        return pages

    def _check(self, site: str, state: SiteLearning[J], ok: bool) -> None:
        state.recent.append(ok)
        if state.parser is not None and list(state.recent).count(False) >= CHANGED:
            logger.warning("site %s: its learned parser stopped agreeing with the thorough path "
                           "(a changed layout?); learning it again", site)  # fmt: skip
            state.parser = None
            state.recent.clear()
            state.attempts = 0
            state.add("relearned")
            state.report.update({"state": "relearning", "reason": "layout_changed", "parser": None})

    def give_up_waiting(self, site: str) -> None:
        """Its held pages went on without the parser: the site is not held back again this run."""
        state = self.sites.setdefault(site, SiteLearning[J]())
        state.attempts = ATTEMPTS

    def started(self, site: str, future: Future[Learned]) -> None:
        self.sites[site].learning = future

    def learned(self, site: str, outcome: Learned) -> None:
        state = self.sites.setdefault(site, SiteLearning[J]())
        state.learning = None
        if outcome.parser is not None:
            state.parser = outcome.parser
            state.recent.clear()
            state.report.update({"state": "active", "reason": outcome.reason, "parser": outcome.parser.to_json(),
                                 "body_selector": outcome.parser.body, "pages_learned": outcome.pages,
                                 "learned": True})  # fmt: skip
            logger.info("site %s: parser learned on %d pages (body %s)", site, outcome.pages, outcome.parser.body)
        elif state.parser is None:
            state.report.update({"state": "failed", "reason": outcome.reason, "pages_learned": outcome.pages})

    def reports(self) -> dict[str, dict[str, Any]]:
        return {site: state.report for site, state in self.sites.items() if state.report}
