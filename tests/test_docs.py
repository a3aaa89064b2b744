"""The README is checked against the code: settings, columns, commands."""

from __future__ import annotations

import re
from pathlib import Path

import sqlite_utils

from crawler.config import SETTING_NAMES
from crawler.storage import open_db

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_news_setting_is_documented() -> None:
    assert "NEWS_DB" in SETTING_NAMES
    for name in SETTING_NAMES:
        assert f"`{name}`" in README, name


def test_every_column_is_documented(tmp_path: Path) -> None:
    db: sqlite_utils.Database = open_db(tmp_path / "x.db")
    for table in (
        "articles",
        "crawls",
        "drops",
        "pages",
        "date_mentions",
        "stripped_blocks",
        "boilerplate",
        "block_occurrences",
        "article_minhash",
        "minhash_bands",
        "minhash_bands_new",
        "minhash_bands_mid",
        "minhash_filter",
        "decisions",
        "article_versions",
        "fetch_state",
    ):
        for column in db[table].columns_dict:
            assert f"`{column}`" in README, f"{table}.{column}"


def test_every_site_profile_is_named_in_the_readme() -> None:
    for path in (ROOT / "crawler" / "sites").glob("*.yaml"):
        assert f"`{path.stem}`" in README, path.stem
