"""The stored title and body of an article: the site's learned title affixes taken off, the
body made from the raw blocks (repeats and the site's boilerplate removed), and the date
expressions found in it. The one place this is done for a page (the processor, and the
pipelines for items a spider of the user's own yields)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from crawler.extract.titles import site_title
from crawler.text.finalize import article_mentions, clean_article


def stored_title(item: Mapping[str, Any], affixes: Collection[str]) -> str | None:
    """The title without the site's learned affixes (unchanged without any)."""
    extracted = item.get("title_extracted") or item.get("title")
    if affixes and extracted:
        return site_title(extracted, item.get("page_title"), affixes)
    return item.get("title")


def cleaned_fields(
    title: str | None, raw_blocks: list[str], boilerplate: Collection[str], repeats: bool, furniture: bool
) -> tuple[dict[str, Any], dict[str, int]]:
    """(the body fields, their counts) from the raw blocks."""
    cleaned = clean_article(list(raw_blocks or []), boilerplate, repeats, furniture)
    fields = cleaned.fields(title)
    counts: dict[str, int] = {}
    if fields["blocks_repeat"]:
        counts["news/blocks/stripped"] = fields["blocks_repeat"]
        counts["news/blocks/articles_with_repeats"] = 1
    if fields["blocks_boilerplate"]:
        counts["news/blocks/boilerplate_stripped"] = fields["blocks_boilerplate"]
    return fields, counts


def mention_fields(body: str, published_at: str | None, timezone: str | None) -> tuple[list[Any], dict[str, int]]:
    counts: dict[str, int] = {}
    if not published_at:
        # Relative expressions ("7日", "yesterday") cannot be resolved without it.
        counts["news/mentions/skipped_no_published_date"] = 1
    mentions = article_mentions(body or "", published_at, timezone)
    counts["news/mentions/found"] = len(mentions)
    return mentions, counts
