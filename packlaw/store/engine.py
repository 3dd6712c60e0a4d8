"""Database URLs and engines: which database, and how to talk to it safely.

SQLite is opened in WAL mode (readers never block the writer), with a busy
timeout (a second writer waits its turn instead of failing at once),
``synchronous=FULL`` (a commit that returned survives a crash of the
process *and* of the machine) and foreign keys on. Writes begin with
``BEGIN IMMEDIATE`` so that a writer holds the lock from its first read of
the tail to its commit: SQLite writers queue, and never fail half-way on a
stale snapshot.

PostgreSQL is reached with psycopg 3; a plain ``postgresql://`` URL is taken
to mean ``postgresql+psycopg://``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from packlaw.store.errors import StoreError

DEFAULT_URL = "sqlite:///packlaw.db"
ENV_VAR = "PACKLAW_DB"
BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10


def resolve_url(db: str | None = None) -> sa.URL:
    """The database to use: ``db`` if given, else ``$PACKLAW_DB``, else ``sqlite:///packlaw.db``.

    Raises `StoreError` with one sentence when the URL cannot be read or
    names a database packlaw does not support.

    >>> resolve_url("sqlite:///runs.db").database
    'runs.db'
    >>> resolve_url("postgresql://me@db.example/packlaw").drivername
    'postgresql+psycopg'
    """
    text = db if db else os.environ.get(ENV_VAR) or DEFAULT_URL
    try:
        url = sa.make_url(text)
    except (sa.exc.ArgumentError, ValueError) as error:
        raise StoreError(
            f"{text!r} is not a database URL (expected something like "
            f"{DEFAULT_URL!r} or 'postgresql://user@host/dbname'): {error}"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"{shown(url)} names a {backend!r} database; packlaw stores in SQLite or PostgreSQL"
        )
    return url


def shown(url: sa.URL) -> str:
    """The URL as it may appear in a message: never with its password."""
    return url.render_as_string(hide_password=True)


def create_engine(url: sa.URL) -> sa.Engine:
    """An engine for ``url`` set up for the store's durability and concurrency promises."""
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url)
        connect_args: dict[str, Any] = {"application_name": "packlaw"}
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as error:
        raise StoreError(f"cannot use the database {shown(url)}: {first_line(error)}") from None


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("packlaw_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _use_wal(cursor: Any) -> None:
    """Switch a database file to WAL mode (once; later opens find it so).

    The switch needs an exclusive lock, and two processes making a new file
    at once can each hold the shared lock the other waits for: SQLite then
    answers "locked" at once instead of waiting out the busy timeout, so
    the switch is retried here for as long as that timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def first_line(error: BaseException) -> str:
    """The first line of a driver's message, without SQLAlchemy's boilerplate."""
    inner = getattr(error, "orig", None) or error
    text = str(inner).strip() or type(inner).__name__
    return text.splitlines()[0].strip().rstrip(".")


@contextmanager
def translated(url: sa.URL, doing: str) -> Iterator[None]:
    """Turn the driver's connection and operation failures into one-sentence `StoreError`s.

    ``doing`` completes "cannot ...", as in ``"open the database"``.
    """
    try:
        yield
    except sa.exc.IntegrityError:
        raise  # callers give integrity errors their meaning (a conflict, a duplicate name)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        raise StoreError(f"cannot {doing} {shown(url)}: {first_line(error)}") from None
