"""The tables, as SQLAlchemy Core objects: one schema for SQLite and PostgreSQL.

This module describes the schema the code reads and writes *now*; the DDL
that builds it, step by step, lives in `packlaw.store.migrations` (a test
checks that the two agree).

- ``chronicles``: one row per stored chronicle (its name and title).
- ``statements``: every statement of every chronicle, in order, as its
  canonical notation line plus the day it falls on. The primary key
  ``(chronicle_id, sequence)`` is what makes two writers who claim the same
  place collide instead of overwriting each other.
- ``runs``: one row per simulation run (with the host and process id that
  run it); ``run_metrics``: per-day figures of
  a run, one row per (run, day, metric).
- ``schema_version``: one row per migration applied.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

RUN_STATUSES = ("running", "done", "failed", "interrupted")

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

chronicles = sa.Table(
    "chronicles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,  # never reuse the id of a deleted chronicle
)

statements = sa.Table(
    "statements",
    metadata,
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

runs = sa.Table(
    "runs",
    metadata,
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
    # Where the run runs (migration 4): a run still `running` whose process is gone is shown
    # as interrupted. NULL for runs stored before.
    sa.Column("host", sa.String(255), nullable=True),
    sa.Column("pid", sa.Integer, nullable=True),
    sa.CheckConstraint(
        "status IN ('running', 'done', 'failed', 'interrupted')", name="runs_status_known"
    ),
    sqlite_autoincrement=True,
)

run_metrics = sa.Table(
    "run_metrics",
    metadata,
    sa.Column(
        "run_id",
        sa.Integer,
        sa.ForeignKey("runs.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("metric", sa.String(100), primary_key=True),
    # Nullable: a figure that is not a finite number (an sd over one world)
    # is stored as NULL, the same way on both backends.
    sa.Column("mean", sa.Float, nullable=True),
    sa.Column("sd", sa.Float, nullable=True),
    sa.Column("p5", sa.Float, nullable=True),
    sa.Column("p50", sa.Float, nullable=True),
    sa.Column("p95", sa.Float, nullable=True),
)
