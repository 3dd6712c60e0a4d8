"""Recording and film benchmarks: what recording a world costs a run, its size, a film's speed.

Run as a script (not part of the tests)::

    .venv/bin/python benchmarks/bench_report.py            # Beacon Hills, 1,000 worlds x 365 days
    .venv/bin/python benchmarks/bench_report.py --quick    # 200 worlds, fewer repeats
    .venv/bin/python benchmarks/bench_report.py --only overhead,parts --pg URL

- **Overhead**: Beacon Hills, 1,000 worlds x 365 days, run without and with
  world 0 recorded, alternately in one process (kernels compiled first),
  medians of the repeats, in wall time and in the main thread's CPU time
  (steadier on a shared machine), with the time spent inside the
  recorder's hooks timed directly. "With" counts everything recording adds: the
  observe hook and the chronicle writer during the days, cutting the last
  chunk, and storing the film and the checked chronicle (SQLite file;
  PostgreSQL too when ``--pg URL`` or ``PACKLAW_BENCH_PG_URL`` names a
  database); then the same as whole ``packlaw simulate`` commands.
- **Replay parts**: where the recorded world's replay and storing go, each
  part timed alone in the same runs (CPU time of the main thread): the
  lone world's day kernel, the Python around it, the chronicle writer, the
  film, cutting the last chunk, checking the chronicle, and the database.
- **Size**: stored film bytes over being-days (each being from the day it
  appeared), for world 0 and for eight worlds.
- **Film**: ``packlaw film RUN --world 0 --out F.gif`` (and ``.mp4``) of the
  365 recorded days, end to end in a fresh process (start-up, reading,
  decoding, drawing, encoding), medians of the repeats; then each part
  alone, in one process.
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
    import packlaw.sim.run as run
    from packlaw.sim import simulate
    from packlaw.sim.recording import Recorder
    from packlaw.sim.replay import Watch
    from packlaw.store import Store
    from packlaw.store.recordings import save_recordings

    recorder = Recorder(scenario, record) if record else None
    # wall and CPU seconds (this thread's: Numba's idle workers may spin) in the replays of the
    # recorded worlds, and within them in the recorder's hooks (film and chronicle)
    spent = {"replay": 0.0, "replay_cpu": 0.0, "hooks": 0.0, "hooks_cpu": 0.0}

    def timed(into: str, call: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began, cpu = time.perf_counter(), time.thread_time()
            out = call(*args, **kwargs)
            spent[into] += time.perf_counter() - began
            spent[into + "_cpu"] += time.thread_time() - cpu
            return out

        return wrapper

    class TimedChronicler:
        def __init__(self, inner: Any) -> None:
            self.phase = timed("hooks", inner.phase)

    def watched(watch: Watch) -> Watch:
        assert watch.chronicler is not None and watch.observe is not None
        make = watch.chronicler
        return Watch(
            watch.world,
            chronicler=lambda state: TimedChronicler(make(state)),
            observe=timed("hooks", watch.observe),
        )

    plain_replay = run.replay
    run.replay = timed("replay", plain_replay)
    try:
        started, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
        result = simulate(
            scenario,
            worlds=worlds,
            days=days,
            seed=1,
            watch=[watched(w) for w in recorder.watches()] if recorder else (),
            _warm=False,
        )
        ran, cpu = time.perf_counter() - started, time.thread_time() - cpu
        process = time.process_time() - process
    finally:
        run.replay = plain_replay
    out = {
        "days": result.seconds,
        "run": ran,
        "cpu": cpu,
        "process_cpu": process,
        **spent,
        "store": 0.0,
        "store_cpu": 0.0,
        "bytes": 0.0,
        "being_days": 0.0,
    }
    if recorder is not None and url is not None:
        with Store(url) as store:  # open, as `simulate` has it, with the run started
            run_id = store.start_run(scenario.name, "", 1, worlds, days)
            began, cpu = time.perf_counter(), time.thread_time()
            recordings = recorder.recordings()
            save_recordings(store, run_id, recordings)
            out["store"] = time.perf_counter() - began
            out["store_cpu"] = time.thread_time() - cpu
        out["bytes"] = sum(r.film_bytes for r in recordings)
        out["being_days"] = sum(r.being_days for r in recordings)
    return out


def overhead(worlds: int, days: int, repeats: int, url: str) -> None:
    from packlaw.sim import load_scenario
    from packlaw.sim.run import warm_up

    scenario, _, _ = load_scenario()
    warm_up(every_form=True)
    timed_run(scenario, 20, 5, [0], url)  # the store's and chronicle's first use, untimed
    plain: list[dict[str, float]] = []
    recorded: list[dict[str, float]] = []
    for i in range(repeats):  # A/B, then B/A: neither always runs first
        for record in ([], [0]) if i % 2 == 0 else ([0], []):
            (recorded if record else plain).append(
                timed_run(scenario, worlds, days, record, url if record else None)
            )

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def each(runs: list[dict[str, float]], key: str) -> str:
        return listed(r[key] for r in runs)

    base, during = median(plain, "run"), median(recorded, "run")
    base_cpu, during_cpu = median(plain, "cpu"), median(recorded, "cpu")
    base_all, during_all = median(plain, "process_cpu"), median(recorded, "process_cpu")
    storing, storing_cpu = median(recorded, "store"), median(recorded, "store_cpu")
    replay, replay_cpu = median(recorded, "replay"), median(recorded, "replay_cpu")
    hooks, hooks_cpu = median(recorded, "hooks"), median(recorded, "hooks_cpu")
    print(f"Beacon Hills, {worlds:,} worlds x {days} days, {repeats} pairs of runs (medians):")
    print(
        f"  without recording   {base:.3f} s wall, {base_cpu:.3f} s main-thread CPU,"
        f" {base_all:.3f} s process CPU"
    )
    print(f"    (wall: {each(plain, 'run')}; CPU: {each(plain, 'cpu')})")
    print(
        f"  recording world 0   {during:.3f} s wall, {during_cpu:.3f} s main-thread CPU,"
        f" {during_all:.3f} s process CPU, then storing {storing:.3f} s wall, {storing_cpu:.3f} s CPU"
    )
    print(f"    (wall: {each(recorded, 'run')}; CPU: {each(recorded, 'cpu')})")
    print(
        f"  replaying world 0   {replay:.3f} s wall, {replay_cpu:.3f} s CPU"
        f" (CPU: {each(recorded, 'replay_cpu')}), of which the recorder's hooks"
        f" {hooks:.3f} s wall, {hooks_cpu:.3f} s CPU"
    )
    print(
        f"  overhead            {100 * ((during_cpu + storing_cpu) / base_cpu - 1):+.1f}% by"
        f" main-thread CPU, {100 * ((during_all + storing_cpu) / base_all - 1):+.1f}% by process"
        f" CPU, {100 * ((during + storing) / base - 1):+.1f}% by wall time;"
        f" {100 * (replay_cpu + storing_cpu) / base_cpu:.1f}% as the replay's and storing's CPU"
        f" time over the plain run's"
    )
    paired = statistics.median(
        (b["cpu"] + b["store_cpu"]) / a["cpu"] - 1 for a, b in zip(plain, recorded, strict=True)
    )
    print(f"                      {100 * paired:+.1f}% as the median of the pairs' CPU-time ratios")
    print(
        f"  film of world 0     {recorded[0]['bytes']:,.0f} bytes for {recorded[0]['being_days']:,.0f}"
        f" being-days: {recorded[0]['bytes'] / recorded[0]['being_days']:.2f} bytes a being-day"
    )


def replay_parts(worlds: int, days: int, repeats: int, url: str) -> None:
    """Where recording world 0 goes: each part of its replay and storing, CPU time, medians."""
    import packlaw.sim.replay as lone
    import packlaw.sim.run as run
    from packlaw.sim import load_scenario, simulate
    from packlaw.sim.recording import Recorder
    from packlaw.sim.replay import Watch
    from packlaw.sim.run import warm_up
    from packlaw.store import Store
    from packlaw.store.recordings import save_recordings
    from packlaw.store.replay import Tail

    scenario, _, _ = load_scenario()
    warm_up(every_form=True)
    parts: dict[str, list[float]] = {}
    spent: dict[str, float] = {}

    def timed(into: str, call: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.thread_time()
            out = call(*args, **kwargs)
            spent[into] = spent.get(into, 0.0) + time.thread_time() - began
            return out

        return wrapper

    class TimedChronicler:
        def __init__(self, inner: Any) -> None:
            self.phase = timed("chronicle", inner.phase)

    plain_replay, plain_day = run.replay, lone.lone_day
    run.replay, lone.lone_day = timed("replay", plain_replay), timed("kernel", plain_day)
    try:
        for i in range(repeats + 1):  # the first warms the store up, untimed
            spent.clear()
            recorder = Recorder(scenario, [0])
            (watch,) = recorder.watches()
            assert watch.chronicler is not None and watch.observe is not None
            make = watch.chronicler
            watched = Watch(
                0,
                chronicler=lambda state, make=make: TimedChronicler(make(state)),
                observe=timed("film", watch.observe),
            )
            simulate(scenario, worlds=worlds, days=days, seed=1, watch=[watched], _warm=False)
            recordings = timed("cut", recorder.recordings)()
            timed("check", Tail().check)(recordings[0].statements)
            with Store(url) as store:
                run_id = store.start_run(scenario.name, "", 1, worlds, days)
                timed("storing", save_recordings)(store, run_id, recordings)
            if i == 0:
                continue
            spent["around"] = spent["replay"] - spent["kernel"] - spent["chronicle"]
            spent["around"] -= spent["film"]
            spent["database"] = spent["storing"] - spent["check"]  # storing checks it again
            for name, seconds in spent.items():
                parts.setdefault(name, []).append(seconds)
    finally:
        run.replay, lone.lone_day = plain_replay, plain_day

    def ms(name: str) -> str:
        return f"{1000 * statistics.median(parts[name]):.1f} ms"

    print(f"Recording world 0 of {worlds:,} x {days} days, by part, CPU, medians of {repeats}:")
    print(
        f"  replay {ms('replay')}: day kernel {ms('kernel')}, Python around it {ms('around')},"
        f" chronicle {ms('chronicle')}, film {ms('film')}"
    )
    print(
        f"  then cutting the last chunk {ms('cut')}; storing {ms('storing')}: checking the"
        f" chronicle {ms('check')}, the database {ms('database')}"
    )


def command_overhead(
    worlds: int, days: int, repeats: int, folder: Path, url: str | None = None
) -> None:
    """``packlaw simulate`` with and without ``--record 0``, whole commands, CPU time of each.

    Each into a new SQLite file, or into the database ``url`` names.
    """
    base = [PACKLAW, "simulate", "--worlds", str(worlds), "--days", str(days), "--json"]
    runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for i in range(repeats):  # A/B, then B/A
        for record in (False, True) if i % 2 == 0 else (True, False):
            db = folder / "command.db"
            db.unlink(missing_ok=True)
            target = url or f"sqlite:///{db}"
            args = [*base, "--db", target, *(["--record", "0"] if record else [])]
            before = os.times()
            began = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            wall = time.perf_counter() - began
            after = os.times()
            cpu = (after.children_user - before.children_user) + (
                after.children_system - before.children_system
            )
            runs[record].append((cpu, wall))
    (cpu_a, wall_a), (cpu_b, wall_b) = (
        (statistics.median(c for c, _ in runs[r]), statistics.median(w for _, w in runs[r]))
        for r in (False, True)
    )
    command = " ".join(["packlaw", *base[1:]])
    print(f"Whole commands, `{command}` [--record 0], {repeats} pairs (medians):")
    print(
        f"  without   {cpu_a:.2f} s CPU, {wall_a:.2f} s wall (CPU: {listed(c for c, _ in runs[False])})"
    )
    print(
        f"  with      {cpu_b:.2f} s CPU, {wall_b:.2f} s wall (CPU: {listed(c for c, _ in runs[True])})"
    )
    paired = statistics.median(
        b[0] / a[0] - 1 for a, b in zip(runs[False], runs[True], strict=True)
    )
    print(
        f"  overhead  {100 * (cpu_b / cpu_a - 1):+.1f}% by CPU time,"
        f" {100 * (wall_b / wall_a - 1):+.1f}% by wall time;"
        f" {100 * paired:+.1f}% as the median of the pairs' CPU-time ratios"
    )


_FIRST_REPLAY = """
import time
from packlaw.sim import load_scenario, simulate
from packlaw.sim.replay import Watch
from packlaw.sim.run import warm_up
scenario, _, _ = load_scenario()
warm_up()
simulate(scenario, worlds=2, days=30, seed=1, _warm=False)
for _ in range(2):
    began = time.process_time()
    simulate(scenario, worlds=2, days=30, seed=1, _warm=False, watch=[Watch(0)])
    print(time.process_time() - began)
"""


def first_replay(repeats: int) -> None:
    """What a process pays once for replaying a world: loading the lone day's kernel."""
    first, again = [], []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", _FIRST_REPLAY], check=True, capture_output=True, text=True
        )
        seconds = [float(line) for line in done.stdout.split()]
        first.append(seconds[0])
        again.append(seconds[1])
    print(
        f"First replay in a process (2 worlds x 30 days, world 0 watched), {repeats} processes:"
        f" {statistics.median(first):.3f} s CPU (runs: {listed(first)}); the second"
        f" {statistics.median(again):.3f} s"
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


def film_parts(days: int, repeats: int, folder: Path) -> None:
    """Where a film's time goes, in one process: reading, decoding, drawing, encoding."""
    from packlaw.report.film import render_frames, write_film
    from packlaw.store import Store
    from packlaw.store.recordings import load_recording

    db = f"sqlite:///{folder / 'films.db'}"
    parts: dict[str, list[float]] = {"read": [], "decode": [], "draw": [], ".gif": [], ".mp4": []}
    for _ in range(repeats):
        began = time.perf_counter()
        with Store(db) as store:
            recording = load_recording(store, 1, 0)
        parts["read"].append(time.perf_counter() - began)
        began = time.perf_counter()
        film = recording.film()
        parts["decode"].append(time.perf_counter() - began)
        began = time.perf_counter()
        frames = list(render_frames(film, 12, 2))
        parts["draw"].append(time.perf_counter() - began)
        for suffix in (".gif", ".mp4"):
            began = time.perf_counter()
            write_film(iter(frames), folder / f"parts{suffix}")
            parts[suffix].append(time.perf_counter() - began)
    print(f"  in one process, {days} days at 12 px a cell (medians of {repeats}):")
    print("    " + ", ".join(f"{k} {statistics.median(v):.3f} s" for k, v in parts.items()))


PARTS = ("overhead", "commands", "parts", "first", "size", "films")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 worlds, fewer repeats")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"what to measure, of {','.join(PARTS)}"
    )
    parser.add_argument(
        "--pg",
        metavar="URL",
        default=os.environ.get("PACKLAW_BENCH_PG_URL"),
        help="a PostgreSQL database to measure too (default: $PACKLAW_BENCH_PG_URL)",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    if only - set(PARTS):
        parser.error(f"--only takes {','.join(PARTS)}, not {args.only}")
    worlds, repeats = (200, 2) if args.quick else (1_000, 5)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sqlite = f"sqlite:///{folder / 'runs.db'}"
        if "overhead" in only:
            overhead(worlds, 365, repeats, sqlite)
        if "parts" in only:
            replay_parts(worlds, 365, repeats, sqlite)
        if "commands" in only:
            command_overhead(worlds, 365, repeats, folder)
        if "first" in only:
            first_replay(repeats)
        if args.pg:
            print("PostgreSQL:")
            if "overhead" in only:
                overhead(worlds, 365, repeats, args.pg)
            if "parts" in only:
                replay_parts(worlds, 365, repeats, args.pg)
            if "commands" in only:
                command_overhead(worlds, 365, repeats, folder, args.pg)
        if "size" in only:
            size_of_eight(365, f"sqlite:///{folder / 'eight.db'}")
        if "films" in only:
            print("Films (end to end, a fresh process each):")
            films(365, 3 if args.quick else 5, folder)
            film_parts(365, 3 if args.quick else 5, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
