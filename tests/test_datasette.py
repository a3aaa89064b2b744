"""The demo database opens in real Datasette, read-only, with our metadata."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from datasette.app import Datasette

METADATA = Path(__file__).resolve().parents[1] / "crawler" / "datasette" / "metadata.json"


def test_demo_db_browses_in_datasette(demo_db: tuple[Path, str], tmp_path: Path) -> None:
    db = tmp_path / "news.db"  # the metadata's database name is the file stem
    shutil.copy(demo_db[0], db)

    async def run() -> None:
        ds = Datasette([], immutables=[str(db)], metadata=json.loads(METADATA.read_text()))
        await ds.invoke_startup()
        rows = (await ds.client.get("/news/articles.json?_shape=array&_size=max")).json()
        assert any(r["url"].endswith("k10013519522.html") for r in rows)
        page = await ds.client.get("/news/articles")
        assert page.status_code == 200
        assert "One row per article URL" in page.text  # table description from metadata
        facets = (await ds.client.get("/news/articles.json?_facet=site")).json()
        sites = {f["value"] for f in facets["facet_results"]["site"]["results"]}
        assert sites == {"NHKデモニュース", "The Daily Example"}
        assert not ds.databases["news"].is_mutable

    asyncio.run(run())
