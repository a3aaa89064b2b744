"""Article or listing: signals weighed the way an editor reads a page, each decision explained.

Pure. No single signal decides except an article type in JSON-LD (publishers put it only on
stories) and a site profile's URL rule (applied by the caller). `og:type=website` decides
nothing: many publishers put it on every page. The rest add up:

for an article:                               for a listing:
  og:type=article / article:published_time +2   most of the text is link text (teasers)   -3
  a publication date on the page (not URL) +1   many teaser elements / headline links      -2
  a headline (<h1> or og:title)            +1   a tag/category/author/page/archive URL     -2
  running text: 3+ paragraphs (8+: +3)      +2   a section or home URL (/, /world/)          -1
  or at least one paragraph (a brief)       +1   CollectionPage / ItemList in JSON-LD       -1
  a URL shaped like a story (date, id, slug)+1   no running text at all                      -2

A page scoring 2 or more is an article. The signals and the score are kept with the
decision, so "why is this URL not in articles?" always has an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

ARTICLE_THRESHOLD = 2
# A paragraph of running text: this many characters (CJK counted double) ...
PARAGRAPH = 80
# ... and enough of them make a full article even without other signals.
FULL_TEXT = 1200
LONG_TEXT = 8  # paragraphs

# Folders that hold lists ("/tag/council/", "/author/jane", "/page/3"), the folder itself or one
# name in it: a story filed deeper under a topic ("/themen/land/zukunftsforum.html") is not a
# list. A query asking for a page of results or a search. Not "index.html" nor "?p=123"
# (WordPress posts live there).
_LISTING_PATH = re.compile(
    r"/(?:tags?|category|categories|topics?|themen|authors?|autor|writers?|archives?|search|suche"
    r"|rubrik|ressort|sections?|latest|news-list)(?:/[^/?]*)?/?(?:\?|$)|/page/\d+|[?&](?:page|paged|s|q)=",
    re.IGNORECASE,
)
_STORY_DATE = re.compile(r"/(?:19|20)\d{2}[/-]?(?:0[1-9]|1[0-2])(?:[/-]?(?:0[1-9]|[12]\d|3[01]))?(?:/|[^\d]|$)")
_STORY_ID = re.compile(r"\d{5,}")
_SLUG_WORDS = re.compile(r"[\w]+(?:[-_][\w]+){3,}")


@dataclass(frozen=True)
class PageSignals:
    url: str
    ld_article: bool = False
    ld_listing: bool = False
    og_type: str | None = None
    published_meta: bool = False
    dated: bool = False  # a publication date signal on the page itself
    headline: bool = False
    paragraphs: int = 0  # running-text blocks (>= PARAGRAPH weighted characters)
    text_weight: int = 0  # all extracted text, CJK counted double
    link_share: float = 0.0  # share of the extracted text that is the text of links
    teasers: int = 0  # <article> elements and headline links (h2/h3/h4 > a)


@dataclass(frozen=True)
class PageKind:
    is_article: bool
    reason: str  # the strongest signal behind the decision
    score: int
    signals: dict[str, Any] = field(default_factory=dict)


def url_shape(url: str) -> str:
    """ "listing" (tag, category, author, page N...), "section" (home or one folder), "story" (a date,
    a long id or a slug of words), or "plain"."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if _LISTING_PATH.search(path + ("?" + parts.query if parts.query else "")):
        return "listing"
    segments = [s for s in path.split("/") if s]
    last = segments[-1] if segments else ""
    if _STORY_DATE.search(path) or _STORY_ID.search(path) or _SLUG_WORDS.search(last):
        return "story"
    if not segments or (len(segments) == 1 and path.endswith("/")):
        return "section"
    return "plain"


def classify(s: PageSignals) -> PageKind:
    if s.ld_article:
        return PageKind(True, "json-ld:article", 99, {"ld_article": True})
    points: dict[str, int] = {}
    if s.og_type == "article" or s.published_meta:
        points["og:article"] = 2
    if s.dated:
        points["date_on_page"] = 1
    if s.headline:
        points["headline"] = 1
    if s.paragraphs >= LONG_TEXT and s.teasers < s.paragraphs // 2 and s.link_share < 0.2:
        points["long_text"] = 3  # a page of prose outweighs a list-like URL
    elif s.paragraphs >= 3 or s.text_weight >= FULL_TEXT:
        points["running_text"] = 2
    elif s.paragraphs >= 1:
        points["short_text"] = 1
    shape = url_shape(s.url)
    if shape == "story":
        points["story_url"] = 1
    if s.link_share >= 0.5:
        points["link_text"] = -3
    if s.teasers >= 6 and s.paragraphs < 3 + s.teasers // 2:
        points["teasers"] = -2
    if shape == "listing":
        points["listing_url"] = -2
    elif shape == "section":
        points["section_url"] = -1
    if s.ld_listing:
        points["ld:listing"] = -1
    if s.text_weight < 100:
        points["no_text"] = -2
    score = sum(points.values())
    is_article = score >= ARTICLE_THRESHOLD
    # The reason is the strongest signal on the winning side.
    side = [(v, k) for k, v in points.items() if (v > 0) == is_article and v != 0]
    reason = max(side, key=lambda p: abs(p[0]))[1] if side else "no_signal"
    signals = {
        "score": score,
        "points": points,
        "og_type": s.og_type,
        "paragraphs": s.paragraphs,
        "text_weight": s.text_weight,
        "link_share": round(s.link_share, 2),
        "teasers": s.teasers,
        "url_shape": shape,
    }
    return PageKind(is_article, reason, score, signals)
