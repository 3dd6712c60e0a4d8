"""The store: chronicles and simulation runs, kept durably in SQLite or PostgreSQL.

>>> store = Store("sqlite://")                      # in memory; a file or a server by URL
>>> from packlaw.rules.events import Being, Day, Kind, Title
>>> store.import_chronicle("hale", [Title("Safety Net"), Being("Derek", Kind.WEREWOLF)])
2
>>> store.append("hale", [Day(2), Being("Stiles", Kind.HUMAN)], expected_last_sequence=2)
4
>>> print(store.export("hale"), end="")
title "Safety Net"
being Derek werewolf
day 2
being Stiles human

Every statement of a chronicle is a row ``(chronicle, sequence, day, line)``
holding its canonical notation line, so exporting gives the document back,
`title`, `set`, `day` lines and expectations included. (``day`` lines are
stored as rows too rather than regenerated from the day column: a chronicle
may say ``day 3`` and then ``day 5`` with nothing in between, and the
document keeps both.)

Appends are checked against the rulebook on top of the stored chronicle
(`packlaw.store.replay.Tail`), run in one transaction (all of the batch or
none of it), and lose to any append that landed first with a
`ConcurrencyError`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import socket
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from packlaw.notation.chronicle import (
    Chronicle,
    Remark,
    lay_out,
    remarks_by_statement,
    remarks_from_groups,
)
from packlaw.rules.events import Statement
from packlaw.store import migrations
from packlaw.store.engine import (
    create_engine,
    first_line,
    resolve_url,
    shown,
    sqlite_path,
    translated,
    use_wal,
)
from packlaw.store.errors import (
    ChronicleExists,
    ConcurrencyError,
    ForeignDatabase,
    NoDatabase,
    StoreError,
    UnknownChronicle,
    UnknownRun,
)
from packlaw.store.replay import Tail
from packlaw.store.schema import INTEGER_MAX, chronicles, run_metrics, runs, sweep_points
from packlaw.store.schema import statements as statement_rows

MAX_NAME_LENGTH = 200
_NAME_COLUMN = 200  # the lengths of schema.py's string columns
_METRIC_COLUMN = 100
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1
_FOREIGN_SHOWN = 3  # another application's tables named in the refusal
_CACHED_TAILS = 32  # chronicles whose tail a Store keeps in memory

Daily = tuple[int, str, float, float, float, float, float]
"""One day's figure of a run: (day, metric, mean, sd, p5, p50, p95)."""


@dataclass(frozen=True, slots=True)
class ChronicleInfo:
    """A stored chronicle, without its statements."""

    name: str
    title: str | None
    statements: int
    last_day: int
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class StoredStatement:
    """One stored statement: its place in the chronicle, its day and its canonical line."""

    sequence: int
    day: int
    line: str


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A stored simulation run. ``summary`` is None until the run is done."""

    id: int
    scenario: str
    scenario_text: str
    seed: int
    worlds: int
    days: int
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """The run as plain JSON-ready values (times in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "scenario": self.scenario,
            "seed": self.seed,
            "worlds": self.worlds,
            "days": self.days,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class DailyMetric:
    """One metric of a run on one day, over its worlds. None stands for a figure that was not finite."""

    day: int
    metric: str
    mean: float | None
    sd: float | None
    p5: float | None
    p50: float | None
    p95: float | None


class Store:
    """Chronicles and runs in one database, named by a SQLAlchemy URL.

    Opening a store connects at once and brings the schema up to date, so a
    bad URL or an unreachable server is a `StoreError` here, in one
    sentence, and not later. A `Store` is meant for one process (fork
    before opening one, not after); use it as a context manager or call
    `close`.

    ``create=False`` is for those who only read: a database packlaw never
    made is `NoDatabase` rather than made, and an SQLite file that cannot
    be written (in a read-only folder) is opened read-only. A database
    holding another application's tables and no packlaw schema is refused
    with `ForeignDatabase`, unless ``adopt=True`` adds packlaw's tables to it.
    """

    def __init__(
        self, url: sa.URL | str | None = None, *, create: bool = True, adopt: bool = False
    ) -> None:
        self.url = url if isinstance(url, sa.URL) else resolve_url(url)
        path = sqlite_path(self.url)
        if not create and path is not None and not path.is_file():
            raise NoDatabase(f"no packlaw database at {path}")
        read_only = not create and path is not None and not _writable(path)
        self.engine = create_engine(self.url, read_only=read_only)
        # Writes take the database's write lock from their first read (see engine.py).
        self._writer = self.engine.execution_options(packlaw_write=True)
        self._tails: OrderedDict[int, Tail] = OrderedDict()
        self._tails_lock = threading.Lock()  # threads may share a Store
        self._host = socket.gethostname()[:255]
        try:
            with translated(self.url, "open the database"):
                self._open(create=create, adopt=adopt)
        except sa.exc.SQLAlchemyError as error:
            self.engine.dispose()
            raise StoreError(
                f"cannot open the database {shown(self.url)}: {first_line(error, self.url)}"
            ) from None
        except BaseException:
            self.engine.dispose()
            raise

    def _open(self, *, create: bool, adopt: bool) -> None:
        with self.engine.connect() as conn:
            version = migrations.current_version(conn)
            others = [] if version else _foreign_tables(conn)
            conn.rollback()
        if others and not adopt:
            named = ", ".join(others[:_FOREIGN_SHOWN])
            more = (
                f" and {len(others) - _FOREIGN_SHOWN} more" if len(others) > _FOREIGN_SHOWN else ""
            )
            raise ForeignDatabase(
                f"{shown(self.url)} holds another application's tables ({named}{more}) and no "
                "packlaw schema; name another database with --db, or add packlaw's tables to "
                f"this one with `packlaw db init --db {shown(self.url)}`"
            )
        if not version and not create:
            raise NoDatabase(f"no packlaw database at {shown(self.url)}")
        if create:
            use_wal(self.engine)
        migrations.migrate(self.engine)

    def close(self) -> None:
        """Close every connection to the database."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({shown(self.url)!r})"

    # ------------------------------------------------------- chronicles

    def import_chronicle(self, name: str, statements: Chronicle | Iterable[Statement]) -> int:
        """Store a new chronicle made of ``statements``; return its last sequence.

        A `Chronicle` keeps its comments and blank lines too (its remarks),
        so that `export` gives its canonical text back byte for byte.
        The statements are checked first (`packlaw.store.replay.Tail`):
        an illegal event raises the engine's `RuleViolation`, a failed
        expectation `ExpectationFailed`, a misplaced directive
        `MisplacedStatement`, and nothing is stored. A name in use raises
        `ChronicleExists`.
        """
        _check_name(name)
        batch, remarks = _split(statements)
        tail = Tail()
        rows = tail.check(batch)
        before, trailing, ending = remarks_by_statement(remarks, len(batch))
        try:
            with self._writing(f"store chronicle {name} in") as conn:
                chronicle_id = _inserted_id(
                    conn.execute(
                        chronicles.insert().values(
                            name=name, title=tail.title, created_at=_now(), ending=ending
                        )
                    )
                )
                self._insert(conn, chronicle_id, 0, rows, before, trailing)
        except sa.exc.IntegrityError:
            raise ChronicleExists(f"a chronicle named {name} is stored already") from None
        self._remember(chronicle_id, tail)
        return tail.last_sequence

    def append(
        self,
        name: str,
        statements: Chronicle | Iterable[Statement],
        expected_last_sequence: int | None = None,
    ) -> int:
        """Append ``statements`` to the chronicle ``name``; return its new last sequence.

        A `Chronicle`'s remarks are kept, as `import_chronicle` keeps them;
        the remarks that ended the stored chronicle come before the first
        appended statement.

        All or nothing, in one transaction. The batch is checked on top of
        the stored chronicle and refused whole like `import_chronicle`'s.
        With ``expected_last_sequence`` (the last sequence you read), an
        append that another writer got in before raises `ConcurrencyError`;
        without it the batch goes after whatever is there when it lands,
        and is checked against that. Either way two writers can never both
        take the same sequence: the primary key has the last word.
        """
        batch, remarks = _split(statements)
        with self._writing(f"append to chronicle {name} in") as conn:
            chronicle_id, title = self._find(conn, name)
            last = _last_sequence(conn, chronicle_id)
            if expected_last_sequence is not None and expected_last_sequence != last:
                raise ConcurrencyError(
                    f"chronicle {name} has moved on: its last sequence is {last}, "
                    f"not {expected_last_sequence} as expected; read it again and retry"
                )
            # Taken out of the cache while in flux; it goes back only after the commit.
            tail = self._take_tail(conn, chronicle_id, last)
            rows = tail.check(batch)
            if tail.title is not None and title is None:
                conn.execute(
                    chronicles.update()
                    .where(chronicles.c.id == chronicle_id)
                    .values(title=tail.title)
                )
            before, trailing, ending = remarks_by_statement(remarks, len(batch))
            old_ending = conn.execute(
                sa.select(chronicles.c.ending).where(chronicles.c.id == chronicle_id)
            ).scalar_one()
            if old_ending is not None:
                if batch:
                    before[0] = "\n".join(filter(None, (old_ending, before.get(0))))
                else:
                    ending = "\n".join(filter(None, (old_ending, ending)))
            if old_ending != ending:
                conn.execute(
                    chronicles.update().where(chronicles.c.id == chronicle_id).values(ending=ending)
                )
            try:
                self._insert(conn, chronicle_id, last, rows, before, trailing)
            except sa.exc.IntegrityError:
                raise ConcurrencyError(
                    f"another writer appended to chronicle {name} at the same time; "
                    "read it again and retry"
                ) from None
        self._remember(chronicle_id, tail)
        return tail.last_sequence

    def last_sequence(self, name: str) -> int:
        """The sequence of the chronicle's last statement (0 for an empty one)."""
        with self._reading(f"read chronicle {name} from") as conn:
            chronicle_id, _ = self._find(conn, name)
            return _last_sequence(conn, chronicle_id)

    def statements(self, name: str) -> list[StoredStatement]:
        """Every statement of the chronicle, in order."""
        with self._reading(f"read chronicle {name} from") as conn:
            chronicle_id, _ = self._find(conn, name)
            result = conn.execute(
                sa.select(statement_rows.c.sequence, statement_rows.c.day, statement_rows.c.line)
                .where(statement_rows.c.chronicle_id == chronicle_id)
                .order_by(statement_rows.c.sequence)
            )
            return [StoredStatement(seq, day, line) for seq, day, line in result]

    def export(self, name: str) -> str:
        """The chronicle in canonical notation: its statements and its remarks, each line ended."""
        with self._reading(f"read chronicle {name} from") as conn:
            chronicle_id, _ = self._find(conn, name)
            ending = conn.execute(
                sa.select(chronicles.c.ending).where(chronicles.c.id == chronicle_id)
            ).scalar_one()
            result = conn.execute(
                sa.select(statement_rows.c.line, statement_rows.c.remarks, statement_rows.c.comment)
                .where(statement_rows.c.chronicle_id == chronicle_id)
                .order_by(statement_rows.c.sequence)
            )
            lines: list[str] = []
            groups: list[tuple[int, str | None, str | None]] = []
            for index, (line, remarks, comment) in enumerate(result):
                lines.append(line)
                if remarks is not None or comment is not None:
                    groups.append((index, remarks, comment))
        groups.append((len(lines), ending, None))
        return lay_out(lines, remarks_from_groups(groups))

    def chronicle(self, name: str) -> ChronicleInfo:
        """One stored chronicle's name, title, size and last day."""
        for info in self._chronicle_infos(chronicles.c.name == name):
            return info
        raise UnknownChronicle(f"no chronicle named {name} is stored in {shown(self.url)}")

    def chronicles(self) -> list[ChronicleInfo]:
        """Every stored chronicle, by name."""
        return self._chronicle_infos(sa.true())

    def _chronicle_infos(self, where: sa.ColumnElement[bool]) -> list[ChronicleInfo]:
        counts = (
            sa.select(
                statement_rows.c.chronicle_id,
                sa.func.count().label("n"),
                sa.func.max(statement_rows.c.day).label("last_day"),
            )
            .group_by(statement_rows.c.chronicle_id)
            .subquery()
        )
        query = (
            sa.select(
                chronicles.c.name,
                chronicles.c.title,
                sa.func.coalesce(counts.c.n, 0),
                sa.func.coalesce(counts.c.last_day, 0),
                chronicles.c.created_at,
            )
            .outerjoin(counts, counts.c.chronicle_id == chronicles.c.id)
            .where(where)
            .order_by(chronicles.c.name)
        )
        with self._reading("list the chronicles in") as conn:
            return [
                ChronicleInfo(name, title, int(n), int(day), _utc(created))
                for name, title, n, day, created in conn.execute(query)
            ]

    # ------------------------------------------------------------- runs

    def start_run(
        self, scenario_name: str, scenario_text: str, seed: int, worlds: int, days: int
    ) -> int:
        """Record a run that is starting (status ``running``); return its id.

        The run is stored with this machine's name and this process's id, so
        that if the process dies without marking the run, `runs` and `run`
        show it ``interrupted``.
        """
        row = self._run_row(scenario_name, scenario_text, seed, worlds, days)
        with self._writing(f"record a run of {scenario_name} in") as conn:
            return _inserted_id(conn.execute(runs.insert().values(**row, status="running")))

    def _run_row(
        self, scenario_name: str, scenario_text: str, seed: int, worlds: int, days: int
    ) -> dict[str, Any]:
        """A new run's row (without its status), each field checked to fit its column."""
        _fits(scenario_name, _NAME_COLUMN, "a scenario name")
        _no_nul(scenario_name, "a scenario name")
        _no_nul(scenario_text, "a scenario's text")
        check_run_numbers(seed, worlds, days)
        return {
            "scenario": scenario_name,
            "scenario_text": scenario_text,
            "seed": int(seed),
            "worlds": int(worlds),
            "days": int(days),
            "started_at": _now(),
            "host": self._host,
            "pid": os.getpid(),
        }

    def finish_run(self, run_id: int, summary: Mapping[str, Any], daily: Iterable[Daily]) -> None:
        """Store a run's summary and daily figures and mark it ``done``, in one transaction.

        ``daily`` yields ``(day, metric, mean, sd, p5, p50, p95)``; NumPy
        numbers are fine, and a figure that is not finite is stored as NULL.
        Only a ``running`` run can finish.
        """
        rows = _metric_rows(run_id, daily)
        document = _jsonable(summary)
        with self._writing(f"finish run {run_id} in") as conn:
            self._set_status(conn, run_id, "done", summary=document)
            _insert_metrics(conn, run_id, rows)

    def mark_run(self, run_id: int, status: str) -> None:
        """Mark a running run ``interrupted`` or ``failed``."""
        if status not in ("interrupted", "failed"):
            raise ValueError(f"a run is marked 'interrupted' or 'failed', not {status!r}")
        with self._writing(f"mark run {run_id} {status} in") as conn:
            self._set_status(conn, run_id, status)

    def runs(
        self, before: int | None = None, limit: int | None = None, *, points: bool = True
    ) -> list[RunInfo]:
        """The stored runs, newest first: all, or ``limit`` of them with ids under ``before``.

        ``points=False`` leaves out the runs that are sweeps' points.
        """
        query = sa.select(runs).order_by(runs.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(runs.c.id < before)
        if not points:
            of_points = sa.select(sweep_points.c.run_id).where(sweep_points.c.run_id.is_not(None))
            query = query.where(runs.c.id.not_in(of_points))
        with self._reading("list the runs in") as conn:
            return [self._run_info(row) for row in conn.execute(query)]

    def run(self, run_id: int) -> RunInfo:
        """One run, by id; `UnknownRun` if there is none."""
        row = None
        if _is_id(run_id):  # an id no column can hold names no run
            with self._reading(f"read run {run_id} from") as conn:
                row = conn.execute(sa.select(runs).where(runs.c.id == run_id)).first()
        if row is None:
            raise UnknownRun(f"no run {run_id} is stored in {shown(self.url)}")
        return self._run_info(row)

    def _run_info(self, row: sa.Row[Any]) -> RunInfo:
        status = row.status
        if status == "running" and row.host == self._host and not _alive(row.pid):
            status = "interrupted"  # its process died without a word (SIGKILL, a power cut)
        return RunInfo(
            id=row.id,
            scenario=row.scenario,
            scenario_text=row.scenario_text,
            seed=int(row.seed),
            worlds=row.worlds,
            days=row.days,
            status=status,
            started_at=_utc(row.started_at),
            finished_at=None if row.finished_at is None else _utc(row.finished_at),
            summary=row.summary,
        )

    def daily(self, run_id: int, metric: str | None = None) -> list[DailyMetric]:
        """A run's daily figures (of one metric, or all), by day then metric."""
        query = sa.select(
            run_metrics.c.day,
            run_metrics.c.metric,
            run_metrics.c.mean,
            run_metrics.c.sd,
            run_metrics.c.p5,
            run_metrics.c.p50,
            run_metrics.c.p95,
        ).where(run_metrics.c.run_id == run_id)
        if metric is not None:
            query = query.where(run_metrics.c.metric == metric)
        if not _is_id(run_id):
            return []
        with self._reading(f"read run {run_id} from") as conn:
            result = conn.execute(query.order_by(run_metrics.c.day, run_metrics.c.metric))
            return [DailyMetric(*row) for row in result]

    def _set_status(
        self, conn: sa.Connection, run_id: int, status: str, summary: Any = None
    ) -> None:
        if not _is_id(run_id):
            raise UnknownRun(f"no run {run_id} is stored in {shown(self.url)}")
        values: dict[str, Any] = {"status": status, "finished_at": _now()}
        if summary is not None:
            values["summary"] = summary
        done = conn.execute(
            runs.update().where(runs.c.id == run_id, runs.c.status == "running").values(**values)
        )
        if done.rowcount == 1:
            return
        now = conn.execute(sa.select(runs.c.status).where(runs.c.id == run_id)).scalar()
        if now is None:
            raise UnknownRun(f"no run {run_id} is stored in {shown(self.url)}")
        raise StoreError(f"run {run_id} is {now}, not running, so it cannot be marked {status}")

    # -------------------------------------------------------- internals

    @contextmanager
    def _writing(self, doing: str) -> Iterator[sa.Connection]:
        with translated(self.url, doing), self._writer.begin() as conn:
            yield conn

    @contextmanager
    def _reading(self, doing: str) -> Iterator[sa.Connection]:
        with translated(self.url, doing), self.engine.connect() as conn:
            yield conn

    def _find(self, conn: sa.Connection, name: str) -> tuple[int, str | None]:
        row = conn.execute(
            sa.select(chronicles.c.id, chronicles.c.title).where(chronicles.c.name == name)
        ).first()
        if row is None:
            raise UnknownChronicle(f"no chronicle named {name} is stored in {shown(self.url)}")
        return int(row[0]), row[1]

    def _take_tail(self, conn: sa.Connection, chronicle_id: int, last: int) -> Tail:
        with self._tails_lock:
            tail = self._tails.pop(chronicle_id, None)
        if tail is not None and tail.last_sequence == last:
            return tail
        # Another process wrote since, or we never read it: replay the stored chronicle.
        from packlaw.notation import parse_chronicle

        lines = conn.execute(
            sa.select(statement_rows.c.line)
            .where(statement_rows.c.chronicle_id == chronicle_id)
            .order_by(statement_rows.c.sequence)
        ).scalars()
        tail = Tail()
        tail.check(parse_chronicle("".join(line + "\n" for line in lines)).statements)
        return tail

    def _remember(self, chronicle_id: int, tail: Tail) -> None:
        # A tail put back late is harmless: it is used only if its last sequence is the stored one.
        with self._tails_lock:
            self._tails[chronicle_id] = tail
            self._tails.move_to_end(chronicle_id)
            while len(self._tails) > _CACHED_TAILS:
                self._tails.popitem(last=False)

    @staticmethod
    def _insert(
        conn: sa.Connection,
        chronicle_id: int,
        last: int,
        rows: Sequence[tuple[int, str]],
        before: Mapping[int, str],
        trailing: Mapping[int, str],
    ) -> None:
        """Store a checked batch's statements after sequence ``last``, with their remarks."""
        first = last + 1
        insert_rows(
            conn,
            statement_rows,
            [
                (chronicle_id, first + index, day, line, before.get(index), trailing.get(index))
                for index, (day, line) in enumerate(rows)
            ],
            _STATEMENT_COLUMNS,
        )


def _metric_rows(run_id: int, daily: Iterable[Daily]) -> list[tuple[Any, ...]]:
    """A run's daily figures as ``run_metrics`` rows, in column order; a figure that is not finite is NULL."""
    rows = [
        (
            run_id,
            int(day),
            str(metric),
            _finite(mean),
            _finite(sd),
            _finite(p5),
            _finite(p50),
            _finite(p95),
        )
        for day, metric, mean, sd, p5, p50, p95 in daily
    ]
    for metric in {row[2] for row in rows}:
        _fits(metric, _METRIC_COLUMN, "a metric name")
    return rows


_STATEMENT_COLUMNS = ("chronicle_id", "sequence", "day", "line", "remarks", "comment")


def insert_rows(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[tuple[Any, ...]],
    columns: Sequence[str] | None = None,
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``, all of the table's by default).

    Straight to the driver's executemany: for a year of daily figures (13,505
    rows) SQLAlchemy's per-row parameter handling cost twice what the database did.
    """
    if not rows:
        return
    names = [column.name for column in table.columns] if columns is None else columns
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) "
        f"VALUES ({', '.join(mark for _ in names)})",
        list(rows),
    )


def _insert_metrics(conn: sa.Connection, run_id: int, rows: list[tuple[Any, ...]]) -> None:
    try:
        insert_rows(conn, run_metrics, rows)
    except sa.exc.IntegrityError:
        raise StoreError(
            f"run {run_id}'s daily figures name the same (day, metric) twice"
        ) from None


def _inserted_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None, "an insert of one row has a primary key"
    return int(key[0])


def _split(
    statements: Chronicle | Iterable[Statement],
) -> tuple[list[Statement], tuple[Remark, ...]]:
    """A batch's statements, and its remarks when it is a `Chronicle`."""
    if isinstance(statements, Chronicle):
        return list(statements.statements), statements.remarks
    return list(statements), ()


def _check_name(name: str) -> None:
    if not name or name != name.strip() or len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise StoreError(
            f"{name!r} cannot name a chronicle: use 1 to {MAX_NAME_LENGTH} printable "
            "characters, with no space at either end"
        )


def check_run_numbers(seed: int, worlds: int, days: int) -> None:
    """Refuse a seed, worlds or days that their columns cannot hold (a run's or a sweep's)."""
    if not _BIGINT_MIN <= int(seed) <= _BIGINT_MAX:
        raise StoreError(f"seed {seed} does not fit the store's 64-bit seed column")
    for number, what in ((worlds, "worlds"), (days, "days")):
        if not 0 <= int(number) <= INTEGER_MAX:
            raise StoreError(
                f"{what} {number} does not fit the store's column: from 0 to {INTEGER_MAX:,}"
            )


def _fits(text: str, limit: int, what: str) -> None:
    # PostgreSQL refuses a longer string and SQLite would keep it: refuse it on both, clearly.
    if len(text) > limit:
        raise StoreError(
            f"{what} is at most {limit} characters long, not {len(text)}: {text[:40]!r}..."
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite gives back naive times; the store writes only UTC.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _jsonable(value: Any) -> Any:
    """A copy of ``value`` that any JSON column takes: NumPy numbers as Python ones, NaN as null."""
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return _jsonable(value.tolist())
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    raise TypeError(f"a run summary holds JSON values, not {type(value).__name__}")


def _is_id(number: int) -> bool:
    return 1 <= number <= INTEGER_MAX


def _alive(pid: int | None) -> bool:
    """Whether a process of this machine is still there (True when unknown)."""
    if pid is None:
        return True  # a run stored before packlaw kept process ids
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # there, but another user's
    return True


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _foreign_tables(conn: sa.Connection) -> list[str]:
    """Tables in the database that packlaw did not make (SQLite's own aside), by name."""
    ours = migrations.packlaw_tables()
    return sorted(
        name
        for name in sa.inspect(conn).get_table_names()
        if name not in ours and not name.startswith("sqlite_")
    )


def _no_nul(text: str, what: str) -> None:
    # PostgreSQL cannot keep a NUL in a text; refuse it on both backends alike.
    if "\x00" in text:
        raise StoreError(f"{what} holds a NUL character (U+0000), which the store cannot keep")


def _last_sequence(conn: sa.Connection, chronicle_id: int) -> int:
    """The sequence of a chronicle's last statement, 0 when it has none."""
    query = sa.select(sa.func.coalesce(sa.func.max(statement_rows.c.sequence), 0))
    return int(
        conn.execute(query.where(statement_rows.c.chronicle_id == chronicle_id)).scalar_one()
    )
