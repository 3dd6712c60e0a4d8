"""The sweep ledger: a sweep's points, each with its status, kept in the store.

A sweep is one row of ``sweeps``; its points are rows of ``sweep_points``,
keyed by ``(sweep, point id)`` where the point id is a hash of the point's
content (see `packlaw.sweep.design`), so the same point asked for again is
the same row. A point is ``pending``, ``running`` (handed to the cluster),
``done`` (its run is stored) or ``failed`` (with the traceback of its last
attempt). Each finished point is written in one transaction with its run:
the run's row, its daily figures and the point's status land together or
not at all, and a point already ``done`` is never written twice.

Sweeps are named ``s`` and their number (``s1``, ``s2``), so a name tells
a sweep from a run (runs are plain numbers).

>>> from packlaw.store import Store
>>> ledger = SweepLedger(Store("sqlite://"))
>>> sweep = ledger.open("k" * 64, "tiny", "name = 'tiny'", worlds=2, days=3, seed=1,
...                     experiment={"sample": "grid"})
>>> ledger.add_points(sweep, [NewPoint("p1", {"wound": 0.5}, seed=11)])
1
>>> [p.status for p in ledger.points(sweep)]
['pending']
>>> info, point = ledger.sweep(sweep), ledger.points(sweep)[0]
>>> ledger.finish(info, point, {"totals": {}}, [(1, "attacks", 1.0, 0.0, 1.0, 1.0, 1.0)], {})
1
>>> ledger.finish(info, point, {"totals": {}}, [], {}) is None   # done already: not counted twice
True
>>> ledger.sweep(sweep).name, ledger.sweep(sweep).counts["done"]
('s1', 1)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from packlaw.store.engine import shown
from packlaw.store.errors import StoreError
from packlaw.store.schema import POINT_STATUSES, runs, sweep_points, sweeps
from packlaw.store.store import (
    Daily,
    Store,
    _fits,
    _insert_metrics,
    _inserted_id,
    _is_id,
    _jsonable,
    _metric_rows,
    _now,
    _utc,
    check_run_numbers,
)

SWEEP_PREFIX = "s"
_SWEEP_NAME = re.compile(r"[sS]([0-9]+)")
_INSERT_CHUNK = 5_000  # rows per INSERT statement when adding many points


class UnknownSweep(StoreError, KeyError):
    """No sweep has that name."""

    def __str__(self) -> str:
        return str(self.args[0])


def sweep_name(sweep_id: int) -> str:
    """The name a sweep goes by: ``s`` and its number.

    >>> sweep_name(12)
    's12'
    """
    return f"{SWEEP_PREFIX}{sweep_id}"


def sweep_number(name: str) -> int | None:
    """The number in a sweep's name, or None when ``name`` is not a sweep's.

    >>> sweep_number("s12"), sweep_number("12"), sweep_number("sweep")
    (12, None, None)
    """
    match = _SWEEP_NAME.fullmatch(name.strip())
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class NewPoint:
    """A point to add to a sweep: its content-hashed id, its values and its seed."""

    point_id: str
    values: dict[str, float]
    seed: int


@dataclass(frozen=True, slots=True)
class PointInfo:
    """A stored point of a sweep."""

    point_id: str
    position: int
    values: dict[str, float]
    seed: int
    status: str
    attempts: int
    error: str | None
    run_id: int | None
    outputs: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class SweepInfo:
    """A stored sweep and how many of its points are in each status."""

    id: int
    scenario: str
    scenario_text: str
    worlds: int
    days: int
    seed: int
    experiment: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    counts: dict[str, int]

    @property
    def name(self) -> str:
        """``s`` and the sweep's number."""
        return sweep_name(self.id)

    @property
    def points(self) -> int:
        """How many points the sweep holds."""
        return sum(self.counts.values())


class SweepLedger:
    """A store's sweeps and their points. Written only by the client that runs the sweep."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------ writing

    def open(
        self,
        key: str,
        scenario: str,
        scenario_text: str,
        *,
        worlds: int,
        days: int,
        seed: int,
        experiment: Mapping[str, Any],
    ) -> int:
        """The sweep with this ``key``, made if new; its experiment becomes ``experiment``."""
        _fits(scenario, 200, "a scenario name")
        check_run_numbers(seed, worlds, days)
        document = _jsonable(experiment)
        with self.store._writing("record a sweep in") as conn:
            found = conn.execute(sa.select(sweeps.c.id).where(sweeps.c.key == key)).scalar()
            if found is not None:
                conn.execute(
                    sweeps.update()
                    .where(sweeps.c.id == found)
                    .values(experiment=document, updated_at=_now())
                )
                return int(found)
            return _inserted_id(
                conn.execute(
                    sweeps.insert().values(
                        key=key,
                        scenario=scenario,
                        scenario_text=scenario_text,
                        worlds=int(worlds),
                        days=int(days),
                        seed=int(seed),
                        experiment=document,
                        created_at=_now(),
                        updated_at=_now(),
                    )
                )
            )

    def find(self, key: str) -> int | None:
        """The number of the sweep with this ``key``, if one is stored."""
        with self.store._reading("look for a sweep in") as conn:
            found = conn.execute(sa.select(sweeps.c.id).where(sweeps.c.key == key)).scalar()
        return None if found is None else int(found)

    def add_points(self, sweep_id: int, points: Iterable[NewPoint]) -> int:
        """Add the points the sweep does not hold yet, in one transaction; return how many."""
        with self.store._writing(f"add points to sweep {sweep_name(sweep_id)} in") as conn:
            held = set(
                conn.execute(
                    sa.select(sweep_points.c.point_id).where(sweep_points.c.sweep_id == sweep_id)
                ).scalars()
            )
            position = conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(sweep_points.c.position), -1)).where(
                    sweep_points.c.sweep_id == sweep_id
                )
            ).scalar_one()
            rows = []
            now = _now()
            for point in points:
                if point.point_id in held:
                    continue
                held.add(point.point_id)
                position += 1
                rows.append(
                    {
                        "sweep_id": sweep_id,
                        "point_id": point.point_id,
                        "position": position,
                        "point_values": _jsonable(point.values),
                        "seed": int(point.seed),
                        "status": "pending",
                        "attempts": 0,
                        "updated_at": now,
                    }
                )
            for start in range(0, len(rows), _INSERT_CHUNK):
                conn.execute(sweep_points.insert(), rows[start : start + _INSERT_CHUNK])
        return len(rows)

    def mark_running(self, sweep_id: int, point_ids: Sequence[str]) -> None:
        """Mark points handed to the cluster ``running`` (a done point stays done)."""
        self._move(sweep_id, point_ids, "running", frm=("pending", "failed", "running"))

    def release(self, sweep_id: int, point_ids: Sequence[str]) -> None:
        """Put points that were in flight back to ``pending`` (the client is stopping)."""
        self._move(sweep_id, point_ids, "pending", frm=("running",))

    def finish(
        self,
        sweep: SweepInfo,
        point: PointInfo,
        summary: Mapping[str, Any],
        daily: Iterable[Daily],
        outputs: Mapping[str, Any],
    ) -> int | None:
        """Store a finished point's run and mark the point ``done``, in one transaction.

        Returns the new run's id, or None when the point was done already
        (a task Dask ran twice): nothing is written then.
        """
        sweep_id, point_id = sweep.id, point.point_id
        row = self.store._run_row(
            sweep.scenario, sweep.scenario_text, point.seed, sweep.worlds, sweep.days
        )
        with self.store._writing(f"store a point of sweep {sweep.name} in") as conn:
            claimed = conn.execute(
                sweep_points.update()
                .where(
                    sweep_points.c.sweep_id == sweep_id,
                    sweep_points.c.point_id == point_id,
                    sweep_points.c.status != "done",
                )
                .values(status="done", updated_at=_now())
            )
            if claimed.rowcount != 1:
                return None
            run_id = _inserted_id(conn.execute(runs.insert().values(**row, status="running")))
            document = _jsonable({**summary, "run_id": run_id})
            self.store._set_status(conn, run_id, "done", summary=document)
            _insert_metrics(conn, run_id, _metric_rows(run_id, daily))
            conn.execute(
                sweep_points.update()
                .where(sweep_points.c.sweep_id == sweep_id, sweep_points.c.point_id == point_id)
                .values(
                    run_id=run_id,
                    outputs=_jsonable(outputs),
                    error=None,
                    attempts=sweep_points.c.attempts + 1,
                )
            )
        return run_id

    def fail(self, sweep_id: int, point_id: str, error: str) -> int:
        """Record a failed attempt at a point with its traceback; return the point's attempts."""
        with self.store._writing(
            f"record a failed point of sweep {sweep_name(sweep_id)} in"
        ) as conn:
            conn.execute(
                sweep_points.update()
                .where(
                    sweep_points.c.sweep_id == sweep_id,
                    sweep_points.c.point_id == point_id,
                    sweep_points.c.status != "done",
                )
                .values(
                    status="failed",
                    error=error,
                    attempts=sweep_points.c.attempts + 1,
                    updated_at=_now(),
                )
            )
            attempts = conn.execute(
                sa.select(sweep_points.c.attempts).where(
                    sweep_points.c.sweep_id == sweep_id, sweep_points.c.point_id == point_id
                )
            ).scalar_one()
        return int(attempts)

    def _move(self, sweep_id: int, point_ids: Sequence[str], to: str, frm: Sequence[str]) -> None:
        if not point_ids:
            return
        with self.store._writing(f"update sweep {sweep_name(sweep_id)} in") as conn:
            for start in range(0, len(point_ids), _INSERT_CHUNK):
                conn.execute(
                    sweep_points.update()
                    .where(
                        sweep_points.c.sweep_id == sweep_id,
                        sweep_points.c.point_id.in_(point_ids[start : start + _INSERT_CHUNK]),
                        sweep_points.c.status.in_(frm),
                    )
                    .values(status=to, updated_at=_now())
                )

    # ------------------------------------------------------------ reading

    def sweeps(self) -> list[SweepInfo]:
        """Every stored sweep, newest first."""
        return self._infos(sa.true())

    def sweep(self, sweep_id: int) -> SweepInfo:
        """One sweep by number; `UnknownSweep` if there is none."""
        # A number no column can hold names no sweep.
        for info in self._infos(sweeps.c.id == sweep_id) if _is_id(sweep_id) else []:
            return info
        raise UnknownSweep(
            f"no sweep {sweep_name(sweep_id)} is stored in {shown(self.store.url)} "
            "(see `packlaw sweeps`)"
        )

    def points(
        self,
        sweep_id: int,
        status: Sequence[str] | None = None,
        *,
        after: int = -1,
        limit: int | None = None,
    ) -> list[PointInfo]:
        """The sweep's points in the order they were added (only those in ``status``, if given).

        ``after`` and ``limit`` read a page: at most ``limit`` points whose
        position is past ``after``.
        """
        query = sa.select(sweep_points).where(
            sweep_points.c.sweep_id == sweep_id, sweep_points.c.position > after
        )
        if status is not None:
            query = query.where(sweep_points.c.status.in_(status))
        query = query.order_by(sweep_points.c.position).limit(limit)
        with self.store._reading(f"read sweep {sweep_name(sweep_id)} from") as conn:
            return [_point(row) for row in conn.execute(query)]

    def summaries(self, run_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The stored summaries of these runs, by run id."""
        found: dict[int, dict[str, Any]] = {}
        with self.store._reading("read the runs of a sweep from") as conn:
            for start in range(0, len(run_ids), _INSERT_CHUNK):
                chunk = list(run_ids[start : start + _INSERT_CHUNK])
                query = sa.select(runs.c.id, runs.c.summary).where(runs.c.id.in_(chunk))
                found.update({int(i): summary for i, summary in conn.execute(query)})
        return found

    def _infos(self, where: sa.ColumnElement[bool]) -> list[SweepInfo]:
        with self.store._reading("list the sweeps in") as conn:
            rows = conn.execute(sa.select(sweeps).where(where).order_by(sweeps.c.id.desc())).all()
            counted = conn.execute(
                sa.select(sweep_points.c.sweep_id, sweep_points.c.status, sa.func.count())
                .where(sweep_points.c.sweep_id.in_([row.id for row in rows]))
                .group_by(sweep_points.c.sweep_id, sweep_points.c.status)
            ).all()
        counts: dict[int, dict[str, int]] = {
            row.id: dict.fromkeys(POINT_STATUSES, 0) for row in rows
        }
        for sweep_id, status, n in counted:
            counts[sweep_id][status] = int(n)
        return [
            SweepInfo(
                id=row.id,
                scenario=row.scenario,
                scenario_text=row.scenario_text,
                worlds=row.worlds,
                days=row.days,
                seed=int(row.seed),
                experiment=row.experiment,
                created_at=_utc(row.created_at),
                updated_at=_utc(row.updated_at),
                counts=counts[row.id],
            )
            for row in rows
        ]


def _point(row: sa.Row[Any]) -> PointInfo:
    return PointInfo(
        point_id=row.point_id,
        position=row.position,
        values=dict(row.point_values),
        seed=int(row.seed),
        status=row.status,
        attempts=row.attempts,
        error=row.error,
        run_id=row.run_id,
        outputs=row.outputs,
    )
