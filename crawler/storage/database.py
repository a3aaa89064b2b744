"""Opening a news database: create or migrate ours, refuse anything else with one clear line."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

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


def open_reader(path: str | Path, timeout: float = 30.0) -> sqlite_utils.Database:
    """Open a news database to read it, and nothing else: the read commands (search, export,
    report, runs, profiles, serve) never need write access. On a read-only file or folder it is
    opened immutable (SQLite then needs no -wal or -shm file). An empty file is refused, not given
    a schema; a database older than this news-crawler is brought up to date first where it can be
    written, and refused in one line where it cannot."""
    path = Path(path)
    if not path.exists():
        raise DatabaseError(f"{path}: no such database; run a crawl first (python -m crawler demo)")
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    if path.stat().st_size == 0:
        raise DatabaseError(f"{path}: an empty file, not a news-crawler database; refusing to touch it")
    writable = os.access(path, os.W_OK) and os.access(path.resolve().parent, os.W_OK)
    try:
        if writable:
            open_db(path, timeout, create=False).conn.close()  # migrated where it may be written
        mode = "ro" if writable else "ro&immutable=1"
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode={mode}", uri=True, timeout=timeout)
        db = sqlite_utils.Database(conn)
        register_functions(db.conn)
        _check_ours(db, path)
        if not db.table_names():
            raise DatabaseError(f"{path}: an empty database, not a news-crawler one; refusing to touch it")
        pending = _pending(db)
        if pending:
            raise DatabaseError(
                f"{path}: made by an older news-crawler (schema before {pending[0]}) and read-only here; "
                "open it once where it can be written to bring it up to date"
            )
    except sqlite3.DatabaseError as exc:
        message = "not an SQLite database" if "file is not a database" in str(exc) else str(exc)
        raise DatabaseError(f"{path}: {message}") from exc
    return db


def _pending(db: sqlite_utils.Database) -> list[str]:
    done = {r[0] for r in db.execute("select name from _migrations")} if "_migrations" in db.table_names() else set()
    return [fn.__name__ for fn in MIGRATIONS if fn.__name__ not in done]


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
