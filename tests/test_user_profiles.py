"""Sites of the user's own: a profiles folder outside the package (NEWS_PROFILES_DIR, default
$XDG_CONFIG_HOME/news-crawler/sites), `profiles new URL` to start one from a real site served on
127.0.0.1, `profiles check` on it, and a crawl by its name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
import yaml

from crawler.profiles import ProfileError, get_profile, load_profiles, user_dir

ROOT = Path(__file__).resolve().parents[1]


def _write(folder: Path, name: str, **fields: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, **fields}), encoding="utf-8")
    return path


def test_the_users_folder_adds_sites_and_replaces_bundled_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWS_PROFILES_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert user_dir() == tmp_path / "config" / "news-crawler" / "sites"
    bundled = load_profiles()
    assert "nhk" in bundled and "mine" not in bundled
    mine = tmp_path / "mine"
    monkeypatch.setenv("NEWS_PROFILES_DIR", str(mine))
    _write(mine, "mine", allowed_domains=["example.org"], start_urls=["https://example.org/"])
    _write(mine, "nhk", allowed_domains=["www3.nhk.or.jp"], start_urls=["https://www3.nhk.or.jp/news/"],
           title="my NHK")  # fmt: skip
    both = load_profiles()
    assert set(bundled) | {"mine"} == set(both)
    assert both["nhk"].title == "my NHK" and both["nhk"].path == mine / "nhk.yaml"  # the user's wins
    assert get_profile("mine").allowed_domains == ("example.org",)
    with pytest.raises(ProfileError, match=f"a profile of your own goes in {mine}"):
        get_profile("nosuch")


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], capture_output=True, text=True, timeout=180,
                          cwd=ROOT, env={**os.environ, **env})  # fmt: skip


@pytest.mark.e2e
def test_a_site_of_ones_own_in_two_commands(demo_sites, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, en = demo_sites
    folder = tmp_path / "my-sites"
    env = {"NEWS_PROFILES_DIR": str(folder)}
    new = _cli("profiles", "new", f"{en.base_url}/", "--name", "daily", env=env)
    assert new.returncode == 0, new.stderr
    path = folder / "daily.yaml"
    assert f"{path}: profile 'daily'" in new.stdout and "news-crawler profiles check daily" in new.stdout
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert profile["allowed_domains"] == ["127.0.0.1"] and profile["start_urls"] == [f"{en.base_url}/"]
    assert profile["title"] == "The Daily Example" and profile["language"] == "en"
    fixtures = sorted((folder / "fixtures" / "daily").glob("*.json"))
    assert len(fixtures) >= 2  # a fixture per article page read
    assert all(json.loads(f.read_text(encoding="utf-8"))["blocks"] for f in fixtures)
    # Nothing written inside the package.
    assert not (ROOT / "crawler" / "sites" / "daily.yaml").exists()
    # Checked, through the setting as well as the environment.
    check = _cli("profiles", "check", "daily", "--db", str(tmp_path / "none.db"), "-s", f"NEWS_PROFILES_DIR={folder}",
                 env={"NEWS_PROFILES_DIR": ""})  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"fixtures: {len(fixtures)}/{len(fixtures)} as expected" in check.stdout
    # Crawled by its name: the articles carry the profile's site key.
    db = tmp_path / "news.db"
    crawl = _cli("crawl", "daily", "--db", str(db), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", env=env)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    sites = {r["site"] for r in sqlite_utils.Database(db).query("select distinct site from articles")}
    assert sites == {"daily"}
    # A fixture that no longer matches (the site's template changed) fails the check.
    page = sorted((folder / "fixtures" / "daily").glob("*.html"))[0]
    page.write_text(page.read_text(encoding="utf-8").replace("<h1", "<h2").replace("</h1>", "</h2>"), encoding="utf-8")
    changed = _cli("profiles", "check", "daily", "--db", str(tmp_path / "none.db"), env=env)
    assert changed.returncode == 1 and f"differs: {page.name}: selector_misses" in changed.stdout, changed.stdout


@pytest.mark.e2e
def test_profiles_new_says_in_one_line_why_it_cannot(demo_sites, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, en = demo_sites
    env = {"NEWS_PROFILES_DIR": str(tmp_path / "sites")}
    forbidden = _cli("profiles", "new", f"{en.base_url}/subscribe", env=env)
    assert forbidden.returncode == 1 and "robots.txt forbids" in forbidden.stderr
    missing = _cli("profiles", "new", f"{en.base_url}/no-such-page.html", env=env)
    assert missing.returncode == 1 and "HTTP 404" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    first = _cli("profiles", "new", f"{en.base_url}/", "--name", "daily", "--pages", "1", env=env)
    assert first.returncode == 0, first.stderr
    again = _cli("profiles", "new", f"{en.base_url}/", "--name", "daily", env=env)
    assert again.returncode == 1 and "--force" in again.stderr


@pytest.mark.e2e
def test_a_site_already_covered_is_replaced_by_name_never_doubled(demo_sites, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ja, _ = demo_sites
    env = {"NEWS_PROFILES_DIR": str(tmp_path / "sites")}
    # demo-nhk (bundled) covers the Japanese demo site on its default port only: use a copy of
    # it that names this run's port.
    bundled = yaml.safe_load((ROOT / "crawler" / "sites" / "demo-nhk.yaml").read_text(encoding="utf-8"))
    _write(tmp_path / "sites", "demo-nhk", **{**{k: v for k, v in bundled.items() if k != "name"},
                                              "start_urls": [f"{ja.base_url}/"], "sitemaps": []})  # fmt: skip
    doubled = _cli("profiles", "new", f"{ja.base_url}/", env=env)
    assert doubled.returncode == 1 and "already covers this site: give --name demo-nhk" in doubled.stderr
    replaced = _cli("profiles", "new", f"{ja.base_url}/", "--name", "demo-nhk", "--force", "--pages", "2", env=env)
    assert replaced.returncode == 0, replaced.stderr
    assert yaml.safe_load((tmp_path / "sites" / "demo-nhk.yaml").read_text(encoding="utf-8"))["language"] == "ja"
