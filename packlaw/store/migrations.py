"""Schema migrations: a short, ordered list of steps and a version table.

Why not Alembic: the schema is five tables that both backends share, and
the store must upgrade itself when it opens a database (a user runs
`packlaw` against an old ``packlaw.db`` and it just works). A list of plain
Core steps does that in forty lines, inside one transaction, with no
generated script directory or extra configuration to ship. If the schema
ever needs branches or downgrades, Alembic is the way to go.

Rules for adding a migration:

- append a new `Migration` to `MIGRATIONS`; never edit one that has shipped;
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


def _sweep_ledger(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table("runs", md, sa.Column("id", sa.Integer, primary_key=True))  # the key it refers to
    sa.Table(
        "sweeps",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("scenario_text", sa.Text, nullable=False),
        sa.Column("worlds", sa.Integer, nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("experiment", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    sa.Table(
        "sweep_points",
        md,
        sa.Column(
            "sweep_id",
            sa.Integer,
            sa.ForeignKey("sweeps.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("point_id", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("point_values", sa.JSON, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=True),
        sa.Column("outputs", sa.JSON, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed')", name="sweep_points_status_known"
        ),
        sa.Index("sweep_points_status", "sweep_id", "status"),
    )
    md.tables["sweeps"].create(conn)
    md.tables["sweep_points"].create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "chronicles and their statements", _chronicles_and_statements),
    Migration(2, "simulation runs and their daily metrics", _runs_and_metrics),
    Migration(6, "the sweep ledger: sweeps and their points", _sweep_ledger),
)
LATEST = MIGRATIONS[-1].version


def current_version(conn: sa.Connection) -> int:
    """The schema version of the database behind ``conn`` (0 for an empty one)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    table = _version_table(sa.MetaData())
    return conn.execute(sa.select(sa.func.max(table.c.version))).scalar_one_or_none() or 0


def migrate(engine: sa.Engine, *, target: int = LATEST) -> int:
    """Bring the database up to ``target`` (default: the newest schema); return its version.

    Does nothing, and takes no write lock, when the schema is already there.
    Raises `StoreError` when the database was made by a newer packlaw.
    """
    with engine.connect() as conn:
        version = current_version(conn)
        conn.rollback()
    if version == target:
        return version
    _refuse_newer(version)
    # Write-locked (see packlaw.store.engine): the check and the steps are one transaction.
    with engine.execution_options(packlaw_write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
        table = _version_table(sa.MetaData())
        table.create(conn, checkfirst=True)
        version = current_version(conn)  # again: another process may have migrated meanwhile
        _refuse_newer(version)
        for step in MIGRATIONS:
            if version < step.version <= target:
                step.apply(conn)
                conn.execute(
                    table.insert().values(
                        version=step.version,
                        description=step.description,
                        applied_at=dt.datetime.now(dt.UTC),
                    )
                )
                version = step.version
    return version


def _refuse_newer(version: int) -> None:
    if version > LATEST:
        raise StoreError(
            f"the database has schema version {version}, newer than this packlaw "
            f"understands ({LATEST}); upgrade packlaw to use it"
        )
