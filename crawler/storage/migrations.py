"""Schema changes, applied in order and recorded in `_migrations`.

Add a new function at the end; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from crawler.profiles import profile_names


def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("crawls").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | finished | failed (Scrapy's finish reason in finish_reason)
            "finish_reason": str,
            "spider_args": str,  # JSON
            "pages_fetched": int,
            "articles_inserted": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "items_dropped": int,
            "drops": str,  # JSON: {reason: count}
            "errors": str,  # JSON: {kind: count} for fetch and extraction failures
            "stats": str,  # JSON: the crawl's full Scrapy stats
        },
        pk="id",
    )
    db.table("articles").create(
        {
            "url": str,
            "site": str,
            "title": str,
            "body": str,
            "published_at": str,
            "modified_at": str,
            "language": str,
            "authors": str,  # JSON list
            "section": str,
            "description": str,
            "canonical_url": str,
            "image_url": str,
            "published_raw": str,
            "published_source": str,
            "published_tz_assumed": int,
            "modified_raw": str,
            "modified_source": str,
            "timezone": str,
            "timezone_source": str,
            "blocks_total": int,
            "blocks_stripped": int,
            "extractor": str,
            "content_hash": str,
            "first_seen_at": str,
            "fetched_at": str,
            "crawl_id": int,
        },
        pk="url",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db.table("articles").create_index(["site", "published_at"])
    db.table("articles").create_index(["published_at"])
    db.table("pages").create(
        {
            "url": str,
            "fetched_at": str,
            "http_status": int,
            "encoding": str,
            "html_zlib": bytes,  # zlib-compressed response body, for re-processing without fetching
            "crawl_id": int,
        },
        pk="url",
    )
    db.table("drops").create(
        {
            "id": int,
            "crawl_id": int,
            "url": str,
            "reason": str,
            "message": str,
            "title": str,
            "dropped_at": str,
        },
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db.table("drops").create_index(["reason"])


def m002_date_signals_and_mentions(db: sqlite_utils.Database) -> None:
    db.table("articles").add_column("published_precision", str)
    db.table("articles").add_column("date_signals", str)  # JSON: every date signal, parsed, with errors
    db.table("date_mentions").create(
        {
            "id": int,
            "article_url": str,
            "surface": str,  # the expression as written in the body
            "offset": int,  # character offset in articles.body
            "value": str,  # resolved date, YYYY-MM-DD
            "precision": str,  # "day"
            "kind": str,  # absolute | month_day | relative_day | day_of_month | weekday | era
        },
        pk="id",
        foreign_keys=[("article_url", "articles", "url")],
    )
    db.table("date_mentions").create_index(["article_url"])
    db.table("date_mentions").create_index(["value"])


def m003_boilerplate_and_duplicates(db: sqlite_utils.Database) -> None:
    articles = db.table("articles")
    articles.add_column("fetched_url", str)  # the URL as fetched, before canonicalisation
    articles.add_column("raw_blocks", str)  # JSON: blocks as extracted, before any cleaning
    articles.add_column("blocks_repeat", int)
    articles.add_column("blocks_boilerplate", int)
    articles.add_column("blocks_empty", int)
    articles.add_column("duplicate_of", str)  # url of the original of a near-duplicate group
    articles.create_index(["duplicate_of"])
    db.table("stripped_blocks").create(
        {"id": int, "article_url": str, "site": str, "position": int, "text": str, "reason": str},
        pk="id",
        foreign_keys=[("article_url", "articles", "url")],
    )
    db.table("stripped_blocks").create_index(["article_url"])
    db.table("stripped_blocks").create_index(["site", "reason"])
    db.table("block_occurrences").create({"article_url": str, "site": str, "key": str}, pk=("article_url", "key"))
    db.table("block_occurrences").create_index(["site", "key"])
    db.table("boilerplate").create(
        {"site": str, "key": str, "text": str, "article_count": int, "site_articles": int, "learned_at": str},
        pk=("site", "key"),
    )
    db.table("article_minhash").create({"url": str, "signature": bytes}, pk="url")


def m004_item_contract(db: sqlite_utils.Database) -> None:
    """The stored row is the item: page fields on the article, the crawl's cleaning settings on
    its run, and one stable site key (profile name or registrable host) beside the human name."""
    from crawler.discovery.urls import site_key  # pure; imported here to keep module import light

    articles = db.table("articles")
    articles.add_column("site_name", str)
    articles.add_column("http_status", int)
    articles.add_column("encoding", str)
    db.table("crawls").add_column("config", str)  # JSON: the cleaning settings the crawl ran with
    profiles = profile_names()
    rekey = [
        (site_key(url), site, url)
        for url, site in db.execute("select url, site from articles")
        if site not in profiles and site_key(url) != site
    ]
    for new, old, url in rekey:
        db.execute("update articles set site = ?, site_name = ? where url = ?", [new, old, url])
        for table in ("stripped_blocks", "block_occurrences"):
            db.execute(f"update {table} set site = ? where article_url = ?", [new, url])
    if rekey:
        # Boilerplate is learned per site key: the next crawl or re-clean learns it again.
        db.execute("delete from boilerplate where site in (select distinct site_name from articles)")


def m005_decisions(db: sqlite_utils.Database) -> None:
    """Why each fetched page is or is not an article (one row per URL, the latest decision)."""
    db.table("decisions").create(
        {
            "url": str,
            "crawl_id": int,
            "kind": str,  # article | listing | other
            "reason": str,  # the decisive signal, e.g. running_text, link_text, non_html, http_404
            "signals": str,  # JSON: the signals and points behind it
            "links": int,  # requests the page yielded (links followed, sitemap or feed entries)
            "decided_at": str,
        },
        pk="url",
    )
    db.table("decisions").create_index(["kind", "reason"])
    db.table("articles").add_column("published_local", str)  # the publisher's local time, with its offset


# The reader's list of articles (Datasette's default page for browsing): one line per article,
# newest first by the publisher's local time, the full row one click away (the plugin links the
# title). article_id is the articles rowid, which ties the view to the search index.
ARTICLE_LIST_VIEW = """
create view if not exists article_list as
select
  rowid as article_id,
  title,
  site,
  coalesce(published_local, published_at) as published,
  language,
  substr(
    substr(body, 1, case when instr(body, char(10)) > 0 then instr(body, char(10)) - 1 else length(body) end),
    1, 200
  ) as lead,
  url,
  duplicate_of
from articles
"""


def m006_search(db: sqlite_utils.Database) -> None:
    """Japanese-capable full-text search (bigram FTS5 index kept by triggers) and the reader's view."""
    from crawler.storage.search import create_index

    create_index(db)
    db.execute(ARTICLE_LIST_VIEW)


def m007_last_changed_at(db: sqlite_utils.Database) -> None:
    """When the article's content last changed, for incremental exports."""
    # When the article's content last changed (first stored, or a new content hash): what
    # `export --changed-since` reads. Rows stored before count from their first sighting.
    db.table("articles").add_column("last_changed_at", str)
    db.execute("update articles set last_changed_at = coalesce(first_seen_at, fetched_at)")
    db.table("articles").create_index(["last_changed_at"])


def m008_versions_and_fetch_state(db: sqlite_utils.Database) -> None:
    """Earlier versions of changed articles, the seen-state for incremental runs, run history."""
    db.table("article_versions").create(
        {
            "id": int,
            "url": str,  # the article (articles.url)
            "version": int,  # 1 for the first text stored, 2 for the next, ...
            "title": str,
            "body": str,
            "published_at": str,
            "modified_at": str,
            "content_hash": str,
            "crawl_id": int,  # the crawl that stored this version
            "seen_from": str,  # when this version was first stored
            "seen_until": str,  # when it was last seen unchanged
            "replaced_at": str,  # when a fetch found the next version
        },
        pk="id",
    )
    db.table("article_versions").create_index(["url", "version"])
    articles = db.table("articles")
    articles.add_column("version_count", int)  # versions seen: 1 + rows in article_versions
    articles.add_column("last_seen_at", str)  # last fetch (or 304) that found this article
    db.execute("update articles set version_count = 1, last_seen_at = fetched_at")
    db.table("fetch_state").create(
        {
            "url": str,  # canonical form of the fetched URL (as request fingerprints use it)
            "article_url": str,  # the article it gave (articles.url), if any
            "etag": str,  # validators for a conditional GET
            "last_modified": str,
            "listing_date": str,  # the sitemap lastmod / feed date the URL was listed with
            "fetched_at": str,
            "http_status": int,
        },
        pk="url",
    )
    from crawler.discovery.urls import canonicalize

    db.table("fetch_state").insert_all(
        {"url": canonicalize(fetched or url), "article_url": url, "fetched_at": at, "http_status": status}
        for url, fetched, at, status in db.execute("select url, fetched_url, fetched_at, http_status from articles")
    )
    crawls = db.table("crawls")
    for column, kind in (
        ("site", str),  # the site key (profile name or registrable domain) when the run had one
        ("pid", int),
        ("host", str),
        ("requests", int),
        ("responses", str),  # JSON: responses by status class {"2xx": n, "3xx": n, ...}
        ("not_modified", int),  # articles answered 304 (unchanged, not downloaded)
        ("skipped", int),  # stored articles not requested: not due by the revisit policy
        ("elapsed_seconds", float),
    ):
        crawls.add_column(column, kind)


def _create_band_table(db: sqlite_utils.Database, name: str) -> None:
    """One level of the near-duplicate index: band keys, each with the article it came from."""
    db.execute(f"create table {name} (key integer not null, id integer not null, primary key (key, id)) without rowid")


def m009_minhash_bands(db: sqlite_utils.Database) -> None:
    """The near-duplicate index in SQLite (band keys), with vectorised signatures made anew."""
    from crawler.storage.neardup import rebuild

    db.execute("drop table article_minhash")
    db.execute(
        "create table article_minhash (id integer primary key, url text not null unique, signature blob not null)"
    )
    _create_band_table(db, "minhash_bands")
    rebuild(db)


def m010_new_band_keys(db: sqlite_utils.Database) -> None:
    """New band keys wait in a small table and are merged into minhash_bands in key order
    (crawler/storage/neardup.py): random keys inserted batch by batch rewrote a share of the big
    index that grew with the database."""
    _create_band_table(db, "minhash_bands_new")


def m011_middle_band_keys(db: sqlite_utils.Database) -> None:
    """A middle level between the waiting band keys and minhash_bands (crawler/storage/neardup.py):
    merged straight into the big index, the waiting keys rewrote most of it every 10,000 articles
    once it held millions of keys."""
    _create_band_table(db, "minhash_bands_mid")


def m012_band_key_filter(db: sqlite_utils.Database) -> None:
    """A bitmap of the big band index's keys (crawler/storage/bandfilter.py): most lookups
    there find nothing, and at a million articles each cost a random page read."""
    from crawler.storage import bandfilter

    db.execute(
        f"create table {bandfilter.TABLE} (id integer primary key, version integer not null, bits blob not null)"
    )
    bandfilter.build(db)


def m013_web_archives(db: sqlite_utils.Database) -> None:
    """WARC in and out (crawler/archive): raw pages kept as a pointer into a WARC file instead of a
    blob; the WARC files ingested, with their state and counts; and, while a file is being
    ingested, the offsets of its records already stored (so a killed ingest goes on from there)."""
    db.table("pages").add_column("warc_file", str)  # the WARC file holding the response record
    db.table("pages").add_column("warc_offset", int)  # where that record starts in the file
    db.table("warc_files").create(
        {
            "id": int,
            "name": str,  # file name (or the URL's last path segment)
            "source": str,  # the path or URL given to `ingest`
            "size": int,
            "head_sha256": str,  # digest of the first MiB: with the size, what identifies the file
            "state": str,  # running | done
            "records": int,  # records read (every type)
            "counts": str,  # JSON: records by what happened to them (response_html, request, not_html, ...)
            "crawl_id": int,  # the run that last worked on it
            "started_at": str,
            "finished_at": str,
        },
        pk="id",
    )
    db.table("warc_files").create_index(["size", "head_sha256"], unique=True)
    db.table("warc_done").create({"file_id": int, "offset": int}, pk=("file_id", "offset"))


def m014_title_affixes(db: sqlite_utils.Database) -> None:
    """Titles without the site's repeated name and section labels: the page's own <title> and the
    title as extraction chose it are kept beside the stored one, and each site's learned affixes
    (parts its page titles repeat at their ends) in a table of their own."""
    articles = db.table("articles")
    articles.add_column("page_title", str)  # the page's <title> (og:title without one), as it reads
    articles.add_column("title_extracted", str)  # the title extraction chose, before learned affixes
    # The candidate parts of each article's page title: what learning counts per site (one
    # indexed query a site, however many articles it has; as block_occurrences for boilerplate).
    db.table("title_parts").create({"article_url": str, "site": str, "key": str, "text": str, "title_key": str})
    db.table("title_parts").create_index(["site", "key"])
    db.table("title_parts").create_index(["article_url"])
    db.table("title_affixes").create(
        {
            "site": str,
            "key": str,  # the part as compared: NFKC, casefolded, quotation marks left out
            "text": str,  # the part as one of the site's titles has it
            "titles": int,  # distinct page titles of the site that carry it at an end
            "site_titles": int,  # distinct page titles of the site when it was learned
            "learned_at": str,
        },
        pk=("site", "key"),
    )


def m015_private_suffix_site_keys(db: sqlite_utils.Database) -> None:
    """Site keys under the public suffix list's private part: the blogs of blogspot.com, the sites
    of github.io were one site each ("blogspot.com"); each is its own now. Only the rows of a key
    that is itself such a suffix are read again; their learned boilerplate and title affixes go
    (the next crawl or `reclean` learns them per site)."""
    from crawler.discovery.urls import is_public_suffix, site_key  # pure; imported here to keep import light

    profiles = profile_names()
    pooled = [
        site
        for (site,) in db.execute("select distinct site from articles")
        if site and site not in profiles and is_public_suffix(site)
    ]
    for old in pooled:
        rekey = [(site_key(url), url) for (url,) in db.execute("select url from articles where site = ?", [old])]
        for new, url in rekey:
            db.execute("update articles set site = ? where url = ?", [new, url])
            for table in ("stripped_blocks", "block_occurrences", "title_parts"):
                db.execute(f"update {table} set site = ? where article_url = ?", [new, url])
        for table in ("boilerplate", "title_affixes"):
            db.execute(f"delete from {table} where site = ?", [old])


def m016_site_parsers(db: sqlite_utils.Database) -> None:
    """Learned site parsers (crawler/page/learn.py): one row a site, with how it was learned and
    how its samples agree with the thorough path."""
    db.table("site_parsers").create(
        {
            "site": str,
            "state": str,  # active | failed (none reproduced the thorough path) | relearning
            "reason": str,  # learned, too_few_pages, no_container, differs:<fields>, layout_changed
            "parser": str,  # JSON of LearnedParser; null when none is active
            "body_selector": str,  # the parser's body selector, for a reader
            "pages_learned": int,  # learning pages it reproduced
            "learned_at": str,
            "pages": int,  # pages made by the learned path since it was learned
            "doubtful": int,  # learned-path pages that were doubtful and went the thorough way
            "samples": int,  # pages run both ways to check it
            "samples_agreed": int,
            "sample_body_f1": float,  # mean body token F1 of the samples against the thorough path
            "relearned": int,  # times a changed layout made it learned again
        },
        pk="site",
    )


def m017_partial_pages(db: sqlite_utils.Database) -> None:
    """A page that arrived cut short (a truncated archive record) is stored from what arrived and
    said to be partial; rows stored before say nothing (NULL)."""
    db.table("articles").add_column("partial", int)


def m018_language_source(db: sqlite_utils.Database) -> None:
    """Where an article's language comes from: the page's declaration, its text, or the profile."""
    db.table("articles").add_column("language_source", str)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    m001_initial,
    m002_date_signals_and_mentions,
    m003_boilerplate_and_duplicates,
    m004_item_contract,
    m005_decisions,
    m006_search,
    m007_last_changed_at,
    m008_versions_and_fetch_state,
    m009_minhash_bands,
    m010_new_band_keys,
    m011_middle_band_keys,
    m012_band_key_filter,
    m013_web_archives,
    m014_title_affixes,
    m015_private_suffix_site_keys,
    m016_site_parsers,
    m017_partial_pages,
    m018_language_source,
]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    table = db.table("_migrations")
    if not table.exists():
        table.create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in table.rows}
    applied = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        with db.atomic():
            fn(db)
            table.insert({"name": fn.__name__, "applied_at": datetime.now(UTC).isoformat(timespec="seconds")})
        applied.append(fn.__name__)
    return applied
