"""The territory model's day, one phase at a time, for a traced world and for the tests.

Each function runs one phase (its kernel in `kernels.py`, where the phases
read side by side with `territory-model.md`) on the state and tells the
`Ledger`'s chronicler, if any, what happened. `one_day` runs the eleven in
order; an untraced run calls `kernels.day` instead, the same kernels in one
call, which gives the same numbers (the draws are keyed, not sequential).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from packlaw.sim import kernels as k
from packlaw.sim.grid import Grid
from packlaw.sim.metrics import EVENT_METRICS, N_METRICS, STATISTICS
from packlaw.sim.state import NOBODY, OMEGA, STANDINGS, WEREWOLF, State, new_beings


class Chronicler(Protocol):
    """Receives what happened in each phase (see `packlaw.sim.trace`)."""

    def phase(self, name: str, state: State, **happened: np.ndarray) -> None: ...


class Chroniclers:
    """Several chroniclers fed as one (a run's ledger takes one)."""

    def __init__(self, writers: Sequence[Chronicler]) -> None:
        self.writers = list(writers)

    def phase(self, name: str, state: State, **happened: np.ndarray) -> None:
        """Pass a phase's outcome to every writer."""
        for writer in self.writers:
            writer.phase(name, state, **happened)


class Tally(NamedTuple):
    """What the kernels count beside the state: the day's metrics, the run's totals."""

    today: np.ndarray  # worlds x N_METRICS, zeroed each morning
    wounded: np.ndarray  # worlds x named beings (run totals)
    wounded_alone: np.ndarray
    named_slot: np.ndarray  # scenario row -> named slot, or -1
    named_rows: np.ndarray  # named slot -> scenario row
    named_days: np.ndarray  # worlds x named beings x standings: days lived in each
    totals: np.ndarray  # worlds x EVENT_METRICS, summed over the run
    daily: np.ndarray  # days x N_METRICS x STATISTICS: each day's summary over worlds
    being_days: np.ndarray  # one number: living beings summed over the days


def new_tally(state: State, days: int) -> Tally:
    """An empty tally for a run of ``days`` days on ``state``, named beings in scenario order."""
    rows = np.array(sorted(state.named), np.int64)
    slot = np.full(state.n0, -1, np.int32)
    slot[rows] = np.arange(len(rows))
    worlds, named = state.worlds, len(rows)
    return Tally(
        today=np.zeros((worlds, N_METRICS)),
        wounded=np.zeros((worlds, named), np.int32),
        wounded_alone=np.zeros((worlds, named), np.int32),
        named_slot=slot,
        named_rows=rows,
        named_days=np.zeros((worlds, named, len(STANDINGS)), np.int32),
        totals=np.zeros((worlds, len(EVENT_METRICS))),
        daily=np.zeros((max(days, 1), N_METRICS, len(STATISTICS))),
        being_days=np.zeros(1),
    )


@dataclass
class Ledger:
    """What one day records beside the state: the tally, the spatial index, the chronicle."""

    tally: Tally
    grid: Grid | None = None
    chronicler: Chronicler | None = None
    parallel: bool = False  # run the per-being kernels in parallel

    @property
    def today(self) -> np.ndarray:
        """The day's metrics, one row per world."""
        return self.tally.today

    def tell(self, name: str, state: State, **happened: np.ndarray) -> None:
        """Pass a phase's outcome to the chronicler of a traced world, if any."""
        if self.chronicler is not None:
            self.chronicler.phase(name, state, **happened)


def key(state: State, phase: int) -> np.uint64:
    """The key of this phase's draws today."""
    return np.uint64(k.stream(state.seed, state.day, phase))


# ----------------------------------------------------------------- phases


def tasks(state: State, ledger: Ledger) -> None:
    """1. Tasks (R9): stimuli follow yesterday's work; members answer by response thresholds."""
    k.tasks(state.beings, state.packs, state.p, key(state, k.TASKS))


def orders(state: State, ledger: Ledger) -> None:
    """2. Orders (R3, R5, R7): some members get an order, some ill; defiance can push one out."""
    members, outcome, alphas = k.orders(state.beings, state.packs, state.p, key(state, k.ORDERS))
    ledger.tell("orders", state, members=members, outcome=outcome, alphas=alphas)


def movement(state: State, ledger: Ledger) -> None:
    """3. Movement: members close on their alpha, allies follow leads, the rest wander."""
    b, packs, p, spare, n = state.beings, state.packs, state.p, state.spare, state.n
    move_key = key(state, k.MOVEMENT)
    if not ledger.parallel:
        ledger.grid = k.movement(b, packs, p, move_key, spare, state.worlds)
        return
    nx, ny = spare[0][:n], spare[1][:n]
    k.wander_parallel(b.alive, b.x, b.y, move_key, p.width, p.height, nx, ny)
    k.follow(
        b.alive, b.standing, b.pack, b.lead, b.x, b.y, packs.alpha, p.cohesion, p.width,
        p.height, nx, ny,
    )  # fmt: skip
    ledger.grid = k.settle(b, p, spare, state.worlds)


def attacks(state: State, ledger: Ledger) -> None:
    """4. Attacks (R10): hostile omegas attack a neighbour; a target's pack may defend it."""
    assert ledger.grid is not None
    omegas, target, hit, defenders = k.attacks(
        state.beings, state.packs, state.p, ledger.tally, key(state, k.ATTACKS), ledger.grid
    )
    standing = state.beings.standing[np.maximum(target, 0)]  # the targets' (attacks keep them)
    ledger.tell(
        "attacks", state, omegas=omegas, target=target, hit=hit, defenders=defenders,
        standing=standing,
    )  # fmt: skip


def deaths(state: State, ledger: Ledger) -> None:
    """5. Deaths: health 0 kills; a dead alpha's strongest beta succeeds, or the pack dissolves."""
    dead, succession, dissolved = k.deaths(state.beings, state.packs, ledger.tally)
    ledger.tell("deaths", state, dead=dead, succession=succession, dissolved=dissolved)


def research_and_hunts(state: State, ledger: Ledger) -> None:
    """6. Research and hunts (R9): knowledge grows; packs that know enough hunt; allies take leads."""
    assert ledger.grid is not None
    hunting, prey, killed, hurt, (dead, succession, dissolved) = k.research_and_hunts(
        state.beings,
        state.packs,
        state.p,
        ledger.tally,
        key(state, k.HUNTS),
        ledger.grid,
        state.worlds,
    )
    ledger.tell("hunts", state, hunting=hunting, prey=prey, killed=killed, hurt=hurt)
    ledger.tell("deaths", state, dead=dead, succession=succession, dissolved=dissolved)


def care_and_healing(state: State, ledger: Ledger) -> None:
    """7. Care and healing (R10, R14): a living alpha's pack is cared for, an ally if it asks."""
    b, p = state.beings, state.p
    before = b.health.copy() if ledger.chronicler is not None else b.health[:0]
    care_key = key(state, k.CARE)
    if ledger.parallel:
        cared = k.care(b, state.packs, care_key)
        k.heal_parallel(b.alive, b.health, b.kind, cared, p.heal_werewolf, p.heal_human)
    else:
        cared = k.care_and_healing(b, state.packs, p, care_key)
    if ledger.chronicler is not None:
        ledger.tell(
            "care_and_healing", state, before=before, cared=cared, health=b.health,
            standing=b.standing, alpha=state.packs.alpha[b.pack],
        )  # fmt: skip


def bites(state: State, ledger: Ledger) -> None:
    """8. Bites (R1, R12): an alpha may bite a consenting unaffiliated human nearby."""
    assert ledger.grid is not None
    alphas, bitten, outcome = k.bites(
        state.beings, state.packs, state.p, ledger.tally, key(state, k.BITES), ledger.grid
    )
    ledger.tell("bites", state, alphas=alphas, bitten=bitten, outcome=outcome)


def joining(state: State, ledger: Ledger) -> None:
    """9. Joining (R4, R13): omegas near an alpha may submit; allies may come back."""
    assert ledger.grid is not None
    omegas, submitted, insincere, allies, back = k.joining(
        state.beings, state.packs, state.p, key(state, k.JOINING), ledger.grid
    )
    ledger.tell(
        "joining", state, omegas=omegas, submitted=submitted, insincere=insincere,
        allies=allies, back=back, back_to=state.packs.alpha[state.beings.pack[allies]],
    )  # fmt: skip


def leaving(state: State, ledger: Ledger) -> None:
    """10. Leaving (R6): any member may leave."""
    members, left = k.leaving(state.beings, state.p, key(state, k.LEAVING))
    ledger.tell("leaving", state, members=members, left=left)


def arrivals(state: State, ledger: Ledger) -> None:
    """11. Arrivals: now and then a hostile omega appears on a uniform cell."""
    arrive(state, ledger, *k.arriving(state.p, key(state, k.ARRIVALS), state.worlds))


def arrive(state: State, ledger: Ledger, worlds: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """Append a hostile omega (strength ``arrival_strength``, default traits) in each world given."""
    if len(worlds) == 0:
        return
    p = state.params
    rows = state.append(len(worlds))
    strength = _Traits(p.arrival_strength)
    new_beings(state.columns, rows, p, WEREWOLF, OMEGA, NOBODY, hostile=True, traits=strength)
    for name, values in (("world", worlds), ("x", x), ("y", y)):
        state.columns[name][rows] = values
    ledger.tell("arrivals", state, rows=np.arange(rows.start, rows.stop, dtype=np.int32))


class _Traits(NamedTuple):
    strength: float


def one_day(state: State, ledger: Ledger) -> None:
    """Run the eleven phases of one day, in order."""
    ledger.today[:] = 0.0
    ledger.tell("day", state)
    tasks(state, ledger)
    orders(state, ledger)
    movement(state, ledger)
    attacks(state, ledger)
    deaths(state, ledger)
    research_and_hunts(state, ledger)
    care_and_healing(state, ledger)
    bites(state, ledger)
    joining(state, ledger)
    leaving(state, ledger)
    arrivals(state, ledger)
    k.close_day(state.beings, state.packs, ledger.tally, state.day)
    ledger.tell("day_end", state)
    state.day += 1


def fast_days(state: State, ledger: Ledger, count: int) -> int:
    """The same days as `one_day`, serially, up to ``count`` of them in one kernel call.

    Nothing is told. The call stops after a day with arrivals (they are
    appended here, and that day closed). Returns how many days ran.
    """
    ran, arriving = k.days(
        state.beings,
        state.packs,
        state.p,
        ledger.tally,
        state.spare,
        state.seed,
        state.day,
        count,
        state.worlds,
    )
    state.day += ran - 1
    if len(arriving[0]):
        arrive(state, ledger, *arriving)
        k.close_day(state.beings, state.packs, ledger.tally, state.day)
    state.day += 1
    return int(ran)
