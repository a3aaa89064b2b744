"""Databases from older versions are migrated in place; newer and foreign ones are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from crawler.storage import DatabaseError, open_db
from crawler.storage.migrations import MIGRATIONS


def old_database(path: Path) -> None:
    """A database as version 0.1 (migrations m001-m003) wrote it, with ad-hoc site names."""
    db = sqlite_utils.Database(path)
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    for fn in MIGRATIONS[:3]:
        fn(db)
        db["_migrations"].insert({"name": fn.__name__, "applied_at": "2026-01-01T00:00:00+00:00"})
    db["articles"].insert_all(
        [
            {"url": "https://www3.nhk.or.jp/news/1.html", "site": "NHK NEWS WEB", "title": "a"},
            {"url": "http://127.0.0.1:8701/news/2.html", "site": "demo-nhk", "title": "b"},
        ]
    )
    db["stripped_blocks"].insert({"article_url": "https://www3.nhk.or.jp/news/1.html", "site": "NHK NEWS WEB"})
    db["boilerplate"].insert({"site": "NHK NEWS WEB", "key": "k", "text": "関連ニュース"})


def test_an_older_database_is_migrated_in_place_with_stable_site_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    db = open_db(path)
    rows = {r["url"]: r for r in db.query("select url, site, site_name from articles")}
    assert rows["https://www3.nhk.or.jp/news/1.html"]["site"] == "nhk.or.jp"
    assert rows["https://www3.nhk.or.jp/news/1.html"]["site_name"] == "NHK NEWS WEB"
    assert rows["http://127.0.0.1:8701/news/2.html"]["site"] == "demo-nhk"  # a profile name stays
    assert [r["site"] for r in db.query("select site from stripped_blocks")] == ["nhk.or.jp"]
    assert db["boilerplate"].count == 0  # learned again under the new key by the next crawl or re-clean
    assert "config" in db["crawls"].columns_dict
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_db(path).execute("insert into _migrations values ('m999_future', '2030-01-01')").connection.commit()
    with pytest.raises(DatabaseError, match="made by a newer news-crawler"):
        open_db(path)


def test_an_empty_sqlite_file_becomes_ours_but_a_foreign_one_never(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite_utils.Database(empty).execute("select 1")
    assert "articles" in open_db(empty).table_names()
    foreign = tmp_path / "app.db"
    sqlite_utils.Database(foreign)["users"].insert({"id": 1})
    with pytest.raises(DatabaseError, match="not a news-crawler database"):
        open_db(foreign)
    assert sqlite_utils.Database(foreign).table_names() == ["users"]


def test_signatures_of_an_older_database_are_made_anew_with_band_keys(tmp_path: Path) -> None:
    """m009: the MinHash of every stored body is made again (vectorised shingle hash) and its band
    keys indexed, so near-duplicates of old articles are still found."""
    path = tmp_path / "m8.db"
    db = sqlite_utils.Database(path)
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    for fn in MIGRATIONS[:8]:
        fn(db)
        db["_migrations"].insert({"name": fn.__name__, "applied_at": "2026-01-01T00:00:00+00:00"})
    body = "The harbour board voted to close the old ferry pier after engineers found cracks in its pillars. " * 2
    db["articles"].insert({"url": "https://ex.com/a", "site": "ex.com", "title": "a", "body": body})
    db["article_minhash"].insert({"url": "https://ex.com/a", "signature": b"\0" * 512})  # the old hash
    db.conn.close()
    from crawler.storage import ArticleStore

    store = ArticleStore(open_db(path))
    assert store.db["article_minhash"].count == 1 and store.db["minhash_bands"].count == 20  # rebuilt
    store.upsert_articles([{"url": "https://ex.com/b", "site": "ex.com", "title": "b", "body": body + "(AP)"}], None)
    assert store.db["articles"].get("https://ex.com/b")["duplicate_of"] == "https://ex.com/a"


def test_a_migration_that_fails_leaves_nothing_and_runs_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each migration is one transaction: one that fails half-way leaves neither its first
    changes nor its row in _migrations, and the next open applies it whole."""
    from crawler.storage import migrations

    path = tmp_path / "n.db"
    open_db(path).conn.close()
    calls = []

    def m999_two_steps(db: sqlite_utils.Database) -> None:
        db.execute("create table new_things (id integer primary key)")
        db.execute("insert into new_things values (1)")
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, m999_two_steps])
    with pytest.raises(DatabaseError):
        open_db(path)
    db = sqlite_utils.Database(path)
    assert "new_things" not in db.table_names()
    assert "m999_two_steps" not in {r["name"] for r in db["_migrations"].rows}
    db.conn.close()
    assert open_db(path)["new_things"].count == 1


def test_blogs_pooled_under_a_private_suffix_become_sites_of_their_own(tmp_path: Path) -> None:
    path = tmp_path / "pooled.db"
    db = open_db(path)
    db.execute("delete from _migrations where name = 'm015_private_suffix_site_keys'")
    rows = [
        ("https://juliasleseblog.blogspot.com/2018/08/irland.html", "blogspot.com"),
        ("https://emacspeak.blogspot.com/2019/10/x.html", "blogspot.com"),
        ("https://www.nhk.or.jp/news/1.html", "nhk.or.jp"),
    ]
    db["articles"].insert_all([{"url": url, "site": site, "title": "t"} for url, site in rows])
    db["block_occurrences"].insert({"article_url": rows[0][0], "site": "blogspot.com", "key": "k"})
    db["boilerplate"].insert({"site": "blogspot.com", "key": "k", "text": "Newer Post Older Post Home"})
    db.conn.commit()
    db = open_db(path)  # the migration runs again
    assert {r["url"]: r["site"] for r in db.query("select url, site from articles")} == {
        rows[0][0]: "juliasleseblog.blogspot.com",
        rows[1][0]: "emacspeak.blogspot.com",
        rows[2][0]: "nhk.or.jp",
    }
    assert [r["site"] for r in db.query("select site from block_occurrences")] == ["juliasleseblog.blogspot.com"]
    assert db["boilerplate"].count == 0  # learned again per blog by the next crawl or re-clean
