"""Recorded worlds: a few chosen worlds of a run kept day by day, as a film and a chronicle.

For each recorded world the recorder keeps, after every simulated day, each
being's cell (``x``, ``y``), ``standing``, ``pack`` (the pack's index within
the world, or -1), ``health`` (thousandths) and whether it is ``alive``:
the film. Beside it a `packlaw.sim.trace.WorldChronicle` writes the world's
rulebook events: its chronicle.

The film is cut into chunks of `CHUNK_DAYS` days. Each chunk holds the
beings known at its last day; every column is a typed array of
``days x beings``, delta-encoded along the days (a being's first row of the
chunk is kept whole, each later row as the change from the day before) and
the whole chunk compressed with zlib. Beings change little from one day to
the next, so most deltas are 0, and a chunk decodes on its own.

The recorder watches the run only through ``simulate(..., watch=...)``:
the run goes at full speed, and each recorded world is then replayed alone,
phase by phase, with the run's numbers (`packlaw.sim.replay`, which checks
that the replay ends where the run did). It reads the being columns ``x``,
``y``, ``standing``, ``pack``, ``health``, ``alive`` and ``hostile`` (a
fixed trait of a being, read when it is first seen) of the replay's state.
A being is a row of the state: rows never move, and new beings take new
rows after the rows in use (``state.n``).

>>> from packlaw.sim import load_scenario, simulate
>>> scenario, _, _ = load_scenario()
>>> recorder = Recorder(scenario, [2])
>>> result = simulate(scenario, worlds=4, days=40, seed=1, watch=recorder.watches())
>>> (recording,) = recorder.recordings()
>>> film = recording.film()
>>> film.columns["x"].shape == (40, len(film.names))
True
>>> film.names[:3]
['Derek', 'Isaac', 'Erica']
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from packlaw.rules.events import Statement
from packlaw.sim.replay import Watch
from packlaw.sim.scenario import Scenario
from packlaw.sim.state import NOBODY, State
from packlaw.sim.trace import WorldChronicle

CHUNK_DAYS = 64
CODEC = "delta-zlib-1"
LEVEL = 4  # zlib's: 6 made a film 8% smaller in 3.4 times the time; 1, 22% bigger in half
# The film's columns, in their stored order, with the type each is kept as.
FILM_COLUMNS: dict[str, np.dtype[Any]] = {
    "x": np.dtype(np.int16),
    "y": np.dtype(np.int16),
    "standing": np.dtype(np.int8),
    "pack": np.dtype(np.int16),
    "health": np.dtype(np.int16),
    "alive": np.dtype(np.uint8),
}
MAX_RECORDED = 8  # worlds a run may record


class RecordingError(ValueError):
    """A recording that cannot be made or read: one sentence."""


@dataclass(frozen=True)
class Chunk:
    """Days ``first_day .. first_day + days - 1`` of a film, for its first ``beings`` beings."""

    first_day: int
    days: int
    beings: int
    data: bytes


@dataclass
class Film:
    """A recorded world decoded: ``columns[name][day - first_day, being]``, ``days`` days.

    Beings are in the order the world made them (the scenario's, then
    arrivals); a being that did not exist yet on a day is not ``alive`` then
    (``born`` is the first day it is in the film).
    """

    world: int
    days: int
    width: int
    height: int
    names: list[str]
    hostile: np.ndarray  # bool per being
    born: np.ndarray  # int32 per being
    pack_names: list[str]
    columns: dict[str, np.ndarray]
    first_day: int = 1


@dataclass
class Recording:
    """One recorded world of a run: its film in chunks and its chronicle."""

    world: int
    days: int
    width: int
    height: int
    names: list[str]
    hostile: np.ndarray
    born: np.ndarray
    pack_names: list[str]
    chunks: list[Chunk]
    statements: list[Statement] = field(default_factory=list)

    @property
    def film_bytes(self) -> int:
        """Bytes of the film's chunks as stored."""
        return sum(len(chunk.data) for chunk in self.chunks)

    @property
    def being_days(self) -> int:
        """Being-days the film covers (each being from the day it appeared)."""
        return int(np.maximum(self.days - self.born + 1, 0).sum())

    def film(self, first_day: int = 1, last_day: int | None = None) -> Film:
        """The film of days ``first_day .. last_day`` (all days by default), decoded."""
        last_day = self.days if last_day is None else last_day
        if not 1 <= first_day <= last_day <= self.days:
            raise RecordingError(
                f"days {first_day}:{last_day} are outside the recording's days 1:{self.days}"
            )
        beings = len(self.names)
        columns: dict[str, np.ndarray] = {
            name: np.zeros((last_day - first_day + 1, beings), dtype)
            for name, dtype in FILM_COLUMNS.items()
        }
        for chunk in self.chunks:
            end = chunk.first_day + chunk.days - 1
            if end < first_day or chunk.first_day > last_day:
                continue
            if first_day == last_day:  # one day: no need to decode the chunk's others
                for name, values in decode_day(chunk, first_day).items():
                    columns[name][0, : chunk.beings] = values
                continue
            decoded = decode_chunk(chunk)
            lo, hi = max(first_day, chunk.first_day), min(last_day, end)
            for name, values in decoded.items():
                columns[name][lo - first_day : hi - first_day + 1, : chunk.beings] = values[
                    lo - chunk.first_day : hi - chunk.first_day + 1
                ]
        return Film(
            world=self.world,
            days=last_day - first_day + 1,
            width=self.width,
            height=self.height,
            names=self.names,
            hostile=self.hostile,
            born=self.born,
            pack_names=self.pack_names,
            columns=columns,
            first_day=first_day,
        )


def encode_chunk(first_day: int, columns: dict[str, np.ndarray]) -> Chunk:
    """Delta-encode and compress ``days x beings`` arrays (one per film column) into a chunk."""
    days, beings = columns["x"].shape
    raw = bytearray(days * beings * sum(dtype.itemsize for dtype in FILM_COLUMNS.values()))
    offset = 0
    for name, dtype in FILM_COLUMNS.items():
        # Being-major: each being's run of (mostly zero) changes lies together.
        size = days * beings * dtype.itemsize
        delta = np.frombuffer(raw, dtype, days * beings, offset).reshape(beings, days)
        values = np.asarray(columns[name]).astype(dtype, copy=False)
        delta[:, 0] = values[0]
        # The change from the day before: wraps around in the type; decoding wraps back.
        np.subtract(values[1:].T, values[:-1].T, out=delta[:, 1:])
        offset += size
    return Chunk(first_day, days, beings, zlib.compress(raw, LEVEL))


def decode_chunk(chunk: Chunk) -> dict[str, np.ndarray]:
    """The ``days x beings`` arrays of a chunk: the inverse of `encode_chunk`."""
    return {
        name: np.cumsum(delta.T, axis=0, dtype=delta.dtype)
        for name, delta in _deltas(chunk).items()
    }


def decode_day(chunk: Chunk, day: int) -> dict[str, np.ndarray]:
    """One day of a chunk, each column an array over its beings (cheaper than `decode_chunk`)."""
    if not chunk.first_day <= day < chunk.first_day + chunk.days:
        raise RecordingError(f"day {day} is not in the film chunk of day {chunk.first_day}")
    upto = day - chunk.first_day + 1
    return {
        name: delta[:, :upto].sum(axis=1, dtype=delta.dtype)
        for name, delta in _deltas(chunk).items()
    }


def _deltas(chunk: Chunk) -> dict[str, np.ndarray]:
    """Each column's day-to-day changes, ``beings x days``, as `encode_chunk` stored them."""
    raw = zlib.decompress(chunk.data)
    out: dict[str, np.ndarray] = {}
    offset = 0
    for name, dtype in FILM_COLUMNS.items():
        size = chunk.days * chunk.beings * dtype.itemsize
        if offset + size > len(raw):
            break
        delta: np.ndarray = np.frombuffer(
            raw, dtype, count=chunk.days * chunk.beings, offset=offset
        )
        out[name] = delta.reshape(chunk.beings, chunk.days)
        offset += size
    if offset != len(raw) or len(out) != len(FILM_COLUMNS):
        raise RecordingError(f"a film chunk of day {chunk.first_day} is damaged")
    return out


class _WorldTape:
    """The film of one recorded world as its replay goes: the chunk being filled, the chunks cut.

    Each day's columns go straight into the chunk's blocks (``days x beings``
    arrays, with room for beings still to come), which are encoded when the
    chunk is full: no copy of a day is kept on the side.
    """

    def __init__(self, world: int, chunk_days: int) -> None:
        self.world = world
        self.chunk_days = chunk_days
        self.beings = 0  # the world's beings so far: its rows 0 .. beings - 1, by film index
        self.hostile = np.zeros(0, np.bool_)
        self.born = np.zeros(0, np.int32)
        self.blocks: dict[str, np.ndarray] = {}
        self.filled = 0  # days in the blocks
        self.first_pending = 1
        self.chunks: list[Chunk] = []
        self.days = 0
        self.n_packs = 1
        self.pack_names: list[str] = []

    def see(self, day: int, state: State) -> None:
        """Keep the world's beings as they are at the end of ``day`` (the world replayed alone)."""
        b, n = state.beings, state.n
        if n != self.beings:
            # Rows never move; new beings take new rows after the rows in use.
            self.hostile = np.concatenate([self.hostile, b.hostile[self.beings : n]])
            self.born = np.concatenate([self.born, np.full(n - self.beings, day, np.int32)])
            self.beings = n
        self.days = day
        self.n_packs = max(state.n_packs, 1)
        self.pack_names = state.pack_names
        if not self.blocks or n > self.blocks["x"].shape[1]:
            self._grow(n, {name: state.columns[name].dtype for name in FILM_COLUMNS})
        today = self.filled
        for name, block in self.blocks.items():
            block[today, :n] = getattr(b, name)
        self.filled += 1
        if self.filled == self.chunk_days:
            self.cut()

    def _grow(self, beings: int, dtypes: dict[str, np.dtype[Any]]) -> None:
        """Room in the blocks for ``beings`` beings and some to come, the days so far kept.

        The blocks keep the state's types (a pack's row may be past the film's type).
        """
        room = beings + max(16, beings // 4)
        grown = {name: np.zeros((self.chunk_days, room), dtypes[name]) for name in FILM_COLUMNS}
        for name, block in self.blocks.items():
            grown[name][: self.filled, : block.shape[1]] = block[: self.filled]
        self.blocks = grown

    def cut(self) -> None:
        if not self.filled:
            return
        days, beings = self.filled, self.beings
        columns = {name: block[:days, :beings] for name, block in self.blocks.items()}
        pack = columns["pack"]  # the pack's row in the state: world * n_packs + index
        columns["pack"] = np.where(pack == NOBODY, NOBODY, pack % self.n_packs)
        self.chunks.append(encode_chunk(self.first_pending, columns))
        self.first_pending += days
        self.filled = 0
        for block in self.blocks.values():
            block[:days] = 0


class Recorder:
    """Records chosen worlds of a run: pass `watches` to ``simulate(..., watch=...)``.

    Each recorded world is replayed alone after the run (`packlaw.sim.replay`),
    with the run's numbers; its film is kept from the replay's days and its
    chronicle written as it goes.
    """

    def __init__(
        self,
        scenario: Scenario,
        worlds: Sequence[int],
        chunk_days: int = CHUNK_DAYS,
    ) -> None:
        if len(set(worlds)) != len(worlds):
            raise RecordingError("a world is named twice in the worlds to record")
        if len(worlds) > MAX_RECORDED:
            raise RecordingError(
                f"at most {MAX_RECORDED} worlds can be recorded in a run, not {len(worlds)}"
            )
        self.scenario = scenario
        self.worlds = list(worlds)
        self._tapes = [_WorldTape(world, chunk_days) for world in self.worlds]
        self._writers: dict[int, WorldChronicle] = {}

    def watches(self) -> list[Watch]:
        """What the run is to replay and tell: each recorded world's film and chronicle."""
        return [
            Watch(tape.world, chronicler=partial(self._chronicle, i), observe=tape.see)
            for i, tape in enumerate(self._tapes)
        ]

    def _chronicle(self, i: int, state: State) -> WorldChronicle:
        title = f"{self.scenario.name}, world {self._tapes[i].world}"
        self._writers[i] = WorldChronicle(state, 0, title)  # the world replayed alone is world 0
        return self._writers[i]

    def recordings(self) -> list[Recording]:
        """The finished recordings, one per recorded world, in the order asked."""
        out = []
        for i, tape in enumerate(self._tapes):
            tape.cut()
            writer = self._writers.get(i)
            if writer is None:
                raise RecordingError(
                    f"world {tape.world} was not replayed: there is nothing recorded"
                )
            out.append(
                Recording(
                    world=tape.world,
                    days=tape.days,
                    width=self.scenario.params.width,
                    height=self.scenario.params.height,
                    names=[writer.names[row] for row in range(tape.beings)],
                    hostile=tape.hostile,
                    born=tape.born,
                    pack_names=list(tape.pack_names),
                    chunks=tape.chunks,
                    statements=list(writer.statements),
                )
            )
        return out


def parse_worlds(text: str, worlds: int) -> list[int]:
    """Worlds to record from ``K[,K...]``; each must be a world of the run.

    >>> parse_worlds("0,7", 10)
    [0, 7]
    >>> parse_worlds("\u0661", 10)  # an Arabic-Indic one: only ASCII digits
    Traceback (most recent call last):
    ...
    packlaw.sim.recording.RecordingError: '١' is not a world index (expected K[,K...], e.g. 0,7)
    """
    picked = []
    for part in text.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit()):
            raise RecordingError(f"{part!r} is not a world index (expected K[,K...], e.g. 0,7)")
        digits = part.lstrip("0") or "0"
        if len(digits) > len(str(worlds)) or int(digits) >= worlds:  # int() of no huge text
            shown = digits if len(digits) <= 12 else f"{digits[:12]}..."
            raise RecordingError(f"there is no world {shown}: the run has worlds 0 to {worlds - 1}")
        world = int(digits)
        if world in picked:
            raise RecordingError(f"world {world} is named twice")
        picked.append(world)
    if len(picked) > MAX_RECORDED:
        raise RecordingError(
            f"at most {MAX_RECORDED} worlds can be recorded in a run, not {len(picked)}"
        )
    return picked
