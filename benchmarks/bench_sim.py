"""Simulator benchmarks: the issue's target cases, the cost curve from 50 beings to 1M, memory, threads, start-up, phases.

Run as a script (not part of the tests)::

    .venv/bin/python benchmarks/bench_sim.py                 # everything
    .venv/bin/python benchmarks/bench_sim.py --only targets  # one group: targets, curve,
                                                             # memory, threads, startup, phases

Every measurement runs in a fresh process, so compilation, caches and
memory of one do not leak into another. Speed is being-days per second
(beings alive at the end of each day, summed over days) over the simulated
days only (`RunResult.seconds`: no set-up, no compilation), the median of
several runs; the same figure over the process's CPU time during those
days (all threads) is given too, because on a shared machine the wall
clock mostly measures the others.

The scaled world keeps Beacon Hills' make-up and density: per 48 beings one
pack (alpha, three werewolf betas, a human member, a human ally), a strong
omega, a hostile omega and forty townspeople, on a square torus of about 33
cells per being. The town has 400 such packs and fewer townspeople (about
11,000 beings).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CURVE = (50, 200, 1_000, 10_000, 100_000, 1_000_000)
FIGURE = Path(__file__).resolve().parent / "sim_cost_curve.png"


def scaled_scenario(beings: int, packs: int | None = None) -> Any:
    """Beacon Hills' make-up scaled to about ``beings`` beings in one world (``packs`` packs)."""
    from packlaw.sim.scenario import Scenario

    blocks = max(1, round(beings / 48)) if packs is None else packs
    townspeople = max(0, beings - 8 * blocks)
    side = max(3, round(math.sqrt(beings * 33)))
    return Scenario.model_validate(
        {
            "name": f"scaled-{beings}",
            "params": {"width": side, "height": side},
            "packs": [
                {
                    "name": f"Pack{i}",
                    "alpha": {"name": f"Alpha{i}", "strength": 1.2, "research": 0.4},
                    "members": [
                        {"name": f"Beta{i}a", "kind": "werewolf"},
                        {"name": f"Beta{i}b", "kind": "werewolf"},
                        {"name": f"Beta{i}c", "kind": "werewolf"},
                        {
                            "name": f"Human{i}",
                            "kind": "human",
                            "research": 0.9,
                            "autonomy": 0.7,
                            "pride": 0.9,
                        },
                    ],
                    "allies": [{"name": f"Ally{i}", "kind": "human", "strength": 0.5}],
                }
                for i in range(blocks)
            ],
            "omegas": [{"name": f"Omega{i}", "strength": 1.3} for i in range(blocks)],
            "crowds": [
                {"kind": "werewolf", "count": blocks, "hostile": True},
                {"kind": "human", "count": townspeople},
            ],
        }
    )


def _scenario(name: str) -> Any:
    from packlaw.sim import load_scenario

    if name == "beacon-hills":
        return load_scenario()[0]
    if name == "town":
        return scaled_scenario(11_000, packs=400)
    return scaled_scenario(int(name))


def child_speed(
    scenario: str, worlds: int, days: int, repeats: int, threads: int
) -> dict[str, Any]:
    """In a subprocess: being-days per second, wall and CPU (medians of ``repeats``)."""
    from packlaw.sim import jit
    from packlaw.sim.run import simulate, warm_up

    warm_up()
    if hasattr(jit, "set_threads"):  # not in a tree from before threads were chosen (--tree)
        jit.set_threads(threads or None)
    loaded = _scenario(scenario)
    wall, cpu = [], []
    for seed in range(1, repeats + 1):
        result = simulate(loaded, worlds=worlds, days=days, seed=seed)
        wall.append(result.being_days_per_second)
        cpu_seconds = getattr(result, "cpu_seconds", 0.0)
        cpu.append(result.being_days / cpu_seconds if cpu_seconds else float("nan"))
    return {
        "scenario": scenario,
        "worlds": worlds,
        "days": days,
        "beings": loaded.beings_per_world * worlds,
        "threads": threads or "chosen",
        "wall": wall,
        "median": statistics.median(wall),
        "median_cpu": statistics.median(cpu),
    }


PHASES = (
    "tasks", "orders", "movement", "attacks", "deaths", "research_and_hunts",
    "care_and_healing", "bites", "joining", "leaving", "arrivals",
)  # fmt: skip
"""`phases.one_day`'s phases, in its order."""


def child_phases(scenario: str, worlds: int, days: int) -> dict[str, Any]:
    """In a subprocess: CPU nanoseconds a being-day of each phase, called one at a time, serially.

    Each phase is one kernel call from Python here (`phases.py`), so a small
    world's figures include the call's own cost; from about 100,000 beings
    the phases' work dominates.
    """
    import time

    from packlaw.sim import kernels, phases
    from packlaw.sim.run import warm_up
    from packlaw.sim.state import build_state

    warm_up()
    state = build_state(_scenario(scenario), worlds, 1, days)
    ledger = phases.Ledger(phases.new_tally(state, days))
    spent = dict.fromkeys([*PHASES, "close_day"], 0)
    for _ in range(days):
        ledger.today[:] = 0.0
        for name in PHASES:
            started = time.process_time_ns()
            getattr(phases, name)(state, ledger)
            spent[name] += time.process_time_ns() - started
        started = time.process_time_ns()
        kernels.close_day(state.beings, state.packs, ledger.tally, state.day)
        spent["close_day"] += time.process_time_ns() - started
        state.day += 1
    being_days = float(ledger.tally.being_days[0])
    return {"scenario": scenario, "worlds": worlds, "days": days, "beings": state.n} | {
        name: ns / being_days for name, ns in spent.items()
    }


def _peak() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def child_memory(beings: int, days: int, packs: int | None = None) -> dict[str, Any]:
    """In a subprocess: peak bytes per being of `simulate` and its summary over the resident size before."""
    import gc

    from packlaw.sim.run import simulate, warm_up

    scenario = scaled_scenario(beings, packs)
    warm_up()  # imports and compiles everything, on a tiny world
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak resident size to the current one
    before = _rss()
    result = simulate(scenario, worlds=1, days=days, seed=2)
    json.dumps(result.summary())
    n = scenario.beings_per_world
    return {"beings": n, "bytes_per_being": (_peak() - before) / n}


def _inline(model: Any) -> str:
    """A Pydantic model's set fields as a TOML inline table."""
    fields = model.model_dump(exclude_none=True)
    return "{ " + ", ".join(f"{key} = {json.dumps(value)}" for key, value in fields.items()) + " }"


def _write_toml(scenario: Any, path: Path) -> None:
    """A scenario as a TOML file the command line reads (only what `scaled_scenario` sets)."""
    lines = [f'name = "{scenario.name}"', "[params]"]
    lines += [f"width = {scenario.params.width}", f"height = {scenario.params.height}"]
    for pack in scenario.packs:
        lines += ["[[packs]]", f'name = "{pack.name}"', f"alpha = {_inline(pack.alpha)}"]
        lines.append(f"members = [{', '.join(_inline(m) for m in pack.members)}]")
        lines.append(f"allies = [{', '.join(_inline(m) for m in pack.allies)}]")
    for omega in scenario.omegas:
        lines += [
            "[[omegas]]",
            *(f"{k} = {json.dumps(v)}" for k, v in omega.model_dump(exclude_none=True).items()),
        ]
    for crowd in scenario.crowds:
        lines += [
            "[[crowds]]",
            *(f"{k} = {json.dumps(v)}" for k, v in crowd.model_dump(exclude_none=True).items()),
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _command_peak(arguments: list[str]) -> tuple[int, float]:
    """Peak resident bytes and wall seconds of one `packlaw` command, in a fresh process."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, "
        "time.perf_counter() - t)"
    )
    packlaw = str(Path(sys.executable).parent / "packlaw")
    done = subprocess.run(
        [sys.executable, "-c", code, packlaw, *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    peak, seconds = done.stdout.split()
    return int(peak), float(seconds)


def command_memory(beings: int, days: int, packs: int | None = None) -> dict[str, Any]:
    """Peak RSS of ``packlaw simulate --json`` on a world of ``beings`` less that of a one-being day."""
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "big.toml", Path(folder) / "small.toml"
        _write_toml(scaled_scenario(beings, packs), big)
        small.write_text('[[crowds]]\nkind = "human"\ncount = 1\n', encoding="utf-8")
        db = f"sqlite:///{folder}/runs.db"
        common = ["--worlds", "1", "--json", "--db", db]
        base, _ = _command_peak(["simulate", str(small), "--days", "1", *common])
        peak, seconds = _command_peak(["simulate", str(big), "--days", str(days), *common])
    n = scaled_scenario(beings, packs).beings_per_world
    return {"beings": n, "days": days, "bytes_per_being": (peak - base) / n, "seconds": seconds}


def startup(repeats: int) -> dict[str, Any]:
    """Wall seconds of a whole ``packlaw simulate --worlds 1 --days 1`` with the kernels cached."""
    with tempfile.TemporaryDirectory() as folder:
        arguments = ["simulate", "--worlds", "1", "--days", "1", "--db", f"sqlite:///{folder}/r.db"]
        seconds = [_command_peak(arguments)[1] for _ in range(repeats)]
    return {"seconds": seconds, "median": statistics.median(seconds)}


TREE: Path | None = None
"""Another checkout whose ``packlaw`` the measurements import (``--tree``), or None for this one."""


def _in_child(function: str, *args: Any) -> dict[str, Any]:
    here = str(Path(__file__).parent)
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import bench_sim as b; "
        f"print(json.dumps(b.{function}(*{args!r})))"
    )
    environment = None if TREE is None else {**os.environ, "PYTHONPATH": str(TREE)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=TREE or ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _speed_line(label: str, figure: dict[str, Any]) -> str:
    return (
        f"{label:<44} {figure['median'] / 1e6:8.2f} M/s wall  {figure['median_cpu'] / 1e6:8.2f} M/s CPU"
        f"  (threads {figure['threads']}; runs {', '.join(f'{r / 1e6:.2f}' for r in figure['wall'])})"
    )


def targets(repeats: int) -> list[dict[str, Any]]:
    """The issue's four speed cases."""
    cases = [
        ("one Beacon Hills world x 3,650 days", "beacon-hills", 1, 3650),
        ("Beacon Hills 2,000 worlds x 365 days", "beacon-hills", 2000, 365),
        ("town of ~11,000 beings (400 packs), 60 days", "town", 1, 60),
        ("1,000,000 beings, 20 days", "1000000", 1, 20),
    ]
    found = []
    for label, scenario, worlds, days in cases:
        figure = _in_child("child_speed", scenario, worlds, days, repeats, 0)
        print(_speed_line(label, figure), flush=True)
        found.append(figure)
    return found


def curve(repeats: int) -> list[dict[str, Any]]:
    """Being-days per second of one world from 50 to 1,000,000 beings, serial and chosen."""
    found = []
    for beings in CURVE:
        days = max(20, min(3650, 20_000_000 // beings))
        for threads in (1, 0):
            figure = _in_child("child_speed", str(beings), 1, days, repeats, threads)
            figure["days"] = days
            print(_speed_line(f"{beings:,} beings x {days} days", figure), flush=True)
            found.append(figure)
    _plot(found)
    return found


def _plot(found: list[dict[str, Any]]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no figure: matplotlib is not installed)")
        return
    figure, axes = plt.subplots(figsize=(6, 3.6))
    for threads, label in ((1, "serial, wall"), ("chosen", "threads chosen, wall")):
        points = [(f["beings"], f["median"]) for f in found if f["threads"] == threads]
        axes.plot(*zip(*points, strict=True), marker="o", label=label)
    points = [(f["beings"], f["median_cpu"]) for f in found if f["threads"] == 1]
    axes.plot(*zip(*points, strict=True), marker=".", linestyle="--", label="serial, CPU time")
    axes.set(xscale="log", xlabel="beings in one world", ylabel="being-days per second")
    axes.set_title("Simulator cost curve (shared 2-core machine, medians)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(FIGURE, dpi=100)
    print(f"figure: {FIGURE.relative_to(ROOT)}")


def threads(repeats: int) -> list[dict[str, Any]]:
    """Serial, two threads and the measured choice, at a million beings and Beacon Hills 2,000 x 365."""
    found = []
    for label, scenario, worlds, days in (
        ("1,000,000 beings, 20 days", "1000000", 1, 20),
        ("Beacon Hills 2,000 worlds x 365 days", "beacon-hills", 2_000, 365),
    ):
        for count in (1, 2, 0):
            figure = _in_child("child_speed", scenario, worlds, days, repeats, count)
            print(_speed_line(label, figure), flush=True)
            found.append(figure)
    return found


def phase_costs() -> list[dict[str, Any]]:
    """CPU time of each phase a being-day, at a million beings and Beacon Hills 2,000 worlds."""
    found = []
    for scenario, worlds, days in (("1000000", 1, 10), ("beacon-hills", 2_000, 40)):
        figure = _in_child("child_phases", scenario, worlds, days)
        print(f"{scenario} x {worlds} worlds x {days} days, CPU ns a being-day by phase:")
        for name in (*PHASES, "close_day"):
            print(f"  {name:<20} {figure[name]:6.2f}")
        found.append(figure)
    return found


def main() -> None:
    """Run the benchmarks and print their figures (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    groups = ("targets", "curve", "memory", "threads", "startup", "phases")
    parser.add_argument("--only", choices=groups, action="append", help="run only these groups")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one repeat, small cases only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--tree", type=Path, help="measure the packlaw of another checkout (speed cases only)"
    )
    args = parser.parse_args()
    global TREE
    TREE = args.tree.resolve() if args.tree else None
    repeats = 1 if args.quick else args.repeats
    chosen = args.only or list(groups)
    with open("/proc/loadavg") as f:
        print(f"load average at start: {' '.join(f.read().split()[:3])}", flush=True)
    figures: dict[str, Any] = {}
    if args.quick:
        figures["speed"] = _in_child("child_speed", "beacon-hills", 1, 365, 1, 0)
        print(_speed_line("one Beacon Hills world x 365 days", figures["speed"]))
        figures["startup"] = startup(1)
        print(
            f"packlaw simulate, 1 world x 1 day, end to end: {figures['startup']['median']:.2f} s"
        )
    else:
        if "targets" in chosen:
            figures["targets"] = targets(repeats)
        if "curve" in chosen:
            figures["curve"] = curve(repeats)
        if "memory" in chosen:
            figures["memory"] = []
            for packs, make_up in ((400, "400 named packs"), (None, "a named pack per 48")):
                inside = _in_child("child_memory", 1_000_000, 20, packs)
                command = command_memory(1_000_000, 20, packs)
                figures["memory"].append({"packs": packs, "simulate": inside, "command": command})
                print(
                    f"memory, 1M beings x 20 days, {make_up}: simulate + summary "
                    f"{inside['bytes_per_being']:.0f} B/being; packlaw simulate --json less a "
                    f"one-being day {command['bytes_per_being']:.0f} B/being ({command['seconds']:.1f} s)",
                    flush=True,
                )
        if "threads" in chosen:
            figures["threads"] = threads(repeats)
        if "phases" in chosen:
            figures["phases"] = phase_costs()
        if "startup" in chosen:
            figures["startup"] = startup(max(repeats, 3))
            runs = ", ".join(f"{s:.2f}" for s in figures["startup"]["seconds"])
            print(
                f"packlaw simulate, 1 world x 1 day, end to end: median {figures['startup']['median']:.2f} s ({runs})"
            )
    with open("/proc/loadavg") as f:
        print(f"load average at the end: {' '.join(f.read().split()[:3])}")
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
