"""The full-text index: an FTS5 table over the bigram form of titles and bodies, kept in sync
by triggers, and the ranked search the CLI, Datasette's canned query and the benchmark share.

The triggers call `news_fts_form()`, a Python function every connection of ours registers
(`register_functions`, called by `open_db`). A connection that has not registered it (the
`sqlite3` shell, a plain sqlite-utils script) can read everything and can update other columns,
but an insert or an update of `title` or `body` fails with "no such function: news_fts_form"
rather than leaving the index silently out of date. Datasette only reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import sqlite_utils

from crawler.storage.explain import decision_text
from crawler.text.search import bigram_form, fts_query, snippet

FTS_TABLE = "articles_fts"
# title matters more than body when ranking: bm25 weights per column (title, body)
RANK = f"bm25({FTS_TABLE}, 4.0, 1.0)"


def register_functions(conn: sqlite3.Connection) -> None:
    """news_fts_form (index side), news_fts_query (query side), news_snippet (highlighting),
    news_decision_text (a page decision as a sentence)."""
    conn.create_function("news_fts_form", 1, bigram_form, deterministic=True)
    conn.create_function("news_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("news_snippet", 2, snippet, deterministic=True)
    conn.create_function("news_decision_text", 3, decision_text, deterministic=True)


def create_index(db: sqlite_utils.Database) -> None:
    """The FTS table, its triggers, and the rows of the articles already stored."""
    register_functions(db.conn)
    db.execute(
        f"create virtual table if not exists {FTS_TABLE} using fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.execute(
        f"""create trigger if not exists articles_fts_insert after insert on articles begin
          insert into {FTS_TABLE} (rowid, title, body)
          values (new.rowid, news_fts_form(new.title), news_fts_form(new.body));
        end"""
    )
    db.execute(
        f"""create trigger if not exists articles_fts_update after update of title, body on articles
        when old.title is not new.title or old.body is not new.body begin
          delete from {FTS_TABLE} where rowid = old.rowid;
          insert into {FTS_TABLE} (rowid, title, body)
          values (new.rowid, news_fts_form(new.title), news_fts_form(new.body));
        end"""
    )
    db.execute(
        f"""create trigger if not exists articles_fts_delete after delete on articles begin
          delete from {FTS_TABLE} where rowid = old.rowid;
        end"""
    )
    rebuild(db)


def rebuild(db: sqlite_utils.Database) -> int:
    """Index every stored article again (after a change of the bigram form); returns the count."""
    register_functions(db.conn)
    with db.atomic():  # never an empty index for a reader, nor after an interruption
        db.execute(f"delete from {FTS_TABLE}")
        db.execute(
            f"insert into {FTS_TABLE} (rowid, title, body) "
            "select rowid, news_fts_form(title), news_fts_form(body) from articles"
        )
    return int(db.execute(f"select count(*) from {FTS_TABLE}").fetchone()[0])


def search(
    db: sqlite_utils.Database,
    query: str,
    site: str | None = None,
    language: str | None = None,
    limit: int = 20,
) -> Iterator[dict[str, Any]]:
    """Articles matching every term, best first (bm25), each with a highlighted snippet."""
    register_functions(db.conn)
    where, params = [f"{FTS_TABLE} match news_fts_query(:q)"], {"q": query, "limit": limit}
    if site:
        where.append("(a.site = :site or a.site_name = :site)")
        params["site"] = site
    if language:
        where.append("a.language = :language")
        params["language"] = language
    sql = (
        "select a.url, a.title, a.site, a.published_local, a.language, news_snippet(a.body, :q) as snippet "
        f"from {FTS_TABLE} join articles a on a.rowid = {FTS_TABLE}.rowid "
        f"where {' and '.join(where)} order by {RANK} limit :limit"
    )
    yield from db.query(sql, params)
