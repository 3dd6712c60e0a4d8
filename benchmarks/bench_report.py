"""Recording and film benchmarks: what recording a world costs a run, its size, a film's speed.

Run as a script (not part of the tests)::

    .venv/bin/python benchmarks/bench_report.py            # Beacon Hills, 1,000 worlds x 365 days
    .venv/bin/python benchmarks/bench_report.py --quick    # 200 worlds, fewer repeats

- **Overhead**: Beacon Hills, 1,000 worlds x 365 days, run without and with
  world 0 recorded, alternately in one process (kernels compiled first),
  medians of the repeats. "With" counts everything recording adds: the
  observe hook and the chronicle writer during the days, cutting the last
  chunk, and storing the film and the checked chronicle (SQLite file;
  PostgreSQL too when ``PACKLAW_BENCH_PG_URL`` names a database).
- **Size**: stored film bytes over being-days (each being from the day it
  appeared), for world 0 and for eight worlds.
- **Film**: ``packlaw film RUN --world 0 --out F.gif`` (and ``.mp4``) of the
  365 recorded days, end to end in a fresh process (start-up, reading,
  decoding, drawing, encoding), medians of the repeats.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKLAW = str(Path(sys.executable).parent / "packlaw")


def listed(values: Any) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def timed_run(
    scenario: Any, worlds: int, days: int, record: list[int], url: str | None
) -> dict[str, float]:
    """One run; with ``record``, the recording stored in ``url``. Seconds of each part."""
    from packlaw.sim import simulate
    from packlaw.sim.recording import Recorder
    from packlaw.store import Store
    from packlaw.store.recordings import save_recordings

    recorder = Recorder(scenario, record) if record else None
    started = time.perf_counter()
    result = simulate(
        scenario,
        worlds=worlds,
        days=days,
        seed=1,
        observe=recorder.observe if recorder else None,
        chronicler=recorder.chronicler if recorder else None,
        _warm=False,
    )
    ran = time.perf_counter() - started
    out = {"days": result.seconds, "run": ran, "store": 0.0, "bytes": 0.0, "being_days": 0.0}
    if recorder is not None and url is not None:
        began = time.perf_counter()
        recordings = recorder.recordings()
        with Store(url) as store:
            run_id = store.start_run(scenario.name, "", 1, worlds, days)
            save_recordings(store, run_id, recordings)
        out["store"] = time.perf_counter() - began
        out["bytes"] = sum(r.film_bytes for r in recordings)
        out["being_days"] = sum(r.being_days for r in recordings)
    return out


def overhead(worlds: int, days: int, repeats: int, url: str) -> None:
    from packlaw.sim import load_scenario
    from packlaw.sim.run import warm_up

    scenario, _, _ = load_scenario()
    warm_up()
    timed_run(scenario, 20, 5, [0], url)  # the store's and chronicle's first use, untimed
    plain, recorded = [], []
    for _ in range(repeats):
        plain.append(timed_run(scenario, worlds, days, [], None))
        recorded.append(timed_run(scenario, worlds, days, [0], url))
    base = statistics.median(r["run"] for r in plain)
    during = statistics.median(r["run"] for r in recorded)
    storing = statistics.median(r["store"] for r in recorded)
    total = during + storing
    print(f"Beacon Hills, {worlds:,} worlds x {days} days, {repeats} pairs of runs (medians):")
    print(f"  without recording   {base:.3f} s (runs: {listed(r['run'] for r in plain)})")
    print(
        f"  recording world 0   {during:.3f} s during the days + {storing:.3f} s storing"
        f" = {total:.3f} s (runs: {listed(r['run'] + r['store'] for r in recorded)})"
    )
    print(
        f"  overhead            {100 * (total / base - 1):+.1f}% ({100 * (during / base - 1):+.1f}% during the days)"
    )
    print(
        f"  film of world 0     {recorded[0]['bytes']:,.0f} bytes for {recorded[0]['being_days']:,.0f}"
        f" being-days: {recorded[0]['bytes'] / recorded[0]['being_days']:.2f} bytes a being-day"
    )


def size_of_eight(days: int, url: str) -> None:
    from packlaw.sim import load_scenario

    scenario, _, _ = load_scenario()
    result = timed_run(scenario, 8, days, list(range(8)), url)
    print(
        f"  eight worlds        {result['bytes']:,.0f} bytes for {result['being_days']:,.0f}"
        f" being-days: {result['bytes'] / result['being_days']:.2f} bytes a being-day"
        f" (raw: 9 bytes a being-day)"
    )


def films(days: int, repeats: int, folder: Path) -> None:
    db = f"sqlite:///{folder / 'films.db'}"
    subprocess.run(
        [PACKLAW, "simulate", "--worlds", "4", "--days", str(days), "--record", "0", "--db", db],
        check=True,
        capture_output=True,
    )
    for suffix in (".gif", ".mp4"):
        seconds = []
        for _ in range(repeats):
            began = time.perf_counter()
            subprocess.run(
                [
                    PACKLAW,
                    "film",
                    "1",
                    "--world",
                    "0",
                    "--out",
                    str(folder / f"f{suffix}"),
                    "--db",
                    db,
                ],
                check=True,
                capture_output=True,
            )
            seconds.append(time.perf_counter() - began)
        size = (folder / f"f{suffix}").stat().st_size
        print(
            f"  packlaw film, {days} days to {suffix}: median {statistics.median(seconds):.2f} s"
            f" (runs: {listed(seconds)}), {size:,} bytes"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 worlds, fewer repeats")
    args = parser.parse_args(argv)
    worlds, repeats = (200, 2) if args.quick else (1_000, 5)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        overhead(worlds, 365, repeats, f"sqlite:///{folder / 'runs.db'}")
        pg = os.environ.get("PACKLAW_BENCH_PG_URL")
        if pg:
            print("PostgreSQL:")
            overhead(worlds, 365, repeats, pg)
        size_of_eight(365, f"sqlite:///{folder / 'eight.db'}")
        print("Films (end to end, a fresh process each):")
        films(365, 3 if args.quick else 5, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
