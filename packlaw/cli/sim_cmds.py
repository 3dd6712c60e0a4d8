"""Commands of the sim part: ``packlaw simulate``.

``packlaw simulate [SCENARIO] [--worlds N] [--days N] [--seed N] [--json]
[--db URL] [--trace WORLD FILE] [--compare B.toml] [--threads N]
[--record K,...]`` runs a scenario (the bundled Beacon Hills by default;
missing options come from the scenario's ``[run]`` section), stores the run, and prints a table of the named beings
and the totals: Rich on a terminal (with a progress bar), plain text when
piped, or the JSON summary with ``--json`` (compact, written by the
standard library's C encoder). ``--compare`` runs a second scenario with the
same worlds, days and seed and prints both side by side. ``--threads N``
runs the kernels with N threads (1: serial) instead of choosing by
measurement (`packlaw.sim.jit`). When the kernels are not in Numba's cache
yet, one line on stderr says they are being compiled.
``--record`` keeps worlds K,... of each run day by day, as a film and a
chronicle in the store (`packlaw.sim.recording`), for ``packlaw film``.

A run interrupted by Ctrl-C is marked ``interrupted`` in the store, one that
fails ``failed``; neither is ever stored as ``done``.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from packlaw.cli.errors import EXIT_BAD_INPUT, UserError, os_error_status
from packlaw.cli.options import DbOption, JsonOption, open_store
from packlaw.cli.output import JSON, Block, Table, counted, emit, size
from packlaw.cli.progress import progress
from packlaw.interruption import interrupted_by

if TYPE_CHECKING:
    from packlaw.sim import Scenario
    from packlaw.sim.state import State
    from packlaw.store import Store

Summary = dict[str, JSON]
"""A run's JSON summary (`packlaw.sim.RunResult.summary`), as the tables read it."""

TOTALS_SHOWN = ("attacks", "hits", "hits_alone", "hunts", "kills", "deaths")
STANDINGS_SHOWN = ("alpha", "member", "ally", "omega", "unaffiliated")


def register(app: typer.Typer) -> None:
    """Add this part's commands to the app."""
    app.command("simulate")(simulate_command)


def simulate_command(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Scenario file, or a bundled scenario's name (default: beacon-hills).",
            show_default=False,
        ),
    ] = None,
    worlds: Annotated[
        int | None,
        typer.Option("--worlds", min=1, help="Replicate worlds (default: the scenario's)."),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", min=0, help="Days to simulate (default: the scenario's)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Random seed (default: the scenario's).")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    trace: Annotated[
        tuple[int, Path] | None,
        typer.Option(
            "--trace",
            metavar="WORLD FILE",
            help="Write world WORLD's events to FILE as a chronicle (of the first scenario).",
            show_default=False,
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            metavar="B.toml",
            help="Also run this scenario (same worlds, days, seed) and show both side by side.",
            show_default=False,
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            min=1,
            help="Threads for the kernels (1: serial; default: chosen by measurement).",
            show_default=False,
        ),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            metavar="K,...",
            help="Record these worlds day by day (a film and a chronicle) in each run.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a scenario's worlds forward, store the run, print a summary."""
    from packlaw.sim import ScenarioError, jit, load_scenario
    from packlaw.sim.run import warm_up

    for named in (scenario, compare):
        refuse_empty_scenario(named)
    try:
        first = load_scenario(scenario)
        second = load_scenario(compare) if compare is not None else None
    except ScenarioError as error:
        # One line per problem; main adds "packlaw: " to the first.
        raise UserError("\npacklaw: ".join(error.problems), EXIT_BAD_INPUT) from None
    worlds = first[0].run.worlds if worlds is None else worlds
    days = first[0].run.days if days is None else days
    seed = first[0].run.seed if seed is None else seed
    if trace is not None and not 0 <= trace[0] < worlds:
        raise UserError(
            f"--trace: there is no world {trace[0]}: the run has worlds 0 to {worlds - 1}",
            EXIT_BAD_INPUT,
        )
    recorded = _worlds_to_record(record, worlds)
    if trace is not None:  # found out now, not after the run
        _check_trace_path(trace[1])
    for loaded in [first] if second is None else [first, second]:
        refuse_oversized(loaded[0], worlds, days)
    if threads is not None and threads > jit.MAX_THREADS:
        raise UserError(
            f"--threads: at most {jit.MAX_THREADS}, the kernels' thread pool "
            f"(NUMBA_NUM_THREADS), not {threads}",
            EXIT_BAD_INPUT,
        )
    jit.set_threads(threads)
    warm_up(notice=lambda line: typer.echo(f"packlaw: {line}", err=True))
    store = open_store(db)
    try:
        summaries = [
            _run_one(store, loaded, worlds, days, seed, trace if i == 0 else None, recorded)
            for i, loaded in enumerate([first] if second is None else [first, second])
        ]
    finally:
        store.close()
    runs: list[JSON] = list(summaries)
    # Compact: a scenario of many named beings has a summary as large as its state.
    emit(
        blocks(summaries),
        document=runs[0] if len(runs) == 1 else {"runs": runs},
        as_json=as_json,
        compact=True,
    )


def _run_one(
    store: Store,
    loaded: tuple[Scenario, str, str],
    worlds: int,
    days: int,
    seed: int,
    trace: tuple[int, Path] | None,
    recorded: list[int],
) -> Summary:
    from packlaw.sim import simulate
    from packlaw.sim.recording import Recorder
    from packlaw.sim.replay import Watch
    from packlaw.sim.trace import WorldChronicle
    from packlaw.store import StoreError
    from packlaw.store.recordings import chronicle_name, save_recordings

    scenario, text, _source = loaded
    holder: list[WorldChronicle] = []
    recorder = Recorder(scenario, recorded) if recorded else None

    watches = recorder.watches() if recorder is not None else []
    if trace is not None:
        title = f"{scenario.name}, world {trace[0]}"

        def chronicle(state: State) -> WorldChronicle:  # the traced world replayed alone: world 0
            holder.append(WorldChronicle(state, 0, title))
            return holder[0]

        watches.append(Watch(trace[0], chronicler=chronicle))

    try:
        run_id = store.start_run(scenario.name, text, seed, worlds, days)
    except StoreError as error:
        raise UserError(str(error), EXIT_BAD_INPUT) from None
    try:
        with progress(f"{scenario.name}: {worlds:,} worlds x {days} days", days) as advance:
            result = simulate(
                scenario,
                worlds=worlds,
                days=days,
                seed=seed,
                on_day=advance,
                watch=watches,
            )
        summary: Summary = result.summary()
        summary["run_id"] = run_id
        if recorder is not None:
            recordings = recorder.recordings()
            save_recordings(store, run_id, recordings)
            summary["recordings"] = [
                {
                    "world": r.world,
                    "film_bytes": r.film_bytes,
                    "being_days": r.being_days,
                    "chronicle": chronicle_name(run_id, r.world),
                    "events": len(r.statements),
                }
                for r in recordings
            ]
        store.finish_run(run_id, summary, result.daily_rows())
    except BaseException as error:  # Ctrl-C, a signal (however it came back), or a fault
        stopped = interrupted_by(error) is not None
        _mark(store, run_id, "interrupted" if stopped else "failed")
        if isinstance(error, StoreError) and not stopped:  # the run could not be stored
            raise UserError(f"run {run_id} was not stored: {error}", EXIT_BAD_INPUT) from None
        raise
    if trace is not None:
        try:
            trace[1].write_text(holder[0].text(), encoding="utf-8")
        except OSError as error:
            raise UserError(
                f"{trace[1]}: cannot write the trace: {error.strerror or error} "
                f"(run {run_id} is stored)",
                os_error_status(error),
            ) from None
    return summary


def _check_trace_path(path: Path) -> None:
    """Refuse a trace file that cannot be written: in no folder, a folder itself, read only."""
    if path.is_dir():
        raise UserError(f"{path}: cannot write the trace: it is a folder", EXIT_BAD_INPUT)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise UserError(f"{path}: cannot write the trace: no such folder", EXIT_BAD_INPUT)
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise UserError(f"{path}: cannot write the trace: permission denied", EXIT_BAD_INPUT)


def _worlds_to_record(record: str | None, worlds: int) -> list[int]:
    from packlaw.sim.recording import RecordingError, parse_worlds

    if record is None:
        return []
    try:
        return parse_worlds(record, worlds)
    except RecordingError as error:
        raise UserError(f"--record: {error}", EXIT_BAD_INPUT) from None


def refuse_empty_scenario(name: str | None) -> None:
    """Refuse an empty scenario name, which would be read as the current folder."""
    from packlaw.sim.scenario import BUNDLED, DEFAULT_SCENARIO

    if name is not None and not name.strip():
        raise UserError(
            "an empty name is no scenario: name a scenario file or a bundled scenario "
            f"({', '.join(BUNDLED)}), or leave it out for {DEFAULT_SCENARIO}"
        )


def refuse_oversized(scenario: Scenario, worlds: int, days: int) -> None:
    """Refuse, before anything is stored, a run that cannot fit in the memory there is."""
    from packlaw.sim.run import memory_available, memory_needed

    needed, available = memory_needed(scenario, worlds, days), memory_available()
    if available is not None and needed > available:
        raise UserError(
            f"{scenario.name}: {counted(worlds, 'world')} x {counted(days, 'day')} "
            f"need about {size(needed)} "
            f"of memory, and {size(available)} is available; run fewer worlds or days",
            EXIT_BAD_INPUT,
        )


def _mark(store: Store, run_id: int, status: str) -> None:
    # The error that stopped the run matters more than one from marking it.
    with suppress(Exception):
        store.mark_run(run_id, status)


# ---------------------------------------------------------------- tables

STATISTICS_SHOWN = ("mean", "sd", "p5", "p50", "p95")
BEING_FIGURES = (("alive", "alive"), ("wounded", "wounded"), ("wounded_alone", "wounded alone"))


def _at(tree: JSON, *path: str) -> JSON:
    """The value at ``path`` in a summary, or None where it has none."""
    for key in path:
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree


def _beings(summary: Summary) -> dict[str, JSON]:
    beings = summary.get("beings")
    return beings if isinstance(beings, dict) else {}


def _figure(stats: JSON, statistic: str = "mean") -> str:
    value = _at(stats, statistic)
    return f"{value:.2f}" if isinstance(value, int | float) else "-"


def _standings_lived(summaries: list[Summary]) -> list[str]:
    # Only the standings some named being actually held get a column or a row.
    def held(being: JSON, standing: str) -> bool:
        days = _at(being, "days", standing, "mean")
        return isinstance(days, int | float) and days > 0

    return [
        standing
        for standing in STANDINGS_SHOWN
        if any(held(being, standing) for s in summaries for being in _beings(s).values())
    ]


def blocks(summaries: list[Summary]) -> list[Block]:
    """What `simulate` prints: a run's beings and totals, or runs side by side; then each speed."""
    first = summaries[0]
    setting = (
        f"{_count(first, 'worlds')} worlds x {_at(first, 'days')} days, seed {_at(first, 'seed')}"
    )
    standings = _standings_lived(summaries)
    if len(summaries) == 1:
        tables: list[Block] = [_beings_table(first, standings, setting), _totals_table(first)]
    else:
        tables = [_comparison_table(summaries, standings, setting)]
    return [*tables, *(_speed_line(summary) for summary in summaries)]


def _count(summary: Summary, key: str) -> str:
    value = summary.get(key)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _beings_table(summary: Summary, standings: list[str], setting: str) -> Table:
    rows = [
        [
            name,
            *(_figure(_at(being, key)) for key, _ in BEING_FIGURES),
            *(_figure(_at(being, "days", standing)) for standing in standings),
        ]
        for name, being in _beings(summary).items()
    ]
    headers = ["being", *(label for _, label in BEING_FIGURES)]
    headers += [f"days {standing}" for standing in standings]
    return Table(
        f"{summary.get('scenario')}, {setting}: named beings, means over worlds",
        headers,
        rows,
        numeric=set(range(1, len(headers))),
    )


def _totals_table(summary: Summary) -> Table:
    rows = [
        [
            total.replace("_", " "),
            *(_figure(_at(summary, "totals", total), s) for s in STATISTICS_SHOWN),
        ]
        for total in TOTALS_SHOWN
    ]
    return Table(
        "totals per world",
        ["total", *STATISTICS_SHOWN],
        rows,
        numeric=set(range(1, len(STATISTICS_SHOWN) + 1)),
    )


def _comparison_table(summaries: list[Summary], standings: list[str], setting: str) -> Table:
    rows: list[list[str]] = []
    sections: list[int] = []
    for name in dict.fromkeys(n for s in summaries for n in _beings(s)):
        sections.append(len(rows))
        beings = [_beings(s).get(name) for s in summaries]
        labels: list[tuple[str, str, str | None]] = [(k, label, None) for k, label in BEING_FIGURES]
        labels += [("days", f"days {standing}", standing) for standing in standings]
        for key, label, standing in labels:
            path = (key,) if standing is None else (key, standing)
            cells = [_figure(_at(being, *path)) for being in beings]
            if standing is None or any(cell not in ("-", "0.00") for cell in cells):
                rows.append([f"{name} {label}", *cells])
    sections.append(len(rows))
    for total in TOTALS_SHOWN:
        rows.append(
            [
                f"total {total.replace('_', ' ')}",
                *(_figure(_at(s, "totals", total)) for s in summaries),
            ]
        )
    headers = ["figure", *(str(s.get("scenario")) for s in summaries)]
    return Table(
        f"{setting}; means over worlds",
        headers,
        rows,
        numeric=set(range(1, len(headers))),
        sections=sections[1:],
    )


def _speed_line(summary: Summary) -> str:
    seconds, rate = _at(summary, "speed", "seconds"), _at(summary, "speed", "being_days_per_second")
    assert isinstance(seconds, int | float) and isinstance(rate, int | float)
    return (
        f"{summary.get('scenario')}: run {summary.get('run_id', '?')}, "
        f"{seconds:.2f} s, {rate:,.0f} being-days/s"
    )
