"""CSS selectors compiled once a process: a profile's or a learned parser's selectors run on
every page of their site, and compiling one (cssselect to XPath) costs about 0.5 ms each time."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml.cssselect import CSSSelector


@lru_cache(maxsize=1024)
def _compiled(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def select(el: Any, selector: str) -> list[Any]:
    """The elements under el (el included) that selector matches, as `el.cssselect(selector)`."""
    return list(_compiled(selector)(el))
