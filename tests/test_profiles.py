"""Every site profile must load, and must extract its saved fixture pages as expected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.extract import extract_page
from crawler.profiles import ProfileError, get_profile, load_profiles, parse_profile
from crawler.text.dates import parse_date
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sites"
PROFILES = load_profiles()
CASES = [(name, html) for name in sorted(PROFILES) for html in sorted((FIXTURES / name).glob("*.html"))]


def test_every_profile_has_fixtures() -> None:
    assert PROFILES, "no profiles found"
    for name in PROFILES:
        assert list((FIXTURES / name).glob("*.html")), (
            f"profile {name} has no saved HTML under tests/fixtures/sites/{name}/"
        )


@pytest.mark.parametrize(("name", "html_path"), CASES, ids=[f"{n}/{p.stem}" for n, p in CASES])
def test_profile_extracts_fixture(name: str, html_path: Path) -> None:
    profile = PROFILES[name]
    expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    url = expected["url"]
    is_article = any(p.search(url) for p in profile.article_urls) if profile.article_urls else None
    page = extract_page(html_path.read_text(encoding="utf-8"), url, profile.selectors, is_article)
    assert page.is_article == expected["is_article"]
    assert page.title == expected["title"]
    assert page.blocks == expected["blocks"]
    published_raw = page.published_candidates[0][0] if page.published_candidates else None
    assert published_raw == expected["published_raw"]
    assert page.language == expected["language"]
    assert page.canonical_url == expected["canonical_url"]
    assert parse_date(published_raw, profile.timezone).value == expected["published_at"]
    assert page.selector_misses == expected.get("selector_misses", [])
    if "authors" in expected:
        assert page.authors == expected["authors"]
    # No boilerplate in the body.
    body = "\n".join(page.blocks)
    junk = ["シェア", "関連ニュース", "NHKのサイトを離れます", "Copyright", "関連記事", "有料会員", "関連キーワード"]
    junk += ["figcaption", "点検の様子", "Another headline", "Staff Writer", "JST"]  # captions, bylines
    for text in junk:
        assert text not in body


def changed_layout(html: str, selector: str) -> str:
    """The page after a redesign: what the profile's body selector matched is renamed and loses
    its classes and ids, the text staying where it was."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html)
    for el in tree.cssselect(selector):
        el.tag = "section"
        for attr in ("class", "id"):
            el.attrib.pop(attr, None)
    return lxml_html.tostring(tree, encoding="unicode")


@pytest.mark.parametrize(("name", "html_path"), CASES, ids=[f"{n}/{p.stem}" for n, p in CASES])
def test_a_changed_layout_raises_the_alarm_and_keeps_the_article(name: str, html_path: Path) -> None:
    profile = PROFILES[name]
    expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert profile.selectors.body
    html = changed_layout(html_path.read_text(encoding="utf-8"), profile.selectors.body)
    page = extract_page(html, expected["url"], profile.selectors, True)
    assert "body" in page.selector_misses
    assert page.extractor != "selectors" and page.blocks  # stored from generic extraction
    first = expected["blocks"][0][:20]
    assert any(first in block for block in page.blocks)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping"),
        ({"name": "Bad Name", "allowed_domains": ["a"], "start_urls": ["https://a/"]}, "field 'name'"),
        ({"name": "a", "start_urls": ["https://a/"]}, "allowed_domains"),
        ({"name": "a", "allowed_domains": ["a"]}, "start_urls"),
        (
            {"name": "a", "allowed_domains": ["a"], "start_urls": ["https://a/"], "timezone": "Mars/Base"},
            "field 'timezone'",
        ),
        ({"name": "a", "allowed_domains": ["a"], "start_urls": ["https://a/"], "allow": ["("]}, "field 'allow'"),
        (
            {"name": "a", "allowed_domains": ["a"], "start_urls": ["https://a/"], "selectors": {"bodyy": "x"}},
            "field 'selectors'",
        ),
        ({"name": "a", "allowed_domains": ["a"], "start_urls": ["https://a/"], "colour": "red"}, "unknown field"),
    ],
)
def test_invalid_profiles_name_file_and_field(data: object, message: str) -> None:
    with pytest.raises(ProfileError) as err:
        parse_profile(data, "sites/x.yaml")
    assert "sites/x.yaml" in str(err.value) and message in str(err.value)


def test_unknown_profile_lists_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"known: .*nhk"):
        get_profile("no-such-site")


@pytest.mark.parametrize(("name", "html_path"), CASES, ids=[f"{n}/{p.stem}" for n, p in CASES])
def test_the_profile_is_chosen_by_host(name: str, html_path: Path) -> None:
    from crawler.profiles import profile_for_url

    url = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))["url"]
    chosen = profile_for_url(url, PROFILES)
    assert chosen is not None and chosen.name == name


def test_one_bad_profile_disables_itself_alone(tmp_path: Path) -> None:
    """A bad profile YAML (a misspelled field, invalid YAML) broke every command that loads
    profiles with 87-145 lines of traceback. Now it is left out with one line, `profiles check`
    fails on it, and everything else goes on."""
    from crawler.profiles import SITES_DIR

    broken, garbled = SITES_DIR / "zz-test-broken.yaml", SITES_DIR / "zz-test-garbled.yaml"
    try:
        broken.write_text("name: zz-test-broken\nallowed_domains: [x.example]\nstart_urls: [https://x.example/]\n"
                          "selectors:\n  titel: h1\n")  # fmt: skip
        garbled.write_text("name: zz-test-garbled\nallowed_domains: [x.example\nstart_urls: [https://x.example/]\n")
        listed = subprocess.run([sys.executable, "-m", "crawler", "profiles", "list"], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)  # fmt: skip
        assert listed.returncode == 0 and "Traceback" not in listed.stderr
        assert "zz-test-broken  left out:" in listed.stdout and "field 'selectors' may only hold" in listed.stdout
        assert f"{garbled}, line 3: not valid YAML" in listed.stdout
        assert "nhk" in listed.stdout  # the others still listed
        checked = subprocess.run([sys.executable, "-m", "crawler", "profiles", "check"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=300)  # fmt: skip
        assert checked.returncode == 1 and "zz-test-broken: FAILED, left out of every run" in checked.stdout
        crawl = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "start_urls=http://127.0.0.1:9/",
                                "-s", f"NEWS_DB={tmp_path / 'n.db'}", "-s", "RETRY_TIMES=0", "-s", "LOG_LEVEL=WARNING"],
                               cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert "Traceback" not in crawl.stderr and "profile left out" in crawl.stderr
        assert "crawl fetched nothing" in crawl.stderr  # it ran: a dead URL, not a broken profile
    finally:
        broken.unlink(missing_ok=True)
        garbled.unlink(missing_ok=True)
