"""What a run knows of its sites before it starts (`page_rules`, the settings its pages are
processed with, is crawler/ingest/rules.py's): the snapshot parts the spider hands the page processor with every page,
and the parsers earlier runs learned (`parsers`).

The site models (each site's learned boilerplate and title affixes) are read from the database
once, when the first page needs them (after the run opened), so the row the processor makes is
the row stored. When the run's own articles change a site's model, storage re-cleans the rows
it touches after the run and counts them.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.config import NewsConfig
from crawler.ingest.rules import page_rules
from crawler.page.learn import LearnedParser
from crawler.storage.boilerplate import read_models
from crawler.storage.siteparsers import read_parsers
from crawler.storage.titleaffixes import read_affixes


class SiteModels:
    """Each site's learned boilerplate keys and title affixes, read once a run."""

    def __init__(self, config: NewsConfig | None = None) -> None:
        self.config = config
        self._boilerplate: dict[str, frozenset[str]] | None = None
        self._affixes: dict[str, frozenset[str]] | None = None

    @classmethod
    def given(cls, boilerplate: dict[str, frozenset[str]], affixes: dict[str, frozenset[str]]) -> SiteModels:
        """Models known already (a snapshot handed over), not read from a database."""
        models = cls()
        models._boilerplate, models._affixes = boilerplate, affixes
        return models

    @classmethod
    def of(cls, crawler: Crawler) -> SiteModels:
        """The run's one reader, shared by the spider and the clean pipeline."""
        models: SiteModels | None = getattr(crawler, "_news_site_models", None)
        if models is None:
            models = cls(NewsConfig.from_settings(crawler.settings))
            crawler._news_site_models = models  # type: ignore[attr-defined]
        return models

    def parsers(self) -> dict[str, LearnedParser]:
        """The sites' active learned parsers (table site_parsers, from earlier crawls or ingests);
        {} with learning off (NEWS_LEARN_PAGES=0) or no database."""
        if self.config is None or not self.config.learn_pages or not self.config.db:
            return {}
        return {site: LearnedParser.from_json(text) for site, text in read_parsers(self.config.db).items()}

    def load(self) -> None:
        self.boilerplate, self.affixes  # noqa: B018  (read both now)

    @property
    def boilerplate(self) -> dict[str, frozenset[str]]:
        if self._boilerplate is None:
            on = self.config is not None and self.config.boilerplate_enabled and self.config.db
            self._boilerplate = read_models(self.config.db) if on and self.config else {}
        return self._boilerplate

    @property
    def affixes(self) -> dict[str, frozenset[str]]:
        if self._affixes is None:
            on = self.config is not None and self.config.title_affix_min_pages and self.config.db
            self._affixes = read_affixes(self.config.db) if on and self.config else {}
        return self._affixes


__all__ = ["SiteModels", "page_rules"]
