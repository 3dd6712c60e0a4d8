"""Recorded worlds in the store: each run's films (in chunks) and chronicles.

A run's recordings are stored while it is still ``running``, all of them in
one transaction with their chronicles: a recording is there whole, with its
chronicle checked by the rulebook, or not at all. The chronicle of world K
of run N is named ``run-N-world-K`` and can be exported, replayed and
listed like any other.

>>> from packlaw.sim import load_scenario, simulate
>>> from packlaw.sim.recording import Recorder
>>> from packlaw.store import Store
>>> scenario, text, _ = load_scenario()
>>> recorder = Recorder(scenario, [1])
>>> _ = simulate(scenario, worlds=3, days=10, seed=1, watch=recorder.watches())
>>> store = Store("sqlite://")
>>> run_id = store.start_run(scenario.name, text, seed=1, worlds=3, days=10)
>>> save_recordings(store, run_id, recorder.recordings())
>>> [(r.world, r.days, r.chronicle) for r in recordings(store, run_id)]
[(1, 10, 'run-1-world-1')]
>>> load_recording(store, run_id, 1).film().days
10
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from packlaw.sim.recording import CODEC, Chunk, Recording
from packlaw.store.engine import shown
from packlaw.store.errors import StoreError, UnknownRun
from packlaw.store.replay import Tail
from packlaw.store.schema import INTEGER_MAX, chronicles, recording_chunks, runs
from packlaw.store.schema import recordings as recording_rows
from packlaw.store.store import Store, _now


class UnrecordedWorld(StoreError, KeyError):
    """The run did not record that world."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """A stored recording, without its film: what `runs` and `show` list."""

    run_id: int
    world: int
    days: int
    beings: int
    film_bytes: int
    chronicle: str | None

    @property
    def bytes_per_being_day(self) -> float:
        """Stored film bytes over the days times beings it covers (an upper bound on being-days)."""
        return self.film_bytes / max(self.days * self.beings, 1)


def chronicle_name(run_id: int, world: int) -> str:
    """The stored chronicle of a recorded world: ``run-N-world-K``."""
    return f"run-{run_id}-world-{world}"


def save_recordings(store: Store, run_id: int, recorded: Sequence[Recording]) -> None:
    """Store a running run's recordings and their chronicles, all in one transaction.

    Each chronicle is checked through the rulebook first; one that does not
    check raises as `Store.import_chronicle` does, and nothing is stored.
    """
    if not recorded:
        return
    checked = []
    for recording in recorded:
        tail = Tail()
        checked.append((tail.check(recording.statements), tail.title))
    with store._writing(f"store run {run_id}'s recordings in") as conn:
        status = conn.execute(sa.select(runs.c.status).where(runs.c.id == run_id)).scalar()
        if status is None:
            raise UnknownRun(f"no run {run_id} is stored in {shown(store.url)}")
        if status != "running":
            raise StoreError(f"run {run_id} is {status}: only a running run takes recordings")
        for recording, (rows, title) in zip(recorded, checked, strict=True):
            name = chronicle_name(run_id, recording.world)
            try:
                chronicle_id = conn.execute(
                    chronicles.insert().values(name=name, title=title, created_at=_now())
                ).inserted_primary_key[0]  # type: ignore[index]
            except sa.exc.IntegrityError:
                raise StoreError(f"a chronicle named {name} is stored already") from None
            Store._insert(conn, chronicle_id, 0, rows, before={}, trailing={})
            recording_id = conn.execute(
                recording_rows.insert().values(
                    run_id=run_id,
                    world=recording.world,
                    days=recording.days,
                    width=recording.width,
                    height=recording.height,
                    codec=CODEC,
                    names=list(recording.names),
                    pack_names=list(recording.pack_names),
                    hostile=np.asarray(recording.hostile, np.uint8).tobytes(),
                    born=np.asarray(recording.born, "<i4").tobytes(),
                    chronicle_id=chronicle_id,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            if recording.chunks:
                conn.execute(
                    recording_chunks.insert(),
                    [
                        {
                            "recording_id": recording_id,
                            "first_day": chunk.first_day,
                            "days": chunk.days,
                            "beings": chunk.beings,
                            "data": chunk.data,
                        }
                        for chunk in recording.chunks
                    ],
                )


def recordings(store: Store, run_id: int | None = None) -> list[RecordingInfo]:
    """The stored recordings (of one run, or all), by run then world."""
    sizes = (
        sa.select(
            recording_chunks.c.recording_id,
            sa.func.sum(sa.func.length(recording_chunks.c.data)).label("size"),
        )
        .group_by(recording_chunks.c.recording_id)
        .subquery()
    )
    query = (
        sa.select(
            recording_rows.c.run_id,
            recording_rows.c.world,
            recording_rows.c.days,
            recording_rows.c.born,
            sa.func.coalesce(sizes.c.size, 0),
            chronicles.c.name,
        )
        .outerjoin(sizes, sizes.c.recording_id == recording_rows.c.id)
        .outerjoin(chronicles, chronicles.c.id == recording_rows.c.chronicle_id)
        .order_by(recording_rows.c.run_id, recording_rows.c.world)
    )
    if run_id is not None:
        query = query.where(recording_rows.c.run_id == run_id)
    with store._reading("list the recordings in") as conn:
        return [
            RecordingInfo(run, world, days, len(born) // 4, int(size), name)
            for run, world, days, born, size, name in conn.execute(query)
        ]


def load_recording(
    store: Store, run_id: int, world: int, days: tuple[int, int] | None = None
) -> Recording:
    """World ``world`` of run ``run_id`` as recorded (decode it with `Recording.film`).

    With ``days`` (first, last), only the chunks holding those days are read
    (what the web app's territory view asks for), so ``film(first, last)``
    decodes them and nothing else is in memory. An unknown run raises
    `UnknownRun`; a world the run did not record, `UnrecordedWorld`, naming
    the worlds it did.
    """
    store.run(run_id)  # UnknownRun, naming nothing else
    with store._reading(f"read run {run_id}'s recordings from") as conn:
        row = (
            conn.execute(
                sa.select(recording_rows).where(
                    recording_rows.c.run_id == run_id, recording_rows.c.world == world
                )
            ).first()
            if 0 <= world <= INTEGER_MAX  # a world no column can hold was not recorded
            else None
        )
        if row is None:
            recorded = conn.execute(
                sa.select(recording_rows.c.world)
                .where(recording_rows.c.run_id == run_id)
                .order_by(recording_rows.c.world)
            ).scalars()
            worlds = ", ".join(str(w) for w in recorded)
            has = f"it recorded world(s) {worlds}" if worlds else "it recorded no world"
            raise UnrecordedWorld(f"run {run_id} did not record world {world}: {has}")
        if row.codec != CODEC:
            raise StoreError(
                f"run {run_id}'s world {world} was recorded as {row.codec}, "
                f"which this packlaw cannot read"
            )
        query = sa.select(
            recording_chunks.c.first_day,
            recording_chunks.c.days,
            recording_chunks.c.beings,
            recording_chunks.c.data,
        ).where(recording_chunks.c.recording_id == row.id)
        if days is not None:
            first, last = days
            query = query.where(
                recording_chunks.c.first_day <= last,
                recording_chunks.c.first_day + recording_chunks.c.days > first,
            )
        chunks = [
            Chunk(first_day, length, beings, bytes(data))
            for first_day, length, beings, data in conn.execute(
                query.order_by(recording_chunks.c.first_day)
            )
        ]
    return Recording(
        world=row.world,
        days=row.days,
        width=row.width,
        height=row.height,
        names=list(row.names),
        hostile=np.frombuffer(row.hostile, np.uint8).astype(np.bool_),
        born=np.frombuffer(row.born, "<i4").astype(np.int32),
        pack_names=list(row.pack_names),
        chunks=chunks,
    )
