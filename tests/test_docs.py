"""The README and docs/ are checked against the code: settings, columns, profiles, commands, links."""

from __future__ import annotations

import re
from pathlib import Path

import sqlite_utils

from crawler.config import SETTING_NAMES
from crawler.storage import open_db

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}


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
        assert f"`{name}`" in DOCS["settings.md"], name


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
        "warc_files",
        "warc_done",
    ):
        for column in db[table].columns_dict:
            assert f"`{column}`" in DOCS["storage.md"], f"{table}.{column}"


def test_every_site_profile_is_named_in_the_readme() -> None:
    for path in (ROOT / "crawler" / "sites").glob("*.yaml"):
        assert f"`{path.stem}`" in DOCS["profiles.md"], path.stem


def test_readme_reads_in_five_minutes() -> None:
    assert len(README.splitlines()) <= 250


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_relative_link_resolves() -> None:
    """Links between the README and docs/ (and to files of the repository) point at files that
    exist, and a #fragment at a heading of that file."""
    pages = {ROOT / "README.md": README, **{ROOT / "docs" / name: text for name, text in DOCS.items()}}
    broken = []
    for page, text in pages.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, fragment = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target}")
            elif fragment and file.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)
                if fragment not in {_anchor(h) for h in headings}:
                    broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, broken


def test_commands_named_in_the_readme_exist() -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    named = set(re.findall(r"news-crawler ([a-z]+)", README))
    assert {"serve", "search", "crawl", "schedule", "export"} <= named
    for command in named:
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_every_docs_page_is_listed_in_the_readme() -> None:
    for name in DOCS:
        assert f"(docs/{name})" in README, name
