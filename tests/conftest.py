"""Fixtures shared by the whole test suite.

Databases
---------
``db_url`` runs a test once against SQLite (a fresh file) and once against a
real PostgreSQL (a fresh database), so one contract suite keeps both
backends to the same promises. The PostgreSQL server is started by the
test session itself:

- if ``PACKLAW_TEST_PG_URL`` is set, it names a database on an existing
  server, where the tests may create schemas; otherwise
- ``initdb`` makes a throwaway cluster in a temporary folder and ``pg_ctl``
  starts it on a free loopback port (its socket in the same folder), run as
  the ``postgres`` user when the tests run as root, since PostgreSQL refuses
  to run as root; a ``packlaw_test`` database is created in it. It is
  stopped and deleted when the session ends.

Each test gets a fresh schema of its own in that database.

Without PostgreSQL binaries the PostgreSQL half is skipped with the reason,
except in CI (``CI=true``), where it is an error: CI must test both.

``dump_store`` reads every row of every store table, to show that refused
input changed nothing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PG_URL_ENV = "PACKLAW_TEST_PG_URL"
PG_USER = "postgres"  # the unprivileged account that runs the server when we are root


class PostgresUnavailable(Exception):
    """Why no PostgreSQL server could be had."""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _pg_bindir() -> Path:
    """The newest PostgreSQL server binaries: Debian's versioned folders first, then PATH."""

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path))

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl) found; install the 'postgresql' "
        f"package or set {PG_URL_ENV}"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reachable_by_others(folder: Path) -> bool:
    """Whether a user other than the owner can reach into ``folder`` (x on it and every parent)."""
    return all(part.stat().st_mode & 0o001 for part in (folder, *folder.parents))


class _Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder."""

    def __init__(self) -> None:
        self.bindir = _pg_bindir()
        self.as_user: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="packlaw-pg-"))
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(PG_USER)
            except KeyError:
                raise PostgresUnavailable(
                    f"tests run as root and there is no {PG_USER!r} user to run PostgreSQL as"
                ) from None
            self.as_user = ["runuser", "-u", PG_USER, "--"]
            if not _reachable_by_others(self.folder.parent):
                # $TMPDIR is private to root: fall back to the system's shared temporary folder.
                self.folder.rmdir()
                self.folder = Path(tempfile.mkdtemp(prefix="packlaw-pg-", dir="/tmp"))
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = 0

    def _run(self, *args: str) -> None:
        try:
            subprocess.run(
                [*self.as_user, *args],
                cwd=self.folder,  # the server's user may not be allowed in ours
                check=True,
                capture_output=True,
                text=True,
                timeout=120,
            )
        except subprocess.CalledProcessError as error:
            detail = (error.stderr or error.stdout or "").strip().splitlines()
            raise PostgresUnavailable(
                f"{Path(args[0]).name} failed: {detail[-1] if detail else error}"
            ) from None
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PostgresUnavailable(f"{Path(args[0]).name} could not run: {error}") from None

    def start(self) -> str:
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data),
            "-U", "postgres",
            "-A", "trust",
            "-E", "UTF8",
            "--no-locale",
            "--no-sync",
        )  # fmt: skip
        last: PostgresUnavailable | None = None
        for _attempt in range(3):  # another process may take the free port first
            self.port = _free_port()
            options = (
                f"-h 127.0.0.1 -p {self.port} -k {self.folder} "
                "-c fsync=off -c full_page_writes=off -c max_connections=50"
            )
            try:
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "-D", str(self.data),
                    "-l", str(self.log),
                    "-o", options,
                    "-w", "-t", "60",
                    "start",
                )  # fmt: skip
            except PostgresUnavailable as error:
                last = error
                continue
            self._run(
                str(self.bindir / "createdb"),
                "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                "packlaw_test",
            )  # fmt: skip
            return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/packlaw_test"
        log = self.log.read_text(errors="replace").strip().splitlines() if self.log.exists() else []
        raise PostgresUnavailable(f"{last}; server log: {log[-1] if log else 'empty'}")

    def stop(self) -> None:
        if self.port:
            with contextlib.suppress(PostgresUnavailable):
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
                )
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL database where the tests may create schemas (see the module docstring)."""
    given = os.environ.get(PG_URL_ENV)
    if given:
        yield given
        return
    cluster: _Cluster | None = None
    reason = ""
    try:
        cluster = _Cluster()
        url = cluster.start()
    except PostgresUnavailable as error:
        reason = f"PostgreSQL unavailable: {error}"
    if reason:  # outside the except block, so the report shows the reason alone
        if cluster is not None:
            cluster.stop()
        if _in_ci():
            pytest.fail(
                f"{reason} (CI=true: the PostgreSQL half of the suite must run)", pytrace=False
            )
        pytest.skip(reason)
    assert cluster is not None
    try:
        yield url
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema for one test, dropped after it.

    A schema (set as the connection's ``search_path`` in the URL) rather than
    a database per test: as isolated for the store, and ten times quicker.
    """
    import psycopg
    import sqlalchemy as sa

    server = sa.make_url(postgres_server)
    name = f"packlaw_test_{uuid.uuid4().hex[:12]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        url = server.update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty database: once SQLite (a fresh file), once PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'packlaw.db'}"
    return str(request.getfixturevalue("postgres_url"))


StoreDump = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def dump_store() -> Callable[[str], StoreDump]:
    """A function giving every row of every store table at a URL, in primary-key order."""
    import sqlalchemy as sa

    from packlaw.store import resolve_url, schema

    def dump(url: str) -> StoreDump:
        engine = sa.create_engine(resolve_url(url))
        try:
            with engine.connect() as conn:
                return {
                    table.name: [
                        tuple(row)
                        for row in conn.execute(
                            sa.select(table).order_by(*table.primary_key.columns)
                        )
                    ]
                    for table in schema.metadata.sorted_tables
                }
        finally:
            engine.dispose()

    return dump


@pytest.fixture(scope="session", autouse=True)
def _simulator_kernels_in_the_cache() -> None:
    """Compile the simulator's kernels into Numba's cache first, as `make test` does.

    Commands the tests run (in this process or another) then load them and
    print no compile notice, even after a source of the simulator changed.
    """
    from packlaw.sim.run import warm_up

    warm_up()
