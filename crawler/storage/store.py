"""ArticleStore: the single writer of a news database, composed of the storage rooms.

One instance per process. It writes articles as they come (the pipelines made them),
links near-duplicates, learns each site's boilerplate after a crawl and re-cleans the
articles a model change touches, with the cleaning settings it was given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from crawler.config import NewsConfig
from crawler.extract.titles import site_title
from crawler.storage import boilerplate as model
from crawler.storage import titleaffixes
from crawler.storage.archives import record_done
from crawler.storage.articles import (
    Reextracted,
    decode_row,
    replace_raw_blocks,
    rows_with_raw_blocks,
    write_articles,
)
from crawler.storage.fetchstate import record_not_modified, record_seen
from crawler.storage.neardup import NearDuplicates
from crawler.storage.pages import record_decisions, record_drops, record_pages
from crawler.storage.sql import chunks, now_iso
from crawler.text.boilerplate import BoilerplateRule
from crawler.text.finalize import article_mentions, clean_article
from crawler.text.prepared import Prepared
from crawler.text.search import bigram_form


def rule_of(config: NewsConfig) -> BoilerplateRule:
    return BoilerplateRule(
        min_articles=config.boilerplate_min_articles,
        min_share=config.boilerplate_min_share,
        max_chars=config.boilerplate_max_chars,
    )


class ArticleStore:
    def __init__(self, db: sqlite_utils.Database, config: NewsConfig | None = None) -> None:
        self.db = db
        self.config = config or NewsConfig()
        self.rule = rule_of(self.config)
        self.near = NearDuplicates(db)
        self._models: dict[str, frozenset[str]] = {}
        self._affixes: dict[str, frozenset[str]] = {}
        # The bigram forms of the texts being written, made by the workers: the index trigger's
        # function takes them from here instead of making them again in this one writer.
        self._forms: dict[str, str] = {}
        db.conn.create_function("news_fts_form", 1, self._form, deterministic=True)

    def _form(self, text: str | None) -> str:
        made = self._forms.get(text) if text else None
        return made if made is not None else bigram_form(text)

    def boilerplate_keys(self, site: str) -> frozenset[str]:
        if not self.config.boilerplate_enabled:
            return frozenset()
        if site not in self._models:
            self._models[site] = model.site_keys(self.db, site)
        return self._models[site]

    def title_affixes(self, site: str) -> frozenset[str]:
        if not self.config.title_affix_min_pages:
            return frozenset()
        if site not in self._affixes:
            self._affixes[site] = titleaffixes.site_affixes(self.db, site)
        return self._affixes[site]

    # -- writing -------------------------------------------------------------

    def upsert_articles(
        self,
        articles: Iterable[dict[str, Any]],
        crawl_id: int | None,
        keep_versions: bool = True,
        seen: list[dict[str, Any]] | None = None,
        signatures: dict[str, bytes | None] | None = None,
        occurrences: bool = True,
        link: list[str] | None = None,
        prepared: Mapping[str, Prepared] | None = None,
    ) -> dict[str, int]:
        """Write finished articles (items as they left the pipelines) and their fetch state, in
        one transaction; return the counts. `signatures`: MinHash signatures of the bodies
        already made (by a worker process), by URL. `link`: a list to which the URLs still to be
        matched with their near-duplicates are added (by a caller that matches them all at the
        end); by default they are matched here."""
        also = (lambda: record_seen(self.db, seen)) if seen else None
        articles = list(articles)
        for article in articles:
            made = (prepared or {}).get(article["url"])
            if made is not None:
                if article.get("title"):
                    self._forms[article["title"]] = made.title_form
                if article.get("body"):
                    self._forms[article["body"]] = made.body_form
        try:
            with self.db.atomic():
                counts, rows = write_articles(self.db, articles, crawl_id, keep_versions, also, occurrences, prepared)
                if link is None:
                    self.near.link(rows, signatures)
                else:
                    link.extend(self.near.index(rows, signatures))
        finally:
            self._forms.clear()
        return counts

    def write_raw(self, articles: Iterable[dict[str, Any]], crawl_id: int | None) -> dict[str, int]:
        """Clean articles that carry only raw_blocks with this store's model, then write them
        (for callers without the pipelines: evaluation, tests, imports)."""
        return self.upsert_articles([self.cleaned(dict(a)) for a in articles], crawl_id)

    def write_batch(
        self,
        articles: list[dict[str, Any]],
        pages: list[dict[str, Any]],
        drops: list[dict[str, Any]],
        crawl_id: int | None,
        decisions: list[dict[str, Any]] | None = None,
        seen: list[dict[str, Any]] | None = None,
        not_modified: list[str] | None = None,
        signatures: dict[str, bytes | None] | None = None,
        archived: list[tuple[int, int]] | None = None,
        prepared: Mapping[str, Prepared] | None = None,
    ) -> dict[str, int]:
        # One transaction for the whole batch: a crash or a full disk leaves all of it or none
        # (sqlite-utils commits each write made outside a transaction on its own).
        with self.db.atomic():
            counts = (
                self.upsert_articles(articles, crawl_id, seen=seen, signatures=signatures, prepared=prepared)
                if articles
                else {}
            )
            record_pages(self.db, pages)
            record_drops(self.db, drops)
            record_decisions(self.db, decisions or [])
            record_done(self.db, archived or [])
            if not_modified:
                counts["not_modified"] = record_not_modified(self.db, not_modified, now_iso())
        return counts

    # -- cleaning again ------------------------------------------------------

    def cleaned(self, article: dict[str, Any]) -> dict[str, Any]:
        """An article (item or decoded row) with title, body, counts, audit and mentions made anew
        from its extracted title and raw blocks, with this store's models and switches."""
        cfg = self.config
        extracted = article.get("title_extracted") or article.get("title")
        if extracted:
            article["title"] = site_title(extracted, article.get("page_title"), self.title_affixes(article["site"]))
        raw = list(article.get("raw_blocks") or [])
        result = clean_article(
            raw, self.boilerplate_keys(article["site"]), repeats=cfg.repeats_enabled, furniture=cfg.furniture_enabled
        )
        article.update(result.fields(article.get("title")))
        article["date_mentions"] = (
            article_mentions(result.body, article.get("published_at"), article.get("timezone"))
            if cfg.mentions_enabled
            else []
        )
        return article

    def reclean(self, urls: list[str], raw_changed: bool = False) -> int:
        """Re-derive body, audit rows and mentions of stored articles from their raw blocks
        (raw_changed: new raw blocks were just stored, so their block occurrences are new too)."""
        done = 0
        # Near-duplicates are matched once everything is re-cleaned: the copies of a page, all
        # re-cleaned alike, then find their group already made, chunk after chunk.
        pending: list[str] = []
        for chunk in chunks(urls):
            rows = [self.cleaned(decode_row(row)) for row in rows_with_raw_blocks(self.db, chunk)]
            # Each row keeps its crawl_id and first_seen_at: a re-clean is not a fetch.
            by_crawl: dict[int | None, list[dict[str, Any]]] = {}
            for row in rows:
                by_crawl.setdefault(row.get("crawl_id"), []).append(row)
            for crawl_id, group in by_crawl.items():
                # Not a new publisher text: no version kept.
                self.upsert_articles(group, crawl_id, keep_versions=False, occurrences=raw_changed, link=pending)
            done += len(rows)
        with self.db.atomic():
            self.near.finish(list(dict.fromkeys(pending)))
        return done

    def learn_boilerplate(self, sites: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
        """Recompute each site's boilerplate from all its stored articles; re-clean the articles
        whose text a change touches. Returns {site: {"boilerplate", "added", "removed", "recleaned"}}."""
        report = {}
        for site in sorted(set(model.all_sites(self.db) if sites is None else sites)):
            if self.config.boilerplate_enabled:
                counts, urls = model.learn_site(self.db, site, self.rule)
            else:
                urls = model.forget_site(self.db, site)
                counts = {"boilerplate": 0, "added": 0, "removed": 0}
            self._models.pop(site, None)
            report[site] = {**counts, "recleaned": self.reclean(urls)}
        return report

    def learn_titles(self, sites: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
        """Learn each site's title affixes again from all its stored page titles; re-clean the
        articles whose title a change touches. Returns {site: {"affixes", "added", "removed",
        "retitled"}}."""
        report = {}
        for site in sorted(set(model.all_sites(self.db) if sites is None else sites)):
            counts, urls = titleaffixes.learn_site(self.db, site, self.config.title_affix_min_pages)
            self._affixes.pop(site, None)
            report[site] = {**counts, "retitled": self.reclean(urls)}
        return report

    def replace_raw_blocks(self, updates: list[Reextracted]) -> int:
        """Store re-extracted raw blocks and titles and re-clean those articles; return how many changed."""
        if not updates:
            return 0
        changed = replace_raw_blocks(self.db, updates)
        self.reclean(changed, raw_changed=True)
        return len(changed)
