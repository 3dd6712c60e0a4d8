"""The tables, as SQLAlchemy Core objects: one schema for SQLite and PostgreSQL.

This module describes the schema the code reads and writes *now*; the DDL
that builds it, step by step, lives in `packlaw.store.migrations` (a test
checks that the two agree).

- ``chronicles``: one row per stored chronicle (its name and title).
- ``statements``: every statement of every chronicle, in order, as its
  canonical notation line plus the day it falls on. The primary key
  ``(chronicle_id, sequence)`` is what makes two writers who claim the same
  place collide instead of overwriting each other.
- Comments (migration 3): ``statements.remarks`` holds the comment and
  blank lines before a statement, ``statements.comment`` its trailing
  comment, ``chronicles.ending`` what follows the last statement, each in
  canonical form (NULL for none, and for chronicles stored before).
- ``runs``: one row per simulation run (with the host and process id that
  run it); ``run_metrics``: per-day figures of
  a run, one row per (run, day, metric).
- ``recordings``: one row per recorded world of a run (its film's layout
  and the chronicle of its events); ``recording_chunks``: the film itself,
  compressed chunks of days (`packlaw.sim.recording`).
- ``sweeps``: one row per parameter sweep (what is varied, how, over which
  scenario); ``sweep_points``: the sweep's ledger, one row per point with
  its content-hashed id, values, seed, status and, once done, its run.
- ``schema_version``: one row per migration applied.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

INTEGER_MAX = 2**31 - 1
"""The largest number an Integer column holds: 32 bits on PostgreSQL, held to it on SQLite."""

RUN_STATUSES = ("running", "done", "failed", "interrupted")
POINT_STATUSES = ("pending", "running", "done", "failed")

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
    sa.Column("ending", sa.Text, nullable=True),
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
    sa.Column("remarks", sa.Text, nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
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

recordings = sa.Table(
    "recordings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("world", sa.Integer, nullable=False),
    sa.Column("days", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("codec", sa.String(40), nullable=False),
    # One entry per being, in film order: names, and packs' names (JSON lists);
    # hostile (one byte each) and first day (int32 each) as raw arrays.
    sa.Column("names", sa.JSON, nullable=False),
    sa.Column("pack_names", sa.JSON, nullable=False),
    sa.Column("hostile", sa.LargeBinary, nullable=False),
    sa.Column("born", sa.LargeBinary, nullable=False),
    sa.Column(
        "chronicle_id",
        sa.Integer,
        sa.ForeignKey("chronicles.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.UniqueConstraint("run_id", "world", name="recordings_one_per_world"),
    sqlite_autoincrement=True,
)

recording_chunks = sa.Table(
    "recording_chunks",
    metadata,
    sa.Column(
        "recording_id",
        sa.Integer,
        sa.ForeignKey("recordings.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("first_day", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("days", sa.Integer, nullable=False),
    sa.Column("beings", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

sweeps = sa.Table(
    "sweeps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # What makes two sweeps the same sweep: scenario text, worlds, days, seed, varied names.
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

sweep_points = sa.Table(
    "sweep_points",
    metadata,
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
