"""The store's database: which one (SQLite in the data folder, or $PLAYGROUND_DATABASE_URL), how to connect, how
SQLite returns space, sets a damaged file aside, and what a database error means in one line.

SQLite runs in WAL mode (readers never wait for the writer), with incremental auto-vacuum (deleted rows give their
pages back to the file system) and BEGIN IMMEDIATE for writes (a writer waits for the lock instead of failing
half-way). PostgreSQL needs nothing but a database: the tables are created on first use.
"""

import contextlib
import os
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from playground.paths import data_dir
from playground.store.limits import SettingsError

URL_VARIABLE = "PLAYGROUND_DATABASE_URL"
SQLITE_FILE = "sessions.sqlite3"
BUSY_TIMEOUT_S = 15.0  # a writer waits this long for another one (SQLite) before giving up
WAL_LIMIT_BYTES = 4 * 2**20  # the WAL file is cut back to this after a checkpoint
CONNECT_TIMEOUT_S = 10  # PostgreSQL: an unreachable server is reported after this long
WRITE = {"store_write": True}  # execution option of a writing transaction

# SQLite's primary result codes (https://sqlite.org/rescode.html)
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26
_SQLITE_MEANING = {
    5: "is busy: another process holds it locked",
    6: "is locked",
    8: "is read-only",
    10: "cannot be read or written (an I/O error)",
    13: "cannot grow: the disk is full",
    14: "cannot be opened",
    23: "may not be opened (permission denied)",
}


class StoreError(RuntimeError):
    """The store could not do what was asked; the message says why in one line."""


class StoreUnavailable(StoreError):
    """The database cannot be opened, read or written now (permissions, a full disk, a server that is down)."""


def database_url() -> URL:
    """$PLAYGROUND_DATABASE_URL (postgresql+psycopg://… or sqlite:///…), else sessions.sqlite3 in data_dir().

    Raises SettingsError (one line) for a URL that does not parse or names another kind of database.
    """
    raw = os.environ.get(URL_VARIABLE, "").strip()
    if not raw:
        return URL.create("sqlite", database=str(data_dir() / SQLITE_FILE))
    try:
        url = make_url(raw)
    except (sa.exc.ArgumentError, ValueError):
        raise SettingsError(f"{URL_VARIABLE} is not a database URL (e.g. postgresql+psycopg://user@host/db)") from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")  # the one PostgreSQL driver requirements-cluster.txt installs
    if backend == "sqlite" and url.database not in (None, "", ":memory:"):
        return url.set(drivername="sqlite")
    raise SettingsError(f"{URL_VARIABLE} must name a PostgreSQL database or a SQLite file, not {backend!r}")


def sqlite_url(path: Path) -> URL:
    """The URL of a SQLite file."""
    return URL.create("sqlite", database=str(path))


def is_sqlite(url: URL) -> bool:
    """True for a SQLite file."""
    return url.get_backend_name() == "sqlite"


def shown(url: URL) -> str:
    """Where the store is, for messages: the file, or the URL without its password."""
    return url.database if is_sqlite(url) else url.render_as_string(hide_password=True)


def open_engine(url: URL) -> Engine:
    """An engine for the store's database (no connection is made yet)."""
    if is_sqlite(url):
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        import psycopg  # noqa: F401 - only to say what is missing before SQLAlchemy does
    except ImportError:
        raise SettingsError(
            f"{URL_VARIABLE} names PostgreSQL, but psycopg is not installed (pip install -r requirements-cluster.txt)"
        ) from None
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def _sqlite_connect(connection, _record) -> None:
    # Python's sqlite3 would BEGIN on its own before some statements and not others: we begin ourselves.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect when the file is created (or VACUUMed)
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable across a crash of the app, not of the machine
    cursor.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # A writer takes the write lock at BEGIN: one that read first and wrote later could fail instead of waiting.
    immediate = connection.get_execution_options().get("store_write")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def run_script(engine: Engine, script: str) -> None:
    """Run SQLite statements outside any transaction, each to its end (VACUUM, incremental_vacuum, checkpoints)."""
    with engine.connect() as connection:
        # executescript steps every statement to its end; a plain execute() frees one page of incremental_vacuum.
        connection.connection.dbapi_connection.executescript(script)


def reclaim(engine: Engine) -> None:
    """Give a SQLite file's free pages back to the file system and cut its WAL back (busy readers: next time)."""
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's autovacuum makes the space of deleted rows reusable
    with contextlib.suppress(sa.exc.DBAPIError):
        run_script(engine, "PRAGMA incremental_vacuum; PRAGMA wal_checkpoint(TRUNCATE);")


def integrity_problem(engine: Engine) -> str | None:
    """What SQLite's quick check finds wrong with the file (it reads every page), or None when it is sound."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("PRAGMA quick_check").fetchall()
        connection.rollback()
    found = [str(row[0]) for row in rows]
    return None if found == ["ok"] else "; ".join(found[:3])


def sqlite_code(error: BaseException) -> int | None:
    """SQLite's primary result code behind an error (SQLAlchemy's or sqlite3's), or None."""
    original = getattr(error, "orig", error)
    code = getattr(original, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_corruption(error: BaseException) -> bool:
    """True when SQLite says the file is damaged or not a database at all (never for an I/O or permission error)."""
    return sqlite_code(error) in (SQLITE_CORRUPT, SQLITE_NOTADB)


def unavailable(error: BaseException, url: URL) -> StoreUnavailable:
    """The error as StoreUnavailable, saying in one line what it is: read-only, disk full, server down, …"""
    original = getattr(error, "orig", None) or error
    detail = (str(original).strip().splitlines() or [type(original).__name__])[0]
    where = shown(url)
    if is_sqlite(url):
        code = sqlite_code(error)
        meaning = _SQLITE_MEANING.get(code) if code is not None else None
        folder = Path(url.database).parent
        if isinstance(original, OSError) or code in (8, 14, 23):
            if not folder.is_dir():
                meaning = f"cannot be created: its folder {folder} does not exist or is not a folder"
            elif not os.access(folder, os.W_OK):
                meaning = f"cannot be written: its folder {folder} is read-only"
        return StoreUnavailable(f"session store {where} {meaning or 'failed'}: {detail}")
    return StoreUnavailable(f"session store {where} cannot be used: {detail}")


def set_aside(path: Path, now: float | None = None) -> Path:
    """Rename a damaged SQLite file (and its WAL and shared-memory files) to <name>.damaged-<time>; the new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    path.replace(aside)
    for suffix in ("-wal", "-shm"):  # the WAL may hold the file's latest pages: it goes with it, never into a new one
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.replace(Path(f"{aside}{suffix}"))
    return aside
