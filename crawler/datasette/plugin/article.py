"""The article page for reading: `/<database>/-/article?url=<article URL>`.

Datasette's own row page shows an article as one row of 45 columns, the title a character wide.
This page shows it the way a reader opens a story: the headline, the site, the publisher's local
time with its offset (UTC beside it), the authors and a link to the original, then the body as
paragraphs. What a researcher checks sits below, folded: what was stripped and why, the date
signals, earlier versions, near-duplicates, the page decision and the whole stored row.

Every title in the plugin's pages links here (`article_path`). Read-only, like all of `serve`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from crawler.datasette.plugin.ours import our_databases
from crawler.storage.explain import decision_text

ROUTE = r"^/(?P<database>[^/]+)/-/article$"
# The row's columns shown at the top; the rest are in "the stored row" below.
_SHOWN = {"title", "body", "site_name", "published_local", "published_at", "authors", "url", "language"}


def article_path(datasette: Any, database: str, url: str) -> str:
    return f"{datasette.urls.database(database)}/-/article?url={quote(url, safe='')}"


def when(value: str | None) -> dict[str, str] | None:
    """'2022-03-08T05:12:00+09:00' -> local '2022-03-08 05:12', offset 'UTC+09:00'; a bare day as it is."""
    if not value:
        return None
    if len(value) <= 10 or "T" not in value:  # a day, a month or a year: no time to show
        return {"text": value, "offset": ""}
    day, _, rest = value.partition("T")
    clock, offset = rest[:5], rest[8:] if len(rest) > 8 else ""
    if offset in {"+00:00", "Z"}:
        offset = "+00:00"
    return {"text": f"{day} {clock}", "offset": f"UTC{offset}" if offset else ""}


def paragraphs(body: str | None) -> list[str]:
    """The stored body is its blocks joined by blank lines: one paragraph a block."""
    return [p.strip() for p in (body or "").split("\n\n") if p.strip()]


def _json(value: Any, default: Any) -> Any:
    if not isinstance(value, str) or not value:
        return default
    try:
        return json.loads(value)
    except ValueError:
        return default


def date_signal_rows(raw: Any) -> list[dict[str, Any]]:
    """date_signals as rows: which date, where from, the string found, what it was read as."""
    data = _json(raw, {})
    rows = []
    for which in ("published", "modified"):
        for signal in data.get(which) or [] if isinstance(data, dict) else []:
            if isinstance(signal, dict):
                rows.append({"which": which, **signal})
    return rows


async def _rows(db: Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    result = await db.execute(sql, params)
    return [dict(r) for r in result.rows]


async def gather(db: Any, url: str) -> dict[str, Any] | None:
    """Everything the page shows about one stored article, or None when the URL is not stored."""
    found = await _rows(db, "select rowid as article_id, * from articles where url = :url", {"url": url})
    if not found:
        return None
    row = found[0]
    fetched = row.get("fetched_url") or url
    tables = set(await db.table_names())
    stripped = versions = copies = decisions = []
    if "stripped_blocks" in tables:
        stripped = await _rows(
            db, "select position, reason, text from stripped_blocks where article_url = :url order by position",
            {"url": url},
        )  # fmt: skip
    if "article_versions" in tables:
        versions = await _rows(
            db, "select version, title, seen_from, seen_until, length(body) as characters from article_versions "
            "where url = :url order by version desc", {"url": url},
        )  # fmt: skip
    copies = await _rows(
        db, "select url, title, site, published_local from articles where duplicate_of = :url "
        "or (:original is not null and (url = :original or duplicate_of = :original) and url != :url)",
        {"url": url, "original": row.get("duplicate_of")},
    )  # fmt: skip
    if "decisions" in tables:
        decisions = await _rows(
            db, "select url, kind, reason, signals, decided_at from decisions where url in (:url, :fetched)",
            {"url": url, "fetched": fetched},
        )  # fmt: skip
    for decision in decisions:
        decision["text"] = decision_text(decision["kind"], decision["reason"], decision["signals"])
    authors = _json(row.get("authors"), [])
    return {
        "row": row,
        "paragraphs": paragraphs(row.get("body")),
        "published": when(row.get("published_local")),
        "published_utc": when(row.get("published_at")),
        "modified": when(row.get("modified_at")),
        "authors": [a for a in authors if isinstance(a, str)] if isinstance(authors, list) else [],
        "host": urlsplit(url).netloc,
        "stripped": stripped,
        "date_signals": date_signal_rows(row.get("date_signals")),
        "disagreement": (_json(row.get("date_signals"), {}).get("disagreement") or {}).get("published") or [],
        "versions": versions,
        "copies": copies,
        "decisions": decisions,
        "rest": {k: v for k, v in row.items() if k not in _SHOWN and k not in {"raw_blocks"}},
    }


async def article_view(request: Any, datasette: Any) -> Response:
    database = request.url_vars["database"]
    url = request.args.get("url") or ""
    if database not in our_databases(datasette):
        return Response.html(await datasette.render_template("error.html", {"error": "Not a news database",
                             "title": "Not found", "status": 404}, request=request), status=404)  # fmt: skip
    db = datasette.get_database(database)
    data = await gather(db, url) if url else None
    context: dict[str, Any] = {
        "database": database,
        "url": url,
        "article": data,
        "list_url": datasette.urls.table(database, "article_list"),
        "why_url": f"{datasette.urls.database(database)}/why_not_an_article?url={quote(url, safe='')}",
        "row_url": datasette.urls.row(database, "articles", tilde_encode(url)) if data else None,
        "article_path": lambda u: article_path(datasette, database, u),
    }
    html = await datasette.render_template("news_article.html", context, request=request, view_name="news_article")
    return Response.html(html, status=200 if data else 404)
