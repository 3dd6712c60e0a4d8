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
start and wound at its end), and the outcomes are put together. The one
other thing a world takes from the others is the size of the spatial
index's buckets, which follows the rows per world (arrivals included):
the replay is given the run's row count of each day.

Nothing else in a world looks at another world, so the replay ends with
the world's rows equal to the ensemble's, which `check_same` verifies
after every replay.

A lone day is one kernel call (`lone_day`, the phases of `kernels.day`
with the keys shifted and what the chronicle needs kept), then the
chronicler is told each phase in order: a replay costs a few dozen
microseconds a day, and one function to load from Numba's cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numba import njit

from packlaw.sim import kernels as k
from packlaw.sim.grid import bucket_side, build_grid
from packlaw.sim.phases import Chronicler, Chroniclers, Ledger, arrive, new_tally
from packlaw.sim.state import NOBODY, Packs, State


@njit(cache=True)
def shift(key, offset):
    """The key under which actor ``i`` draws what actor ``i + offset`` draws under ``key``."""
    return key + np.uint64(offset) * np.uint64(k.DRAWS_PER_ACTOR) * k._GOLDEN


@njit(cache=True)
def _offsets(b, actors, first_row, wanted):
    """The offsets in the run of the rows in ``wanted`` (a mask), each once, ascending."""
    n = b.alive.shape[0]
    offset = actors[:n] - np.arange(n)
    found = np.unique(offset[wanted])
    if found.shape[0] == 0:
        found = np.array([first_row], np.int64)
    return offset, found


@njit(cache=True)
def _move(b, packs, p, key, spare, actors, first_row, side):
    """3. Movement, each offset's beings under their own key; then the spatial index."""
    n = b.alive.shape[0]
    x, y = spare[0][:n], spare[1][:n]
    offset, found = _offsets(b, actors, first_row, b.alive)
    mx, my = (x, y) if found.shape[0] == 1 else (np.empty_like(x), np.empty_like(y))
    for g in range(found.shape[0]):
        k.move_serial(
            b.alive, b.standing, b.pack, b.lead, b.x, b.y, packs.alpha, shift(key, found[g]),
            p.cohesion, p.width, p.height, mx, my,
        )  # fmt: skip
        if found.shape[0] > 1:  # all from the first call (the dead stay put), then each group's
            for i in range(n):
                if g == 0 or offset[i] == found[g]:
                    x[i], y[i] = mx[i], my[i]
    b.x[:] = x
    b.y[:] = y
    return build_grid(b, 1, p.width, p.height, side)


@njit(cache=True)
def _attack(b, packs, p, t, key, g, actors, first_row):
    """4. Attacks, each offset's hostile omegas under their own key, from the phase's start."""
    hostile = b.hostile.copy()
    offset, found = _offsets(b, actors, first_row, b.alive & hostile)
    if found.shape[0] == 1:
        return k.attacks(b, packs, p, t, shift(key, found[0]), g)
    health = b.health.copy()
    lost = np.zeros(health.shape[0], np.int64)
    was_ally = b.wounded_as_ally.copy()
    parts = []
    for f in found:
        b.hostile[:] = hostile & (offset == f)
        b.health[:] = health
        parts.append(k.attacks(b, packs, p, t, shift(key, f), g))
        lost += health - b.health
        was_ally |= b.wounded_as_ally
    b.hostile[:] = hostile
    b.health[:] = np.maximum(0, health - lost)
    b.wounded_as_ally[:] = was_ally
    m = 0
    for part in parts:
        m += part[0].shape[0]
    omegas = np.empty(m, np.int32)
    target = np.empty(m, np.int32)
    hit = np.empty(m, np.bool_)
    defenders = np.empty(m, np.int32)
    at = 0
    for part in parts:
        size = part[0].shape[0]
        omegas[at : at + size] = part[0]
        target[at : at + size] = part[1]
        hit[at : at + size] = part[2]
        defenders[at : at + size] = part[3]
        at += size
    order = np.argsort(omegas, kind="mergesort")  # oldest first, as one call gives them
    return omegas[order], target[order], hit[order], defenders[order]


@njit(cache=True)
def lone_day(b, packs, p, t, spare, seed, number, world, first_row, first_pack, actors, density):
    """Day ``number`` of a lone world (`kernels.day` with its actors' keys), and what it told.

    ``density`` is the run's rows per world at dawn (the spatial index's
    buckets follow it). Returns each phase's outcome, as `phases.py` tells
    them, and the day's arrivals (appended by the caller).
    """
    side = bucket_side(p.width, p.height, density)
    t.today[:] = 0.0
    k.tasks(b, packs, p, shift(k.stream(seed, number, k.TASKS), first_row))
    orders = k.orders(b, packs, p, shift(k.stream(seed, number, k.ORDERS), first_row))
    g = _move(b, packs, p, k.stream(seed, number, k.MOVEMENT), spare, actors, first_row, side)
    attacks = _attack(b, packs, p, t, k.stream(seed, number, k.ATTACKS), g, actors, first_row)
    targets = b.standing[np.maximum(attacks[1], 0)]  # attacks change no standing
    deaths = k.deaths(b, packs, t)
    hunts = k.research_and_hunts(
        b, packs, p, t, shift(k.stream(seed, number, k.HUNTS), first_pack), g, 1
    )
    before = b.health.copy()
    cared = k.care_and_healing(b, packs, p, shift(k.stream(seed, number, k.CARE), first_row))
    care = (before, cared, b.health.copy(), b.standing.copy(), packs.alpha[b.pack])
    bites = k.bites(b, packs, p, t, shift(k.stream(seed, number, k.BITES), first_row), g)
    joining = k.joining(b, packs, p, shift(k.stream(seed, number, k.JOINING), first_row), g)
    back = packs.alpha[b.pack[joining[3]]]
    leaving = k.leaving(b, p, shift(k.stream(seed, number, k.LEAVING), first_row))
    arrived = k.arriving(p, shift(k.stream(seed, number, k.ARRIVALS), world), 1)
    return orders, attacks, targets, deaths, hunts, care, bites, joining, back, leaving, arrived


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

    def day(self, ledger: Ledger) -> None:
        """One day of the world, its phases told to the ledger's chronicler in order."""
        state = self.state
        if len(self.actors) < state.n:
            raise self._drifted("it made more arrivals than the run gave it")
        b, p = state.beings, state.p
        density = self.rows_at_dawn[state.day] / self.worlds
        ledger.tell("day", state)
        told = lone_day(
            b, state.packs, p, ledger.tally, state.spare, state.seed, state.day, self.world,
            self.first_row, self.first_pack, self.actors, density,
        )  # fmt: skip
        orders, attacks, targets, deaths, hunts, care, bites, joining, back, leaving, arrived = told
        tell = ledger.tell
        tell("orders", state, members=orders[0], outcome=orders[1], alphas=orders[2])
        omegas, target, hit, defenders = attacks
        tell(
            "attacks", state, omegas=omegas, target=target, hit=hit, defenders=defenders,
            standing=targets,
        )  # fmt: skip
        tell_deaths(ledger, state, deaths)
        hunting, prey, killed, hurt, hunt_deaths = hunts
        tell("hunts", state, hunting=hunting, prey=prey, killed=killed, hurt=hurt)
        tell_deaths(ledger, state, hunt_deaths)
        before, cared, health, standing, alpha = care
        tell(
            "care_and_healing", state, before=before, cared=cared, health=health,
            standing=standing, alpha=alpha,
        )  # fmt: skip
        tell("bites", state, alphas=bites[0], bitten=bites[1], outcome=bites[2])
        omegas, submitted, insincere, allies, came_back = joining
        tell(
            "joining", state, omegas=omegas, submitted=submitted, insincere=insincere,
            allies=allies, back=came_back, back_to=back,
        )  # fmt: skip
        tell("leaving", state, members=leaving[0], left=leaving[1])
        arrive(state, ledger, *arrived)
        tell("day_end", state)
        state.day += 1

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


def tell_deaths(ledger: Ledger, state: State, deaths: tuple[np.ndarray, ...]) -> None:
    """Tell who died, who succeeded and which packs dissolved."""
    dead, succession, dissolved = deaths
    ledger.tell("deaths", state, dead=dead, succession=succession, dissolved=dissolved)


def replay(lone: LoneWorld, days: int, watches: Sequence[Watch]) -> None:
    """Run ``days`` days of a lone world, each told to its watchers."""
    state = lone.state
    writers = [w.chronicler(state) for w in watches if w.chronicler is not None]
    observers = [w.observe for w in watches if w.observe is not None]
    chronicler = writers[0] if len(writers) == 1 else Chroniclers(writers) if writers else None
    ledger = Ledger(new_tally(state, days), chronicler=chronicler)
    for day in range(1, days + 1):
        lone.day(ledger)
        for observe in observers:
            observe(day, state)
