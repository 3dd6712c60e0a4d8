"""Commands of the sim part: ``packlaw simulate``.

``packlaw simulate [SCENARIO] [--worlds N] [--days N] [--seed N] [--json]
[--db URL] [--trace WORLD FILE] [--compare B.toml]`` runs a scenario (the
bundled Beacon Hills by default; missing options come from the scenario's
``[run]`` section), stores the run, and prints a table of the named beings
and the totals: Rich on a terminal (with a progress bar), plain text when
piped, or the JSON summary with ``--json``. ``--compare`` runs a second
scenario with the same worlds, days and seed and prints both side by side.

A run interrupted by Ctrl-C is marked ``interrupted`` in the store, one that
fails ``failed``; neither is ever stored as ``done``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

import typer

from packlaw.cli.errors import EXIT_BAD_INPUT, UserError

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
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="Database URL (default: $PACKLAW_DB, else sqlite:///packlaw.db).",
            show_default=False,
        ),
    ] = None,
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
) -> None:
    """Run a scenario's worlds forward, store the run, print a summary."""
    from packlaw.sim import ScenarioError, load_scenario

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
    store = _open_store(db)
    try:
        summaries = [
            _run_one(store, loaded, worlds, days, seed, trace if i == 0 else None)
            for i, loaded in enumerate([first] if second is None else [first, second])
        ]
    finally:
        store.close()
    if as_json:
        document: Any = summaries[0] if len(summaries) == 1 else {"runs": summaries}
        typer.echo(json.dumps(document, indent=2))
    elif sys.stdout.isatty():
        _print_rich(summaries)
    else:
        typer.echo(plain_table(summaries), nl=False)


def _open_store(db: str | None) -> Any:
    from packlaw.store import Store, StoreError, resolve_url

    try:
        return Store(resolve_url(db))
    except StoreError as error:
        raise UserError(str(error), EXIT_BAD_INPUT) from None


def _run_one(
    store: Any,
    loaded: tuple[Any, str, str],
    worlds: int,
    days: int,
    seed: int,
    trace: tuple[int, Path] | None,
) -> dict[str, Any]:
    from packlaw.sim import simulate
    from packlaw.sim.trace import WorldChronicle
    from packlaw.store import StoreError

    scenario, text, _source = loaded
    holder: list[WorldChronicle] = []

    def chronicle(state: Any) -> WorldChronicle:
        holder.append(WorldChronicle(state, trace[0], f"{scenario.name}, world {trace[0]}"))  # type: ignore[index]
        return holder[0]

    try:
        run_id = store.start_run(scenario.name, text, seed, worlds, days)
    except StoreError as error:
        raise UserError(str(error), EXIT_BAD_INPUT) from None
    try:
        with _progress(f"{scenario.name}: {worlds:,} worlds x {days} days", days) as advance:
            result = simulate(
                scenario,
                worlds=worlds,
                days=days,
                seed=seed,
                on_day=advance,
                chronicler=chronicle if trace is not None else None,
            )
        summary = result.summary()
        summary["run_id"] = run_id
        store.finish_run(run_id, summary, result.daily_rows())
    except KeyboardInterrupt:
        _mark(store, run_id, "interrupted")
        raise
    except StoreError as error:  # the run could not be stored: say so in one sentence
        _mark(store, run_id, "failed")
        raise UserError(f"run {run_id} was not stored: {error}", EXIT_BAD_INPUT) from None
    except BaseException:
        _mark(store, run_id, "failed")
        raise
    if trace is not None:
        try:
            trace[1].write_text(holder[0].text(), encoding="utf-8")
        except OSError as error:
            raise UserError(f"{trace[1]}: cannot write the trace: {error.strerror}") from None
    return summary


def _mark(store: Any, run_id: int, status: str) -> None:
    # The error that stopped the run matters more than one from marking it.
    with suppress(Exception):
        store.mark_run(run_id, status)


@contextmanager
def _progress(label: str, days: int) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda day: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=days)
        yield lambda day: progress.update(task, completed=day)


# ---------------------------------------------------------------- tables


def _figure(stats: dict[str, float]) -> str:
    return f"{stats['mean']:.2f}"


def _standings_lived(summaries: list[dict[str, Any]]) -> dict[str, list[str]]:
    # Only the standings a named being actually held somewhere get a row.
    lived: dict[str, list[str]] = {}
    for summary in summaries:
        for name, being in summary["beings"].items():
            held = lived.setdefault(name, [])
            for standing in STANDINGS_SHOWN:
                if being["days"][standing]["mean"] > 0 and standing not in held:
                    held.append(standing)
    return {name: [s for s in STANDINGS_SHOWN if s in held] for name, held in lived.items()}


def table_rows(
    summary: dict[str, Any], standings: dict[str, list[str]] | None = None
) -> list[tuple[str, str]]:
    """``(label, mean)`` rows: each named being's figures, then the totals."""
    standings = _standings_lived([summary]) if standings is None else standings
    rows: list[tuple[str, str]] = []
    for name, being in summary["beings"].items():
        rows.append((f"{name} alive", _figure(being["alive"])))
        rows.append((f"{name} wounded", _figure(being["wounded"])))
        rows.append((f"{name} wounded alone", _figure(being["wounded_alone"])))
        for standing in standings.get(name, []):
            rows.append((f"{name} days {standing}", _figure(being["days"][standing])))
    for total in TOTALS_SHOWN:
        rows.append((f"total {total.replace('_', ' ')}", _figure(summary["totals"][total])))
    return rows


def _merged(summaries: list[dict[str, Any]]) -> tuple[list[str], list[str], list[list[str]]]:
    headers = [f"{s['scenario']}" for s in summaries]
    standings = _standings_lived(summaries)
    labels: list[str] = []
    values: dict[str, list[str]] = {}
    for column, summary in enumerate(summaries):
        for label, value in table_rows(summary, standings):
            if label not in values:
                labels.append(label)
                values[label] = ["-"] * len(summaries)
            values[label][column] = value
    return headers, labels, [values[label] for label in labels]


def plain_table(summaries: list[dict[str, Any]]) -> str:
    """The summary table as plain text (means over worlds)."""
    headers, labels, values = _merged(summaries)
    first = summaries[0]
    lines = [
        f"{first['worlds']:,} worlds x {first['days']} days, seed {first['seed']}; "
        "means over worlds"
    ]
    width = max([len("figure"), *map(len, labels)])
    widths = [max(len(h), *(len(v[i]) for v in values)) for i, h in enumerate(headers)]
    lines.append(
        "  ".join(
            ["figure".ljust(width), *(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
        )
    )
    for label, row in zip(labels, values, strict=True):
        cells = (v.rjust(w) for v, w in zip(row, widths, strict=True))
        lines.append("  ".join([label.ljust(width), *cells]))
    for summary in summaries:
        speed = summary["speed"]
        lines.append(
            f"{summary['scenario']}: run {summary.get('run_id', '?')}, "
            f"{speed['seconds']:.2f} s, {speed['being_days_per_second']:,.0f} being-days/s"
        )
    return "\n".join(lines) + "\n"


def _print_rich(summaries: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    headers, labels, values = _merged(summaries)
    first = summaries[0]
    table = Table(
        title=f"{first['worlds']:,} worlds x {first['days']} days, seed {first['seed']}",
        caption="means over worlds",
    )
    table.add_column("figure")
    for header in headers:
        table.add_column(header, justify="right")
    previous = ""
    for label, row in zip(labels, values, strict=True):
        group = label.split()[0]
        if previous and group != previous:
            table.add_section()
        previous = group
        table.add_row(label, *row)
    console = Console()
    console.print(table)
    for summary in summaries:
        speed = summary["speed"]
        console.print(
            f"{summary['scenario']}: run {summary.get('run_id', '?')}, "
            f"{speed['seconds']:.2f} s, {speed['being_days_per_second']:,.0f} being-days/s",
            highlight=False,
        )
