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
import re
import sqlite3
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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
    if db is not None and not db.strip():
        raise StoreError(
            f"the database URL is empty: name one, such as {DEFAULT_URL!r} "
            "or 'postgresql://user@host/dbname'"
        )
    text = db if db is not None else os.environ.get(ENV_VAR) or DEFAULT_URL
    try:
        url = sa.make_url(text)
    except (sa.exc.ArgumentError, ValueError):
        raise StoreError(
            f"{redacted(text)!r} is not a database URL (expected something like "
            f"{DEFAULT_URL!r} or 'postgresql://user@host/dbname')"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"{shown(url)} names a {backend!r} database; packlaw stores in SQLite or PostgreSQL"
        )
    return url


# Query parameters that hold a secret (psycopg's and libpq's among them).
_SECRET_KEYS = re.compile(r"pass|pwd|secret|token|key|auth|credential", re.IGNORECASE)


def shown(url: sa.URL) -> str:
    """The URL as it may appear in a message: never with a password, in its user part or query.

    >>> shown(resolve_url("postgresql://me:hunter2@db/packlaw?sslpassword=x&sslmode=require"))
    'postgresql+psycopg://me:***@db/packlaw?sslmode=require&sslpassword=***'
    """
    base = url.set(query={}).render_as_string(hide_password=True)
    pairs = [
        f"{key}={'***' if _SECRET_KEYS.search(key) else value}"
        for key, values in sorted(url.query.items())
        for value in ((values,) if isinstance(values, str) else values)
    ]
    return f"{base}?{'&'.join(pairs)}" if pairs else base


def redacted(text: str) -> str:
    """A would-be URL that could not be read, with anything that looks like a secret hidden.

    >>> redacted("postgresql://me:hunter2@db:port/x?password=y&sslmode=z")
    'postgresql://me:***@db:port/x?password=***&sslmode=z'
    """
    text = re.sub(r"(://[^:/@?#\s]*:)[^@/?#\s]*@", r"\1***@", text)
    return re.sub(
        r"([?&;][^=&;\s]*(?:pass|pwd|secret|token|key|auth|credential)[^=&;\s]*=)[^&;#\s]*",
        r"\1***",
        text,
        flags=re.IGNORECASE,
    )


def in_memory(url: sa.URL) -> bool:
    """Whether ``url`` names an SQLite database that lives only as long as its connection."""
    if url.get_backend_name() != "sqlite":
        return False
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def sqlite_path(url: sa.URL) -> Path | None:
    """The file an SQLite URL names (None for other backends and in-memory databases)."""
    if in_memory(url) or url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database.startswith("file:"):  # a URI filename
        return Path(database[len("file:") :].split("?", 1)[0])
    return Path(database)


def create_engine(url: sa.URL, *, read_only: bool = False) -> sa.Engine:
    """An engine for ``url`` set up for the store's durability and concurrency promises.

    ``read_only`` opens an SQLite file that this process cannot write for
    reading only; in a folder it cannot write either, as an immutable file.
    """
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url, read_only=read_only)
        connect_args: dict[str, Any] = {"application_name": "packlaw"}
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as error:
        raise StoreError(
            f"cannot use the database {shown(url)}: {first_line(error, url)}"
        ) from None


def _sqlite_engine(url: sa.URL, *, read_only: bool) -> sa.Engine:
    connect_args: dict[str, Any] = {"timeout": BUSY_TIMEOUT_MS / 1000}
    if read_only:
        path = sqlite_path(url)
        assert path is not None, "only a file can be opened read-only"
        query = {"mode": "ro", "uri": "true"}
        if not os.access(path.parent, os.W_OK):
            # SQLite cannot make the WAL index beside the file, and so reads it as a file
            # that does not change: a writer would need that folder too.
            query["immutable"] = "1"
        url = url.set(database=f"file:{path.resolve()}", query=query)
    engine = sa.create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("packlaw_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def use_wal(engine: sa.Engine) -> None:
    """Switch an SQLite database file to WAL mode (once: the file keeps it).

    Done when the store knows the file is packlaw's, or is about to make it
    so, never on opening: another application's database is left as it was.
    """
    if engine.url.get_backend_name() != "sqlite" or in_memory(engine.url):
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        _use_wal(cursor)
        cursor.close()
    finally:
        raw.close()


def _use_wal(cursor: Any) -> None:
    """Switch a database file to WAL mode, waiting out another process doing the same.

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


def first_line(error: BaseException, url: sa.URL | None = None) -> str:
    """The first line of a driver's message, without SQLAlchemy's boilerplate.

    With ``url``, any of its secrets the driver quoted back is hidden too.
    """
    inner = getattr(error, "orig", None) or error
    text = str(inner).strip() or type(inner).__name__
    line = text.splitlines()[0].strip().rstrip(".")
    if url is not None:
        secrets = [url.password, *(v for k, v in url.query.items() if _SECRET_KEYS.search(k))]
        for secret in secrets:
            for value in (secret,) if isinstance(secret, str) else secret or ():
                if value:
                    line = line.replace(str(value), "***")
    return line


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
        if _garbled(error):
            raise unreadable(url, error) from None
        raise StoreError(f"cannot {doing} {shown(url)}: {first_line(error, url)}") from None
    except (sa.exc.DatabaseError, sqlite3.DatabaseError) as error:
        if _garbled(error) or isinstance(error, sqlite3.DatabaseError):
            raise unreadable(url, error) from None
        raise StoreError(f"cannot {doing} {shown(url)}: {first_line(error, url)}") from None
    except KeyboardInterrupt as stop:
        # A signal (Ctrl-C, or SIGTERM raised as one) that stopped the driver mid-statement.
        # SQLAlchemy then closes the connection, but SQLite keeps it open, and its write
        # lock held, until the statement's cursor is freed, and the traceback's frames
        # hold that cursor. Free them, so that the command's next write (marking its run
        # interrupted, putting a sweep's points back) is not locked out.
        traceback.clear_frames(stop.__traceback__)
        raise


def _garbled(error: BaseException) -> bool:
    text = str(getattr(error, "orig", None) or error)
    return "malformed" in text or "not a database" in text or "file is encrypted" in text


def unreadable(url: sa.URL, error: BaseException) -> StoreError:
    """The error for a file that SQLite cannot read as a database (damaged, or not one)."""
    path = sqlite_path(url)
    name = str(path) if path is not None else shown(url)
    return StoreError(f"{name} is not a readable packlaw database ({first_line(error, url)})")
