"""Schema migrations: a short, ordered list of steps and a version table.

Why not Alembic: the schema is five tables that both backends share, and
the store must upgrade itself when it opens a database (a user runs
`packlaw` against an old ``packlaw.db`` and it just works). A list of plain
Core steps does that in forty lines, inside one transaction, with no
generated script directory or extra configuration to ship. If the schema
ever needs branches or downgrades, Alembic is the way to go.

Rules for adding a migration:

- append a new `Migration` to `MIGRATIONS`; never edit one that has shipped.
  Steps run in version order, and a step missing from a database is run
  even when a higher one was applied before it (numbers reserved for work
  in parallel land in any order);
- each step builds its own frozen `sa.Table` objects (never the live ones in
  `packlaw.store.schema`, which describe only the newest schema);
- update `packlaw.store.schema` to match (a test checks the two agree).

``migrate`` runs the missing steps in one transaction, holding the write
lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), so two
processes opening a fresh database at once do not both create it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from packlaw.store.errors import StoreError

# An arbitrary constant naming packlaw's migration lock among PostgreSQL advisory locks.
_PG_MIGRATION_LOCK = 0x7061636B6C6177  # "packlaw"


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version number, what it does, and how."""

    version: int
    description: str
    apply: Callable[[sa.Connection], None]


def _version_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "schema_version",
        metadata,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )


def _chronicles_and_statements(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "chronicles",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    sa.Table(
        "statements",
        md,
        sa.Column(
            "chronicle_id",
            sa.Integer,
            sa.ForeignKey("chronicles.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("line", sa.Text, nullable=False),
        sa.CheckConstraint("sequence >= 1", name="statements_sequence_positive"),
    )
    md.create_all(conn)


def _runs_and_metrics(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "runs",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("scenario_text", sa.Text, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("worlds", sa.Integer, nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'failed', 'interrupted')", name="runs_status_known"
        ),
        sqlite_autoincrement=True,
    )
    sa.Table(
        "run_metrics",
        md,
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("metric", sa.String(100), primary_key=True),
        sa.Column("mean", sa.Float, nullable=True),
        sa.Column("sd", sa.Float, nullable=True),
        sa.Column("p5", sa.Float, nullable=True),
        sa.Column("p50", sa.Float, nullable=True),
        sa.Column("p95", sa.Float, nullable=True),
    )
    md.create_all(conn)


def _run_host_and_process(conn: sa.Connection) -> None:
    # Which machine and process runs a run, so a run whose process died shows as interrupted.
    for column in (sa.Column("host", sa.String(255)), sa.Column("pid", sa.Integer)):
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE runs ADD COLUMN {column.name} {kind}"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "chronicles and their statements", _chronicles_and_statements),
    Migration(2, "simulation runs and their daily metrics", _runs_and_metrics),
    Migration(4, "the host and process id of a run", _run_host_and_process),
)
LATEST = max(step.version for step in MIGRATIONS)


def packlaw_tables() -> frozenset[str]:
    """The tables the migrations make, ``schema_version`` included."""
    from packlaw.store.schema import metadata

    return frozenset(metadata.tables)


def current_version(conn: sa.Connection) -> int:
    """The schema version of the database behind ``conn`` (0 for an empty one)."""
    return max(applied(conn), default=0)


def applied(conn: sa.Connection) -> set[int]:
    """The versions of the migrations applied to the database behind ``conn``."""
    if not sa.inspect(conn).has_table("schema_version"):
        return set()
    table = _version_table(sa.MetaData())
    return set(conn.execute(sa.select(table.c.version)).scalars())


def _missing(done: set[int], target: int) -> list[Migration]:
    # Every step not applied yet, in order: a step numbered below one already applied
    # (reserved numbers land in any order) is applied too.
    return sorted(
        (step for step in MIGRATIONS if step.version <= target and step.version not in done),
        key=lambda step: step.version,
    )


def migrate(engine: sa.Engine, *, target: int = LATEST) -> int:
    """Bring the database up to ``target`` (default: the newest schema); return its version.

    Does nothing, and takes no write lock, when the schema is already there.
    Raises `StoreError` when the database was made by a newer packlaw.
    """
    with engine.connect() as conn:
        done = applied(conn)
        conn.rollback()
    _refuse_newer(max(done, default=0))
    if not _missing(done, target):
        return max(done, default=0)
    # Write-locked (see packlaw.store.engine): the check and the steps are one transaction.
    with engine.execution_options(packlaw_write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
        table = _version_table(sa.MetaData())
        table.create(conn, checkfirst=True)
        done = applied(conn)  # again: another process may have migrated meanwhile
        _refuse_newer(max(done, default=0))
        for step in _missing(done, target):
            step.apply(conn)
            conn.execute(
                table.insert().values(
                    version=step.version,
                    description=step.description,
                    applied_at=dt.datetime.now(dt.UTC),
                )
            )
            done.add(step.version)
    return max(done, default=0)


def _refuse_newer(version: int) -> None:
    if version > LATEST:
        raise StoreError(
            f"the database has schema version {version}, newer than this packlaw "
            f"understands ({LATEST}); upgrade packlaw to use it"
        )
