"""Open the database; write articles, pages, drops, crawl runs; learn boilerplate; link near-duplicates.

The stored body of an article is always finalize_article(raw blocks, the
site's boilerplate model, published date): computed here on every write and
again for the articles a model change touches, so it does not depend on
crawl order.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from datasketch import MinHashLSH

from crawler.storage.migrations import migrate
from crawler.text.blocks import block_key, has_words, normalize_block
from crawler.text.boilerplate import BoilerplateRule
from crawler.text.finalize import finalize_article
from crawler.text.shingles import CANDIDATE_THRESHOLD, NUM_PERM, THRESHOLD, from_bytes, signature, to_bytes

ARTICLE_COLUMNS = (
    "url", "fetched_url", "site", "title", "published_at", "modified_at", "language", "section",
    "description", "canonical_url", "image_url", "published_raw", "published_source", "modified_raw",
    "modified_source", "timezone", "timezone_source", "extractor", "fetched_at", "published_precision",
    "date_signals",
)  # fmt: skip
CHUNK = 500


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a news database in WAL mode, migrated to the current schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    migrate(db)
    return db


def page_row(url: str, item: dict[str, Any], crawl_id: int | None) -> dict[str, Any]:
    """A `pages` row: the raw response body, compressed, kept for re-processing."""
    return {
        "url": url,
        "fetched_at": item.get("fetched_at"),
        "http_status": item.get("http_status"),
        "encoding": item.get("encoding"),
        "html_zlib": zlib.compress(item["raw_html"], 6),
        "crawl_id": crawl_id,
    }


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


class ArticleStore:
    """Write side of the database. One instance per process: the single writer."""

    def __init__(self, db: sqlite_utils.Database, rule: BoilerplateRule | None = None, mentions: bool = True) -> None:
        self.db = db
        self.rule = rule or BoilerplateRule()
        self.mentions = mentions
        self._boilerplate: dict[str, set[str]] = {}
        self._lsh: MinHashLSH | None = None

    # -- crawl runs --------------------------------------------------------

    def start_crawl(self, spider_args: dict[str, Any]) -> int:
        with self.db.conn:
            table = self.db["crawls"].insert(
                {"started_at": now_iso(), "status": "running", "spider_args": _dumps(spider_args)}
            )
        return int(table.last_pk)

    def finish_crawl(self, crawl_id: int, **fields: Any) -> None:
        row = {k: (_dumps(v) if isinstance(v, dict) else v) for k, v in fields.items()}
        row.setdefault("finished_at", now_iso())
        with self.db.conn:
            self.db["crawls"].update(crawl_id, row)

    # -- boilerplate model -------------------------------------------------

    def boilerplate_keys(self, site: str) -> set[str]:
        if site not in self._boilerplate:
            rows = self.db.execute("select key from boilerplate where site = ?", [site]).fetchall()
            self._boilerplate[site] = {r[0] for r in rows}
        return self._boilerplate[site]

    # -- articles ----------------------------------------------------------

    def _finalize_row(self, row: dict[str, Any], raw_blocks: list[str]) -> dict[str, Any]:
        """Body, counts, hash, audit rows, mentions and block keys of one article."""
        published = row["published_at"] if self.mentions else None  # no date: no mentions
        fin = finalize_article(raw_blocks, self.boilerplate_keys(row["site"]), published, row["timezone"])
        row["body"] = fin.body
        row["raw_blocks"] = _dumps(raw_blocks)
        row["blocks_total"] = len(raw_blocks)
        row["blocks_stripped"] = len(fin.cleaning.stripped)
        row["blocks_repeat"] = fin.cleaning.count("repeat")
        row["blocks_boilerplate"] = fin.cleaning.count("boilerplate")
        row["blocks_empty"] = fin.cleaning.count("empty")
        row["content_hash"] = content_hash(row["title"] or "", fin.body)
        extras = {
            "stripped": [
                {"article_url": row["url"], "site": row["site"], "position": pos, "text": text, "reason": reason}
                for pos, text, reason in fin.cleaning.stripped
            ],
            "mentions": [{**asdict(m), "article_url": row["url"]} for m in fin.mentions],
            "keys": sorted({block_key(b) for b in raw_blocks if has_words(b)}),
        }
        return {"row": row, **extras}

    def upsert_articles(self, items: Iterable[dict[str, Any]], crawl_id: int | None) -> dict[str, int]:
        """Insert or update articles by URL in one batch; return inserted/updated/unchanged counts."""
        finals: dict[str, dict[str, Any]] = {}
        pages = []
        for item in items:
            row = {k: item.get(k) for k in ARTICLE_COLUMNS}
            row["authors"] = _dumps(item.get("authors") or [])
            row["published_tz_assumed"] = int(bool(item.get("published_tz_assumed")))
            row["crawl_id"] = crawl_id
            # The same URL twice in one batch: the later fetch wins.
            finals[row["url"]] = self._finalize_row(row, list(item.get("blocks") or []))
            if item.get("raw_html") is not None:
                pages.append(page_row(row["url"], item, crawl_id))
        counts = {"inserted": 0, "updated": 0, "unchanged": 0, "emptied": 0}
        if not finals:
            return counts
        urls = list(finals)
        existing: dict[str, str] = {}
        for chunk in _chunks(urls):
            existing.update(
                self.db.execute(f"select url, content_hash from articles where url in ({_marks(chunk)})", chunk)
            )
        stamp = now_iso()
        new_rows, old_rows = [], []
        for url, fin in finals.items():
            row = fin["row"]
            # Every block was boilerplate, a repeat or empty: stored (raw blocks kept), but counted.
            counts["emptied"] += not row["body"]
            if url in existing:
                counts["updated" if existing[url] != row["content_hash"] else "unchanged"] += 1
                old_rows.append(row)
            else:
                counts["inserted"] += 1
                new_rows.append({**row, "first_seen_at": stamp})
        with self.db.conn:
            self._replace_children(finals)
            if new_rows:
                self.db["articles"].upsert_all(new_rows, pk="url")
            if old_rows:
                self.db["articles"].upsert_all(old_rows, pk="url")
            if pages:
                self.db["pages"].upsert_all(pages, pk="url")
        self._link_duplicates([fin["row"] for fin in finals.values()])
        return counts

    def _replace_children(self, finals: dict[str, dict[str, Any]]) -> None:
        """Audit rows, mentions and block occurrences are replaced with the latest version's."""
        urls = list(finals)
        for chunk in _chunks(urls):
            for table in ("stripped_blocks", "date_mentions", "block_occurrences"):
                self.db.execute(f"delete from {table} where article_url in ({_marks(chunk)})", chunk)
        stripped = [s for fin in finals.values() for s in fin["stripped"]]
        mentions = [m for fin in finals.values() for m in fin["mentions"]]
        keys = [
            {"article_url": url, "site": fin["row"]["site"], "key": key}
            for url, fin in finals.items()
            for key in fin["keys"]
        ]
        if stripped:
            self.db["stripped_blocks"].insert_all(stripped)
        if mentions:
            self.db["date_mentions"].insert_all(mentions)
        if keys:
            self.db["block_occurrences"].insert_all(keys)

    # -- near-duplicates ---------------------------------------------------

    def _index(self) -> MinHashLSH:
        if self._lsh is None:
            self._lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
            with self._lsh.insertion_session() as session:
                for url, sig in self.db.execute("select url, signature from article_minhash"):
                    session.insert(url, from_bytes(sig), check_duplication=False)
        return self._lsh

    def _link_duplicates(self, rows: list[dict[str, Any]]) -> None:
        """Near-duplicate texts are linked with duplicate_of, never dropped.

        The original of a group is its earliest-published member (then the smallest URL),
        so the links do not depend on crawl order.
        """
        lsh = self._index()
        with self.db.conn:  # one transaction for the batch
            for row in rows:
                self._link_one(lsh, row)

    def _link_one(self, lsh: MinHashLSH, row: dict[str, Any]) -> None:
        url = row["url"]
        sig = signature(row["body"] or "")
        if url in lsh:
            lsh.remove(url)
        if sig is None:
            self.db.execute("delete from article_minhash where url = ?", [url])
            return
        similar = []
        for other in lsh.query(sig):
            stored = self.db.execute("select signature from article_minhash where url = ?", [other]).fetchone()
            if stored and from_bytes(stored[0]).jaccard(sig) >= THRESHOLD:
                similar.append(other)
        lsh.insert(url, sig, check_duplication=False)
        self.db.execute("insert or replace into article_minhash (url, signature) values (?, ?)", [url, to_bytes(sig)])
        if not similar:
            return
        group = [url, *similar]
        linked = self.db.execute(
            f"select distinct duplicate_of from articles where url in ({_marks(group)}) and duplicate_of is not null",
            group,
        ).fetchall()
        group += [u for (u,) in linked if u not in group]
        members = self.db.execute(
            f"select url, coalesce(published_at, '9999') from articles where url in ({_marks(group)})", group
        ).fetchall()
        if not members:
            return
        original = min(members, key=lambda m: (m[1], m[0]))[0]
        others = [u for u in group if u != original]
        self.db.execute(
            f"update articles set duplicate_of = ? where url in ({_marks(others)})"
            f" or duplicate_of in ({_marks(others)})",
            [original, *others, *others],
        )
        self.db.execute("update articles set duplicate_of = null where url = ?", [original])

    # -- learning boilerplate and re-cleaning ---------------------------------

    def learn_boilerplate(self, sites: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
        """Recompute each site's boilerplate from all its stored articles; re-clean the articles
        whose text a change touches. Returns {site: {"boilerplate", "added", "removed", "recleaned"}}."""
        if sites is None:
            sites = [r[0] for r in self.db.execute("select distinct site from articles")]
        report = {}
        for site in sorted(set(sites)):
            site_articles = self.db.execute("select count(*) from articles where site = ?", [site]).fetchone()[0]
            candidates = self.db.execute(
                "select key, count(*) from block_occurrences where site = ? group by key having count(*) >= ?",
                [site, self.rule.min_articles],
            ).fetchall()
            learned: dict[str, tuple[str, int]] = {}
            for key, count in candidates:
                text = self._block_text(site, key)
                if text is not None and self.rule.is_boilerplate(count, site_articles, normalize_block(text)):
                    learned[key] = (text, count)
            old = self.boilerplate_keys(site)
            changed = sorted(set(learned) ^ old)
            with self.db.conn:
                self.db.execute("delete from boilerplate where site = ?", [site])
                self.db["boilerplate"].insert_all(
                    {"site": site, "key": k, "text": t, "article_count": c, "site_articles": site_articles,
                     "learned_at": now_iso()}
                    for k, (t, c) in learned.items()
                )  # fmt: skip
            self._boilerplate[site] = set(learned)
            urls: set[str] = set()
            for chunk in _chunks(changed):
                urls.update(
                    u
                    for (u,) in self.db.execute(
                        "select distinct article_url from block_occurrences"
                        f" where site = ? and key in ({_marks(chunk)})",
                        [site, *chunk],
                    )
                )
            self.reclean(sorted(urls))
            report[site] = {
                "boilerplate": len(learned),
                "added": len(set(learned) - old),
                "removed": len(old - set(learned)),
                "recleaned": len(urls),
            }
        return report

    def _block_text(self, site: str, key: str) -> str | None:
        row = self.db.execute(
            "select a.raw_blocks from block_occurrences o join articles a on a.url = o.article_url"
            " where o.site = ? and o.key = ? limit 1",
            [site, key],
        ).fetchone()
        if row is None:
            return None
        return next((b for b in json.loads(row[0] or "[]") if block_key(b) == key), None)

    def reclean(self, urls: list[str]) -> int:
        """Re-derive body, audit rows and mentions of stored articles from their raw blocks."""
        done = 0
        for chunk in _chunks(urls):
            # Rows written before raw blocks were kept (schema < m003) cannot be re-cleaned
            # without re-extraction (python -m crawler reclean does that): left as they are.
            rows = list(
                self.db.query(
                    f"select * from articles where url in ({_marks(chunk)}) and raw_blocks is not null", chunk
                )
            )
            finals = {row["url"]: self._finalize_row(row, json.loads(row["raw_blocks"] or "[]")) for row in rows}
            with self.db.conn:
                self._replace_children(finals)
                self.db["articles"].upsert_all([fin["row"] for fin in finals.values()], pk="url")
            self._link_duplicates([fin["row"] for fin in finals.values()])
            done += len(rows)
        return done

    def crawl_report(self, crawl_id: int) -> dict[str, int]:
        """Blocks stripped by reason and near-duplicates among the articles a crawl wrote."""
        report = {
            f"stripped_{reason}": n
            for reason, n in self.db.execute(
                "select s.reason, count(*) from stripped_blocks s join articles a on a.url = s.article_url"
                " where a.crawl_id = ? group by s.reason",
                [crawl_id],
            )
        }
        report["near_duplicates"] = self.db.execute(
            "select count(*) from articles where crawl_id = ? and duplicate_of is not null", [crawl_id]
        ).fetchone()[0]
        return report

    def replace_raw_blocks(self, updates: list[tuple[str, list[str], str | None]]) -> int:
        """Store re-extracted raw blocks (and title, when one was found) and re-clean those articles.

        Returns how many articles' raw blocks changed."""
        if not updates:
            return 0
        urls = [u for u, _, _ in updates]
        current: dict[str, str] = {}
        for chunk in _chunks(urls):
            current.update(
                self.db.execute(f"select url, raw_blocks from articles where url in ({_marks(chunk)})", chunk)
            )
        changed = [(u, b, t) for u, b, t in updates if current.get(u) != _dumps(b)]
        with self.db.conn:
            for url, blocks, title in changed:
                self.db.execute(
                    "update articles set raw_blocks = ?, title = coalesce(?, title) where url = ?",
                    [_dumps(blocks), title, url],
                )
        self.reclean([u for u, _, _ in changed])
        return len(changed)

    # -- drops and pages -----------------------------------------------------

    def record_drops(self, drops: list[dict[str, Any]]) -> None:
        if drops:
            with self.db.conn:
                self.db["drops"].insert_all(drops)

    def record_pages(self, pages: list[dict[str, Any]]) -> None:
        if pages:
            with self.db.conn:
                self.db["pages"].upsert_all(pages, pk="url")


def iter_export(db: sqlite_utils.Database, site: str | None = None) -> Iterator[dict[str, Any]]:
    """Articles as export records: JSON columns decoded, date mentions nested, ordered by URL."""
    where, params = ("where site = ?", [site]) if site else ("", [])
    mentions: dict[str, list[dict[str, Any]]] = {}
    for m in db.query("select article_url, surface, offset, value, precision, kind from date_mentions order by id"):
        mentions.setdefault(m.pop("article_url"), []).append(m)
    for row in db.query(f"select * from articles {where} order by url", params):
        row.pop("raw_blocks", None)
        row["authors"] = json.loads(row["authors"] or "[]")
        row["date_signals"] = json.loads(row["date_signals"] or "{}")
        row["published_tz_assumed"] = bool(row["published_tz_assumed"])
        row["date_mentions"] = mentions.get(row["url"], [])
        yield row
