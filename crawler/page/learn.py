"""Learned site parsers: where a site keeps its article body, learned from the thorough path's
output on the site's first pages, so that its next pages skip the costly generic extraction.

A parser is what a hand-written profile's body selectors are (`body`, `drop`), written by the
program: the container of the text trafilatura found, named by a CSS selector that finds it on
every learning page, and what inside it is not the text (captions, related boxes). It also
says whether htmldate's visible-date reading is needed to choose the site's day: a site whose
structured dates choose the same day without it skips it.

It is kept only when it reproduces the thorough path on every learning page: the same title,
day, modified day, authors, language and page decision, and a body whose token F1 against the
thorough body is at least BODY_F1. On later pages the processor checks each result cheaply
(`doubtful`) and falls back to the thorough path; the shells sample pages with both paths and
re-learn a site whose samples stop agreeing (a changed layout).
"""

from __future__ import annotations

import copy
import json
import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from lxml import html as lxml_html

from crawler.extract import Selectors
from crawler.extract.article import ExtractError, css_blocks, parse_html, sanitize
from crawler.extract.css import select
from crawler.extract.density import BLOCK_TAGS
from crawler.extract.encoding import decode_response, redecode
from crawler.text.blocks import clean_block, normalize_block
from crawler.text.boilerplate import weighted_length

BODY_F1 = 0.95  # a learned body's token F1 against the thorough body, on every learning page
TRIED = 4  # candidate selectors tried on every learning page (the best on the first page)
SURE = 0.99  # a candidate this close on every page ends the search
MIN_BLOCK = 20  # blocks shorter than this (weighted) do not locate the container
# A learned body this far from the site's usual length is doubtful: the thorough path decides.
LOW, HIGH = 0.25, 4.0
DROP_TAGS = ("figure", "figcaption", "aside", "nav", "form", "button", "noscript", "script", "style", "iframe")
COMPARED = ("title", "published_at", "modified_at", "authors", "language")

_CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
_TOKEN = re.compile(rf"{_CJK}|[^\W_]+", re.UNICODE)
_GENERATED = re.compile(r"\d{3,}|[0-9a-f]{8,}|^(?:css|sc|jsx)-|__")  # ids and classes a build made


@dataclass(frozen=True)
class LearnedParser:
    body: str  # CSS selector of the body's container
    drop: str | None = None  # CSS selector of what inside it is not the text
    visible_date: bool = True  # htmldate's reading is needed to choose the day
    pages: int = 0  # learning pages it reproduced
    body_weight: int = 0  # the median weighted length of the body on them
    version: int = 1

    def selectors(self, base: Selectors | None) -> Selectors:
        return replace(base or Selectors(), body=self.body, drop=self.drop)

    def doubtful(self, weight: int) -> bool:
        """A body this far from the site's usual length is not trusted."""
        usual = max(self.body_weight, 1)
        return not (LOW * usual <= weight <= HIGH * usual)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LearnedParser:
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class Agreement:
    """How a learned row compares with the thorough row of the same page."""

    same: bool
    body_f1: float
    fields: list[str] = field(default_factory=list)  # the compared fields that differ


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.casefold()))


def token_f1(pred: str, gold: str) -> float:
    p, g = tokens(pred), tokens(gold)
    if not p and not g:
        return 1.0
    common = sum((p & g).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def agreement(learned: dict[str, Any] | None, thorough: dict[str, Any] | None) -> Agreement:
    if learned is None or thorough is None:
        return Agreement(learned is None and thorough is None, 0.0, ["row"])
    fields = [name for name in COMPARED if learned.get(name) != thorough.get(name)]
    f1 = token_f1(learned.get("body") or "", thorough.get("body") or "")
    if f1 < BODY_F1:
        fields.append("body")
    return Agreement(not fields, f1, fields)


# -- candidates ---------------------------------------------------------------


def page_tree(body: bytes, content_type: str) -> lxml_html.HtmlElement:
    text, encoding = decode_response(body, content_type)
    return parse_html(sanitize(redecode(text, body, encoding).text))


def _located(tree: lxml_html.HtmlElement, blocks: list[str]) -> list[Any]:
    """The elements whose text is one of the thorough blocks."""
    keys = {normalize_block(b) for b in blocks if weighted_length(b) >= MIN_BLOCK}
    return [el for el in tree.iter(*BLOCK_TAGS) if normalize_block(clean_block(el.text_content())) in keys]


def _container(hits: list[Any]) -> Any | None:
    """The deepest element holding at least 80% of the located blocks."""
    if not hits:
        return None
    counts: Counter[Any] = Counter()
    for el in hits:
        for ancestor in el.iterancestors():
            counts[ancestor] += 1
    need = 0.8 * len(hits)
    best = None
    for el, n in counts.items():
        if n >= need and (best is None or _depth(el) > _depth(best)):
            best = el
    return best


def _depth(el: Any) -> int:
    return sum(1 for _ in el.iterancestors())


def _names(el: Any) -> list[str]:
    """CSS selectors naming el on its own terms: its id, its itemprop, tag.class, the tag itself
    for article and main; none that a build generated."""
    tag = el.tag if isinstance(el.tag, str) else ""
    out = []
    ident = (el.get("id") or "").strip()
    if ident and not _GENERATED.search(ident) and re.fullmatch(r"[A-Za-z][\w-]*", ident):
        out.append(f"#{ident}")
    prop = (el.get("itemprop") or "").strip()
    if prop == "articleBody":
        out.append('[itemprop="articleBody"]')
    for cls in (el.get("class") or "").split():
        if not _GENERATED.search(cls) and re.fullmatch(r"-?[A-Za-z_][\w-]*", cls):
            out.append(f"{tag}.{cls}")
    if tag in {"article", "main"}:
        out.append(tag)
    return out


def candidates(tree: lxml_html.HtmlElement, blocks: list[str]) -> list[str]:
    """Selectors for the container of the thorough blocks and its three nearest ancestors."""
    found = _container(_located(tree, blocks))
    out: list[str] = []
    level = 0
    while found is not None and level < 4 and found.tag not in {"body", "html"}:
        out.extend(n for n in _names(found) if n not in out)
        found = found.getparent()
        level += 1
    return out


def drop_candidates(tree: lxml_html.HtmlElement, selector: str, gold: str) -> Counter[str]:
    """Classes of elements inside the container whose text is not in the thorough body."""
    out: Counter[str] = Counter()
    gold_key = normalize_block(gold)
    for container in select(tree, selector):
        for el in container.iterdescendants():
            if not isinstance(el.tag, str):
                continue
            text = normalize_block(clean_block(el.text_content()))
            if weighted_length(text) < 10 or text in gold_key:
                continue
            for cls in (el.get("class") or "").split():
                if not _GENERATED.search(cls) and re.fullmatch(r"-?[A-Za-z_][\w-]*", cls):
                    out[f"{el.tag}.{cls}"] += 1
    return out


def _blocks_f1(tree: lxml_html.HtmlElement, selector: str, drop: str | None, gold: str) -> float:
    """The token F1 of what the selector gives against the thorough body. Without `drop` the tree
    is read as it is (reading marks its <br>s, which reading again gives the same); with it, a
    copy (dropping removes elements)."""
    try:
        found = css_blocks(copy.deepcopy(tree) if drop else tree, selector, drop)
    except Exception:  # a selector cssselect cannot read
        return 0.0
    return token_f1("\n".join(found), gold)


@dataclass
class Learning:
    """A learning page: its tree and the thorough path's finished row."""

    tree: lxml_html.HtmlElement
    row: dict[str, Any]


def choose_body(pages: list[Learning]) -> tuple[str, str | None, float] | None:
    """The body selector (and drop) whose blocks best match the thorough bodies on every page:
    (body, drop, the lowest F1 over the pages), or None when none comes near. The candidates are
    ranked on the first page, and the best few tried on all."""
    names: list[str] = []
    for page in pages:
        for name in candidates(page.tree, page.row.get("raw_blocks") or []):
            if name not in names:
                names.append(name)
    first = pages[0]
    ranked = sorted(names, key=lambda n: -_blocks_f1(first.tree, n, None, first.row.get("body") or ""))
    best: tuple[str, str | None, float] | None = None
    for name in ranked[:TRIED]:
        worst = min(_blocks_f1(p.tree, name, None, p.row.get("body") or "") for p in pages)
        if best is None or worst > best[2]:
            best = (name, None, worst)
        if worst >= SURE:
            break
    if best is None or best[2] < 0.5:
        return None
    name = best[0]
    drops: Counter[str] = Counter()
    for page in pages:
        drops.update(set(drop_candidates(page.tree, name, page.row.get("body") or "")))
    learned = [d for d, n in drops.most_common(8) if n * 2 >= len(pages)]
    for drop in (", ".join([*DROP_TAGS, *learned]), ", ".join(DROP_TAGS)):
        worst = min(_blocks_f1(p.tree, name, drop, p.row.get("body") or "") for p in pages)
        if worst >= best[2]:
            best = (name, drop, worst)
            break
    return best


def median_weight(rows: list[dict[str, Any]]) -> int:
    return int(statistics.median(weighted_length(r.get("body") or "") for r in rows)) if rows else 0


def learnable(row: dict[str, Any]) -> bool:
    """A thorough row worth learning from: an article whose body came from generic extraction."""
    return row.get("extractor") in {"trafilatura", "density"} and weighted_length(row.get("body") or "") >= 200


def parse_learning(body: bytes, content_type: str, row: dict[str, Any]) -> Learning | None:
    try:
        return Learning(page_tree(body, content_type), row)
    except ExtractError:
        return None


__all__ = [
    "Agreement",
    "LearnedParser",
    "Learning",
    "agreement",
    "choose_body",
    "learnable",
    "median_weight",
    "parse_learning",
    "token_f1",
]
