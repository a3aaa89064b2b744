"""`news-crawler profiles new URL`: a starting profile for a site of the user's own.

Fetches the page at URL (robots.txt obeyed, one request at a time) and a few of the stories it
links to, drafts a profile from them (crawler/page/draft.py) and writes it, with one fixture per
article page read, into the user's profiles folder (NEWS_PROFILES_DIR): nothing inside the
installed package changes. `news-crawler profiles check NAME` then checks it against those
fixtures and the stored pages; `news-crawler crawl NAME` crawls the site.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

FETCH_TIMEOUT = 20.0
MAX_BYTES = 10 << 20  # a page larger than this is cut: enough for any article


class Fetcher:
    """Plain HTTP GETs with our User-Agent; robots.txt read once per host and obeyed."""

    def __init__(self, agent: str) -> None:
        self.agent = agent
        self.robots: dict[str, Any] = {}
        self.sitemaps: list[str] = []

    def _robots(self, url: str) -> Any:
        from protego import Protego

        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            try:
                status, _, body = self._get(f"{origin}/robots.txt")
                text = body.decode("utf-8", "replace") if status == 200 else ""
            except OSError:
                text = ""
            self.robots[origin] = Protego.parse(text)
            self.sitemaps.extend(s for s in self.robots[origin].sitemaps if s not in self.sitemaps)
        return self.robots[origin]

    def _get(self, url: str) -> tuple[int, str, bytes]:
        request = urllib.request.Request(url, headers={"User-Agent": self.agent, "Accept": "text/html,*/*;q=0.8"})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read(MAX_BYTES)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", "") if exc.headers else "", b""

    def page(self, url: str) -> Any:
        """The page as a RawPage, or a ClickException that says in one line why not."""
        from crawler.page.process import RawPage

        if urlsplit(url).scheme not in {"http", "https"}:
            raise click.ClickException(f"{url}: not an http(s) URL")
        if not self._robots(url).can_fetch(url, self.agent):
            raise click.ClickException(f"{url}: the site's robots.txt forbids fetching it")
        try:
            status, ctype, body = self._get(url)
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"{url}: could not be fetched ({exc})") from exc
        if status != 200:
            raise click.ClickException(f"{url}: the server answered HTTP {status}")
        if "html" not in ctype.lower() and not body.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html")):
            raise click.ClickException(f"{url}: not an HTML page ({ctype or 'no content type'})")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return RawPage(url=url, body=body, content_type=ctype, fetched_at=now)


def write_profile(draft: Any, folder: Path, force: bool) -> Path:
    """The profile YAML (notes as comments) and one fixture per article page; returns the YAML's path."""
    import yaml

    from crawler.extract import Selectors, extract_page
    from crawler.extract.encoding import decode_response
    from crawler.profiles import load_profile_file

    name = draft.profile["name"]
    path = folder / f"{name}.yaml"
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists: give --name for another, or --force to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    head = [
        f"# Drafted by `news-crawler profiles new` on {datetime.now(UTC):%Y-%m-%d} "
        f"from {draft.profile['start_urls'][0]}"
    ]
    head += [f"# {note}" for note in draft.notes]
    head += ["# Edit freely: `news-crawler profiles check " + name + "` says whether the selectors still hold."]
    path.write_text("\n".join(head) + "\n" + yaml.safe_dump(draft.profile, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")  # fmt: skip
    profile = load_profile_file(path)  # what we wrote must load: else say so now, not at the crawl
    fixtures = folder / "fixtures" / name
    if fixtures.exists():
        for old in fixtures.glob("*.*"):
            old.unlink()
    for i, (page, _) in enumerate(draft.articles, 1):
        fixtures.mkdir(parents=True, exist_ok=True)
        text = decode_response(page.body, page.content_type)[0]
        got = extract_page(text, page.url, profile.selectors or Selectors(), None)
        (fixtures / f"page{i}.html").write_text(text, encoding="utf-8")
        expected = {"url": page.url, "title": got.title, "blocks": got.blocks, "selector_misses": got.selector_misses}
        (fixtures / f"page{i}.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
