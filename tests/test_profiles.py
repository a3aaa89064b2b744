"""Every site profile must load, and must extract its saved fixture pages as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import extract_page
from crawler.profiles import ProfileError, get_profile, load_profiles, parse_profile
from crawler.text.dates import parse_date

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
    # No boilerplate in the body.
    body = "\n".join(page.blocks)
    for junk in ("シェア", "関連ニュース", "NHKのサイトを離れます", "Copyright"):
        assert junk not in body


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
