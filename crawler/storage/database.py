"""Opening a news database: create or migrate ours, refuse anything else with one clear line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from crawler.storage.migrations import MIGRATIONS, migrate
from crawler.storage.search import register_functions

MARKER_TABLES = {"_migrations", "articles"}


class DatabaseError(Exception):
    """A database that cannot be used; the message is one line and names the file."""


def is_news_database(path: str | Path) -> bool:
    """Whether the file is a news-crawler database, read-only (for Datasette, which may hold others)."""
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return MARKER_TABLES <= names


def _check_ours(db: sqlite_utils.Database, path: Path) -> None:
    tables = set(db.table_names())
    if tables and not MARKER_TABLES <= tables:
        raise DatabaseError(
            f"{path}: not a news-crawler database (tables: {', '.join(sorted(tables)[:5])}); refusing to touch it"
        )
    if "_migrations" in tables:
        known = {fn.__name__ for fn in MIGRATIONS}
        newer = sorted({r[0] for r in db.execute("select name from _migrations")} - known)
        if newer:
            raise DatabaseError(
                f"{path}: made by a newer news-crawler (schema {newer[-1]}); upgrade news-crawler to use it"
            )


def open_db(
    path: str | Path, timeout: float = 30.0, create: bool = True, check_same_thread: bool = True
) -> sqlite_utils.Database:
    """Open a news database in WAL mode, migrated to the current schema.

    create=False refuses a missing file (export, re-clean). A file that is not SQLite, or an
    SQLite database of another application, is refused without a write. check_same_thread=False
    lets the caller hand the connection to another thread (one at a time: the crawl's writer)."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise DatabaseError(f"{path}: no such database; run a crawl first (python -m crawler demo)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"{path}: cannot create its folder: {exc.strerror or exc}") from exc
    elif path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    try:
        db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=timeout, check_same_thread=check_same_thread))
        register_functions(db.conn)  # the search index's triggers call them
        _check_ours(db, path)
        db.enable_wal()
        migrate(db)
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "file is not a database" in message:
            message = "not an SQLite database"
        elif "readonly" in message or "unable to open" in message:
            message = f"cannot write ({message}): is the file or its folder read-only?"
        raise DatabaseError(f"{path}: {message}") from exc
    return db


def check_writable(path: str | Path, timeout: float) -> None:
    """Refuse, in one line, a database another writer keeps locked past the timeout (before a
    crawl starts, rather than failing in its first batch). A missing file is fine: it is created."""
    path = Path(path)
    if not path.exists():
        return
    conn = sqlite3.connect(str(path), timeout=timeout)
    try:
        conn.execute("begin immediate")
        conn.execute("rollback")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseError(
                f"{path}: locked by another writer for more than {timeout:g} s (NEWS_DB_TIMEOUT); "
                "is another program writing to it?"
            ) from exc
        raise DatabaseError(f"{path}: {exc}") from exc
    finally:
        conn.close()
