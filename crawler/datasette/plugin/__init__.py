"""Datasette plugin (entry point `news_crawler`): metadata, Japanese search, reader's pages, queries.

For every attached database that is ours (it has our `_migrations` and `articles` tables),
whatever its file is called:
- metadata: titles, descriptions, facets, column notes, and the search index tied to `articles`
  and to the `article_list` view (`fts_table` / `fts_pk`); local metadata still wins over ours;
- search: Datasette's search box calls `escape_fts(:search)` in its SQL; on our databases that
  function is replaced (`prepare_connection`, trylast, so after Datasette's own) by the bigram
  query form of crawler/text/search.py, so 停戦 (two characters) finds exactly the articles that
  contain it; the `search` canned query ranks by bm25 and shows highlighted snippets;
- pages: the `article_list` title links to the full row; long bodies and JSON columns fold;
  snippets show their hits in <mark> (everything else escaped);
- canned queries (crawler/datasette/queries.py), with a chart of articles per day (datasette-vega).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

from crawler.datasette.queries import canned_queries_for
from crawler.storage.database import is_news_database
from crawler.storage.search import register_functions
from crawler.text.search import MARK_OPEN, fts_query, highlighted_html

METADATA = Path(__file__).resolve().parents[1] / "metadata.json"
FOLD_CHARS = 300  # a cell longer than this shows its opening; one click shows the rest
FOLDED_COLUMNS = {"body", "raw_blocks", "date_signals", "stats", "signals", "config"}


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(METADATA.read_text(encoding="utf-8"))
    return data


_OURS: set[str] = set()  # only positives are remembered: a file may become ours when a crawl starts


def _is_ours(path: str) -> bool:
    if path not in _OURS and is_news_database(path):
        _OURS.add(path)
    return path in _OURS


def our_databases(datasette: Any) -> list[str]:
    return [
        name
        for name, db in datasette.databases.items()
        if getattr(db, "path", None) and _is_ours(str(Path(db.path).resolve()))
    ]


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any]:
    template = _template()
    ours = {name: template["databases"]["news"] for name in our_databases(datasette)}
    if not ours:
        return {}
    return {"title": template["title"], "description": template["description"], "databases": ours}


@hookimpl(trylast=True)
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    if database not in our_databases(datasette):
        return
    register_functions(conn)
    # Replaces Datasette's escape_fts on this connection only: the table search box's SQL
    # (`match escape_fts(:search)`) then speaks the index's bigram form.
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)


@hookimpl
def canned_queries(datasette: Any, database: str, actor: Any) -> dict[str, Any]:
    if database not in our_databases(datasette):
        return {}
    return canned_queries_for(database)


def _fold(text: str) -> Markup:
    head = text[:FOLD_CHARS]
    return Markup(
        f"<details><summary>{escape(head)}… <em>({len(text):,} characters)</em></summary>"
        f'<div style="white-space: pre-wrap">{escape(text)}</div></details>'
    )


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if not isinstance(value, str) or database not in our_databases(datasette):
        return None
    if column == "snippet" and MARK_OPEN in value:
        return Markup(highlighted_html(value))
    if column == "title" and table in {None, "article_list"}:  # the list and the query pages
        keys = row.keys() if hasattr(row, "keys") else []
        url = row["url"] if "url" in keys else None
        if url:
            href = datasette.urls.row(database, "articles", tilde_encode(url))
            return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    if column == "url" and table is None and value.startswith(("http://", "https://")) and len(value) > 48:
        # On query pages a long URL would take the width the snippet needs: show its ends.
        short = f"{value[:24]}…{value[-20:]}"
        return Markup(f'<a href="{escape(value)}" title="{escape(value)}">{escape(short)}</a>')
    if column in FOLDED_COLUMNS and len(value) > FOLD_CHARS:
        return _fold(value)
    return None


@hookimpl
def extra_template_vars(template: str, datasette: Any) -> dict[str, Any]:
    """`news_databases`: which attached databases are ours, for the home page (templates/index.html)."""
    if template != "index.html":
        return {}
    return {"news_databases": our_databases(datasette)}
