"""A starting profile for a site of the user's own, guessed from a few of its pages.

`news-crawler profiles new URL` fetches the page at URL and, when it is a front or section page,
a few of the stories it links to; this module reads them. Each page goes through the thorough
path (process_page); where its body came from generic extraction, the container the site keeps
its text in is learned the way the crawl learns a site (page/learn.py: the selector whose blocks
match the thorough bodies on every page). A selector goes into the profile only when it gives
those bodies back; the title and date selectors only when one element holds them on every page
(the generic path reads JSON-LD and meta dates without help). Pure: no fetching, no files.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.discovery.urls import profile_name_for
from crawler.extract.pagekind import url_shape
from crawler.page.learn import choose_body, learnable, parse_learning
from crawler.page.process import PageOutcome, PageRules, RawPage, SiteSnapshot, process_page

BODY_MIN_F1 = 0.9  # a learned body selector kept only when it gives back this much of every body
_SPACE = re.compile(r"\s+")


@dataclass
class Draft:
    """The profile mapping (YAML-ready), notes for its comments, and the pages read."""

    profile: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    articles: list[tuple[RawPage, PageOutcome]] = field(default_factory=list)


def profile_name(host: str) -> str:
    """'www.example.co.uk' -> 'example-co-uk': a valid profile (and file) name."""
    host = host.lower().split(":")[0]
    return profile_name_for(host[4:] if host.startswith("www.") else host)


def story_links(page: RawPage, limit: int) -> list[str]:
    """Links of the page to story-shaped URLs of the same host, in page order."""
    try:
        tree = lxml_html.fromstring(page.body)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    host = urlsplit(page.url).netloc.lower()
    found: list[str] = []
    for href in tree.xpath("//a/@href"):
        url = urljoin(page.url, str(href).strip()).split("#")[0]
        if urlsplit(url).netloc.lower() == host and url != page.url and url not in found and url_shape(url) == "story":
            found.append(url)
        if len(found) >= limit:
            break
    return found


def feed_links(page: RawPage) -> list[str]:
    """The feeds the page announces (<link rel=alternate type=rss/atom>)."""
    try:
        tree = lxml_html.fromstring(page.body)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    types = ("application/rss+xml", "application/atom+xml")
    return [urljoin(page.url, str(el.get("href"))) for el in tree.xpath("//link[@rel='alternate'][@href]")
            if (el.get("type") or "").lower() in types]  # fmt: skip


def _text(el: Any) -> str:
    return _SPACE.sub(" ", el.text_content()).strip()


def _title_selector(trees: list[Any], titles: list[str]) -> str | None:
    """`h1` (or `h1.class`) when, on every page, the first such element reads as the stored title."""
    options: list[str] = ["h1"]
    for tree in trees:
        for el in tree.xpath("//h1[@class]"):
            for cls in (el.get("class") or "").split():
                if re.fullmatch(r"[A-Za-z][\w-]*", cls) and f"h1.{cls}" not in options:
                    options.append(f"h1.{cls}")
    for option in options:
        if all(
            (found := tree.cssselect(option)) and _text(found[0]) == title
            for tree, title in zip(trees, titles, strict=True)
        ):
            return option
    return None


def draft_profile(
    start: RawPage, pages: list[RawPage], name: str | None = None, sitemaps: list[str] | None = None
) -> Draft:
    """The starting profile for the site of `start`, learned from `start` and `pages`."""
    host = urlsplit(start.url).netloc
    domain = host.split(":")[0].lower()
    domain = domain[4:] if domain.startswith("www.") else domain
    profile: dict[str, Any] = {"name": name or profile_name(host), "allowed_domains": [domain]}
    draft = Draft(profile)
    site, rules = SiteSnapshot(), PageRules()
    rows: list[tuple[RawPage, dict[str, Any]]] = []
    for page in [start, *pages]:
        out = process_page(page, site, rules)
        if out.kind == "article" and out.row and out.drop is None:
            rows.append((page, out.row))
            draft.articles.append((page, out))
    profile["title"] = next((r["site_name"] for _, r in rows if r.get("site_name")), None) or domain
    profile["start_urls"] = [start.url]
    feeds = feed_links(start)
    if feeds:
        profile["feeds"] = feeds
    if sitemaps:
        profile["sitemaps"] = sitemaps
    languages = Counter(r.get("language") for _, r in rows if r.get("language"))
    if languages:
        profile["language"] = languages.most_common(1)[0][0]
    if not rows:
        draft.notes.append("No article among the pages read: selectors left to generic extraction.")
        return draft
    draft.notes.append(f"Read {len(rows)} article page(s): " + ", ".join(p.url for p, _ in rows))
    selectors: dict[str, str] = {}
    learning = [lg for p, r in rows if learnable(r) and (lg := parse_learning(p.body, p.content_type, r))]
    chosen = choose_body(learning) if learning else None
    if chosen and chosen[2] >= BODY_MIN_F1:
        selectors["body"] = chosen[0]
        if chosen[1]:
            selectors["drop"] = chosen[1]
        draft.notes.append(
            f"body: {chosen[0]!r} gives back the generic body on every page (token F1 >= {chosen[2]:.2f})."
        )
    elif chosen:
        draft.notes.append(
            f"body: no selector came near the generic body (best {chosen[0]!r}, F1 {chosen[2]:.2f}); left out."
        )
    else:
        draft.notes.append("body: left to generic extraction (no page's body came from it, or none was long enough).")
    trees = [lg.tree for lg in learning] or []
    if trees and len(trees) == len(learning):
        title = _title_selector(trees, [lg.row.get("title_extracted") or lg.row.get("title") or "" for lg in learning])
        if title:
            selectors["title"] = title
    sources = Counter(r.get("published_source") or "none" for _, r in rows)
    draft.notes.append("dates found in: " + ", ".join(f"{s} {n}" for s, n in sources.most_common())
                       + " (read without a selector; add `published:` only if they are wrong)")  # fmt: skip
    if selectors:
        profile["selectors"] = selectors
    return draft
