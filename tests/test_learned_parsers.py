"""Learned site parsers through `news-crawler ingest`: a site's parser is learned from its first
pages, its next pages take the learned path, and every row it claims gives what the thorough path
gives on the same page (title, day, modified day, authors, language the same; the body within
the agreed token F1). A site whose template changes halfway is caught and learned again."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.page.learn import BODY_F1, LearnedParser, token_f1
from crawler.profiles import parse_profile
from tests.conftest import ROOT

WORDS = (
    "council harbour budget river school railway mayor station bridge market farmers energy tram "
    "library hospital museum election forecast storm festival workers strike airport tunnel water"
).split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 22))]
    return " ".join(words).capitalize() + "."


def story(i: int, template: str) -> bytes:
    """A news page of one site; template "a" or "b" (a redesign: other containers, other classes)."""
    rng = random.Random(i)
    title = f"Story {i}: the {rng.choice(WORDS)} and the {rng.choice(WORDS)} of the town"
    paragraphs = "".join(f"<p>{sentence(rng)} {sentence(rng)} {sentence(rng)}</p>" for _ in range(rng.randint(5, 9)))
    day = f"2024-03-{1 + i % 28:02d}T{8 + i % 10:02d}:15:00+01:00"
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": day, "author": {"@type": "Person", "name": "Ada Reporter"}})  # fmt: skip
    related = "".join(f'<li><a href="/news/{i + k}.html">Story {i + k} of the week in review here</a></li>'
                      for k in range(1, 6))  # fmt: skip
    if template == "a":
        main = (f'<div class="story-text">{paragraphs}<figure><figcaption>Photo: the {rng.choice(WORDS)} '
                f"at dawn, by the picture desk</figcaption></figure></div>")  # fmt: skip
    else:
        main = f'<section class="article-main"><div class="rich-text">{paragraphs}</div></section>'
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Town Herald</title>'
        f'<meta property="og:title" content="{title}"><meta property="og:type" content="article">'
        f'<script type="application/ld+json">{ld}</script></head><body>'
        f'<nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/sport/">Sport</a></nav>'
        f'<div class="layout"><article><h1>{title}</h1><p class="byline">By Ada Reporter</p>{main}</article>'
        f'<aside class="related"><h3>Read more</h3><ul>{related}</ul></aside></div>'
        f"<footer><p>Town Herald, 1 Main Street. All rights reserved. Contact the newsroom.</p></footer>"
        f"</body></html>"
    ).encode()


def write_site(path: Path, templates: list[str]) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, template in enumerate(templates):
            body = story(i, template)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    f"https://town-herald.example/news/{i}.html", "response", payload=io.BytesIO(body),
                    length=len(body), http_headers=http, warc_headers_dict={"WARC-Date": "2024-03-30T00:00:00Z"},
                )
            )  # fmt: skip


def ingest(db: Path, warc: Path, *settings: str) -> None:
    cmd = [sys.executable, "-m", "crawler", "ingest", str(warc), "--db", str(db)]
    for setting in ("NEWS_WORKERS=0", *settings):
        cmd += ["-s", setting]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]


def cli(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


FIELDS = ("title", "published_at", "modified_at", "authors", "language", "site", "url")


def rows(db: Path) -> dict[str, dict]:
    return {r["url"]: r for r in sqlite_utils.Database(db).query("select * from articles")}


def assert_learned_rows_agree(learned: dict[str, dict], thorough: dict[str, dict]) -> int:
    assert learned.keys() == thorough.keys()
    claimed = 0
    for url, row in learned.items():
        other = thorough[url]
        if row["extractor"] != "learned":
            assert row["body"] == other["body"] and row["title"] == other["title"], url
            continue
        claimed += 1
        for name in FIELDS:
            assert row[name] == other[name], (url, name)
        assert token_f1(row["body"], other["body"]) >= BODY_F1, url
    return claimed


@pytest.mark.e2e
def test_a_learned_parser_gives_the_thorough_row_where_it_claims_to(tmp_path: Path) -> None:
    warc = tmp_path / "site.warc.gz"
    write_site(warc, ["a"] * 40)
    ingest(tmp_path / "learned.db", warc)
    ingest(tmp_path / "thorough.db", warc, "NEWS_LEARN_PAGES=0")
    claimed = assert_learned_rows_agree(rows(tmp_path / "learned.db"), rows(tmp_path / "thorough.db"))
    assert claimed >= 30  # the first pages teach, the rest take the learned path
    db = sqlite_utils.Database(tmp_path / "learned.db")
    parser = next(db.query("select * from site_parsers"))
    assert parser["state"] == "active" and parser["body_selector"] == "div.story-text"
    assert parser["samples"] >= 3 and parser["samples_agreed"] == parser["samples"]
    assert LearnedParser.from_json(parser["parser"]).drop  # the caption inside the container goes
    assert not any("Photo:" in r["body"] for r in rows(tmp_path / "learned.db").values())
    assert not list(sqlite_utils.Database(tmp_path / "thorough.db").query("select * from site_parsers"))
    # Shown, and written out as a profile a user can edit and load.
    shown = cli("profiles", "learned", "--db", str(tmp_path / "learned.db"))
    assert "town-herald.example" in shown and "div.story-text" in shown and "active" in shown
    written = yaml.safe_load(cli("profiles", "learn", "town-herald.example", "--db", str(tmp_path / "learned.db")))
    profile = parse_profile(written, "learned.yaml")
    assert profile.selectors.body == "div.story-text" and profile.allowed_domains == ("town-herald.example",)
    # --save: into the user's profiles folder, where it is the site's profile from then on.
    mine = tmp_path / "my-sites"
    cli("profiles", "learn", "town-herald.example", "--db", str(tmp_path / "learned.db"), "--save",
        "-s", f"NEWS_PROFILES_DIR={mine}")  # fmt: skip
    assert (mine / "town-herald-example.yaml").is_file()
    listed = cli("profiles", "list", "-s", f"NEWS_PROFILES_DIR={mine}")
    assert any(line.startswith("town-herald-example") and "yours" in line for line in listed.splitlines())
    # A second run starts with the parser it stored: every new page takes the learned path at once.
    more = tmp_path / "more.warc.gz"
    write_site(more, ["a"] * 46)
    ingest(tmp_path / "learned.db", more)
    assert sum(r["extractor"] == "learned" for r in rows(tmp_path / "learned.db").values()) >= claimed + 5


@pytest.mark.e2e
def test_a_site_whose_template_changes_halfway_is_caught_and_learned_again(tmp_path: Path) -> None:
    warc = tmp_path / "site.warc.gz"
    write_site(warc, ["a"] * 30 + ["b"] * 40)
    ingest(tmp_path / "learned.db", warc)
    ingest(tmp_path / "thorough.db", warc, "NEWS_LEARN_PAGES=0")
    learned, thorough = rows(tmp_path / "learned.db"), rows(tmp_path / "thorough.db")
    assert_learned_rows_agree(learned, thorough)
    parser = next(sqlite_utils.Database(tmp_path / "learned.db").query("select * from site_parsers"))
    assert parser["relearned"] >= 1  # the redesign was caught
    assert parser["state"] == "active" and "rich-text" in parser["body_selector"] + "article-main"
    late = [r for u, r in learned.items() if int(u.rsplit("/", 1)[1].split(".")[0]) >= 50]
    assert sum(r["extractor"] == "learned" for r in late) >= 10  # the new template learned
    # No page of the new template kept a body of the old container (none has one): every row is whole.
    assert all(r["body"] for r in learned.values())


@pytest.mark.parametrize(
    ("fields", "compared", "learned"),
    [(["body"], 2, False), (["published_at"], 2 + 4, True)],
)
def test_learning_stops_at_the_first_page_that_differs_and_retries_only_for_the_dates(
    monkeypatch: pytest.MonkeyPatch, fields: list[str], compared: int, learned: bool
) -> None:
    """An attempt that fails costs no more pages than it needs: the second learning page differs,
    so the third and fourth are not compared; htmldate's visible date is tried again only when
    what it can change (the dates) is all that differed, and then it decides."""
    from crawler.page import learnsite
    from crawler.page.learn import Agreement
    from crawler.page.process import PageRules, RawPage, SiteSnapshot, process_page

    rules, site = PageRules(), SiteSnapshot()
    pages = [RawPage(f"http://herald.example/news/{i}.html", story(i, "a"), "text/html", 200,
                     "2024-03-30T00:00:00+00:00") for i in range(4)]  # fmt: skip
    samples = [(page, process_page(page, site, rules).row) for page in pages]
    calls: list[tuple[str, bool]] = []

    def compare(page, site, rules, parser, thorough):  # type: ignore[no-untyped-def]
        calls.append((page.url, parser.visible_date))
        differs = page.url.endswith("/1.html") and not parser.visible_date
        return Agreement(not differs, 1.0, fields if differs else [])

    monkeypatch.setattr(learnsite, "_compare", compare)
    outcome = learnsite.learn_site(samples, site, rules)  # type: ignore[arg-type]
    assert len(calls) == compared and (outcome.parser is not None) is learned
    assert [url for url, _ in calls[:2]] == [pages[0].url, pages[1].url]
