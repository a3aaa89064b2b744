"""Score date parsing and in-text mentions against the labelled sets in tests/fixtures/dates/.

Used by tests/test_dates_labelled.py (which enforces the targets) and
bench/dates_accuracy.py (which prints the figures).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from crawler.text.dates import parse_date
from crawler.text.mentions import find_mentions

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "dates"


@dataclass
class Score:
    total: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def score_strings(path: Path = FIXTURES / "date_strings.tsv") -> Score:
    score = Score()
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            reference = datetime.fromisoformat(row["reference"]) if row["reference"] else None
            parsed = parse_date(row["raw"], row["tz"] or None, None, reference)
            got = parsed.value if parsed.value else f"null:{parsed.error}"
            score.total += 1
            if got == row["expected"]:
                score.correct += 1
            else:
                score.misses.append(f"{row['raw']!r}: got {got}, expected {row['expected']}")
    return score


@dataclass
class MentionScore:
    expected: int = 0
    found: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 0.0


def score_mentions(path: Path = FIXTURES / "mentions.jsonl") -> MentionScore:
    """A found mention is correct when its offset, surface and value all match a labelled one."""
    score = MentionScore()
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        text = case["text"]
        expected: set[tuple[int, str, str]] = set()
        cursor = 0
        for surface, value in case["mentions"]:
            offset = text.index(surface, cursor)
            expected.add((offset, surface, value))
            cursor = offset + len(surface)
        found = {(m.offset, m.surface, m.value) for m in find_mentions(text, date.fromisoformat(case["published"]))}
        score.expected += len(expected)
        score.found += len(found)
        score.correct += len(found & expected)
        for miss in sorted(found ^ expected):
            side = "extra" if miss in found else "missed"
            score.misses.append(f"{side} {miss} in {text[:30]}...")
    return score


def published_for_page(html: str, url: str, reference: datetime) -> str | None:
    """The published_at the crawler would store for one page (ad-hoc crawl: zone inferred)."""
    from crawler.extract import extract_page
    from crawler.text.signals import choose_date
    from crawler.text.timezones import infer_timezone

    page = extract_page(html, url)
    tz, _ = infer_timezone(page.language, url)
    languages = [page.language] if page.language else None
    choice = choose_date(
        page.published_candidates, lambda raw: parse_date(raw, tz, languages, reference), tz, reference
    )
    return choice.value


def score_demo_pages(path: Path = FIXTURES / "demo_pages.json") -> Score:
    """Published dates of the demo pages, to the minute with the offset applied."""
    from crawler.demo.site import build_en_site, build_ja_site

    labels = json.loads(path.read_text(encoding="utf-8"))
    reference = datetime.fromisoformat("2022-03-20T00:00:00+00:00")
    score = Score()
    for key, build in (("ja", build_ja_site), ("en", build_en_site)):
        base = "http://127.0.0.1:8701" if key == "ja" else "http://127.0.0.1:8702"
        pages = build(base)
        for page_path, expected in labels[key].items():
            body = pages[page_path].body
            html = body.decode("utf-8") if b"charset=utf-8" in body[:300] else _decode_declared(body)
            got = published_for_page(html, base + page_path, reference)
            score.total += 1
            if got == expected:
                score.correct += 1
            else:
                score.misses.append(f"{page_path}: got {got}, expected {expected}")
    return score


def _decode_declared(body: bytes) -> str:
    from w3lib.encoding import html_body_declared_encoding

    return body.decode(html_body_declared_encoding(body) or "utf-8", "replace")
