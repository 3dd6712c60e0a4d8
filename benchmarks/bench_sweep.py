"""Sweep benchmark: throughput on Dask against the simulator's own single-process speed.

Run as a script (not part of the tests)::

    .venv/bin/python benchmarks/bench_sweep.py               # 24 points x 200 worlds x 365 days, 3 repeats
    .venv/bin/python benchmarks/bench_sweep.py --quick       # 8 points x 50 worlds x 100 days, 1 repeat
    .venv/bin/python benchmarks/bench_sweep.py --only "dask, 2 workers"

The same points (Beacon Hills, Stiles's autonomy on a grid) are run three ways,
each into a fresh SQLite ledger, each point stored as it finishes:

- one process: `packlaw.sim.simulate` point after point, each stored with
  the ledger's own `finish`, no Dask;
- `run_sweep` on a LocalCluster of 1 worker, then of 2 workers, then of 2
  workers storing no daily tables (``--no-daily``).

Times are wall clock from the first point to the last stored, after the
cluster is up and every worker has compiled (loaded) the kernels, since
start-up is paid once a sweep, not once a point. Also printed: the bytes a
point's result takes on the wire and the client's time to store one.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _ledger(folder: Path, experiment: Any) -> tuple[Any, Any, list[Any]]:
    from packlaw.store import Store, resolve_url
    from packlaw.store.sweeps import SweepLedger
    from packlaw.sweep.runner import planned_points, record_experiment

    store = Store(resolve_url(f"sqlite:///{folder / 'bench.db'}"))
    ledger = SweepLedger(store)
    sweep = record_experiment(ledger, experiment, *planned_points(experiment))
    return store, ledger, ledger.points(sweep)


def one_process(experiment: Any) -> dict[str, float]:
    """Every point in this process, one after another, each stored as it finishes."""
    from packlaw.sweep.work import daily_rows, run_points

    paths = [f.path for f in experiment.factors]
    names = experiment.names
    with tempfile.TemporaryDirectory() as folder:
        store, ledger, points = _ledger(Path(folder), experiment)
        info = ledger.sweep(1)
        run_points(
            experiment.scenario.model_dump(),
            paths,
            [(points[0].point_id, [points[0].values[n] for n in names], 1)],
            2,
            2,
        )
        started = time.perf_counter()
        being_days = 0.0
        store_seconds = 0.0
        size = 0
        for point in points:
            (result,) = run_points(
                experiment.scenario.model_dump(),
                paths,
                [(point.point_id, [point.values[n] for n in names], point.seed)],
                experiment.worlds,
                experiment.days,
            )
            size = len(pickle.dumps(result))
            stored = time.perf_counter()
            ledger.finish(info, point, result.summary, daily_rows(result.daily), result.outputs)
            store_seconds += time.perf_counter() - stored
            being_days += result.being_days
        seconds = time.perf_counter() - started
        store.close()
    return {
        "seconds": seconds,
        "being_days": being_days,
        "store_ms_per_point": 1000 * store_seconds / len(points),
        "result_bytes": size,
    }


def on_dask(experiment: Any, workers: int, daily: bool = True) -> dict[str, float]:
    """Every point through `run_sweep` on a LocalCluster of ``workers`` workers."""
    from packlaw.sim.run import warm_up
    from packlaw.sweep.runner import Tally, dask_client, run_sweep

    with tempfile.TemporaryDirectory() as folder, dask_client(None, workers) as client:
        store, ledger, points = _ledger(Path(folder), experiment)
        client.run(warm_up)  # every worker loads the compiled kernels before the clock starts
        tally = Tally(total=len(points))
        started = time.perf_counter()
        run_sweep(
            client,
            ledger,
            ledger.sweep(1),
            experiment.scenario.model_dump(),
            [f.path for f in experiment.factors],
            experiment.names,
            points,
            experiment.worlds,
            experiment.days,
            tally,
            daily=daily,
        )
        seconds = time.perf_counter() - started
        store.close()
    assert tally.done == len(points), tally
    return {"seconds": seconds, "being_days": tally.being_days, "tasks": tally.tasks}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--only", action="append", help="measure only these (by label: 'one process', ...)"
    )
    args = parser.parse_args(argv)
    from packlaw.sweep.experiment import build_experiment

    points, worlds, days = (8, 50, 100) if args.quick else (24, 200, 365)
    repeats = args.repeats or (1 if args.quick else 3)
    step = 1 / (points - 1)
    experiment = build_experiment(
        "beacon-hills",
        {"Stiles.autonomy": [round(k * step, 6) for k in range(points)]},
        worlds=worlds,
        days=days,
    )
    print(f"{points} points x {worlds} worlds x {days} days, median of {repeats}", flush=True)
    figures: dict[str, Any] = {}
    for label, measure in (
        ("one process", lambda: one_process(experiment)),
        ("dask, 1 worker", lambda: on_dask(experiment, 1)),
        ("dask, 2 workers", lambda: on_dask(experiment, 2)),
        ("dask, 2 workers, --no-daily", lambda: on_dask(experiment, 2, daily=False)),
    ):
        if args.only and label not in args.only:
            continue
        runs = [measure() for _ in range(repeats)]
        seconds = statistics.median(r["seconds"] for r in runs)
        figure = {
            "seconds": seconds,
            "points_per_minute": 60 * points / seconds,
            "being_days_per_second": runs[0]["being_days"] / seconds,
            "all_seconds": [round(r["seconds"], 2) for r in runs],
        }
        figure.update({k: v for k, v in runs[0].items() if k not in ("seconds", "being_days")})
        figures[label] = figure
        print(
            f"{label:16} {seconds:7.2f} s  {figure['points_per_minute']:8.1f} points/min  "
            f"{figure['being_days_per_second'] / 1e6:6.2f} M being-days/s  {figure['all_seconds']}",
            flush=True,
        )
    if "one process" in figures and "dask, 1 worker" in figures:
        overhead = figures["dask, 1 worker"]["seconds"] / figures["one process"]["seconds"] - 1
        print(f"Dask overhead on 1 worker: {100 * overhead:+.1f}% of the one-process time")
    if "one process" in figures:
        print(
            f"a point's result: {figures['one process']['result_bytes']:,} bytes; "
            f"storing it: {figures['one process']['store_ms_per_point']:.1f} ms"
        )
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
