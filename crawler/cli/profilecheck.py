"""`news-crawler profiles check`: does each site profile still match its site's markup?

Every profile is run over its fixtures (a bundled one's in tests/fixtures/sites/NAME/, when the
source tree is there; a user's in fixtures/NAME/ beside it, written by `profiles new`) and over
the stored raw pages of its site in the database; a selector that finds nothing (a layout change)
is reported per field with an example URL. Pure reading: nothing is written.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from crawler.extract import extract_page
from crawler.profiles import SITES_DIR, SiteProfile
from crawler.storage.stored_pages import iter_stored_pages, load_body

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sites"
FIXTURE_FIELDS = ("title", "blocks", "selector_misses")


@dataclass
class ProfileReport:
    name: str
    fixtures: int = 0
    fixture_failures: list[str] = field(default_factory=list)  # "file: field"
    pages: int = 0
    misses: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # field -> a URL where it missed

    @property
    def ok(self) -> bool:
        return not self.fixture_failures and not self.misses

    def lines(self) -> list[str]:
        state = "ok" if self.ok else "CHECK"
        out = [f"{self.name}: {state}"]
        if self.fixtures:
            good = self.fixtures - len({f.split(":")[0] for f in self.fixture_failures})
            out.append(f"  fixtures: {good}/{self.fixtures} as expected")
            out += [f"    differs: {f}" for f in self.fixture_failures]
        else:
            out.append("  fixtures: none here (tests/fixtures/sites is in the source tree)")
        if self.pages:
            misses = ", ".join(f"{k} {v}" for k, v in sorted(self.misses.items())) or "none"
            out.append(f"  stored pages: {self.pages} checked; selector misses: {misses}")
            out += [f"    {k}: e.g. {url}" for k, url in sorted(self.examples.items())]
        else:
            out.append("  stored pages: none of this site in the database")
        return out


def fixtures_of(profile: SiteProfile) -> Path:
    """A bundled profile's fixtures are in the source tree; a user's beside it (fixtures/NAME/)."""
    if profile.path is None or profile.path.parent == SITES_DIR:
        return FIXTURES
    return profile.path.parent / "fixtures"


def check_fixtures(profile: SiteProfile, report: ProfileReport, folder: Path = FIXTURES) -> None:
    for html_path in sorted((folder / profile.name).glob("*.html")):
        expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
        url = expected["url"]
        is_article = any(p.search(url) for p in profile.article_urls) if profile.article_urls else None
        page = extract_page(html_path.read_text(encoding="utf-8"), url, profile.selectors, is_article)
        report.fixtures += 1
        got = {"title": page.title, "blocks": page.blocks, "selector_misses": page.selector_misses}
        for name in FIXTURE_FIELDS:
            if got[name] != expected.get(name, [] if name == "selector_misses" else None):
                report.fixture_failures.append(f"{html_path.name}: {name}")


def check_stored(profile: SiteProfile, report: ProfileReport, db: sqlite_utils.Database, limit: int) -> None:
    for url, fetched_url, _, body_ref, encoding in iter_stored_pages(db, profile.name):
        if report.pages >= limit:
            break
        text = load_body(body_ref).decode(encoding or "utf-8", "replace")
        page = extract_page(text, fetched_url, profile.selectors, True)
        report.pages += 1
        for name in page.selector_misses:
            report.misses[name] += 1
            report.examples.setdefault(name, url)
