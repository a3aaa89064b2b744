"""Learning a site's parser from its first pages, and checking a learned page against the
thorough path: the two jobs of a worker besides processing pages (crawler/page/learn.py says
what a learned parser is)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from crawler.page.learn import Agreement, LearnedParser, Learning, agreement, choose_body, median_weight
from crawler.page.learn import parse_learning as _parse
from crawler.page.process import (
    PageOutcome,
    PageRules,
    RawPage,
    SiteSnapshot,
    learned_outcome,
    learned_try,
    process_page,
)

# What htmldate's reading of the visible date can change: the dates, and whether the learned path
# claims the page at all ("row": a visible date is one of the signals of an article page).
DATE_FIELDS = {"published_at", "modified_at", "row"}


@dataclass
class Learned:
    """What learning a site gave: the parser (None: none reproduces the thorough path), why not,
    and how each learning page compared."""

    parser: LearnedParser | None
    reason: str
    pages: int
    agreements: list[Agreement] = field(default_factory=list)


def learn_site(samples: list[tuple[RawPage, dict[str, Any]]], site: SiteSnapshot, rules: PageRules) -> Learned:
    """A parser from the thorough rows of a site's pages, kept only when it reproduces them."""
    pages: list[tuple[RawPage, Learning]] = []
    for page, row in samples:
        learning = _parse(page.body, page.content_type, row)
        if learning is not None:
            pages.append((page, learning))
    if len(pages) < 2:
        return Learned(None, "too_few_pages", len(pages))
    chosen = choose_body([learning for _, learning in pages])
    if chosen is None:
        return Learned(None, "no_container", len(pages))
    body, drop, _ = chosen
    rows = [learning.row for _, learning in pages]
    base = LearnedParser(body, drop, visible_date=False, pages=len(pages), body_weight=median_weight(rows))
    # Without htmldate's reading first (cheaper); with it only when what it changes alone differed.
    # Each try stops at its first page that differs: a failed attempt cost 2-3 times a good one
    # (bench/README.md, "Issue 33 again").
    parser = base
    last = _agreements(pages, site, rules, parser)
    if not last[-1].same and set(last[-1].fields) <= DATE_FIELDS:
        parser = replace(base, visible_date=True)
        last = _agreements(pages, site, rules, parser)
    if last[-1].same:
        return Learned(parser, "learned", len(pages), last)
    return Learned(None, "differs:" + ",".join(sorted(set(last[-1].fields))), len(pages), last)


def _agreements(
    pages: list[tuple[RawPage, Learning]], site: SiteSnapshot, rules: PageRules, parser: LearnedParser
) -> list[Agreement]:
    """How the parser compares on each learning page, up to the first that differs."""
    out: list[Agreement] = []
    for page, learning in pages:
        out.append(_compare(page, site, rules, parser, learning.row))
        if not out[-1].same:
            break
    return out


def _compare(
    page: RawPage, site: SiteSnapshot, rules: PageRules, parser: LearnedParser, thorough: dict[str, Any]
) -> Agreement:
    out = learned_outcome(page, site, rules, parser)
    return agreement(out.row if out is not None else None, thorough)


def checked(
    page: RawPage, site: SiteSnapshot, rules: PageRules, parser: LearnedParser
) -> tuple[PageOutcome, Agreement | None]:
    """A sampled page: the thorough outcome (the one stored) and how the learned one compares;
    None when the learned path would not have claimed the page (doubtful: counted as such)."""
    thorough = process_page(page, site, rules)
    learned, why = learned_try(page, site, rules, parser)
    if learned is None:
        thorough.count("news/learned/doubtful")
        if why == "missed" and thorough.kind == "article" and thorough.drop is None:
            thorough.count("news/learned/missed")
        return thorough, None
    return thorough, agreement(learned.row, thorough.row if thorough.kind == "article" else None)
