"""Running a scenario: many worlds, many days, one seeded generator.

>>> from packlaw.sim.scenario import parse_scenario
>>> tiny = parse_scenario('[[crowds]]\\nkind = "human"\\ncount = 5\\n')
>>> result = simulate(tiny, worlds=3, days=2, seed=7)
>>> result.summary()["totals"]["deaths"]["mean"]
0.0
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from packlaw.sim import jit
from packlaw.sim.metrics import (
    EVENT_METRICS,
    METRICS,
    N_METRICS,
    STATISTICS,
    describe_columns,
)
from packlaw.sim.phases import Chronicler, Ledger, fast_days, new_tally, one_day
from packlaw.sim.replay import LoneWorld, Watch, replay
from packlaw.sim.scenario import Scenario, parse_scenario
from packlaw.sim.state import (
    BYTES_PER_ROW,
    STANDINGS,
    State,
    build_state,
    expected_arrivals,
)

TOTALS = [METRICS[m] for m in EVENT_METRICS]
DAYS_A_CALL = 64
"""Days an unobserved serial run simulates in one kernel call, at most (see `kernels.days`)."""


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
    cpu_seconds: float = 0.0  # the process's CPU time over the simulated days (all threads)

    @property
    def being_days_per_second(self) -> float:
        """Living beings times days simulated, per second of simulated days."""
        return self.being_days / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the architecture page."""
        totals = dict(zip(TOTALS, describe_columns(self.totals), strict=True))
        # Every named being's figures over worlds, summarised in one pass: named x figures.
        figures = np.concatenate(
            [
                self.alive[:, :, None],
                self.wounded[:, :, None],
                self.wounded_alone[:, :, None],
                self.named_days,
            ],
            axis=2,
            dtype=np.float64,
        )
        stats = describe_columns(figures.reshape(self.worlds, -1))
        per_being = 3 + len(STANDINGS)
        beings: dict[str, Any] = {}
        for slot, name in enumerate(self.named):
            mine = stats[slot * per_being : (slot + 1) * per_being]
            beings[name] = {
                "alive": mine[0],
                "wounded": mine[1],
                "wounded_alone": mine[2],
                "days": dict(zip(STANDINGS, mine[3:], strict=True)),
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


# Everything happens in this world: hunts, bites and an arrival every day (so the day's close
# called from Python after an arrival is loaded before a run too, not during its first days).
_WARM_UP = """
[params]
width = 3
height = 3
lead_threshold = 0.0
bite_rate = 1.0
omega_arrival_rate = 1.0
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


COMPILE_NOTICE = (
    "compiling the simulator's kernels for this machine (once after an install or an "
    "upgrade of packlaw or Numba; about a minute)"
)
_warmed = False


class _Silent:
    """A chronicler that writes nothing: makes a run take the phase-by-phase path."""

    def phase(self, name: str, state: State, **happened: np.ndarray) -> None:
        """Hear a phase and forget it."""


def warm_up(notice: Callable[[str], None] | None = None, every_form: bool = False) -> None:
    """Compile (or load from Numba's cache) the kernels, outside any timing; once a process.

    Loads the whole-day kernel of a serial run. When the on-disk cache does
    not hold these kernels (a fresh install, a changed source, a new Numba),
    or with ``every_form``, it compiles every form instead: the serial day,
    the phase-by-phase day, the day of a world replayed alone (traced and
    recorded worlds) and the parallel kernels; then
    ``notice`` is told so in one line first, as that takes a while.
    """
    global _warmed
    if _warmed:
        return
    cold = not jit.cache_is_warm()
    if cold and notice is not None:
        notice(COMPILE_NOTICE)
    scenario = parse_scenario(_WARM_UP, "warm-up")
    simulate(scenario, worlds=2, days=3, seed=0, _warm=False)
    if cold or every_form:
        simulate(
            scenario, worlds=2, days=3, seed=0, chronicler=lambda state: _Silent(),
            watch=[Watch(1)], _warm=False,
        )  # fmt: skip
        with jit.always_parallel():
            simulate(scenario, worlds=2, days=3, seed=0, _warm=False)
        jit.mark_cache_warm()
    _warmed = True


@contextmanager
def _interruptible() -> Iterator[None]:
    """Raise a signal's exception (Ctrl-C) as itself when it came while a kernel ran.

    Python runs the signal's handler inside the first Python code it meets,
    which may be a call Numba makes from a kernel; Numba then reports a
    SystemError caused by it (`packlaw.interruption`).
    """
    try:
        yield
    except SystemError as error:
        from packlaw.interruption import interrupted_by

        stop = interrupted_by(error)
        if stop is not None:
            raise stop from None
        raise


def simulate(
    scenario: Scenario,
    worlds: int | None = None,
    days: int | None = None,
    seed: int | None = None,
    on_day: Callable[[int], None] | None = None,
    chronicler: Callable[[State], Chronicler] | None = None,
    observe: Callable[[int, State], None] | None = None,
    watch: Sequence[Watch] = (),
    _warm: bool = True,
) -> RunResult:
    """Run ``worlds`` replicate worlds for ``days`` days from one seed.

    The same scenario, seed and worlds give the same numbers. ``on_day(d)``
    is called after each day (a progress bar); ``chronicler(state)`` makes
    the chronicle writer of a traced world; ``observe(d, state)`` is called
    after each day with the day's number (1 is the first) and the state.
    Both make every world run phase by phase, a day a call; to trace or
    record a few worlds, ``watch`` them instead: the run goes at full speed,
    and each watched world is then replayed alone for its watchers, with the
    same numbers (`packlaw.sim.replay`). Speed is measured over the
    simulated days (replays included) only, after the kernels are compiled.
    """
    worlds = scenario.run.worlds if worlds is None else worlds
    days = scenario.run.days if days is None else days
    seed = scenario.run.seed if seed is None else seed
    if _warm:
        warm_up()
    state = build_state(scenario, worlds, seed, days)
    tally = new_tally(state, days)
    ledger = Ledger(tally, chronicler=chronicler(state) if chronicler is not None else None)
    lones = {world: LoneWorld(state, world) for world in sorted({w.world for w in watch})}
    rows_at_dawn = np.zeros(days, np.int64)  # rows in use as each day starts (for the lone worlds)
    choice = jit.ThreadChoice(state.n)
    started, cpu_started = time.perf_counter(), time.process_time()
    day = 0
    with _interruptible():
        while day < days:
            threads = choice.threads(state.n)
            ledger.parallel = threads > 1
            day_started = time.perf_counter()
            dawn = state.n
            # A traced world needs each phase's outcome, and parallel kernels are called from
            # Python: phase by phase. Otherwise many days are one call (a day when observed).
            if ledger.chronicler is not None or ledger.parallel:
                one_day(state, ledger)
                ran = 1
            else:
                ran = fast_days(
                    state, ledger, 1 if observe is not None else min(DAYS_A_CALL, days - day)
                )
            choice.record(threads, (time.perf_counter() - day_started) / ran)
            rows_at_dawn[day : day + ran] = dawn  # arrivals come at a day's end
            for _ in range(ran):
                day += 1
                if observe is not None:
                    observe(day, state)
                if on_day is not None:
                    on_day(day)
        for world, lone in lones.items():
            lone.place_arrivals(state, rows_at_dawn)
            replay(lone, days, [w for w in watch if w.world == world])
            lone.check_same(state)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    names = [state.named[i] for i in tally.named_rows]
    rows = np.arange(worlds)[:, None] * state.n0 + tally.named_rows[None, :]
    alive = state.beings.alive[rows]
    return RunResult(
        scenario=scenario,
        worlds=worlds,
        days=days,
        seed=seed,
        named=names,
        totals=tally.totals,
        alive=alive,
        wounded=tally.wounded,
        wounded_alone=tally.wounded_alone,
        named_days=tally.named_days,
        daily=tally.daily[:days],
        seconds=seconds,
        being_days=float(tally.being_days[0]),
        state=state,
        cpu_seconds=cpu_seconds,
    )
