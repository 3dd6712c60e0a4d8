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

import json
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from packlaw.cli.errors import EXIT_BAD_INPUT, UserError, interrupted_by
from packlaw.cli.options import DbOption, open_store
from packlaw.cli.output import counted, size
from packlaw.cli.progress import progress

if TYPE_CHECKING:
    from packlaw.sim import Scenario

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
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON summary.")] = False,
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
    if trace is not None and not trace[1].resolve().parent.is_dir():
        # Found out now, not after the run.
        raise UserError(f"{trace[1]}: cannot write the trace: no such folder", EXIT_BAD_INPUT)
    for loaded in [first] if second is None else [first, second]:
        _refuse_oversized(loaded[0], worlds, days)
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
    if as_json:
        document: Any = summaries[0] if len(summaries) == 1 else {"runs": summaries}
        typer.echo(json.dumps(document))  # no indent: the C encoder, a fraction of the memory
    elif sys.stdout.isatty():
        _print_rich(summaries)
    else:
        typer.echo(plain_table(summaries), nl=False)


def _run_one(
    store: Any,
    loaded: tuple[Any, str, str],
    worlds: int,
    days: int,
    seed: int,
    trace: tuple[int, Path] | None,
    recorded: list[int],
) -> dict[str, Any]:
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

        def chronicle(state: Any) -> WorldChronicle:  # the traced world replayed alone: world 0
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
        summary = result.summary()
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
    except KeyboardInterrupt:
        _mark(store, run_id, "interrupted")
        raise
    except StoreError as error:  # the run could not be stored: say so in one sentence
        _mark(store, run_id, "failed")
        raise UserError(f"run {run_id} was not stored: {error}", EXIT_BAD_INPUT) from None
    except BaseException as error:
        _mark(store, run_id, "interrupted" if interrupted_by(error) else "failed")
        raise
    if trace is not None:
        try:
            trace[1].write_text(holder[0].text(), encoding="utf-8")
        except OSError as error:
            raise UserError(f"{trace[1]}: cannot write the trace: {error.strerror}") from None
    return summary


def _worlds_to_record(record: str | None, worlds: int) -> list[int]:
    from packlaw.sim.recording import RecordingError, parse_worlds

    if record is None:
        return []
    try:
        return parse_worlds(record, worlds)
    except RecordingError as error:
        raise UserError(f"--record: {error}", EXIT_BAD_INPUT) from None


def _refuse_oversized(scenario: Scenario, worlds: int, days: int) -> None:
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


def _mark(store: Any, run_id: int, status: str) -> None:
    # The error that stopped the run matters more than one from marking it.
    with suppress(Exception):
        store.mark_run(run_id, status)


# ---------------------------------------------------------------- tables

STATISTICS_SHOWN = ("mean", "sd", "p5", "p50", "p95")
BEING_FIGURES = (("alive", "alive"), ("wounded", "wounded"), ("wounded_alone", "wounded alone"))


@dataclass(frozen=True)
class Table:
    """A table to print: plain text when piped, Rich on a terminal."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    sections: list[int]  # row indexes where a new section starts


def _figure(stats: dict[str, float], statistic: str = "mean") -> str:
    value = stats[statistic]
    return "-" if value is None else f"{value:.2f}"


def _standings_lived(summaries: list[dict[str, Any]]) -> list[str]:
    # Only the standings some named being actually held get a column or a row.
    return [
        standing
        for standing in STANDINGS_SHOWN
        if any(
            being["days"][standing]["mean"] > 0
            for summary in summaries
            for being in summary["beings"].values()
        )
    ]


def tables(summaries: list[dict[str, Any]]) -> list[Table]:
    """The tables `simulate` prints: a run's beings and totals, or runs side by side."""
    first = summaries[0]
    setting = f"{first['worlds']:,} worlds x {first['days']} days, seed {first['seed']}"
    standings = _standings_lived(summaries)
    if len(summaries) == 1:
        return [_beings_table(first, standings, setting), _totals_table(first)]
    return [_comparison_table(summaries, standings, setting)]


def _beings_table(summary: dict[str, Any], standings: list[str], setting: str) -> Table:
    rows = [
        [
            name,
            *(_figure(being[key]) for key, _ in BEING_FIGURES),
            *(_figure(being["days"][standing]) for standing in standings),
        ]
        for name, being in summary["beings"].items()
    ]
    headers = ["being", *(label for _, label in BEING_FIGURES)]
    headers += [f"days {standing}" for standing in standings]
    return Table(
        f"{summary['scenario']}, {setting}: named beings, means over worlds", headers, rows, []
    )


def _totals_table(summary: dict[str, Any]) -> Table:
    rows = [
        [total.replace("_", " "), *(_figure(summary["totals"][total], s) for s in STATISTICS_SHOWN)]
        for total in TOTALS_SHOWN
    ]
    return Table("totals per world", ["total", *STATISTICS_SHOWN], rows, [])


def _comparison_table(summaries: list[dict[str, Any]], standings: list[str], setting: str) -> Table:
    rows: list[list[str]] = []
    sections: list[int] = []
    for name in dict.fromkeys(n for s in summaries for n in s["beings"]):
        sections.append(len(rows))
        beings = [s["beings"].get(name) for s in summaries]
        labels: list[tuple[str, str, str | None]] = [(k, label, None) for k, label in BEING_FIGURES]
        labels += [("days", f"days {standing}", standing) for standing in standings]
        for key, label, standing in labels:
            cells = []
            for being in beings:
                stats = None if being is None else being[key]
                if stats is not None and standing is not None:
                    stats = stats[standing]
                cells.append("-" if stats is None else _figure(stats))
            if standing is None or any(cell not in ("-", "0.00") for cell in cells):
                rows.append([f"{name} {label}", *cells])
    sections.append(len(rows))
    for total in TOTALS_SHOWN:
        rows.append(
            [f"total {total.replace('_', ' ')}", *(_figure(s["totals"][total]) for s in summaries)]
        )
    headers = ["figure", *(s["scenario"] for s in summaries)]
    return Table(f"{setting}; means over worlds", headers, rows, sections[1:])


def _speed_line(summary: dict[str, Any]) -> str:
    speed = summary["speed"]
    return (
        f"{summary['scenario']}: run {summary.get('run_id', '?')}, "
        f"{speed['seconds']:.2f} s, {speed['being_days_per_second']:,.0f} being-days/s"
    )


def plain_table(summaries: list[dict[str, Any]]) -> str:
    """The summary tables as plain text, columns aligned, then the speed of each run."""
    lines: list[str] = []
    for table in tables(summaries):
        if lines:
            lines.append("")
        lines.append(table.title)
        grid = [table.headers, *table.rows]
        widths = [max(len(row[i]) for row in grid) for i in range(len(table.headers))]
        for row in grid:
            cells = [row[0].ljust(widths[0])]
            cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells).rstrip())
    lines.extend(_speed_line(summary) for summary in summaries)
    return "\n".join(lines) + "\n"


def _print_rich(summaries: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console()
    for table in tables(summaries):
        shown = RichTable(title=table.title, title_justify="left")
        shown.add_column(table.headers[0])
        for header in table.headers[1:]:
            shown.add_column(header, justify="right")
        for index, row in enumerate(table.rows):
            if index in table.sections:
                shown.add_section()
            shown.add_row(*row)
        console.print(shown)
    for summary in summaries:
        console.print(_speed_line(summary), highlight=False)
