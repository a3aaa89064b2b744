"""The demo database opens in real Datasette, read-only, with our metadata from the plugin."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

pytestmark = pytest.mark.e2e


def test_any_file_name_gets_our_metadata_from_the_plugin(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    db = tmp_path / "tokyo-2026.db"  # not news.db: metadata.json alone would not apply
    shutil.copy(demo_db[0], db)
    other = tmp_path / "notes.db"
    sqlite_utils.Database(other)["notes"].insert({"text": "mine"})

    async def run() -> None:
        ds = Datasette([], immutables=[str(db), str(other)])
        await ds.invoke_startup()
        plugins = (await ds.client.get("/-/plugins.json")).json()
        assert any(p["name"] == "news-crawler" and "get_metadata" in p["hooks"] for p in plugins)
        rows = (await ds.client.get("/tokyo-2026/articles.json?_shape=array&_size=max")).json()
        assert any(r["url"].endswith("k10013519522.html") for r in rows)
        page = await ds.client.get("/tokyo-2026/articles")
        assert page.status_code == 200
        assert "One row per article URL" in page.text  # table description from our metadata
        facets = (await ds.client.get("/tokyo-2026/articles.json?_facet=site_name")).json()
        names = {f["value"] for f in facets["facet_results"]["site_name"]["results"]}
        assert names == {"NHKデモニュース", "The Daily Example"}
        assert "site" in (await ds.client.get("/tokyo-2026/articles.json")).json()["facet_results"]  # default facets
        assert not ds.databases["tokyo-2026"].is_mutable
        # Another application's database gets none of it.
        notes = await ds.client.get("/notes/notes")
        assert "One row per article URL" not in notes.text

    asyncio.run(run())
