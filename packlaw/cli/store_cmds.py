"""Commands of the store part: chronicles in and out, stored runs.

``packlaw chronicle import|append|export|list`` and ``packlaw runs`` /
``packlaw show RUN``. Every command takes ``--db URL`` (default:
``$PACKLAW_DB``, else ``sqlite:///packlaw.db``).

Exit status: 0 done; 1 a broken rule, a failed expectation, or another
writer got there first; 2 bad input (syntax, an unreadable file, a bad URL,
an unreachable server, an unknown chronicle or run).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from packlaw.cli.collector import collector_paused
from packlaw.cli.errors import EXIT_BAD_INPUT, EXIT_DOMAIN, UserError
from packlaw.cli.options import DbOption, JsonOption, open_store
from packlaw.cli.output import JSON, Block, Table, counted, emit

if TYPE_CHECKING:  # the store is imported when a command opens it, not at start-up
    import datetime as dt

    from packlaw.notation import Chronicle
    from packlaw.store import RefusedEvent, RunInfo, StoreError

chronicle_app = typer.Typer(
    help="Chronicles in and out of the store.", no_args_is_help=True, add_completion=False
)
db_app = typer.Typer(help="The database itself.", no_args_is_help=True, add_completion=False)


def register(app: typer.Typer) -> None:
    """Add this part's commands to the app."""
    app.add_typer(chronicle_app, name="chronicle")
    app.add_typer(db_app, name="db")
    app.command("runs")(list_runs)
    app.command("show")(show_run)


# ------------------------------------------------------------- database


@db_app.command("init")
def init_database(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Make packlaw's tables in a database, or bring them up to date.

    Also adds them to a database that holds another application's tables,
    which every other command refuses to touch.
    """
    from packlaw.store.engine import shown
    from packlaw.store.migrations import LATEST

    with open_store(db, adopt=True) as store:
        url = shown(store.url)
    emit(
        [f"packlaw's tables are ready in {url} (schema version {LATEST})"],
        document={"url": url, "schema_version": LATEST},
        as_json=as_json,
    )


# ----------------------------------------------------------- chronicles


@chronicle_app.command("import")
@collector_paused()  # the whole command: the chronicle is freed before the collector restarts
def import_chronicle(
    file: Annotated[Path, typer.Argument(help="The chronicle file to store.", show_default=False)],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Name to store it under (default: the file's stem)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a chronicle file (syntax, rules, expectations) and store it whole."""
    chronicle = _read(file, "stored")
    _refuse_problems(file, chronicle)
    name = file.stem if name is None else name
    from packlaw.store import RefusedEvent, StoreError

    with open_store(db) as store:
        try:
            last = store.import_chronicle(name, chronicle)
        except (StoreError, RefusedEvent) as error:
            raise _refusal(error, file, chronicle.lines, "stored") from None
    emit(
        [f"stored {file} as chronicle {name} ({counted(last, 'statement')})"],
        document={"file": str(file), "chronicle": name, "statements": last},
        as_json=as_json,
    )


@chronicle_app.command("append")
@collector_paused()  # as for import
def append_chronicle(
    name: Annotated[str, typer.Argument(help="The stored chronicle.", show_default=False)],
    file: Annotated[Path, typer.Argument(help="A file of statements to add.", show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Append the statements of FILE to a stored chronicle, checked on top of it; all or nothing."""
    chronicle = _read(file, "appended")
    from packlaw.store import RefusedEvent, StoreError

    with open_store(db) as store:
        try:
            # Checked against whatever the chronicle holds when the append lands.
            last = store.append(name, chronicle)
        except (StoreError, RefusedEvent) as error:
            raise _refusal(error, file, chronicle.lines, "appended") from None
    added = len(chronicle.statements)
    emit(
        [f"appended {counted(added, 'statement')} of {file} to chronicle {name} (now {last})"],
        document={"file": str(file), "chronicle": name, "appended": added, "statements": last},
        as_json=as_json,
    )


@chronicle_app.command("export")
def export_chronicle(
    name: Annotated[str, typer.Argument(help="The stored chronicle.", show_default=False)],
    db: DbOption = None,
) -> None:
    """Write a stored chronicle to stdout in canonical notation."""
    with open_store(db, writes=False) as store:
        text = store.export(name)
    sys.stdout.write(text)


@chronicle_app.command("list")
def list_chronicles(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the stored chronicles."""
    with open_store(db, writes=False) as store:
        infos = store.chronicles()
    emit(
        [
            Table(
                "Chronicles",
                ["name", "title", "statements", "last day", "stored (UTC)"],
                [
                    [i.name, i.title or "", str(i.statements), str(i.last_day), _when(i.created_at)]
                    for i in infos
                ],
                numeric={2, 3},
            )
        ],
        document=lambda: [
            {
                "name": i.name,
                "title": i.title,
                "statements": i.statements,
                "last_day": i.last_day,
                "created_at": i.created_at.isoformat(),
            }
            for i in infos
        ],
        as_json=as_json,
    )


# ----------------------------------------------------------------- runs


def list_runs(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the stored simulation runs, newest first, with the worlds each recorded."""
    from packlaw.store.recordings import recordings

    with open_store(db, writes=False) as store:
        runs = store.runs()
        recorded: dict[int, list[int]] = {}
        for info in recordings(store):
            recorded.setdefault(info.run_id, []).append(info.world)
    # The worlds each run recorded, in a last column when any run recorded one.
    extra = ["recorded"] if recorded else []
    emit(
        [
            Table(
                "Runs",
                [
                    "id",
                    "scenario",
                    "status",
                    "worlds",
                    "days",
                    "seed",
                    "started (UTC)",
                    "took",
                    *extra,
                ],
                [
                    [
                        str(r.id),
                        r.scenario,
                        r.status,
                        str(r.worlds),
                        str(r.days),
                        str(r.seed),
                        _when(r.started_at),
                        _took(r),
                        *([",".join(str(w) for w in recorded.get(r.id, []))] if extra else []),
                    ]
                    for r in runs
                ],
                numeric={0, 3, 4, 5, 7},
            )
        ],
        document=lambda: [
            {
                **{k: v for k, v in run.to_dict().items() if k != "summary"},
                "recorded": list(recorded.get(run.id, [])),
            }
            for run in runs
        ],
        as_json=as_json,
    )


def show_run(
    name: Annotated[
        str,
        typer.Argument(
            metavar="RUN|SWEEP",
            help="A run's id (see `packlaw runs`) or a sweep's name, s1 (see `packlaw sweeps`).",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one stored run (what ran, its summary, its recorded worlds) or one sweep (s1)."""
    from packlaw.cli import sweep_cmds
    from packlaw.store.recordings import recordings

    if sweep_cmds.is_sweep_name(name):
        sweep_cmds.show_sweep(name, db, as_json)
        return
    try:
        run = int(name) if name.isascii() else int("?")  # int() would take other scripts' digits
    except ValueError:
        raise UserError(
            f"{name!r} is neither a run's id (a number) nor a sweep's name (s1, s2, …)",
            EXIT_BAD_INPUT,
        ) from None
    with open_store(db, writes=False) as store:
        info = store.run(run)
        films = recordings(store, run)
    facts = [
        ["run", str(info.id)],
        ["scenario", info.scenario],
        ["status", info.status],
        ["seed", str(info.seed)],
        ["worlds", str(info.worlds)],
        ["days", str(info.days)],
        ["started (UTC)", _when(info.started_at)],
        ["took", _took(info)],
    ]
    figures: list[list[str]] = []
    summary = {k: v for k, v in (info.summary or {}).items() if k != "recordings"}
    for path, value in _leaves(summary):
        if isinstance(value, dict):
            figures.append([path, *(_number(value.get(k)) for k in _STATS)])
        elif path not in ("scenario", "worlds", "days", "seed"):  # already shown above
            facts.append([path, _number(value)])
    blocks: list[Block] = [Table(f"Run {info.id}", ["", ""], facts, header=False)]
    if figures:
        blocks.append(
            Table("Summary over worlds", ["figure", *_STATS], figures, numeric={1, 2, 3, 4, 5})
        )
    elif info.summary is None:
        blocks.append(f"(no summary: the run is {info.status})")
    if films:
        blocks.append(
            Table(
                "Recorded worlds (see `packlaw film`)",
                ["world", "days", "beings", "film bytes", "chronicle"],
                [
                    [
                        str(f.world),
                        str(f.days),
                        str(f.beings),
                        f"{f.film_bytes:,}",
                        f.chronicle or "",
                    ]
                    for f in films
                ],
                numeric={0, 1, 2, 3},
            )
        )
    recorded: list[JSON] = [
        {
            "world": f.world,
            "days": f.days,
            "beings": f.beings,
            "film_bytes": f.film_bytes,
            "chronicle": f.chronicle,
        }
        for f in films
    ]
    emit(blocks, document=lambda: {**info.to_dict(), "recorded": recorded}, as_json=as_json)


# ------------------------------------------------------------- helpers

_STATS = ("mean", "sd", "p5", "p50", "p95")


def _read(file: Path, done: str) -> Chronicle:
    """The parsed chronicle in ``file``, read as every command reads one; bad input says so."""
    from packlaw.cli.notation_cmds import read_chronicle

    return read_chronicle(file, f"nothing was {done}")


def _refuse_problems(file: Path, chronicle: Chronicle) -> None:
    """Refuse a chronicle whose check finds a problem, naming the first one."""
    from packlaw.notation import check_chronicle

    problems = check_chronicle(chronicle)
    if not problems:
        return
    first = str(problems[0])
    first = first if first.startswith(str(file)) else f"{file}: {first}"
    more = (
        f" (and {len(problems) - 1} more; see `packlaw check {file}`)" if len(problems) > 1 else ""
    )
    raise UserError(f"{first}{more}; nothing was stored", EXIT_DOMAIN)


def _refusal(
    error: StoreError | RefusedEvent, file: Path, lines: Sequence[int], done: str
) -> UserError:
    """The one line a refused import or append prints, with the file line it points at."""
    from packlaw.store import ExpectationFailed, RefusedEvent

    index = error.index
    where = f"{file}:{lines[index]}" if index is not None and index < len(lines) else str(file)
    if isinstance(error, RefusedEvent):
        return UserError(f"{where}: {error}; nothing was {done}", EXIT_DOMAIN)
    if isinstance(error, ExpectationFailed):
        return UserError(f"{where}: expect: {error}; nothing was {done}", EXIT_DOMAIN)
    status = EXIT_DOMAIN if error.domain else EXIT_BAD_INPUT
    if index is None:  # about the chronicle or the database, not one statement
        return UserError(f"{error}; nothing was {done}", status)
    return UserError(f"{where}: {error}; nothing was {done}", status)


def _leaves(tree: dict[str, JSON], prefix: str = "") -> list[tuple[str, JSON]]:
    """Flatten a summary: dicts of statistics stay whole, other dicts open up."""
    out: list[tuple[str, JSON]] = []
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and not set(value) <= set(_STATS):
            out.extend(_leaves(value, path + "."))
        else:
            out.append((path, value))
    return out


def _number(value: JSON) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value) if not isinstance(value, list | dict) else json.dumps(value)


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _took(run: RunInfo) -> str:
    if run.finished_at is None:
        return ""
    return f"{(run.finished_at - run.started_at).total_seconds():.1f}s"
