"""The headline a reader would give: chosen among the page's title signals by agreement.

Pure. Candidates are a profile's selector, JSON-LD `headline`, the title a sitemap or feed lists
the page under (`<news:title>`, an RSS or Atom item's title), `og:title`, the first `<h1>` and
`<title>`. Each is unescaped (pages that escape twice leave "&quot;" after parsing), and the
document titles (`og:title`, `<title>`) lose the site name and section names they carry
around separators ("Headline | Site", "Site - Section - Headline", "Headline – Site.com").
The candidate most others agree with wins (the same text, or a part of theirs between
separators); a kicker ("Exclusive: Headline") that another signal leaves out goes too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

# Separators between a headline and a site or section name, with spaces around them.
# A pipe needs no spaces ("NEWS WEB EASY|見出し", common on Japanese sites): no headline uses one.
_SEPARATOR = re.compile(r"\s+[|\-–—:·•«»/]{1,2}\s+|\s*[｜│：|]\s*|\s+::\s+")
_SEPARATOR_KEEP = re.compile(r"(\s+[|\-–—:·•«»/]{1,2}\s+|\s*[｜│：|]\s*|\s+::\s+)")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")
_WS = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.{3}|…)$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_KICKER = re.compile(r"^([^:：]{2,40})[:：]\s+(.{12,})$")
SOURCES = ("selector", "headline", "listing", "og:title", "h1", "title")
FAMILY = {"og:title": "document", "title": "document"}


# Tags inside a title's text (an unclosed <title> swallows the page's markup as text; a script
# smuggled into og:title): removed, so no markup reaches the database as a title.
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,300}>")


def unescape(text: str) -> str:
    """Whitespace tidied; entities left by double escaping decoded (at most twice more); tags removed."""
    for _ in range(2):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return _WS.sub(" ", _TAG.sub(" ", text)).strip()


# Quotation marks differ between a page's signals ('tranqui' in og:title, ‘tranqui’ in the <h1>),
# and soft hyphens ("Deutsch\u00adland"): they do not make two titles different.
_QUOTES = str.maketrans("", "", "\"'‘’‚‛“”„‟«»‹›「」『』\u00ad")


def _key(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).strip().casefold().strip(" .!?")


def headline_key(text: str) -> str:
    """A headline as compared: normalised, quotation marks and a trailing ellipsis left out."""
    return _key(_ELLIPSIS.sub("", text))


def _site_words(site_name: str | None, url: str) -> set[str]:
    words = set()
    if site_name:
        words.add(_key(site_name))
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host:
        words.add(host)
        words.add(host.split(".")[0])
    return {w for w in words if w}


def _is_site(segment: str, site: set[str]) -> bool:
    key = _key(segment)
    if not key:
        return True
    compact = key.replace(" ", "")
    return any(key == w or compact == w.replace(" ", "")
               or (len(w) > 3 and w.replace(" ", "") in compact and len(compact) <= len(w) + 12)
               for w in site)  # fmt: skip


def _split(title: str) -> tuple[list[str], list[str]]:
    pieces = _SEPARATOR_KEEP.split(title)
    return pieces[0::2], pieces[1::2]  # parts, the separators between them


def strip_site(title: str, site: set[str]) -> str:
    """A document title without the site name at either end ("Headline | Site",
    "Site - Headline"); what lies between is kept whole with its separators."""
    parts, seps = _split(title)
    if len(parts) == 1:
        return title
    start, end = 0, len(parts)
    while start < end and _is_site(parts[start], site):
        start += 1
    while end > start and _is_site(parts[end - 1], site):
        end -= 1
    if start == end:
        return title
    if (start, end) == (0, len(parts)):
        # No site name recognised: "Headline | Short Name" still ends with the site in practice.
        last = parts[-1]
        if len(parts) == 2 and len(last) <= 30 and len(last.split()) <= 4 and len(parts[0]) > len(last):
            return parts[0].strip()
        return title
    out = parts[start]
    for i in range(start + 1, end):
        out += seps[i - 1] + parts[i]
    return out.strip()


def _plausible_h1(text: str, site: set[str]) -> bool:
    """An <h1> that reads like a headline: not the site's name, not a one-word section label.
    Chinese, Japanese and Korean headlines have no spaces between words: their length decides."""
    if _CJK.search(text):
        long_enough = len(text) >= 10
    else:
        long_enough = len(text) >= 15 and len(text.split()) >= 3
    return long_enough and not _is_site(text, site)


def choose_title(
    candidates: dict[str, str | None],
    site_name: str | None,
    url: str,
    h1_parts: list[str] | None = None,
    later_h1s: list[str] | None = None,
) -> tuple[str | None, str | None]:
    """(title, the source it came from) by agreement among the candidates. h1_parts: the texts of
    an <h1> made of parts ("<span class=kicker>..</span><span class=headline>..</span>").
    later_h1s: the texts of the page's other <h1>s (the first is often the site's logo); they win
    only by agreement with another signal."""
    site = _site_words(site_name, url)
    found: list[tuple[str, str]] = []
    whole: set[str] = set()  # what a source gives as its title, not a part of it
    for source in SOURCES:
        raw = candidates.get(source)
        if not raw:
            continue
        text = unescape(raw)
        if source in {"og:title", "title", "headline", "listing"}:
            text = strip_site(text, site)
            parts = _SEPARATOR.split(text)
            if len(parts) > 1:
                # "Section | Headline": the longest part is offered too; agreement decides.
                found.append((source, max(parts, key=len).strip()))
        if text:
            found.append((source, text))
            whole.add(_key(text))
    # A kicker and a headline in one <h1>: each part is offered; agreement decides.
    found.extend(("h1", unescape(part)) for part in h1_parts or [] if part)
    later = {_key(text) for text in later_h1s or [] if text} - {_key(t) for source, t in found if source == "h1"}
    found.extend(("h1", unescape(text)) for text in later_h1s or [] if text and _key(text) in later)
    if not found:
        return None, None
    if found[0][0] == "selector":
        return found[0][1], "selector"
    keys = [(_key(t), source, t) for source, t in found]

    def support(key: str, source: str) -> int:
        # og:title and <title> come from one CMS field on most sites: they agree as one voice.
        voices = {FAMILY.get(s, s) for other, s, _ in keys if other == key}
        return len(voices - {FAMILY.get(source, source)}) + 1

    def preference(source: str, text: str) -> int:
        # What a reader sees first: a headline-like <h1>; then the publisher's declared headline.
        if source == "h1":
            return 4 if _key(text) not in later and _plausible_h1(text, site) else 0
        return {"headline": 3, "listing": 3, "og:title": 2, "title": 1}.get(source, 0)

    best = max(keys, key=lambda k: (support(k[0], k[1]), preference(k[1], k[2]), -len(k[2])))
    title, source = best[2], best[1]
    # A kicker another signal leaves out ("Exclusive: Headline" against "Headline") goes; a
    # part split off at a separator is not such a signal ("Covid-19 et infox : comment ...").
    m = _KICKER.match(title)
    if m and _key(m.group(2)) in whole:
        title = m.group(2)
    return _untruncated(title, [t for _, t in found if _key(t) in whole]), source


def _untruncated(title: str, others: list[str]) -> str:
    """A title cut short with an ellipsis in one signal ("... for Hong Kong leader...") is
    completed from another signal that runs on from it, unless what follows is a separator (a
    site or section name). Without the ellipsis a longer signal is as likely a headline with a
    site's suffix ("... Rezept", "... bei ZooRoyal") as a completed one: left alone."""
    if not _ELLIPSIS.search(title):
        return title
    stem = headline_key(title)
    best = title
    for other in others:
        key = _key(other)
        if len(key) > len(stem) and key.startswith(stem) and len(other) > len(best):
            rest = key[len(stem) :]
            if rest[:1] == " " and not _SEPARATOR.match(rest) and len(rest) <= len(key) // 2:
                best = other
    return best


# -- a site's own title affixes, learned across its pages -----------------------------------------
#
# "Headline | Politics | The Morning Chronicle": the site's name and its section labels repeat
# at the ends of its pages' <title>s; the headline does not. What a site repeats is learned from
# all its stored pages (as its boilerplate is), never from a list of phrases, and taken off the
# ends of its titles. A part counts only where the rest of its title still reads as a headline,
# and is taken off only then: "Weather - Monday", "Weather - Tuesday" teach nothing and lose
# nothing ("Monday" is no headline).
AFFIX_MAX_CHARS = 80  # a longer repeated part is a headline of a series, not a label


def _headline_like(text: str) -> bool:
    """Enough left to be a headline: three words, or six characters of CJK (no spaces there)."""
    if _CJK.search(text):
        return len(text.strip()) >= 6
    return len(text.split()) >= 3


def _end_parts(title: str) -> list[str]:
    """The parts of a title whose removal leaves a headline-like rest."""
    parts = [p.strip() for p in _split(unescape(title))[0]]
    if len(parts) < 2:
        return []
    return [p for i, p in enumerate(parts) if p and _headline_like(" ".join(parts[:i] + parts[i + 1 :]))]


def title_key(text: str) -> str:
    """A title or a part of one as compared (an affix is stored under this key)."""
    return _key(text)


def affix_candidates(page_title: str | None) -> dict[str, str]:
    """The parts of one page title that could be its site's affixes, {key: the part as written}:
    those whose removal leaves a headline-like rest, at most AFFIX_MAX_CHARS long. What storage
    keeps per article and counts per site."""
    if not page_title:
        return {}
    out: dict[str, str] = {}
    for part in _end_parts(page_title):
        key = _key(part)
        if key and len(part) <= AFFIX_MAX_CHARS:
            out.setdefault(key, part)
    return out


def affix_counts(page_titles: Iterable[str]) -> Counter[str]:
    """How many distinct titles (by key) carry each part at an end, by the part's key."""
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for title in page_titles:
        key = _key(title or "")
        if not key or key in seen:
            continue
        seen.add(key)
        counts.update(affix_candidates(title).keys())
    return counts


def learn_affixes(page_titles: Iterable[str], min_titles: int) -> dict[str, int]:
    """The parts a site repeats at the ends of at least min_titles of its distinct page titles:
    {key: titles}. min_titles < 2 learns nothing (a part seen once is not a repetition). The rule
    on a list of titles; storage counts the same per site in SQL (crawler/storage/titleaffixes.py)."""
    if min_titles < 2:
        return {}
    return {k: n for k, n in affix_counts(page_titles).items() if n >= min_titles}


def strip_affixes(title: str, affixes: Collection[str]) -> str:
    """The title without learned affixes at either end, between separators. A title made only of
    learned parts is left whole (a page titled with the site's name alone)."""
    if not affixes or not title:
        return title
    parts, seps = _split(title)
    if len(parts) < 2:
        return title
    start, end = 0, len(parts)
    while start < end and _key(parts[start]) in affixes:
        start += 1
    while end > start and _key(parts[end - 1]) in affixes:
        end -= 1
    if start == end or (start, end) == (0, len(parts)):
        return title
    out = parts[start]
    for i in range(start + 1, end):
        out += seps[i - 1] + parts[i]
    return out.strip() if _headline_like(out) else title


def site_title(extracted: str | None, page_title: str | None, affixes: Collection[str]) -> str | None:
    """The stored title: the extracted one without the site's learned affixes. When extraction
    took an affix itself for the headline (a <title>-only page whose site name is longer than
    its headline: "Short news | The Morning Chronicle of Springfield"), the page's <title>
    without them."""
    if not affixes or not extracted:
        return extracted
    if page_title and _key(extracted) in affixes:
        stripped = strip_affixes(page_title, affixes)
        if stripped != page_title:
            return stripped
    return strip_affixes(extracted, affixes)
