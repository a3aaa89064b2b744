"""Datasette plugin (entry point `news_crawler`): metadata, Japanese search, reader's pages, queries.

For every attached database that is ours (it has our `_migrations` and `articles` tables),
whatever its file is called:
- metadata: titles, descriptions, facets, column notes, and the search index tied to `articles`
  and to the `article_list` view (`fts_table` / `fts_pk`); local metadata still wins over ours;
- search: Datasette's search box calls `escape_fts(:search)` in its SQL; on our databases that
  function is replaced (`prepare_connection`, trylast, so after Datasette's own) by the bigram
  query form of crawler/text/search.py, so 停戦 (two characters) finds exactly the articles that
  contain it; the `search` canned query ranks by bm25 and shows highlighted snippets;
- pages: every title links to the article page for reading (article.py, a route of ours);
  the lists give the width to title and lead (static/reader.css), dates read as local times,
  URLs as their host; long bodies and JSON columns fold; snippets show their hits in <mark>
  (everything else escaped); our canned queries' forms speak a reader's words (query.html);
- canned queries (crawler/datasette/queries.py), with a chart of articles per day (datasette-vega).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from datasette import hookimpl
from markupsafe import Markup, escape

from crawler.datasette.plugin.article import ROUTE, article_path, article_view, when
from crawler.datasette.plugin.ours import our_databases
from crawler.datasette.queries import QUERY_FORMS, canned_queries_for
from crawler.storage.search import register_functions
from crawler.text.search import MARK_OPEN, fts_query, highlighted_html

METADATA = Path(__file__).resolve().parents[1] / "metadata.json"
FOLD_CHARS = 300  # a cell longer than this shows its opening; one click shows the rest
# Pages whose rows are articles: the list view, the articles table, the canned queries (None).
LISTS = {None, "article_list", "articles"}
FOLDED_COLUMNS = {"body", "raw_blocks", "date_signals", "stats", "signals", "config"}


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(METADATA.read_text(encoding="utf-8"))
    return data


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
    keys = row.keys() if hasattr(row, "keys") else []
    if column == "title" and table in LISTS and "url" in keys and row["url"]:
        # Every title opens the article page for reading (article.py), not the 45-column row.
        return Markup(f'<a href="{escape(article_path(datasette, database, row["url"]))}">{escape(value)}</a>')
    if column in {"published", "published_local"} and table in LISTS and "T" in value:
        local = when(value) or {}
        return Markup(f'<time datetime="{escape(value)}">{escape(local.get("text"))} '
                      f'<small>{escape(local.get("offset"))}</small></time>')  # fmt: skip
    if column == "url" and table in LISTS and "title" in keys and value.startswith(("http://", "https://")):
        # The title opens the article; beside it the URL need only say where the original is.
        return Markup(f'<a href="{escape(value)}" title="{escape(value)}">{escape(urlsplit(value).netloc)}</a>')
    if column == "evidence" and len(value) > 2:  # why_not_an_article: the sentence says it, the JSON backs it
        return Markup(f"<details><summary>signals</summary><code>{escape(value)}</code></details>")
    if column in FOLDED_COLUMNS and len(value) > FOLD_CHARS:
        return _fold(value)
    return None


@hookimpl
def extra_template_vars(template: str, database: str | None, datasette: Any) -> dict[str, Any]:
    """`news_databases` (which attached databases are ours) for the home page and the table, row
    and query templates; `news_forms`, the reader's words for our canned queries' forms."""
    if template not in {"index.html", "table.html", "query.html", "row.html"}:
        return {}
    ours = our_databases(datasette)
    return {"news_databases": ours, "news_forms": QUERY_FORMS if database in ours else {}}


@hookimpl
def extra_css_urls(database: str | None, datasette: Any) -> list[str]:
    if database is None or database not in our_databases(datasette):
        return []
    return [datasette.urls.static_plugins("news_crawler", "reader.css")]


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [(ROUTE, article_view)]
