"""Commands of the sweep part: ``packlaw sweep``, ``packlaw sweeps``, and ``show`` of a sweep.

``packlaw sweep SCENARIO --vary NAME=SPEC … [--sample grid|lhs:N|sobol:N]``
(or ``packlaw sweep EXPERIMENT.toml``) runs a sweep on Dask, its points kept
in the store as a ledger; ``--resume SWEEP`` runs what is not done of a
stored one. Sweeps are named ``s1``, ``s2``…, so ``packlaw show s1`` shows
a sweep where ``packlaw show 1`` shows run 1.

Exit status: 0 every point done; 1 some points failed (counted on stderr);
2 bad input (an unknown parameter or trait, an empty or reversed range, a
design too big for the ledger, an unreachable scheduler), before any point
runs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from packlaw.cli.errors import EXIT_BAD_INPUT, EXIT_DOMAIN, UserError, interruption, warn
from packlaw.cli.options import DbOption, JsonOption, open_store
from packlaw.cli.output import JSON, Block, Table, emit
from packlaw.cli.progress import progress
from packlaw.cli.sim_cmds import refuse_empty_scenario, refuse_oversized

if TYPE_CHECKING:
    from distributed import Client

    from packlaw.store.sweeps import NewPoint, PointInfo, SweepInfo, SweepLedger
    from packlaw.sweep.experiment import Experiment
    from packlaw.sweep.runner import Tally


def register(app: typer.Typer) -> None:
    """Add this part's commands to the app."""
    app.command("sweep")(sweep_command)
    app.command("sweeps")(list_sweeps)


def is_sweep_name(name: str) -> bool:
    """Whether ``packlaw show NAME`` means a sweep (``s1``) rather than a run (``1``)."""
    from packlaw.store.sweeps import sweep_number

    return sweep_number(name) is not None


# ----------------------------------------------------------------- sweep


def sweep_command(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Scenario file or bundled name, or an experiment file (TOML with a vary table).",
            show_default=False,
        ),
    ] = None,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="NAME=SPEC",
            help="A parameter (wound) or trait (Stiles.autonomy) and its values: "
            "0,0.5,1 or 0:1:0.1 (grid) or 0:1 (sampled). Repeat for more.",
            show_default=False,
        ),
    ] = None,
    sample: Annotated[
        str | None,
        typer.Option(
            "--sample", help="grid, lhs:N or sobol:N (default: grid).", show_default=False
        ),
    ] = None,
    worlds: Annotated[
        int | None,
        typer.Option("--worlds", min=1, help="Worlds per point (default: the scenario's)."),
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Days per point (default: the scenario's).")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", min=0, help="The sweep's seed (default: the scenario's)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="A Dask scheduler, tcp://HOST:PORT (default: $PACKLAW_SCHEDULER, else a local cluster).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Workers of the local cluster (default: one per core)."
        ),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume", metavar="SWEEP", help="Run what is not done of a stored sweep (s1)."
        ),
    ] = None,
    daily: Annotated[
        bool,
        typer.Option(
            "--daily/--no-daily",
            help="Store each point's daily table with its run (--no-daily: summary and outputs).",
        ),
    ] = True,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the sweep as one JSON object.")
    ] = False,
) -> None:
    """Run a parameter sweep on Dask: each point an ensemble run, each kept in the store."""
    from packlaw.store.store import check_run_numbers
    from packlaw.store.sweeps import SweepLedger
    from packlaw.sweep.runner import SchedulerUnreachable, Tally, scheduler_address

    if resume is not None and (scenario is not None or vary):
        raise UserError("--resume runs a stored sweep as it was: give no scenario or --vary")
    if scheduler is not None and not scheduler.strip():
        raise UserError(
            "--scheduler: give a scheduler's address, tcp://HOST:PORT, "
            "or leave the option out for a local cluster"
        )
    try:
        scheduler_address(scheduler)  # checked before the store is opened
    except SchedulerUnreachable as error:
        raise UserError(str(error)) from None
    experiment = None
    if resume is None:
        refuse_empty_scenario(scenario)
        experiment = _experiment(scenario, vary or [], sample, worlds, days, seed)
        # Each point is a run: one that cannot fit in memory or in the store is refused now,
        # before a cluster starts.
        refuse_oversized(experiment.scenario, experiment.worlds, experiment.days)
        check_run_numbers(experiment.seed, experiment.worlds, experiment.days)
    # A sweep to resume is in a database that exists: never make one for it.
    store = open_store(db, writes=resume is None)
    try:
        ledger = SweepLedger(store)
        plan = _resumed(ledger, resume) if resume is not None else _planned(ledger, experiment)
        started = time.perf_counter()
        with _client(scheduler, workers, plan.needs_running(ledger)) as client:
            # Only now is the store written: the scheduler answered (or nothing needs it).
            info = plan.record(ledger)
            points = [p for p in ledger.points(info.id) if p.point_id in plan.wanted]
            todo = [p for p in points if p.status != "done"]
            tally = Tally(total=len(points), reused=len(points) - len(todo))
            if todo:
                assert client is not None  # there is work, so a cluster was started
                try:
                    _run(client, ledger, info, todo, tally, daily)
                except KeyboardInterrupt as stop:
                    # The points in flight went back to pending; the done ones are kept. They
                    # are counted in the ledger: the stop may land after a point was stored
                    # and before the tally counted it.
                    from packlaw.store import StoreError

                    said = interruption(stop)
                    kept = tally.reused + tally.done
                    with suppress(StoreError):
                        kept = sum(
                            p.status == "done" and p.point_id in plan.wanted
                            for p in ledger.points(info.id)
                        )
                    raise UserError(
                        f"{said.message}: {kept} of {tally.total} points "
                        f"are done and kept; `packlaw sweep --resume {info.name}` runs the rest",
                        said.exit_code,
                    ) from None
            threads = _threads(client)
        seconds = time.perf_counter() - started
        points = [p for p in ledger.points(info.id) if p.point_id in plan.wanted]
        _report(ledger, info, points, tally, seconds, threads, as_json)
    finally:
        store.close()
    if tally.failed:
        warn(f"{tally.failed} of {tally.total} points failed (see `packlaw show {info.name}`)")
        raise typer.Exit(EXIT_DOMAIN)


@dataclass
class _Plan:
    """The points a `sweep` command wants, and how to record them once Dask is there."""

    sweep_id: int | None
    wanted: set[str]
    experiment: Experiment | None = None
    key: str = ""
    new_points: list[NewPoint] = field(default_factory=list)

    def needs_running(self, ledger: SweepLedger) -> bool:
        """Whether any wanted point is not done yet (read only: nothing is written)."""
        if self.sweep_id is None:
            return bool(self.wanted)
        done = {p.point_id for p in ledger.points(self.sweep_id, status=("done",))}
        return bool(self.wanted - done)

    def record(self, ledger: SweepLedger) -> SweepInfo:
        """The sweep, opened (or made) with its new points added."""
        from packlaw.sweep.runner import record_experiment

        if self.experiment is not None:
            self.sweep_id = record_experiment(ledger, self.experiment, self.key, self.new_points)
        assert self.sweep_id is not None
        return ledger.sweep(self.sweep_id)


def _resumed(ledger: SweepLedger, name: str) -> _Plan:
    info = sweep_by_name(ledger, name)
    return _Plan(info.id, {p.point_id for p in ledger.points(info.id)})


def _planned(ledger: SweepLedger, experiment: Experiment | None) -> _Plan:
    from packlaw.sweep.runner import planned_points

    assert experiment is not None  # made when no sweep is resumed

    key, points = planned_points(experiment)
    return _Plan(ledger.find(key), {p.point_id for p in points}, experiment, key, points)


def _run(
    client: Client,
    ledger: SweepLedger,
    info: SweepInfo,
    todo: list[PointInfo],
    tally: Tally,
    daily: bool,
) -> None:
    """Run the points on the cluster, from the scenario text the sweep keeps."""
    from packlaw.sim.scenario import parse_scenario
    from packlaw.sweep.analysis import factors
    from packlaw.sweep.runner import run_sweep

    base = parse_scenario(info.scenario_text, info.scenario).model_copy(
        update={"name": info.scenario}
    )
    chosen = factors(info)
    with progress(f"sweep {info.name}", tally.total, done=tally.reused, rate="points") as advance:
        run_sweep(
            client,
            ledger,
            info,
            base.model_dump(),
            [f.path for f in chosen],
            [f.name for f in chosen],
            todo,
            info.worlds,
            info.days,
            tally,
            on_point=lambda now: advance(now.reused + now.done + now.failed),
            daily=daily,
        )


def _experiment(
    scenario: str | None,
    vary: list[str],
    sample: str | None,
    worlds: int | None,
    days: int | None,
    seed: int | None,
) -> Experiment:
    """The checked experiment of the command line (and of an experiment file, if one is named)."""
    from packlaw.sweep.design import check_size
    from packlaw.sweep.experiment import (
        ExperimentError,
        build_experiment,
        is_experiment_file,
        read_experiment_file,
    )

    if sample is not None and not sample.strip():
        raise UserError("--sample: give grid, lhs:N or sobol:N, or leave the option out for grid")
    try:
        varied: dict[str, str | float | list[float]] = {}
        where = "--vary"
        if scenario is not None and is_experiment_file(scenario):
            loaded = read_experiment_file(scenario)
            varied.update(loaded.vary)
            where = f"{scenario}: vary"
            scenario = loaded.scenario
            sample = sample or loaded.sample
            worlds = worlds or loaded.worlds
            days = days or loaded.days
            seed = loaded.seed if seed is None else seed
        for item in vary:
            name, sep, spec = item.partition("=")
            if not sep or not name.strip():
                raise ExperimentError(
                    [f"--vary {item}: give NAME=SPEC, like Stiles.autonomy=0:1:0.1"]
                )
            varied[name.strip()] = spec
        if vary:
            where = "--vary"
        experiment = build_experiment(
            scenario if scenario is not None else "beacon-hills",
            varied,
            sample or "grid",
            worlds,
            days,
            seed,
            where=where,
        )
        check_size(experiment.factors, experiment.sample)
    except ExperimentError as error:
        raise UserError("\npacklaw: ".join(error.problems), EXIT_BAD_INPUT) from None
    return experiment


@contextmanager
def _client(scheduler: str | None, workers: int | None, needed: bool) -> Iterator[Client | None]:
    """A Dask client when there is something to run; a scheduler that does not answer is exit 2."""
    from packlaw.sweep.runner import SchedulerUnreachable, dask_client

    if not needed:
        yield None
        return
    with ExitStack() as stack:
        try:
            client = stack.enter_context(dask_client(scheduler, workers))
        except SchedulerUnreachable as error:
            raise UserError(str(error), EXIT_BAD_INPUT) from None
        yield client


def _threads(client: Client | None) -> int:
    from packlaw.sweep.runner import cluster_threads

    return 0 if client is None else cluster_threads(client)


def _report(
    ledger: SweepLedger,
    info: SweepInfo,
    points: list[PointInfo],
    tally: Tally,
    seconds: float,
    threads: int,
    as_json: bool,
) -> None:
    if as_json:
        summaries = ledger.summaries([p.run_id for p in points if p.run_id is not None])
        document: JSON = {
            "sweep": info.name,
            "points": [
                {
                    "values": p.values,
                    "seed": p.seed,
                    "status": p.status,
                    "run_id": p.run_id,
                    "summary": summaries.get(p.run_id) if p.run_id is not None else None,
                    **({"error": p.error} if p.status == "failed" else {}),
                }
                for p in points
            ],
        }
        emit([], document=document, as_json=True)
        return
    where = f" on {threads} worker threads" if threads else ""
    line = (
        f"sweep {info.name}: {tally.total} points, {tally.done} run, {tally.reused} reused, "
        f"{tally.failed} failed, in {seconds:.1f} s{where}"
    )
    emit([line, *_profiles(ledger.sweep(info.id), points)])


# ---------------------------------------------------------------- sweeps


def list_sweeps(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the stored sweeps, newest first."""
    from packlaw.cli.store_cmds import _when
    from packlaw.store.sweeps import SweepLedger

    with open_store(db, writes=False) as store:
        infos = SweepLedger(store).sweeps()
    table = Table(
        "Sweeps",
        [
            "sweep",
            "scenario",
            "varied",
            "sample",
            "worlds",
            "days",
            "done",
            "failed",
            "to do",
            "updated (UTC)",
        ],
        [
            [
                i.name,
                i.scenario,
                ", ".join(f["name"] for f in i.experiment["factors"]),
                i.experiment["sample"],
                str(i.worlds),
                str(i.days),
                str(i.counts["done"]),
                str(i.counts["failed"]),
                str(i.counts["pending"] + i.counts["running"]),
                _when(i.updated_at),
            ]
            for i in infos
        ],
        numeric={4, 5, 6, 7, 8},
    )
    emit([table], document=lambda: [_facts(i) for i in infos], as_json=as_json)


def _facts(info: SweepInfo) -> dict[str, JSON]:
    return {
        "sweep": info.name,
        "scenario": info.scenario,
        "worlds": info.worlds,
        "days": info.days,
        "seed": info.seed,
        "sample": info.experiment["sample"],
        "vary": {f["name"]: f["spec"] for f in info.experiment["factors"]},
        "points": info.counts,
        "created_at": info.created_at.isoformat(),
        "updated_at": info.updated_at.isoformat(),
    }


def sweep_by_name(ledger: SweepLedger, name: str) -> SweepInfo:
    """The sweep named ``name`` (s1), or one sentence saying it is not a sweep's name."""
    from packlaw.store.sweeps import sweep_number

    number = sweep_number(name)
    if number is None:
        raise UserError(
            f"{name!r} is not a sweep's name; sweeps are named s1, s2, … (see `packlaw sweeps`)"
        )
    return ledger.sweep(number)


# ------------------------------------------------------------------ show


def show_sweep(name: str, db: str | None, as_json: bool) -> None:
    """``packlaw show SWEEP``: each output against each varied parameter, and Sobol indices."""
    from packlaw.store.sweeps import SweepLedger
    from packlaw.sweep.analysis import sobol

    with open_store(db, writes=False) as store:
        ledger = SweepLedger(store)
        info = sweep_by_name(ledger, name)
        points = ledger.points(info.id)
    try:
        indices = sobol(info, points)
        waiting = None
    except ValueError as error:
        indices, waiting = None, str(error)
    facts = [
        [key, json.dumps(value) if isinstance(value, dict) else str(value)]
        for key, value in _facts(info).items()
    ]
    blocks: list[Block] = [Table(f"Sweep {info.name}", ["", ""], facts, header=False)]
    blocks += _profiles(info, points)
    failed = [p for p in points if p.status == "failed"]
    if failed:
        blocks.append(
            Table(
                "Failed points",
                ["values", "error"],
                [[json.dumps(p.values), (p.error or "").strip().splitlines()[-1]] for p in failed],
            )
        )
    if indices is not None:
        blocks.append(_sobol_table(info, indices))
    elif waiting is not None:
        blocks.append(f"(Sobol indices once the design is done: {waiting})")

    def document() -> JSON:
        return {
            **_facts(info),
            "points": [
                {
                    "values": p.values,
                    "seed": p.seed,
                    "status": p.status,
                    "run_id": p.run_id,
                    "outputs": p.outputs,
                    **({"error": p.error} if p.status == "failed" else {}),
                }
                for p in points
            ],
            "sobol": indices,
        }

    emit(blocks, document=document, as_json=as_json)


def _profiles(info: SweepInfo, points: list[PointInfo]) -> list[Block]:
    """One table per varied parameter: each output's mean at each value (or bin)."""
    from packlaw.cli.store_cmds import _number
    from packlaw.sweep.analysis import factors, output_names, profile

    outputs = output_names(points)
    tables: list[Block] = []
    for factor in factors(info):
        columns: list[float] = []
        cells: dict[str, dict[float, str]] = {}
        for output in outputs:
            for group in profile(points, factor, output):
                if group.value not in columns:
                    columns.append(group.value)
                cells.setdefault(output, {})[group.value] = _number(group.mean)
        columns.sort()
        heading = "value" if factor.values is not None else "bin centre"
        tables.append(
            Table(
                f"Means over worlds against {factor.name} ({heading}s)",
                ["output", *(f"{v:g}" for v in columns)],
                [
                    [output, *(cells.get(output, {}).get(v, "") for v in columns)]
                    for output in outputs
                ],
                numeric=set(range(1, len(columns) + 1)),
            )
        )
    return tables


def _sobol_table(info: SweepInfo, indices: dict[str, dict[str, dict[str, float | None]]]) -> Table:
    from packlaw.sweep.analysis import factors

    names = [f.name for f in factors(info)]

    def pm(value: float | None, conf: float | None) -> str:
        return "" if value is None else f"{value:.3f} ± {conf or 0:.3f}"

    rows = [
        [
            output,
            *(pm(by[n]["S1"], by[n]["S1_conf"]) for n in names),
            *(pm(by[n]["ST"], by[n]["ST_conf"]) for n in names),
        ]
        for output, by in indices.items()
    ]
    return Table(
        "Sobol indices (first order S1, total ST; ± the 95% confidence interval)",
        ["output", *(f"S1 {n}" for n in names), *(f"ST {n}" for n in names)],
        rows,
        numeric=set(range(1, 2 * len(names) + 1)),
    )
