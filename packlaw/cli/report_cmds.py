"""Commands of the report part: ``packlaw report`` and ``packlaw film``.

``packlaw report RUN [RUN...] --out DIR`` draws the runs' figures (PNG and
SVG) and one offline ``index.html`` into DIR, all or nothing.
``packlaw film RUN --world K --out FILE.gif|FILE.mp4 [--days A:B]
[--scale PX]`` draws a recorded world day by day.

Both check everything they were given (the runs, the world, the days, the
output path) before any work, and show a progress bar on a terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from packlaw.cli.errors import EXIT_BAD_INPUT, UserError
from packlaw.cli.options import DbOption, JsonOption, open_store
from packlaw.cli.output import emit
from packlaw.cli.progress import progress

if TYPE_CHECKING:
    from packlaw.report.kit import Chart
    from packlaw.store import RunInfo, Store


def register(app: typer.Typer) -> None:
    """Add this part's commands to the app."""
    app.command("report")(report_command)
    app.command("film")(film_command)


def report_command(
    runs: Annotated[
        list[str],
        typer.Argument(
            metavar="RUN...|SWEEP",
            help="Runs to draw together (see `packlaw runs`), or one sweep, s1 (see `packlaw sweeps`).",
            show_default=False,
        ),
    ],
    out_name: Annotated[
        # A string, not a Path: an empty one would be the current folder, without a word.
        str,
        typer.Option("--out", metavar="DIR", help="Folder to write the report into."),
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Figures of one or more stored runs side by side, or of a sweep, with an offline index.html."""
    from packlaw.report.kit import ReportError, check_output
    from packlaw.report.runs import load_runs, run_charts
    from packlaw.store.sweeps import sweep_number

    out = _named(out_name, "the folder to write the report into")
    try:
        check_output(out)
    except ReportError as error:
        raise UserError(str(error), EXIT_BAD_INPUT) from None
    if len(runs) == 1 and sweep_number(runs[0]) is not None:
        _sweep_report(runs[0], out, db, as_json)
        return
    run_ids = [_run_id(name) for name in runs]
    from packlaw.store import StoreError

    with open_store(db, writes=False) as store:
        for run_id in run_ids:
            _known_run(store, run_id)
        try:
            loaded = load_runs(store, run_ids)
        except StoreError as error:
            raise UserError(str(error), EXIT_BAD_INPUT) from None
    for run in loaded:
        if run.info.status != "done":
            raise UserError(
                f"run {run.info.id} is {run.info.status}: only a finished run has figures",
                EXIT_BAD_INPUT,
            )
        if run.info.days == 0:
            raise UserError(f"run {run.info.id} simulated no days: there is nothing to draw")
    charts = run_charts(loaded)
    title = "Report of " + " and ".join(run.label for run in loaded)
    intro = [
        f"{run.label}: {run.info.worlds:,} worlds x {run.info.days} days, seed {run.info.seed}."
        for run in loaded
    ]
    _write(out, title, intro, charts, as_json)


def _write(out: Path, title: str, intro: list[str], charts: list[Chart], as_json: bool) -> None:
    """Write the report, with its progress, and say what was written."""
    from packlaw.report.kit import write_report

    with progress(f"report: {len(charts)} figures", len(charts)) as advance:
        written = write_report(out, title, intro, charts, advance)
    emit(
        [f"wrote {len(written)} files to {out} (open {out / 'index.html'})"],
        document={"out": str(out), "files": [str(path) for path in written]},
        as_json=as_json,
    )


def _named(text: str, what: str) -> Path:
    """The path ``--out`` names; an empty one is refused, not taken for the current folder."""
    if not text.strip():
        raise UserError(f"--out: name {what}", EXIT_BAD_INPUT)
    return Path(text)


def _run_id(name: str) -> int:
    if not (name.isascii() and name.isdigit()):
        raise UserError(
            f"{name!r} is neither a run's id (a number) nor one sweep's name (s1, s2, …)",
            EXIT_BAD_INPUT,
        )
    return int(name)


def _sweep_report(name: str, out: Path, db: str | None, as_json: bool) -> None:
    from packlaw.cli.sweep_cmds import sweep_by_name
    from packlaw.store.sweeps import SweepLedger
    from packlaw.sweep.figures import sweep_charts

    with open_store(db, writes=False) as store:
        info = sweep_by_name(SweepLedger(store), name)
        charts = sweep_charts(store, info.id)
    if not charts:
        raise UserError(f"sweep {info.name} has no finished points to draw")
    intro = [
        f"Sweep {info.name}: {info.scenario}, {info.worlds:,} worlds x {info.days} days a point."
    ]
    _write(out, f"Report of sweep {info.name}", intro, charts, as_json)


def film_command(
    run: Annotated[int, typer.Argument(help="The run (see `packlaw runs`).", show_default=False)],
    world: Annotated[int, typer.Option("--world", metavar="K", help="The recorded world.")],
    out_name: Annotated[
        str,
        typer.Option("--out", metavar="FILE", help="The film to write: FILE.gif or FILE.mp4."),
    ],
    days: Annotated[
        str | None,
        typer.Option(
            "--days", metavar="A:B", help="Only days A to B (default: all).", show_default=False
        ),
    ] = None,
    scale: Annotated[
        int | None,
        typer.Option(
            "--scale",
            metavar="PX",
            help="Pixels a cell (default: about 480 px across).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A recorded world of a run as a film: the territory day by day."""
    from packlaw.report.film import (
        FilmError,
        check_film_output,
        check_scale,
        default_scale,
        render_frames,
        write_film,
    )
    from packlaw.sim import ScenarioError, parse_scenario
    from packlaw.store import StoreError
    from packlaw.store.recordings import load_recording

    out = _named(out_name, "the film to write, FILE.gif or FILE.mp4")
    try:
        check_film_output(out)
    except FilmError as error:
        raise UserError(str(error), EXIT_BAD_INPUT) from None
    with open_store(db, writes=False) as store:
        _known_run(store, run)
        try:
            recording = load_recording(store, run, world)
            scenario = parse_scenario(store.run(run).scenario_text, f"run {run}")
        except (StoreError, ScenarioError) as error:
            raise UserError(str(error), EXIT_BAD_INPUT) from None
    if recording.days == 0:
        raise UserError(f"run {run} simulated no days: world {world} has nothing to film")
    first, last = _days(days, recording.days)
    scale = default_scale(recording.width, recording.height) if scale is None else scale
    try:
        check_scale(scale, recording.width, recording.height)
    except FilmError as error:
        raise UserError(str(error), EXIT_BAD_INPUT) from None
    film = recording.film(1, last)  # the days before `first` count the wounds so far
    frames = render_frames(
        film, scale, scenario.params.protect_radius, first, label=f"run {run}, world {world}: "
    )
    with progress(f"film: {last - first + 1} days", last - first + 1) as advance:
        count = write_film(frames, out, advance)
    emit(
        [f"wrote {out}: {count} frames, days {first} to {last}"],
        document={"out": str(out), "frames": count, "first_day": first, "last_day": last},
        as_json=as_json,
    )


def _known_run(store: Store, run_id: int) -> RunInfo:
    """The run's record; an unknown one is one sentence listing the runs there are."""
    from packlaw.store import UnknownRun

    try:
        return store.run(run_id)
    except UnknownRun:
        ids = [info.id for info in store.runs()]
        there = f"the stored runs are {_spans(ids)}" if ids else "no run is stored"
        raise UserError(f"there is no run {run_id}: {there}", EXIT_BAD_INPUT) from None


def _spans(ids: list[int]) -> str:
    """Run ids as short ranges: ``1-4, 7``."""
    ordered = sorted(ids)
    spans: list[str] = []
    start = previous = ordered[0]
    for run_id in [*ordered[1:], None]:
        if run_id is not None and run_id == previous + 1:
            previous = run_id
            continue
        spans.append(str(start) if start == previous else f"{start}-{previous}")
        if run_id is not None:
            start = previous = run_id
    return ", ".join(spans)


def _days(text: str | None, recorded: int) -> tuple[int, int]:
    """``A:B`` (either end may be left out) within the recorded days ``1..recorded``."""
    if text is None:
        return 1, recorded
    first_text, colon, last_text = text.partition(":")
    try:
        if not colon:
            raise ValueError
        first = int(first_text) if first_text.strip() else 1
        last = int(last_text) if last_text.strip() else recorded
    except ValueError:
        raise UserError(f"--days: {text!r} is not A:B (days, e.g. 1:90)", EXIT_BAD_INPUT) from None
    if not 1 <= first <= last <= recorded:
        raise UserError(
            f"--days {text}: the world was recorded for days 1 to {recorded}", EXIT_BAD_INPUT
        )
    return first, last
