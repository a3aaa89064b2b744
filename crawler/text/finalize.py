"""From an article's raw blocks to what is stored: clean body, audit of removals, date mentions.

Pure. The crawl and the re-clean command both call this, so stored text
depends only on the raw blocks, the site's boilerplate model and the
published date - never on the order pages were crawled in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from crawler.text.blocks import StripResult, clean_blocks
from crawler.text.mentions import Mention, find_mentions
from crawler.text.signals import local_day

SEPARATOR = "\n\n"


@dataclass
class Finalized:
    body: str
    cleaning: StripResult
    mentions: list[Mention] = field(default_factory=list)


def finalize_article(
    raw_blocks: list[str],
    boilerplate: Collection[str] = (),
    published_at: str | None = None,
    timezone: str | None = None,
) -> Finalized:
    cleaning = clean_blocks(raw_blocks, boilerplate)
    body = SEPARATOR.join(cleaning.kept)
    mentions = find_mentions(body, local_day(published_at, timezone)) if published_at else []
    return Finalized(body, cleaning, mentions)
