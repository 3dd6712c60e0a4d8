"""One world of a run replayed alone, bit for bit, phase by phase: how a run is traced.

A traced or recorded world needs each phase's outcome, so it must run phase
by phase; the rest of the ensemble need not, and runs many days a kernel call
(`run.simulate`). So the ensemble runs untraced, and each watched world is
then run again on its own, from its rows as they were on the first day,
with its chronicler and observer: a state of one world, a few dozen rows.

This gives the world's own numbers because the kernels' draws are keyed,
not drawn in turn (`kernels.uniform`): draw ``j`` of actor ``i`` under the
key ``K`` is a hash of ``K + (8 i + j) * GOLDEN``, so a draw of actor
``i + offset`` is the draw of actor ``i`` under the key
``K + 8 * offset * GOLDEN``. A world's beings, packs and its world number
are actors at an offset from its own rows in the ensemble (``world * n0``,
``world * n_packs``, ``world``); the replay shifts each phase's key by its
actors' offset. An arrival's row is where the ensemble appended it, after
every world's first rows and the arrivals before it: its offset is its own.
Arrivals stay hostile omegas all their lives, so they draw only when they
move and when they attack; those two phases run once for each offset among
the world's beings (the draws of one being never depend on another's in
them: movement reads where everyone stood, attacks decide on the phase's
start and wound at its end), and the outcomes are put together.

Nothing else in a world looks at another world, so the replay ends with
the world's rows equal to the ensemble's, which `check_same` verifies
after every replay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from packlaw.sim import kernels as k
from packlaw.sim.grid import Grid, bucket_side, build_grid
from packlaw.sim.phases import Chronicler, Chroniclers, Ledger, Tally, new_tally, one_day
from packlaw.sim.state import NOBODY, Packs, State

_WRAP = 1 << 64
_GOLDEN = int(k._GOLDEN)
# The actors each phase draws for: beings' rows, packs' rows, worlds.
_PACK_PHASES = frozenset({k.HUNTS})
_WORLD_PHASES = frozenset({k.ARRIVALS})


def shifted(key: np.uint64, offset: int) -> np.uint64:
    """The key under which actor ``i`` draws what actor ``i + offset`` draws under ``key``."""
    return np.uint64((int(key) + offset * k.DRAWS_PER_ACTOR * _GOLDEN) % _WRAP)


class LoneWorld:
    """World ``world`` of an ensemble as a state of its own, with the ensemble's draws.

    Made from the ensemble's state before its first day (`detach`); the rows
    of the world's later arrivals in the ensemble are given once the
    ensemble has run (`place_arrivals`), before the replay.
    """

    def __init__(self, ensemble: State, world: int) -> None:
        if not 0 <= world < ensemble.worlds:
            raise ValueError(
                f"there is no world {world}: the run has worlds 0 to {ensemble.worlds - 1}"
            )
        self.world = world
        self.worlds = ensemble.worlds
        self.first_row = world * ensemble.n0
        self.first_rows = ensemble.n0  # the world's beings before any arrival
        self.first_pack = world * ensemble.n_packs
        self.state = detach(ensemble, world)
        # the ensemble's row of each of the lone state's rows (arrivals' added later)
        self.actors = np.arange(self.first_row, self.first_row + ensemble.n0, dtype=np.int64)
        self.rows_at_dawn = np.zeros(0, np.int64)

    def place_arrivals(self, ensemble: State, rows_at_dawn: np.ndarray) -> None:
        """Take from the run ensemble the rows its arrivals in this world were given.

        ``rows_at_dawn[d]`` is how many rows the ensemble had at the start of
        day ``d + 1`` (every world's first rows and arrivals).
        """
        self.rows_at_dawn = rows_at_dawn
        base = self.worlds * ensemble.n0
        arrived = base + np.flatnonzero(ensemble.beings.world[base:] == self.world)
        self.actors = np.concatenate([self.actors, arrived])

    # ------------------------------------------------------------ keys

    def key(self, key: np.uint64, phase: int) -> np.uint64:
        """A phase's key for the world's first rows (or its packs, or itself)."""
        if phase in _PACK_PHASES:
            return shifted(key, self.first_pack)
        if phase in _WORLD_PHASES:
            return shifted(key, self.world)
        return shifted(key, self.first_row)

    def _groups(self, rows: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """``rows`` grouped by their offset in the ensemble: ``(offset, rows)``, first rows first."""
        if len(self.actors) < self.state.n:
            raise self._drifted("it made more arrivals than the run gave it")
        if len(rows) == 0 or rows[-1] < self.first_rows:  # no arrival among them
            return [(self.first_row, rows)] if len(rows) else []
        offsets = self.actors[rows] - rows
        return [(int(o), rows[offsets == o]) for o in np.unique(offsets)]

    # ------------------------------------------------------------ the two split phases

    def movement(self, state: State, key: np.uint64) -> Grid:
        """3. Movement: each offset's beings moved under their own key; then the index.

        The spatial index's buckets are as large as the ensemble's on that
        day (their side follows the rows per world, arrivals included), so
        that neighbours are found in the same order.
        """
        b, packs, p, spare, n = state.beings, state.packs, state.p, state.spare, state.n
        x, y = spare[0][:n], spare[1][:n]
        groups = self._groups(np.flatnonzero(b.alive)) or [(self.first_row, np.zeros(0, np.int64))]
        moved = (x, y) if len(groups) == 1 else (np.empty_like(x), np.empty_like(y))
        for g, (offset, rows) in enumerate(groups):
            k.move_serial(
                b.alive, b.standing, b.pack, b.lead, b.x, b.y, packs.alpha, shifted(key, offset),
                p.cohesion, p.width, p.height, *moved,
            )  # fmt: skip
            if len(groups) > 1:  # all from the first call (the dead stay put), then each group's
                everyone = slice(None) if g == 0 else rows
                x[everyone], y[everyone] = moved[0][everyone], moved[1][everyone]
        b.x[:], b.y[:] = x, y
        rows_per_world = self.rows_at_dawn[state.day] / self.worlds
        return build_grid(b, 1, p.width, p.height, bucket_side(p.width, p.height, rows_per_world))

    def attacks(
        self, state: State, tally: Tally, key: np.uint64, grid: Grid
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """4. Attacks: each offset's hostile omegas attack under their own key.

        Every call starts from the phase's start (health as it was); the
        wounds of all calls are then added up, as one call would have.
        """
        b, packs, p = state.beings, state.packs, state.p
        hostile = b.hostile.copy()
        groups = self._groups(np.flatnonzero(b.alive & hostile))
        if len(groups) <= 1:
            offset = groups[0][0] if groups else self.first_row
            return k.attacks(b, packs, p, tally, shifted(key, offset), grid)
        health = b.health.copy()
        lost = np.zeros(len(health), np.int32)
        wounded_as_ally = b.wounded_as_ally.copy()
        outcomes = []
        for offset, rows in groups:
            b.hostile[:] = False
            b.hostile[rows] = True
            b.health[:] = health
            outcomes.append(k.attacks(b, packs, p, tally, shifted(key, offset), grid))
            lost += health - b.health
            wounded_as_ally |= b.wounded_as_ally
        b.hostile[:] = hostile
        b.health[:] = np.maximum(0, health - lost)
        b.wounded_as_ally[:] = wounded_as_ally
        omegas, target, hit, defenders = (
            np.concatenate(parts) for parts in zip(*outcomes, strict=True)
        )
        order = np.argsort(omegas, kind="stable")  # oldest first, as one call gives them
        return omegas[order], target[order], hit[order], defenders[order]

    # ------------------------------------------------------------ the check

    def check_same(self, ensemble: State) -> None:
        """Raise unless the replayed world's beings are, column by column, the ensemble's."""
        lone = self.state
        if lone.day != ensemble.day or len(self.actors) != lone.n:
            raise self._drifted(
                f"{lone.day} days and {lone.n} beings against the run's {ensemble.day} days "
                f"and {len(self.actors)} beings"
            )
        theirs = ensemble.beings
        for name, mine in lone.beings._asdict().items():
            expected = getattr(theirs, name)[self.actors]
            if name == "world":
                mine = mine + self.world
            elif name == "pack":
                mine = np.where(mine == NOBODY, NOBODY, mine + self.first_pack)
            elif name == "lead":
                mine = np.where(mine == NOBODY, NOBODY, self.actors[np.maximum(mine, 0)])
            if not np.array_equal(mine, expected):
                raise self._drifted(f"in its column {name!r}")

    def _drifted(self, how: str) -> RuntimeError:
        return RuntimeError(f"world {self.world} replayed alone differs from the run: {how}")


def detach(ensemble: State, world: int) -> State:
    """World ``world`` of ``ensemble`` as a state of one world (world 0), rows and packs renumbered."""
    n0, n_packs = ensemble.n0, ensemble.n_packs
    first, first_pack = world * n0, world * n_packs
    spare_rows = 16  # room for arrivals; the columns grow if need be
    columns = {}
    for name, column in ensemble.columns.items():
        mine = np.zeros(n0 + spare_rows, column.dtype)
        mine[:n0] = column[first : first + n0]
        columns[name] = mine
    columns["world"][:] = 0
    for name, offset in (("pack", first_pack), ("lead", first)):
        refs = columns[name][:n0]
        refs[refs != NOBODY] -= offset
    packs = Packs(
        *(np.array(column[first_pack : first_pack + n_packs]) for column in ensemble.packs)
    )
    packs.world[:] = 0
    alpha = packs.alpha
    alpha[alpha != NOBODY] -= first
    return replace(ensemble, worlds=1, n=n0, columns=columns, packs=packs, _beings=None)


@dataclass(frozen=True)
class Watch:
    """One world of a run watched: its chronicle's writer, its observer, or both.

    The world is replayed alone after the run (`LoneWorld`), so both get a
    state of one world: world 0 there is world ``world`` of the run, its
    rows and packs renumbered from 0, arrivals after them.
    """

    world: int
    chronicler: Callable[[State], Chronicler] | None = None
    observe: Callable[[int, State], None] | None = None


def replay(lone: LoneWorld, days: int, watches: Sequence[Watch]) -> None:
    """Run ``days`` days of a lone world phase by phase, told to each watcher."""
    state = lone.state
    writers = [w.chronicler(state) for w in watches if w.chronicler is not None]
    observers = [w.observe for w in watches if w.observe is not None]
    chronicler = writers[0] if len(writers) == 1 else Chroniclers(writers) if writers else None
    ledger = Ledger(new_tally(state, days), chronicler=chronicler, lone=lone)
    for day in range(1, days + 1):
        one_day(state, ledger)
        for observe in observers:
            observe(day, state)
