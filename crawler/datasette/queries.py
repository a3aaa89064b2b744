"""Canned queries for a news database in Datasette: what a reader asks most.

Empty parameters mean "any": every filter is written `(:p = '' or ...)`, so a query page opens
with results before anything is typed. Days are the publisher's local days (published_local).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from crawler.storage.export import ARTICLES_PER_DAY_SQL, local_day_sql
from crawler.storage.search import FTS_TABLE, RANK

LOCAL_DAY = local_day_sql("a.")

# datasette-vega reads its chart from the URL fragment: a line per site, articles per day.
CHART_FRAGMENT = (
    "#g.mark=line&g.x_column=day&g.x_type=temporal&g.y_column=articles&g.y_type=quantitative&g.color_column=site"
)


def chart_path(database: str) -> str:
    # A query string of its own makes the link a real navigation (a bare fragment change on the
    # same page would not start datasette-vega).
    return f"/{quote(database)}/articles_per_day?_chart=line{CHART_FRAGMENT}"


QUERIES: dict[str, dict[str, Any]] = {
    "latest": {
        "title": "Latest articles",
        "description": "The newest articles by publication time, one line each (near-duplicates left out).",
        "sql": """select a.title, a.site, a.published_local, a.language,
  substr(a.body, 1, 160) as lead, a.url
from articles a
where a.duplicate_of is null
  and (:site = '' or a.site = :site or a.site_name = :site)
order by a.published_at desc
limit 100""",
    },
    "search": {
        "title": "Search articles",
        "description": (
            "Every word must be in the article (停戦, 停戦交渉, ウクライナ, election); best matches first, "
            "the words marked in the text. Leave a filter empty to keep every site, language or day."
        ),
        # relevance: bm25 turned round (higher is better) for a reader; the title counts 4 times the body.
        "sql": f"""select a.title, a.site, a.published_local as published, a.language,
  news_snippet(a.body, :q) as snippet, round(-{RANK}, 1) as relevance, a.url
from {FTS_TABLE}
join articles a on a.rowid = {FTS_TABLE}.rowid
where {FTS_TABLE} match news_fts_query(:q)
  and (:site = '' or a.site = :site or a.site_name = :site)
  and (:language = '' or a.language = :language)
  and (:since = '' or {LOCAL_DAY} >= :since)
  and (:until = '' or {LOCAL_DAY} <= :until)
order by {RANK}
limit 100""",
    },
    "articles_per_day": {
        "title": "Articles per day per site",
        "description": "Articles first published on each local day, per site (near-duplicates left out).",
        "sql": ARTICLES_PER_DAY_SQL,
    },
    "articles_mentioning_day": {
        "title": "Articles mentioning a day",
        "description": "Articles whose text refers to a given day (YYYY-MM-DD), e.g. 「3月8日」 or 'last Tuesday'.",
        "sql": """select a.title, a.site, a.published_local, m.surface, m.kind, m.value, a.url
from date_mentions m
join articles a on a.url = m.article_url
where m.value = :day
order by a.published_at desc
limit 500""",
    },
    "doubtful_days": {
        "title": "Doubtful publication days",
        "description": "Articles whose date signals name more than one day: the day chosen, the others, and "
        "which parts of the page named each (date_signals.disagreement). Newest first.",
        "sql": """select a.title, a.site, a.published_local as published,
  json_extract(a.date_signals, '$.disagreement.published[0].sources') as chosen_from,
  (select group_concat(json_extract(v.value, '$.day') || ' (' || json_extract(v.value, '$.sources') || ')', '; ')
   from json_each(a.date_signals, '$.disagreement.published') v where v.key > 0) as other_days,
  a.url
from articles a
where json_extract(a.date_signals, '$.disagreement.published') is not null
  and (:site = '' or a.site = :site or a.site_name = :site)
order by a.published_at desc
limit 500""",
    },
    "near_duplicate_groups": {
        "title": "Near-duplicate groups",
        "description": "Stories stored under more than one URL (syndicated copies, re-publications): the "
        "original and its copies.",
        "sql": """select o.url as original, o.title, o.site, count(d.url) as copies,
  group_concat(d.url, char(10)) as copy_urls
from articles d
join articles o on o.url = d.duplicate_of
group by o.url
order by copies desc, o.published_at desc
limit 500""",
    },
    "stripped_text": {
        "title": "What was stripped and why",
        "description": "Text removed from article bodies, by site and reason (repeat, boilerplate, empty), most "
        "frequent first.",
        "sql": """select site, reason, text, count(*) as times, count(distinct article_url) as articles
from stripped_blocks
where (:site = '' or site = :site)
group by site, reason, text
order by times desc
limit 500""",
    },
    "why_not_an_article": {
        "title": "Why is this URL not an article?",
        "description": "Pages fetched but not stored as articles (lists of links, errors, files that are not "
        "web pages) and items dropped on the way, each with the reason in words. Give part of a URL to look one up.",
        "sql": """select url, news_decision_text(kind, reason, signals) as why, kind, reason,
  signals as evidence, decided_at as at
from decisions
where kind != 'article' and (:url = '' or url like '%' || :url || '%')
union all
select url, news_decision_text('dropped', reason, null) as why, 'dropped' as kind, reason,
  message as evidence, dropped_at as at
from drops
where (:url = '' or url like '%' || :url || '%')
order by at desc
limit 500""",
    },
    "changed_articles": {
        "title": "Articles that changed",
        "description": "Articles whose title or text changed after they were first stored, newest change first: "
        "the current version beside the one before it (every earlier version is in article_versions).",
        "sql": """select a.title, v.title as previous_title, a.site, a.version_count as versions,
  a.last_changed_at as changed_at, v.seen_from as previous_since,
  substr(a.body, 1, 300) as body_now, substr(v.body, 1, 300) as body_before, a.url
from articles a
join article_versions v on v.url = a.url and v.version = a.version_count - 1
where (:site = '' or a.site = :site)
order by a.last_changed_at desc
limit 200""",
    },
    "crawl_history": {
        "title": "Crawl history",
        "description": "Every crawl run: when, how it ended, pages fetched, articles new / changed / unchanged, "
        "drops and problems by reason.",
        "sql": """select id, site, started_at, finished_at, status, finish_reason, elapsed_seconds, requests,
  responses, pages_fetched, articles_inserted as new, articles_updated as changed, articles_unchanged as unchanged,
  not_modified, skipped as not_due, items_dropped as dropped, drops, errors, pid, host
from crawls
order by id desc""",
    },
}


# The forms in a reader's words (templates/query.html): each parameter's label, the button, and
# the line above the results ({n}: how many rows). A query not named here gets plain defaults.
def _form(count: str, button: str = "Show", **labels: str) -> dict[str, Any]:
    return {"button": button, "count": count, "labels": labels}


SITE = "Site (optional)"
QUERY_FORMS: dict[str, dict[str, Any]] = {
    "search": _form(
        "{n} articles, best matches first",
        "Search",
        q="Words",
        site=SITE,
        language="Language, e.g. ja or en (optional)",
        since="From day, YYYY-MM-DD (optional)",
        until="To day, YYYY-MM-DD (optional)",
    ),
    "latest": _form("{n} newest articles", site=SITE),
    "articles_per_day": _form("{n} days and sites", site=SITE),
    "articles_mentioning_day": _form("{n} mentions, newest articles first", "Find", day="Day, YYYY-MM-DD"),
    "doubtful_days": _form("{n} articles whose signals disagree", site=SITE),
    "near_duplicate_groups": _form("{n} stories stored more than once"),
    "stripped_text": _form("{n} blocks, most frequent first", site=SITE),
    "why_not_an_article": _form("{n} pages not stored, newest first", "Look up", url="Part of a URL (optional)"),
    "changed_articles": _form("{n} changed articles", site=SITE),
    "crawl_history": _form("{n} crawls"),
}


def canned_queries_for(database: str) -> dict[str, dict[str, Any]]:
    """The queries, with the chart link written for this database's name."""
    # A reader sees the form and the results; "Show SQL" is one click away.
    queries = {name: {**q, "hide_sql": True} for name, q in QUERIES.items()}
    per_day = queries["articles_per_day"]
    per_day["description_html"] = (
        f"{per_day['description']} "
        f'<a href="{chart_path(database)}">Show as a chart</a> (datasette-vega: a line per site).'
    )
    return queries
