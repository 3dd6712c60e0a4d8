"""The territory model's day: eleven phases, one function each, in the spec's order.

Read this beside `territory-model.md` ("One day, in this order"): each
function's docstring is its phase, and ``one_day`` calls them in order. Every
phase takes the state, the run's random generator and the day's `Ledger`
(metrics, the spatial index, the optional chronicle of one world) and changes
the state in place. The heavy lifting is in `kernels.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from packlaw.sim import kernels as k
from packlaw.sim.grid import Grid, bucket_side, build_grid
from packlaw.sim.state import (
    ALLY,
    MEMBER,
    MILLI,
    NOBODY,
    OMEGA,
    WEREWOLF,
    State,
    initial_theta_patrol,
    initial_theta_research,
)

if TYPE_CHECKING:
    from numpy.random import Generator


class Chronicler(Protocol):
    """Receives what happened in each phase (see `packlaw.sim.trace`)."""

    def phase(self, name: str, state: State, **happened: np.ndarray) -> None: ...


@dataclass
class Ledger:
    """What one day records beside the state: metrics per world, named beings, the index."""

    today: np.ndarray  # worlds x N_METRICS, zeroed each morning
    wounded: np.ndarray  # worlds x named beings (run totals)
    wounded_alone: np.ndarray
    named_slot: np.ndarray  # scenario row -> named slot, or -1
    grid: Grid | None = None
    chronicler: Chronicler | None = None

    def tell(self, name: str, state: State, **happened: np.ndarray) -> None:
        """Pass a phase's outcome to the chronicler of a traced world, if any."""
        if self.chronicler is not None:
            self.chronicler.phase(name, state, **happened)


def milli(amount: float) -> int:
    """A health amount in whole thousandths."""
    return round(amount * MILLI)


# ----------------------------------------------------------------- phases


def tasks(state: State, rng: Generator, ledger: Ledger) -> None:
    """1. Tasks (R9): stimuli follow yesterday's work; members answer by response thresholds."""
    p, b, packs = state.params, state.beings, state.packs
    members = k.rows_standing(b.alive, b.standing, MEMBER)
    n, n_r, n_p = k.count_tasks(b, members, len(packs.alpha))
    working = (packs.alpha != NOBODY) & (n > 0)
    share = np.maximum(n, 1)
    for stimulus, done in ((packs.s_research, n_r), (packs.s_patrol, n_p)):
        updated = np.maximum(0.0, stimulus + p.delta - p.alpha_s * done / share)
        stimulus[working] = updated[working]
    u = rng.random((len(members), 2))
    k.assign_tasks(
        b, members, packs.s_research, packs.s_patrol, u, p.xi, p.phi, p.theta_min, p.theta_max
    )


def orders(state: State, rng: Generator, ledger: Ledger) -> None:
    """2. Orders (R3, R5, R7): some members get an order, some ill; defiance can push one out."""
    p, b = state.params, state.beings
    members = k.rows_standing(b.alive, b.standing, MEMBER)
    u = rng.random((len(members), 3))
    outcome = np.zeros(len(members), np.int8)
    alphas = state.packs.alpha[b.pack[members]]  # before anyone is pushed out
    k.give_orders(
        b, members, state.packs.alpha, u, p.order_rate, p.resist_ill, p.defiance_limit, outcome
    )
    ledger.tell("orders", state, members=members, outcome=outcome, alphas=alphas)


def movement(state: State, rng: Generator, ledger: Ledger) -> None:
    """3. Movement: members close on their alpha, allies follow leads, the rest wander."""
    p, b = state.params, state.beings
    steps = rng.integers(0, 9, state.n, dtype=np.uint8)
    # Everyone moves at once, from where all stood: write into the spare columns, then swap.
    new_x, new_y = state.spare["x"][: state.n], state.spare["y"][: state.n]
    k.move(b, state.packs.alpha, steps, p.cohesion, p.width, p.height, new_x, new_y)
    state.swap_positions()
    b = state.beings
    # Nobody moves again today: one index serves attacks, bites and joining.
    living = state.n / max(state.worlds, 1)
    side = bucket_side(p.width, p.height, living)
    ledger.grid = build_grid(b.world, b.x, b.y, b.alive, state.worlds, p.width, p.height, side)


def attacks(state: State, rng: Generator, ledger: Ledger) -> None:
    """4. Attacks (R10): hostile omegas attack a neighbour; a target's pack may defend it."""
    p, b, g = state.params, state.beings, ledger.grid
    assert g is not None
    omegas = k.rows_standing(b.alive, b.standing, OMEGA)
    omegas = omegas[b.hostile[omegas]]
    betas = k.count_betas(b, len(state.packs.alpha))
    u = rng.random((len(omegas), 2))
    target, hit, defenders = k.attack(
        b,
        g.start,
        g.rows,
        g.side,
        g.nbx,
        g.nby,
        omegas,
        betas,
        u,
        p.bonus,
        p.half,
        p.protect_radius,
        p.patrol_radius,
        milli(p.wound),
        milli(p.repel_wound),
        p.width,
        p.height,
        ledger.today,
        ledger.named_slot,
        state.worlds * state.n0,
        state.n0,
        ledger.wounded,
        ledger.wounded_alone,
    )
    ledger.tell("attacks", state, omegas=omegas, target=target, hit=hit, defenders=defenders)


def deaths(state: State, rng: Generator, ledger: Ledger) -> None:
    """5. Deaths: health 0 kills; a dead alpha's strongest beta succeeds, or the pack dissolves."""
    packs = state.packs
    dead, succession, dissolved = k.die(state.beings, packs.alpha, packs.knowledge, ledger.today)
    ledger.tell("deaths", state, dead=dead, succession=succession, dissolved=dissolved)


def research_and_hunts(state: State, rng: Generator, ledger: Ledger) -> None:
    """6. Research and hunts (R9): knowledge grows; packs that know enough hunt; allies take leads."""
    p, b, packs = state.params, state.beings, state.packs
    members = k.rows_standing(b.alive, b.standing, MEMBER)
    allies = k.rows_standing(b.alive, b.standing, ALLY)
    k.research(b, members, allies, packs.knowledge)
    g = ledger.grid
    assert g is not None
    ready = (packs.alpha != NOBODY) & (packs.knowledge >= p.lead_threshold)
    h_start, h_rows = k.hostile_by_world(b, state.worlds)
    h_alive = np.diff(h_start[: state.worlds + 1])  # kept up to date as hunts kill
    has_prey = h_alive[packs.world] > 0
    hunting = np.flatnonzero(ready & has_prey).astype(np.int32)
    if len(hunting):
        roster_start, roster_rows = k.pack_roster(b, len(packs.alpha))
        betas = k.count_betas(b, len(packs.alpha))
        u = rng.random((len(hunting), 2))
        prey, killed, hurt = k.hunt(
            b,
            hunting,
            packs.alpha,
            packs.knowledge,
            h_start,
            h_rows,
            h_alive,
            g.start,
            g.rows,
            g.side,
            g.nbx,
            g.nby,
            roster_start,
            roster_rows,
            betas,
            u,
            p.bonus,
            p.half,
            milli(p.wound),
            p.width,
            p.height,
            ledger.today,
        )
        ledger.tell("hunts", state, hunting=hunting, prey=prey, killed=killed, hurt=hurt)
    k.follow_leads(
        b,
        allies,
        packs.knowledge,
        h_start,
        h_rows,
        h_alive,
        g.start,
        g.rows,
        g.side,
        g.nbx,
        g.nby,
        p.lead_threshold,
        p.width,
        p.height,
    )
    deaths(state, rng, ledger)


def care_and_healing(state: State, rng: Generator, ledger: Ledger) -> None:
    """7. Care and healing (R10, R14): a living alpha's pack is cared for, an ally if it asks."""
    p, b = state.params, state.beings
    members = k.rows_standing(b.alive, b.standing, MEMBER)
    allies = k.rows_standing(b.alive, b.standing, ALLY)
    u = rng.random(len(allies))
    cared = np.zeros(state.n, np.bool_)
    k.care(b, members, allies, state.packs.alpha, u, cared)
    before = b.health.copy() if ledger.chronicler is not None else None
    k.heal(b, cared, milli(p.heal_werewolf), milli(p.heal_human))
    if before is not None:
        ledger.tell("care_and_healing", state, before=before, cared=cared)


def bites(state: State, rng: Generator, ledger: Ledger) -> None:
    """8. Bites (R1, R12): an alpha may bite a consenting unaffiliated human nearby."""
    p, b, g, packs = state.params, state.beings, ledger.grid, state.packs
    assert g is not None
    alphas = np.sort(packs.alpha[packs.alpha != NOBODY]).astype(np.int32)
    u = rng.random((len(alphas), 5))
    bitten, outcome = k.bite(
        b,
        alphas,
        g.start,
        g.rows,
        g.side,
        g.nbx,
        g.nby,
        u,
        p.bite_rate,
        p.consent,
        p.bite_lethality,
        p.bitten_strength,
        p.submit_after_bite,
        p.width,
        p.height,
        ledger.today,
    )
    ledger.tell("bites", state, alphas=alphas, bitten=bitten, outcome=outcome)


def joining(state: State, rng: Generator, ledger: Ledger) -> None:
    """9. Joining (R4, R13): omegas near an alpha may submit; allies may come back."""
    p, b, g = state.params, state.beings, ledger.grid
    assert g is not None
    omegas = k.rows_standing(b.alive, b.standing, OMEGA)
    omegas = omegas[~b.hostile[omegas]]
    allies = k.rows_standing(b.alive, b.standing, ALLY)
    u = rng.random((len(omegas), 2))
    submitted, insincere = k.join(
        b, omegas, g.start, g.rows, g.side, g.nbx, g.nby, u, p.join_rate, p.insincerity,
        p.width, p.height,
    )  # fmt: skip
    u_allies = rng.random(len(allies))
    back = k.come_back(b, allies, u_allies, p.return_rate, p.wounded_return_rate)
    ledger.tell(
        "joining", state, omegas=omegas, submitted=submitted, insincere=insincere,
        allies=allies, back=back,
    )  # fmt: skip


def leaving(state: State, rng: Generator, ledger: Ledger) -> None:
    """10. Leaving (R6): any member may leave."""
    p, b = state.params, state.beings
    members = k.rows_standing(b.alive, b.standing, MEMBER)
    u = rng.random(len(members))
    left = np.zeros(len(members), np.bool_)
    k.leave(b, members, u, p.leave_rate, left)
    ledger.tell("leaving", state, members=members, left=left)


def arrivals(state: State, rng: Generator, ledger: Ledger) -> None:
    """11. Arrivals: now and then a hostile omega appears on a uniform cell."""
    p = state.params
    worlds = np.flatnonzero(rng.random(state.worlds) < p.omega_arrival_rate)
    if len(worlds) == 0:
        return
    rows = state.append(len(worlds))
    c = state.columns
    strength = np.full(len(worlds), p.arrival_strength, np.float32)
    research = np.full(len(worlds), p.default_research, np.float32)
    c["world"][rows] = worlds
    c["kind"][rows] = WEREWOLF
    c["alive"][rows] = True
    c["health"][rows] = MILLI
    c["strength"][rows] = strength
    c["research"][rows] = research
    c["autonomy"][rows] = p.default_autonomy
    c["pride"][rows] = p.default_pride
    c["ill_rate"][rows] = p.ill_rate
    c["defiance"][rows] = 0
    c["standing"][rows] = OMEGA
    c["pack"][rows] = NOBODY
    c["hostile"][rows] = True
    c["theta_research"][rows] = initial_theta_research(research)
    c["theta_patrol"][rows] = initial_theta_patrol(strength)
    c["task"][rows] = 0
    c["knowledge"][rows] = 0.0
    c["lead"][rows] = NOBODY
    c["wounded_as_ally"][rows] = False
    c["x"][rows] = rng.integers(0, p.width, len(worlds), dtype=np.int16)
    c["y"][rows] = rng.integers(0, p.height, len(worlds), dtype=np.int16)
    ledger.tell("arrivals", state, rows=np.arange(rows.start, rows.stop, dtype=np.int32))


def one_day(state: State, rng: Generator, ledger: Ledger) -> None:
    """Run the eleven phases of one day, in order."""
    ledger.tell("day", state)
    tasks(state, rng, ledger)
    orders(state, rng, ledger)
    movement(state, rng, ledger)
    attacks(state, rng, ledger)
    deaths(state, rng, ledger)
    research_and_hunts(state, rng, ledger)
    care_and_healing(state, rng, ledger)
    bites(state, rng, ledger)
    joining(state, rng, ledger)
    leaving(state, rng, ledger)
    arrivals(state, rng, ledger)
    ledger.tell("day_end", state)
    state.day += 1
