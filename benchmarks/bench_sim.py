"""Simulator benchmarks: speed and memory at 1,000 .. 1,000,000 beings; Beacon Hills 10,000 x 365.

Run as a script (not part of the tests)::

    .venv/bin/python benchmarks/bench_sim.py            # everything
    .venv/bin/python benchmarks/bench_sim.py --quick    # fewer repeats, no Beacon Hills 10k

Each measurement runs in a fresh subprocess, so compilation, caches and
memory of one do not leak into another. Speed is being-days per second over
the simulated days only (`RunResult.seconds`: no setup, no compilation),
the median of several runs. Memory is the peak resident set size during a
run (building the state included) minus the resident size just before it
(after imports and compiling every kernel), per being: the kernel's
high-water mark is reset through ``/proc/self/clear_refs`` before the run.

The scaled world keeps Beacon Hills' make-up and density: per 48 beings one
pack (alpha, three werewolf betas, a human member, a human ally), a strong
omega, a hostile omega and forty townspeople, on a square torus of about 33
cells per being.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 100_000, 1_000_000)


def scaled_scenario(beings: int) -> Any:
    """Beacon Hills' make-up scaled to about ``beings`` beings in one world."""
    from packlaw.sim.scenario import Scenario

    blocks = max(1, round(beings / 48))
    side = max(3, round(math.sqrt(blocks * 1600)))
    packs = [
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
    ]
    return Scenario.model_validate(
        {
            "name": f"scaled-{beings}",
            "params": {"width": side, "height": side},
            "packs": packs,
            "omegas": [{"name": f"Omega{i}", "strength": 1.3} for i in range(blocks)],
            "crowds": [
                {"kind": "werewolf", "count": blocks, "hostile": True},
                {"kind": "human", "count": 40 * blocks},
            ],
        }
    )


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _peak() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def child_speed(beings: int, days: int, repeats: int) -> dict[str, Any]:
    """In a subprocess: being-days per second at this size (median of ``repeats``)."""
    from packlaw.sim.run import simulate, warm_up

    warm_up()
    scenario = scaled_scenario(beings)
    rates = []
    for _ in range(repeats):
        result = simulate(scenario, worlds=1, days=days, seed=len(rates) + 1, _warm=False)
        rates.append(result.being_days_per_second)
    return {
        "beings": scenario.beings_per_world,
        "days": days,
        "rates": rates,
        "median": statistics.median(rates),
    }


def child_memory(beings: int, days: int) -> dict[str, Any]:
    """In a subprocess: peak bytes per being over the resident size before the run."""
    from packlaw.sim.run import simulate, warm_up

    scenario = scaled_scenario(beings)
    warm_up()  # imports and compiles everything, on a tiny world
    import gc

    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak resident size to the current one
    before = _rss()
    result = simulate(scenario, worlds=1, days=days, seed=2, _warm=False)
    peak = _peak()
    n = scenario.beings_per_world
    return {
        "beings": n,
        "rows": result.state.n,
        "baseline_bytes": before,
        "peak_bytes": peak,
        "bytes_per_being": (peak - before) / n,
    }


def child_beacon_hills(worlds: int, days: int, repeats: int) -> dict[str, Any]:
    """In a subprocess: Beacon Hills wall time over the simulated days (median)."""
    from packlaw.sim import load_scenario
    from packlaw.sim.run import simulate, warm_up

    warm_up()
    scenario, _, _ = load_scenario()
    seconds = []
    rates = []
    whole = []
    for i in range(repeats):
        started = time.perf_counter()
        result = simulate(scenario, worlds=worlds, days=days, seed=i + 1, _warm=False)
        whole.append(time.perf_counter() - started)
        seconds.append(result.seconds)
        rates.append(result.being_days_per_second)
    return {
        "worlds": worlds,
        "days": days,
        "seconds": seconds,
        "median_seconds": statistics.median(seconds),
        "median_with_setup": statistics.median(whole),
        "median_being_days_per_second": statistics.median(rates),
    }


def _in_child(function: str, *args: int) -> dict[str, Any]:
    here = str(Path(__file__).parent)
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import bench_sim as b; "
        f"print(json.dumps(b.{function}(*{args!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    """Run the benchmarks and print a table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip Beacon Hills 10k")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    figures: dict[str, Any] = {"speed": [], "memory": [], "beacon_hills": None}
    print(f"{'beings':>10} {'being-days/s (median)':>24} {'bytes/being':>12}")
    for beings in args.sizes:
        days = max(5, min(365, 20_000_000 // beings))
        speed = _in_child("child_speed", beings, days, repeats)
        memory = _in_child("child_memory", beings, min(days, 30))
        figures["speed"].append(speed)
        figures["memory"].append(memory)
        print(
            f"{speed['beings']:>10,} {speed['median'] / 1e6:>21.1f} M {memory['bytes_per_being']:>12.0f}",
            flush=True,
        )
    if not args.quick:
        hills = _in_child("child_beacon_hills", 10_000, 365, 3)
        figures["beacon_hills"] = hills
        print(
            f"Beacon Hills 10,000 worlds x 365 days: {hills['median_seconds']:.1f} s "
            f"(median of 3; {hills['median_with_setup']:.1f} s with setup; "
            f"{hills['median_being_days_per_second'] / 1e6:.1f} M being-days/s)"
        )
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
