"""Running a scenario: many worlds, many days, one seeded generator.

>>> from packlaw.sim.scenario import parse_scenario
>>> tiny = parse_scenario('[[crowds]]\\nkind = "human"\\ncount = 5\\n')
>>> result = simulate(tiny, worlds=3, days=2, seed=7)
>>> result.summary()["totals"]["deaths"]["mean"]
0.0
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from packlaw.sim import jit
from packlaw.sim import kernels as k
from packlaw.sim.metrics import (
    EVENT_METRICS,
    M_BEINGS,
    METRICS,
    N_METRICS,
    STATISTICS,
    describe,
    summarise,
)
from packlaw.sim.phases import Chronicler, Ledger, one_day
from packlaw.sim.scenario import Scenario, parse_scenario
from packlaw.sim.state import (
    BYTES_PER_ROW,
    STANDINGS,
    State,
    build_state,
    expected_arrivals,
)

TOTALS = [METRICS[m] for m in EVENT_METRICS]


@dataclass
class RunResult:
    """A finished run: per-world totals, named beings' figures, per-day summaries, speed."""

    scenario: Scenario
    worlds: int
    days: int
    seed: int
    named: list[str]
    totals: np.ndarray  # worlds x len(TOTALS)
    alive: np.ndarray  # worlds x named, bool
    wounded: np.ndarray  # worlds x named
    wounded_alone: np.ndarray
    named_days: np.ndarray  # worlds x named x standings
    daily: np.ndarray  # days x N_METRICS x statistics
    seconds: float
    being_days: float
    state: State

    @property
    def being_days_per_second(self) -> float:
        """Living beings times days simulated, per second of simulated days."""
        return self.being_days / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the architecture page."""
        totals = {name: describe(self.totals[:, j]) for j, name in enumerate(TOTALS)}
        beings: dict[str, Any] = {}
        for slot, name in enumerate(self.named):
            beings[name] = {
                "alive": describe(self.alive[:, slot]),
                "wounded": describe(self.wounded[:, slot]),
                "wounded_alone": describe(self.wounded_alone[:, slot]),
                "days": {
                    standing: describe(self.named_days[:, slot, s])
                    for s, standing in enumerate(STANDINGS)
                },
            }
        return {
            "scenario": self.scenario.name,
            "worlds": self.worlds,
            "days": self.days,
            "seed": self.seed,
            "totals": totals,
            "beings": beings,
            "speed": {
                "seconds": self.seconds,
                "being_days_per_second": self.being_days_per_second,
            },
        }

    def daily_rows(self) -> Iterator[tuple[int, str, float, float, float, float, float]]:
        """``(day, metric, mean, sd, p5, p50, p95)`` for every day and per-day metric."""
        for day in range(self.days):
            for m, name in enumerate(METRICS):
                mean, sd, p5, p50, p95 = (float(v) for v in self.daily[day, m])
                yield day + 1, name, mean, sd, p5, p50, p95


def named_beings(state: State) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Named beings, their rows within a world, and each scenario row's slot (or -1)."""
    names = [state.named[i] for i in sorted(state.named)]
    rows = np.array(sorted(state.named), np.int64)
    slot = np.full(state.n0, -1, np.int64)
    slot[rows] = np.arange(len(rows))
    return names, rows, slot


_WARM_UP = """
[params]
width = 3
height = 3
lead_threshold = 0.0
bite_rate = 1.0
[[packs]]
name = "P"
alpha = { name = "A" }
members = [{ name = "B", kind = "werewolf" }, { name = "C", kind = "human" }]
allies = [{ name = "D", kind = "human" }]
[[omegas]]
name = "O"
hostile = true
[[crowds]]
kind = "human"
count = 3
"""


# Bytes a run needs beyond its being columns: the phases' temporaries (about as
# much again as the columns: 98 B a being measured against 58 of columns), and a
# stored day's figure, one row of Python values per metric when it is written out.
_WORKING_FACTOR = 2
_BYTES_A_STORED_FIGURE = 800


def memory_needed(scenario: Scenario, worlds: int, days: int) -> int:
    """About how many bytes a run of ``worlds`` x ``days`` takes, worked out before running it.

    The beings (every world's, and the arrivals reserved for), the per-world
    tallies, and the daily table, kept as arrays and then as stored rows.

    >>> tiny = parse_scenario('[[crowds]]\\nkind = "human"\\ncount = 5\\n')
    >>> memory_needed(tiny, 10**9, 365) > 10**12
    True
    """
    rows = scenario.beings_per_world * worlds + expected_arrivals(scenario.params, worlds, days)
    beings = rows * BYTES_PER_ROW * _WORKING_FACTOR
    named = len(scenario.named())
    per_world = worlds * (2 * N_METRICS * 8 + (named + 1) * 8 * (4 + len(STANDINGS)))
    daily = days * N_METRICS * (len(STATISTICS) * 8 + _BYTES_A_STORED_FIGURE)
    return int(beings + per_world + daily)


def memory_available() -> int | None:
    """Bytes this process may still take: the system's available memory, or the
    control group's limit when that is lower; None when neither can be read."""
    found: list[int] = []
    with suppress(OSError, ValueError, StopIteration):
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            line = next(line for line in meminfo if line.startswith("MemAvailable:"))
        found.append(int(line.split()[1]) * 1024)
    with suppress(OSError, ValueError):
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit != "max":
            found.append(max(0, int(limit) - int(used)))
    return min(found) if found else None


def warm_up() -> None:
    """Compile (or load from Numba's cache) every kernel, outside any timing."""
    scenario = parse_scenario(_WARM_UP, "warm-up")
    simulate(scenario, worlds=2, days=3, seed=0, _warm=False)
    with jit.always_parallel():
        simulate(scenario, worlds=2, days=3, seed=0, _warm=False)


def simulate(
    scenario: Scenario,
    worlds: int | None = None,
    days: int | None = None,
    seed: int | None = None,
    on_day: Callable[[int], None] | None = None,
    chronicler: Callable[[State], Chronicler] | None = None,
    _warm: bool = True,
) -> RunResult:
    """Run ``worlds`` replicate worlds for ``days`` days from one seed.

    The same scenario, seed and worlds give the same numbers. ``on_day(d)``
    is called after each day (a progress bar); ``chronicler(state)`` makes
    the chronicle writer of a traced world. Speed is measured over the
    simulated days only, after the kernels are compiled.
    """
    worlds = scenario.run.worlds if worlds is None else worlds
    days = scenario.run.days if days is None else days
    seed = scenario.run.seed if seed is None else seed
    if _warm:
        warm_up()
    rng = np.random.default_rng(seed)
    state = build_state(scenario, worlds, rng, days)
    names, named_rows, named_slot = named_beings(state)
    ledger = Ledger(
        today=np.zeros((worlds, N_METRICS)),
        wounded=np.zeros((worlds, len(names)), np.int32),
        wounded_alone=np.zeros((worlds, len(names)), np.int32),
        named_slot=named_slot,
        chronicler=chronicler(state) if chronicler is not None else None,
    )
    totals = np.zeros((worlds, len(EVENT_METRICS)))
    named_days = np.zeros((worlds, len(names), len(STANDINGS)), np.int32)
    daily = np.zeros((days, N_METRICS, len(STATISTICS)))
    being_days = 0.0
    started = time.perf_counter()
    for day in range(days):
        ledger.today[:] = 0.0
        if ledger.chronicler is not None:
            ledger.chronicler.phase("day", state)
        one_day(state, rng, ledger)
        b = state.beings
        betas = k.count_betas(b, len(state.packs.alpha))
        k.count_day(b, state.packs.alpha, state.packs.world, betas, ledger.today)
        k.count_named_days(b, named_rows, state.n0, named_days)
        totals += ledger.today[:, EVENT_METRICS]
        daily[day] = summarise(ledger.today)
        being_days += float(ledger.today[:, M_BEINGS : M_BEINGS + 2 * len(STANDINGS)].sum())
        if on_day is not None:
            on_day(day + 1)
    seconds = time.perf_counter() - started
    alive = np.zeros((worlds, len(names)), np.bool_)
    if len(names):
        rows = np.arange(worlds)[:, None] * state.n0 + named_rows[None, :]
        alive = state.beings.alive[rows]
    return RunResult(
        scenario=scenario,
        worlds=worlds,
        days=days,
        seed=seed,
        named=names,
        totals=totals,
        alive=alive,
        wounded=ledger.wounded,
        wounded_alone=ledger.wounded_alone,
        named_days=named_days,
        daily=daily,
        seconds=seconds,
        being_days=being_days,
        state=state,
    )
