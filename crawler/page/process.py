"""The page processor: one page's whole work, top to bottom, as one pure function.

    raw bytes + URL + headers + fetch time, and what is known of the site
        -> decode -> parse and extract -> decide -> row -> dates -> title and body -> mentions
        -> signature -> the finished row, exactly the stored `Article` fields

It runs whole in one worker call (one round trip a page, and no HTML pickled back). The crawl's
spider, `ingest` and the Redis workers are shells around it: they fetch or read the bytes, hand
them here with the site's snapshot, count what comes back and store the row as it is.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from w3lib.html import get_base_url
from w3lib.url import safe_url_string

from crawler.discovery.urls import site_key, storage_url
from crawler.extract import Selectors, extract_page
from crawler.extract.article import ExtractError
from crawler.extract.encoding import decode_response, redecode
from crawler.page.clean import cleaned_fields, mention_fields, stored_title
from crawler.page.dates import DateRules, choose_dates
from crawler.page.learn import LearnedParser
from crawler.text.boilerplate import weighted_length
from crawler.text.language import choose_language
from crawler.text.prepared import Prepared, prepare
from crawler.text.shingles import signature_bytes


@dataclass(frozen=True)
class SiteSnapshot:
    """What a worker knows of a page's site: its profile's part (name, selectors, article URL
    patterns, zone, language) and what storage learned of it (boilerplate, title affixes).
    Read when a run starts; a worker never opens the database."""

    name: str | None = None  # the profile's name: the site key of its pages
    title: str | None = None  # the profile's title: the site name when the page gives none
    language: str | None = None
    timezone: str | None = None  # the stated zone (profile or -a tz) and where it came from
    timezone_source: str | None = None
    selectors: Selectors | None = None
    article_urls: tuple[re.Pattern[str], ...] = ()
    boilerplate: frozenset[str] = frozenset()
    affixes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PageRules:
    """The run's settings a page is processed with (from NewsConfig); dates None: switched off."""

    dates: DateRules | None = field(default_factory=DateRules)
    repeats: bool = True
    furniture: bool = True
    mentions: bool = True


@dataclass(frozen=True)
class RawPage:
    url: str  # the URL fetched (after redirects), fragment removed
    body: bytes
    content_type: str = ""
    status: int = 200
    fetched_at: str = ""  # ISO-8601 UTC: now, or an archived record's WARC-Date
    last_modified: str | None = None  # an archived response's HTTP Last-Modified (a modified signal)
    listed_date: str | None = None  # the date a sitemap or feed lists the page under, and its source
    listed_date_source: str | None = None
    listed_title: str | None = None  # the title it lists the page under
    missing: int = 0  # bytes that never arrived (a record cut short): the page is kept as partial


@dataclass
class PageOutcome:
    """What became of a page: its decision, the row (None for a page that is not an article),
    the drop reason of a row that is not an article after all (no title, no body: the row is left
    unfinished, and the shell records the drop), the counts (stats keys) and lines to log."""

    kind: str
    reason: str
    signals: dict[str, Any] = field(default_factory=dict)
    row: dict[str, Any] | None = None
    drop: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    selector_misses: list[str] = field(default_factory=list)
    signature: bytes | None = None
    # What storage would otherwise compute from the row in its one writer: the search index's
    # bigram form of the title and body, and the keys of the raw blocks (boilerplate counts).
    prepared: Prepared | None = None
    error: str | None = None  # a bug on hostile input, with its traceback (logged by the shell)

    def count(self, key: str, value: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + value

    def add(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.count(key, value)


def missing_field(item: dict[str, Any]) -> str | None:
    """Why a row cannot be an article (missing_url, missing_title, missing_body), or None."""
    if not (item.get("url") or "").strip():
        return "missing_url"
    if not (item.get("title") or "").strip():
        return "missing_title"
    if not any((b or "").strip() for b in item.get("raw_blocks") or []):
        return "missing_body"
    return None


def process_page(
    page: RawPage, site: SiteSnapshot, rules: PageRules, learned: LearnedParser | None = None
) -> PageOutcome:
    """The page's outcome; with a learned parser of its site, its body read where the site keeps
    it (no generic extraction), unless the result is doubtful: then the thorough path's."""
    if learned is not None:
        out, why = learned_try(page, site, rules, learned)
        if out is not None:
            return out
        out = _thorough(page, site, rules)
        out.count("news/learned/doubtful")
        if why == "missed" and out.kind == "article" and out.drop is None:
            # An article whose body the site's selector did not find: what a changed layout looks
            # like (a page of unusual length, or not an article, is not).
            out.count("news/learned/missed")
        return out
    return _thorough(page, site, rules)


def learned_outcome(page: RawPage, site: SiteSnapshot, rules: PageRules, learned: LearnedParser) -> PageOutcome | None:
    """The learned path's outcome, or None when it is doubtful: not an article, no title, a body
    the selector did not give alone, or one far from the site's usual length."""
    return learned_try(page, site, rules, learned)[0]


def learned_try(
    page: RawPage, site: SiteSnapshot, rules: PageRules, learned: LearnedParser
) -> tuple[PageOutcome | None, str]:
    """(the learned path's outcome or None, and why not: not_article, missed, unusual)."""
    out = _thorough(page, site, rules, learned)
    row = out.row
    if out.kind != "article" or row is None or out.drop is not None:
        return None, "not_article"
    if row.get("extractor") != "learned":
        return None, "missed"
    if learned.doubtful(weighted_length(row.get("body") or "")):
        return None, "unusual"
    out.count("news/learned/pages")
    return out, ""


def _thorough(page: RawPage, site: SiteSnapshot, rules: PageRules, learned: LearnedParser | None = None) -> PageOutcome:
    out = _thorough_whole(page, site, rules, learned)
    if page.missing:
        # What arrived of a page cut short is read as it is, and said to be partial, in its
        # decision and its row; a reader keeps what arrived rather than nothing.
        out.count("news/pages/partial")
        out.signals = {**(out.signals or {}), "partial": True, "missing_bytes": page.missing}
    if out.row is not None:
        out.row["partial"] = page.missing > 0
    return out


def _thorough_whole(
    page: RawPage, site: SiteSnapshot, rules: PageRules, learned: LearnedParser | None = None
) -> PageOutcome:
    text, declared = decode_response(page.body, page.content_type)
    decoded = redecode(text, page.body, declared)
    warnings = []
    repaired = decoded.repaired
    if repaired:
        warnings.append(f"{page.url}: declared charset {declared} garbles the text; decoded as {decoded.encoding}")
    url = page.url
    article_url = any(p.search(url) for p in site.article_urls) if site.article_urls else None
    selectors = learned.selectors(site.selectors) if learned is not None else site.selectors
    visible = learned.visible_date if learned is not None else True
    try:
        extracted = extract_page(decoded.text, url, selectors, article_url, page.listed_title, visible)
    except ExtractError as exc:
        out = PageOutcome("other", "unparseable", {"error": str(exc)[:200]}, warnings=warnings)
        out.count("news/extract/unparseable")
        out.warnings.append(f"could not parse {url}: {exc}")
        return _charset(out, repaired)
    except Exception as exc:  # a bug on hostile input must not end the run
        name = type(exc).__name__
        out = PageOutcome("other", "extract_error", {"error": f"{name}: {exc}"[:200]}, warnings=warnings)
        out.count(f"news/extract/error/{name}")
        out.error = f"extraction failed on {url}\n{traceback.format_exc()}"
        return _charset(out, repaired)
    # A page with no readable text (drawn by JavaScript, or empty) is not a list of links.
    kind = "article" if extracted.is_article else "other" if extracted.page_kind_reason == "no_text" else "listing"
    out = PageOutcome(kind, extracted.page_kind_reason, extracted.page_kind_signals, warnings=warnings)
    _charset(out, repaired)
    for warning in extracted.warnings:
        out.count(f"news/extract/{warning}")
    if not extracted.is_article:
        out.count("news/pages/listing")
        return out
    out.count("news/pages/article")
    extractor = extracted.extractor
    if learned is not None:
        # What the learned body selector gave is the learned path's; a miss of it is no profile's.
        extractor = "learned" if extractor == "selectors" else extractor
        out.selector_misses = [m for m in extracted.selector_misses if m != "body"]
    else:
        out.selector_misses = extracted.selector_misses
    published: list[dict[str, str | None]] = [
        {"raw": raw, "source": source} for raw, source in extracted.published_candidates
    ]
    if page.listed_date:
        # The feed's or sitemap's date ranks below the page's own signals, above the URL.
        listed = {"raw": page.listed_date, "source": page.listed_date_source}
        at = next((i for i, s in enumerate(published) if s["source"] in {"visible", "url"}), len(published))
        published.insert(at, listed)
    modified = [{"raw": raw, "source": source} for raw, source in extracted.modified_candidates]
    if page.last_modified:
        # An archived response's HTTP Last-Modified: the weakest modified signal, after the page's.
        modified.append({"raw": page.last_modified, "source": "http:last-modified"})
    language, language_source = choose_language(extracted.language, site.language, extracted.title or "",
                                                extracted.blocks)  # fmt: skip
    if language_source == "text":
        out.count("news/language/from_text" if not extracted.language else "news/language/overruled")
    elif language is None:
        out.count("news/language/unknown")
    canonical = None
    if extracted.canonical_url:
        base = get_base_url(decoded.text[:4096], url, decoded.encoding)
        canonical = safe_url_string(urljoin(base, extracted.canonical_url))
    row: dict[str, Any] = {
        "url": storage_url(url, extracted.canonical_url),
        "fetched_url": url,
        "canonical_url": canonical,
        "site": site.name or site_key(url),
        "site_name": extracted.site_name or site.title,
        "title": extracted.title,
        "title_extracted": extracted.title,
        "page_title": extracted.page_title,
        "raw_blocks": extracted.blocks,
        "authors": extracted.authors,
        "language": language,
        "language_source": language_source,
        "section": extracted.section,
        "description": extracted.description,
        "image_url": extracted.image_url,
        "date_signals": {"published": published, "modified": modified},
        "timezone": site.timezone,
        "timezone_source": site.timezone_source,
        "extractor": extractor,
        "fetched_at": page.fetched_at,
        "http_status": page.status,
        "encoding": decoded.encoding,
    }
    out.row = row
    out.drop = missing_field(row)
    if out.drop is not None:
        return out  # not finished: the shell records the drop with the page
    out.count("news/validate/ok")
    finish_row(row, site, rules, out)
    return out


def finish_row(row: dict[str, Any], site: SiteSnapshot, rules: PageRules, out: PageOutcome) -> None:
    """Dates, the stored title and body, mentions and the body's signature, in place."""
    if rules.dates is not None:
        dates = choose_dates(row, rules.dates)
        row.update(dates.fields)
        out.add(dates.counts)
        out.warnings.extend(dates.warnings)
    title = stored_title(row, site.affixes)
    if title != row.get("title"):
        row["title"] = title
        out.count("news/titles/affix_stripped")
    fields, counts = cleaned_fields(row["title"], row["raw_blocks"], site.boilerplate, rules.repeats, rules.furniture)
    row.update(fields)
    out.add(counts)
    if rules.mentions:
        row["date_mentions"], counts = mention_fields(row["body"], row.get("published_at"), row.get("timezone"))
        out.add(counts)
    out.signature = signature_bytes(row.get("body") or "")
    out.prepared = prepare(row)


def _charset(out: PageOutcome, repaired: bool) -> PageOutcome:
    if repaired:
        out.count("news/pages/charset_mismatch")
    return out
