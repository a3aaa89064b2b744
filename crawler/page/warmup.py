"""Imported once by a worker pool's fork server (the crawl's NEWS_WORKERS, the ingest's), so that each worker it forks
starts with what it would otherwise load on its own first pages: dateparser's locale data.

htmldate hands the text of elements it cannot read itself to dateparser with every language
allowed; the first string no locale matches makes dateparser load all of them, 1.5 s of CPU in
each process that meets one (most do, in a crawl's first hundred pages). Loaded here, before
the fork, the workers share it.
"""

from __future__ import annotations

import importlib

from htmldate.extractors import get_external_parser

for _module in ("crawler.page.process",):  # the code the workers run
    importlib.import_module(_module)

get_external_parser().get_date_data("warm up 2021 x")  # no locale matches: all of them load
