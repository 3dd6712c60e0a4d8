"""The store's contract: one suite, run against SQLite and a real PostgreSQL.

Every test taking ``db_url`` runs twice (see ``conftest.py``): the two
backends keep the same promises. Writers that must really be separate
processes (a killed writer, two writers at once) run the small scripts at
the top of this module with the same interpreter.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import comments, with_remarks

from packlaw.notation import format_chronicle, parse_chronicle
from packlaw.rules.events import (
    Ascend,
    Being,
    Day,
    ExpectEstablished,
    ExpectRefusal,
    Kind,
    Note,
    Statement,
    Submit,
    Title,
    Welcome,
)
from packlaw.rules.world import RuleViolation
from packlaw.store import (
    ChronicleExists,
    ConcurrencyError,
    ExpectationFailed,
    MisplacedStatement,
    Store,
    StoreError,
    UnknownChronicle,
    UnknownRun,
    UnwritableStatement,
    migrations,
    resolve_url,
    schema,
)

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "chronicles" / "safety-net.chronicle"


# ------------------------------------------------------------- helpers


Dump = Callable[[str], dict[str, list[tuple[Any, ...]]]]


def hale() -> list[Statement]:
    """A small legal chronicle: Derek leads Hale, Isaac is his beta."""
    return [
        Title("Hale"),
        Day(1),
        Being("Derek", Kind.WEREWOLF),
        Being("Isaac", Kind.WEREWOLF),
        Ascend("Derek", "Hale"),
        Submit("Isaac", "Derek"),
        Welcome("Derek", "Isaac"),
        ExpectEstablished("Hale", established=True),
    ]


@pytest.fixture
def store(db_url: str) -> Any:
    with Store(db_url) as opened:
        yield opened


# ---------------------------------------------------------- round trip


def test_a_stored_chronicle_exports_as_its_canonical_text(store: Store) -> None:
    text = STORY.read_text(encoding="utf-8")
    chronicle = parse_chronicle(text)
    store.import_chronicle("safety-net", chronicle)
    assert "# " in text and store.export("safety-net") == text  # canonical, comments and all
    assert store.chronicle("safety-net").title == "Safety Net"


def test_every_rule_chronicle_round_trips_through_the_store(store: Store) -> None:
    for path in sorted((ROOT / "chronicles" / "rules").glob("*.chronicle")):
        text = path.read_text(encoding="utf-8")
        store.import_chronicle(path.stem, parse_chronicle(text))
        assert store.export(path.stem) == text, path.name


def test_statements_without_a_chronicle_are_stored_without_remarks(store: Store) -> None:
    chronicle = parse_chronicle("# opening\nbeing A human  # why\n")
    store.import_chronicle("bare", chronicle.statements)
    assert store.export("bare") == "being A human\n"


def test_comments_are_stored_and_exported_in_the_canonical_layout(store: Store) -> None:
    messy = "\n#  first\n\n\nbeing Derek werewolf   #his\n#\n\nday 2\n# last\n\n"
    store.import_chronicle("messy", parse_chronicle(messy))
    assert store.export("messy") == format_chronicle(parse_chronicle(messy))
    assert store.export("messy") == "# first\n\nbeing Derek werewolf  # his\n#\n\nday 2\n# last\n"
    assert [s.line for s in store.statements("messy")] == ["being Derek werewolf", "day 2"]


@st.composite
def legal_with_remarks(draw: st.DrawFn) -> str:
    """A chronicle the store accepts (new beings, notes, days going on), commented anywhere."""
    lines: list[str] = []
    day = 0
    for index in range(draw(st.integers(0, 12))):
        choice = draw(st.integers(0, 2))
        if choice == 0:
            lines.append(f"being B{index} {draw(st.sampled_from(['human', 'werewolf']))}")
        elif choice == 1:
            lines.append(str(Note(draw(comments()))))
        else:
            day += draw(st.integers(0, 3))
            lines.append(f"day {day}")
    text, _ = draw(with_remarks(lines))
    return text


@given(text=legal_with_remarks())
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_commented_chronicle_exports_as_its_canonical_text(store: Store, text: str) -> None:
    chronicle = parse_chronicle(text)
    name = f"c{len(store.chronicles())}"
    store.import_chronicle(name, chronicle)
    assert store.export(name) == format_chronicle(chronicle)
    assert parse_chronicle(store.export(name)).remarks == chronicle.remarks


def test_an_append_keeps_its_comments_after_the_stored_ones(store: Store) -> None:
    store.import_chronicle("hale", parse_chronicle("being Derek werewolf\n# to be continued\n"))
    store.append("hale", parse_chronicle("\n# day two\nday 2  # later\n# the end\n"))
    assert store.export("hale") == (
        "being Derek werewolf\n# to be continued\n# day two\nday 2  # later\n# the end\n"
    )
    store.append("hale", parse_chronicle("# only a remark\n"))
    assert store.export("hale").endswith("# the end\n# only a remark\n")
    store.append("hale", parse_chronicle("ascend Derek Hale\n"))
    assert store.export("hale").endswith("# the end\n# only a remark\nascend Derek Hale\n")


def test_the_document_keeps_every_statement_directives_and_expectations_included(
    store: Store,
) -> None:
    text = (
        "set defiance-limit 2\n"
        'title "Odd but legal"\n'
        "day 3\n"
        "day 5\n"
        "being Derek werewolf\n"
        "being Stiles human\n"
        "expect R1\n"
        "ascend Stiles Hale\n"
        "expect Stiles unaffiliated\n"
        "day 7\n"
    )
    store.import_chronicle("odd", parse_chronicle(text).statements)
    assert store.export("odd") == text
    days = [stored.day for stored in store.statements("odd")]
    assert days == [0, 0, 3, 5, 5, 5, 5, 5, 5, 7]


def test_appended_statements_continue_the_chronicle_on_its_current_day(store: Store) -> None:
    store.import_chronicle("hale", hale())
    last = store.append("hale", [Being("Stiles", Kind.HUMAN), Day(4), Note("later")])
    assert last == len(hale()) + 3
    tail = store.statements("hale")[-3:]
    assert [(s.sequence, s.day, s.line) for s in tail] == [
        (9, 1, "being Stiles human"),
        (10, 4, "day 4"),
        (11, 4, 'note "later"'),
    ]
    assert store.chronicle("hale").last_day == 4


def test_appends_are_checked_against_the_stored_chronicle_not_just_the_batch(
    db_url: str,
) -> None:
    with Store(db_url) as first:
        first.import_chronicle("hale", hale())
    with Store(db_url) as fresh:  # nothing cached: the tail is replayed from the database
        with pytest.raises(RuleViolation) as refused:
            fresh.append("hale", [Ascend("Isaac", "Hale")])
        assert "R1" in refused.value.rules
        fresh.append("hale", [Being("Stiles", Kind.HUMAN), Submit("Stiles", "Derek")])
        fresh.append("hale", [Welcome("Derek", "Stiles")])


def test_a_title_given_in_a_later_batch_becomes_the_chronicles_title(store: Store) -> None:
    store.import_chronicle("untitled", [])
    store.append("untitled", [Title("Found later"), Being("Derek", Kind.WEREWOLF)])
    assert store.chronicle("untitled").title == "Found later"
    assert store.export("untitled").startswith('title "Found later"\n')


# ------------------------------------------------------- illegal input


def test_an_illegal_event_refuses_the_whole_batch_with_the_engines_rule_violation(
    dump_store: Dump, store: Store, db_url: str
) -> None:
    store.import_chronicle("hale", hale())
    before = dump_store(db_url)
    batch = [Being("Stiles", Kind.HUMAN), Ascend("Stiles", "Argent")]
    with pytest.raises(RuleViolation) as refused:
        store.append("hale", batch)
    assert refused.value.event == Ascend("Stiles", "Argent")
    assert refused.value.rules == ["R1"]
    assert dump_store(db_url) == before
    # Nothing of the refused batch lingers, in the database or in the cached world.
    store.append("hale", [Being("Stiles", Kind.HUMAN)])


def test_a_failed_expectation_refuses_the_whole_batch(
    dump_store: Dump, store: Store, db_url: str
) -> None:
    store.import_chronicle("hale", hale())
    before = dump_store(db_url)
    with pytest.raises(ExpectationFailed, match="Hale"):
        store.append("hale", [Being("Stiles", Kind.HUMAN), ExpectEstablished("Hale", False)])
    with pytest.raises(ExpectationFailed, match="R0"):
        store.append("hale", [ExpectRefusal("R0"), Being("Scott", Kind.WEREWOLF)])
    with pytest.raises(ExpectationFailed, match="no event follows"):
        store.append("hale", [ExpectRefusal("R0")])
    assert dump_store(db_url) == before


def test_an_announced_refusal_is_stored_and_changes_nothing(store: Store) -> None:
    store.import_chronicle("hale", hale())
    store.append("hale", [ExpectRefusal("R1"), Ascend("Isaac", "Hale")])
    store.append("hale", [Being("Stiles", Kind.HUMAN)])
    assert store.export("hale").endswith("expect R1\nascend Isaac Hale\nbeing Stiles human\n")


def test_a_day_going_back_or_a_late_title_is_refused(
    dump_store: Dump, store: Store, db_url: str
) -> None:
    store.import_chronicle("hale", [*hale(), Day(9)])
    before = dump_store(db_url)
    with pytest.raises(MisplacedStatement, match="day 3"):
        store.append("hale", [Note("fine"), Day(3)])
    with pytest.raises(MisplacedStatement, match="title"):
        store.append("hale", [Title("Too late")])
    with pytest.raises(MisplacedStatement, match="title"):
        store.import_chronicle("late", [Being("Derek", Kind.WEREWOLF), Title("Too late")])
    assert dump_store(db_url) == before


def test_a_refused_import_stores_nothing(dump_store: Dump, store: Store, db_url: str) -> None:
    before = dump_store(db_url)
    with pytest.raises(RuleViolation):
        store.import_chronicle("broken", [*hale(), Ascend("Nobody", "Hale")])
    assert dump_store(db_url) == before
    with pytest.raises(UnknownChronicle):
        store.export("broken")


def test_a_chronicle_name_is_taken_once(dump_store: Dump, store: Store, db_url: str) -> None:
    store.import_chronicle("hale", hale())
    before = dump_store(db_url)
    with pytest.raises(ChronicleExists, match="hale"):
        store.import_chronicle("hale", [Note("again")])
    with pytest.raises(StoreError, match="cannot name a chronicle"):
        store.import_chronicle(" spaced ", [])
    assert dump_store(db_url) == before


def test_an_unknown_chronicle_is_a_clear_error(store: Store) -> None:
    with pytest.raises(UnknownChronicle, match="no chronicle named ghost"):
        store.append("ghost", [Note("boo")])
    with pytest.raises(UnknownChronicle):
        store.export("ghost")


# --------------------------------------------------------- concurrency


def test_an_append_with_a_stale_expected_sequence_gets_a_concurrency_error(
    dump_store: Dump,
    db_url: str,
) -> None:
    with Store(db_url) as alice, Store(db_url) as bob:
        alice.import_chronicle("hale", hale())
        seen = bob.last_sequence("hale")
        alice.append("hale", [Note("alice was first")], expected_last_sequence=seen)
        before = dump_store(db_url)
        with pytest.raises(ConcurrencyError, match="moved on"):
            bob.append("hale", [Note("bob")], expected_last_sequence=seen)
        assert dump_store(db_url) == before
        bob.append("hale", [Note("bob, again")], expected_last_sequence=bob.last_sequence("hale"))


def test_a_writer_whose_cached_tail_is_stale_is_checked_against_what_landed(
    db_url: str,
) -> None:
    with Store(db_url) as alice, Store(db_url) as bob:
        alice.import_chronicle("hale", hale())  # alice now caches the tail
        bob.append("hale", [Being("Stiles", Kind.HUMAN)])
        with pytest.raises(RuleViolation) as refused:
            alice.append("hale", [Being("Stiles", Kind.HUMAN)])
        assert refused.value.rules == ["R0"]


WRITER = r"""
import sys
from packlaw.rules.events import Note
from packlaw.store import ConcurrencyError, Store

url, name, who = sys.argv[1:4]
last = 0
with Store(url) as store:
    for command in sys.stdin:
        verb, *args = command.split()
        if verb == "read":
            last = store.last_sequence(name)
            print("read", last, flush=True)
        elif verb == "write":
            batch = [Note(f"{who} round {last} line {i}") for i in range(int(args[0]))]
            try:
                print("ok", store.append(name, batch, expected_last_sequence=last), flush=True)
            except ConcurrencyError:
                print("conflict", flush=True)
        elif verb == "race":
            batches, size = int(args[0]), int(args[1])
            done = conflicts = 0
            while done < batches:
                batch = [Note(f"{who} batch {done} line {i}") for i in range(size)]
                try:
                    store.append(name, batch, expected_last_sequence=store.last_sequence(name))
                    done += 1
                except ConcurrencyError:
                    conflicts += 1
            print("raced", conflicts, flush=True)
"""


class Worker:
    """A script in a child process, talked to a line at a time."""

    def __init__(self, script: str, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", script, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def receive(self) -> list[str]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            assert self.process.stderr is not None
            self.process.wait()
            pytest.fail(f"the child process ended early:\n{self.process.stderr.read()}")
        return line.split()

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=60)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def test_two_writers_at_once_leave_no_gap_and_no_duplicate_and_the_loser_gets_a_conflict(
    db_url: str,
) -> None:
    with Store(db_url) as store:
        store.import_chronicle("shared", [Note("start")])
    writers = {who: Worker(WRITER, db_url, "shared", who) for who in ("alice", "bob")}
    try:
        # Both read the same tail before either writes: exactly one append can land.
        for _round in range(5):
            for writer in writers.values():
                writer.send("read")
            seen = {writer.receive()[1] for writer in writers.values()}
            assert len(seen) == 1
            for writer in writers.values():
                writer.send("write 50")
            outcomes = sorted(writer.receive()[0] for writer in writers.values())
            assert outcomes == ["conflict", "ok"]
        # Then both append as fast as they can, retrying after each conflict.
        for writer in writers.values():
            writer.send("race 20 25")
        for writer in writers.values():
            assert writer.receive()[0] == "raced"
    finally:
        for writer in writers.values():
            writer.close()

    with Store(db_url) as store:
        stored = store.statements("shared")
    assert [s.sequence for s in stored] == list(range(1, 1 + 5 * 50 + 2 * 20 * 25 + 1))
    lines = [s.line for s in stored]
    assert len(set(lines)) == len(lines)  # every line is unique: nothing was written twice
    for who in ("alice", "bob"):
        for batch in range(20):
            first = lines.index(f'note "{who} batch {batch} line 0"')
            expected = [f'note "{who} batch {batch} line {i}"' for i in range(25)]
            assert lines[first : first + 25] == expected  # a batch lands whole and together


CRASHER = r"""
import sys
from packlaw.rules.events import Being, Kind, Note
from packlaw.store import Store

url, name, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Store(url) as store:
    batch_number = 0
    while True:
        batch = [
            Being(f"W{batch_number}x{i}", Kind.WEREWOLF) if i % 2 == 0
            else Note(f"batch {batch_number} line {i}")
            for i in range(size)
        ]
        last = store.append(name, batch)
        print(batch_number, last, flush=True)
        batch_number += 1
"""


def crasher_lines(batch_number: int, size: int) -> list[str]:
    return [
        f"being W{batch_number}x{i} werewolf"
        if i % 2 == 0
        else f'note "batch {batch_number} line {i}"'
        for i in range(size)
    ]


def test_an_append_that_returned_survives_the_writer_being_killed(db_url: str) -> None:
    size = 400
    with Store(db_url) as store:
        store.import_chronicle("crash", [Title("Killed mid-write")])
    writer = Worker(CRASHER, db_url, "crash", str(size))
    acknowledged = 0
    try:
        for _ in range(12):
            _batch_number, last = map(int, writer.receive())
            acknowledged = last
        # It is writing its next batch now, somewhere between two statements.
        os.kill(writer.process.pid, signal.SIGKILL)
        writer.process.wait(timeout=60)
    finally:
        writer.close()
    assert writer.process.returncode == -signal.SIGKILL

    with Store(db_url) as store:
        stored = store.statements("crash")
        assert stored[-1].sequence >= acknowledged  # every append that returned is there
        assert (len(stored) - 1) % size == 0  # and no batch is there in part
        batches = (len(stored) - 1) // size
        expected = [line for b in range(batches) for line in crasher_lines(b, size)]
        assert [s.line for s in stored[1:]] == expected
        assert [s.sequence for s in stored] == list(range(1, len(stored) + 1))
        # The chronicle goes on after the crash, checked against what was stored.
        with pytest.raises(RuleViolation):
            store.append("crash", [Being("W0x0", Kind.WEREWOLF)])
        store.append("crash", [Note("after the crash")], expected_last_sequence=len(stored))


@pytest.mark.postgres
def test_the_primary_key_has_the_last_word_between_two_racing_writers(
    postgres_url: str,
) -> None:
    """Two writers that both read the same tail and both pass the check: one insert loses."""
    with Store(postgres_url) as store:
        store.import_chronicle("race", [Note("start")])
    engine = sa.create_engine(resolve_url(postgres_url))
    outcomes: list[str] = []

    def append(who: str) -> None:
        with Store(postgres_url) as writer:
            try:
                writer.append("race", [Note(f"{who} {i}") for i in range(10)])
                outcomes.append("ok")
            except ConcurrencyError:
                outcomes.append("conflict")

    try:
        with engine.connect() as gate:
            # Reads go on, inserts wait: both writers read the tail, check, then queue.
            gate.execute(sa.text("LOCK TABLE statements IN SHARE MODE"))
            writers = [threading.Thread(target=append, args=(w,)) for w in ("alice", "bob")]
            for thread in writers:
                thread.start()
            waiting = sa.text(
                "SELECT count(*) FROM pg_locks "
                "WHERE relation = 'statements'::regclass AND NOT granted"
            )
            with engine.connect() as probe:
                while probe.execute(waiting).scalar_one() < 2:
                    assert all(t.is_alive() for t in writers), outcomes
                    time.sleep(0.01)
                    probe.rollback()
            gate.rollback()  # open the gate
            for thread in writers:
                thread.join()
    finally:
        engine.dispose()
    assert sorted(outcomes) == ["conflict", "ok"]
    with Store(postgres_url) as store:
        assert [s.sequence for s in store.statements("race")] == list(range(1, 12))


# ---------------------------------------------------------------- runs


def test_a_run_is_running_until_it_finishes_with_its_summary_and_daily_figures(
    store: Store,
) -> None:
    run_id = store.start_run("beacon-hills", "worlds: 10\n", seed=7, worlds=10, days=3)
    started = store.run(run_id)
    assert (started.status, started.summary, started.finished_at) == ("running", None, None)
    summary = {"totals": {"attacks": {"mean": 1.5, "sd": 0.5, "p5": 1, "p50": 1.5, "p95": 2}}}
    daily = [
        (day, metric, day * 1.0, 0.25, 0.0, day * 1.0, day * 2.0)
        for day in (1, 2, 3)
        for metric in ("attacks", "deaths")
    ]
    store.finish_run(run_id, summary, daily)
    done = store.run(run_id)
    assert done.status == "done"
    assert done.summary == summary
    assert done.scenario_text == "worlds: 10\n"
    assert (done.seed, done.worlds, done.days) == (7, 10, 3)
    assert done.finished_at is not None and done.finished_at >= done.started_at
    figures = store.daily(run_id)
    assert [(f.day, f.metric, f.mean, f.sd, f.p5, f.p50, f.p95) for f in figures] == daily
    assert [f.day for f in store.daily(run_id, "deaths")] == [1, 2, 3]


def test_finishing_a_run_is_all_or_nothing(dump_store: Dump, store: Store, db_url: str) -> None:
    run_id = store.start_run("beacon-hills", "", seed=1, worlds=1, days=1)
    before = dump_store(db_url)
    twice = [(1, "attacks", 1.0, 0, 0, 0, 0), (1, "attacks", 2.0, 0, 0, 0, 0)]
    with pytest.raises(StoreError, match="twice"):
        store.finish_run(run_id, {"totals": {}}, twice)
    assert dump_store(db_url) == before
    assert store.run(run_id).status == "running"


def test_only_a_running_run_can_be_finished_or_marked(store: Store) -> None:
    interrupted = store.start_run("a", "", seed=1, worlds=1, days=1)
    store.mark_run(interrupted, "interrupted")
    assert store.run(interrupted).status == "interrupted"
    with pytest.raises(StoreError, match="not running"):
        store.finish_run(interrupted, {}, [])
    failed = store.start_run("b", "", seed=1, worlds=1, days=1)
    store.mark_run(failed, "failed")
    with pytest.raises(StoreError, match="not running"):
        store.mark_run(failed, "interrupted")
    with pytest.raises(ValueError, match="interrupted"):
        store.mark_run(failed, "done")
    with pytest.raises(UnknownRun, match="no run 999"):
        store.mark_run(999, "failed")
    with pytest.raises(UnknownRun):
        store.run(999)


def test_runs_are_listed_newest_first(store: Store) -> None:
    ids = [store.start_run(f"s{i}", "", seed=i, worlds=1, days=1) for i in range(3)]
    assert [run.id for run in store.runs()] == ids[::-1]


def test_numpy_numbers_and_non_finite_figures_are_stored_as_plain_values(store: Store) -> None:
    np = pytest.importorskip("numpy")
    run_id = store.start_run("np", "", seed=np.int64(3), worlds=np.int32(2), days=1)
    summary = {"totals": {"kills": {"mean": np.float64(0.5), "sd": np.float64("nan")}}}
    daily = [(np.int64(1), "kills", np.float64(0.5), np.nan, np.inf, 0.0, 1.0)]
    store.finish_run(run_id, summary, daily)
    assert store.run(run_id).summary == {"totals": {"kills": {"mean": 0.5, "sd": None}}}
    (figure,) = store.daily(run_id)
    assert (figure.mean, figure.sd, figure.p5) == (0.5, None, None)
    assert not any(isinstance(v, float) and math.isnan(v) for v in (figure.mean, figure.p50))


# ------------------------------------------------------ URLs and schema


@pytest.mark.parametrize(
    "url",
    ["not a url", "mysql://me@localhost/packlaw", "nosuchdb://x", "sqlite:////no/such/folder/x.db"],
)
def test_a_bad_url_gets_one_clear_sentence(url: str) -> None:
    with pytest.raises(StoreError) as refused:
        Store(url)
    message = str(refused.value)
    assert "\n" not in message
    assert message.split(":")[0] and "Traceback" not in message


def test_an_unreachable_server_gets_one_clear_sentence() -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreError) as refused:
        Store(f"postgresql://packlaw:secret@127.0.0.1:{port}/packlaw")
    message = str(refused.value)
    assert message.startswith("cannot open the database postgresql+psycopg://packlaw:***@")
    assert "secret" not in message and "\n" not in message


def test_the_database_url_comes_from_the_option_then_the_environment_then_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PACKLAW_DB", raising=False)
    assert resolve_url(None).render_as_string() == "sqlite:///packlaw.db"
    monkeypatch.setenv("PACKLAW_DB", "sqlite:///from-env.db")
    assert resolve_url(None).database == "from-env.db"
    assert resolve_url("sqlite:///given.db").database == "given.db"
    assert resolve_url("postgresql://h/db").drivername == "postgresql+psycopg"


def test_a_new_database_gets_the_latest_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.LATEST


def test_the_migrations_build_the_schema_the_code_uses(store: Store) -> None:
    inspector = sa.inspect(store.engine)
    for table in schema.metadata.sorted_tables:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert list(columns) == [c.name for c in table.columns], table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
        primary = inspector.get_pk_constraint(table.name)["constrained_columns"]
        assert primary == [c.name for c in table.primary_key.columns], table.name


def test_an_old_database_is_upgraded_in_place_and_keeps_its_chronicles(db_url: str) -> None:
    engine = sa.create_engine(resolve_url(db_url))
    try:
        assert migrations.migrate(engine, target=1) == 1
        with engine.begin() as conn:
            chronicle_id = conn.execute(
                schema.chronicles.insert().values(
                    name="old", title=None, created_at=sa.func.current_timestamp()
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(
                schema.statements.insert(),
                [
                    {
                        "chronicle_id": chronicle_id,
                        "sequence": 1,
                        "day": 0,
                        "line": "being Derek werewolf",
                    }
                ],
            )
        assert not sa.inspect(engine).has_table("runs")
    finally:
        engine.dispose()
    with Store(db_url) as store:
        assert store.export("old") == "being Derek werewolf\n"  # as it was, no remarks
        store.append("old", [Ascend("Derek", "Hale")])
        store.append("old", parse_chronicle("# a comment, now kept\nday 2\n"))
        assert store.export("old") == (
            "being Derek werewolf\nascend Derek Hale\n# a comment, now kept\nday 2\n"
        )
        store.start_run("after the upgrade", "", seed=1, worlds=1, days=1)
        with store.engine.connect() as conn:
            assert migrations.current_version(conn) == migrations.LATEST


OPENER = r"""
import sys
from packlaw.store import Store

sys.stdin.readline()  # wait for the word, so that both open at once
with Store(sys.argv[1]) as store:
    print("opened", store.start_run(sys.argv[2], "", 1, 1, 1), flush=True)
"""


def test_two_processes_opening_a_new_database_at_once_both_get_one_schema(db_url: str) -> None:
    openers = [Worker(OPENER, db_url, who) for who in ("alice", "bob")]
    try:
        for opener in openers:
            opener.send("go")
        assert sorted(opener.receive()[0] for opener in openers) == ["opened", "opened"]
    finally:
        for opener in openers:
            opener.close()
    with Store(db_url) as store:
        assert sorted(run.scenario for run in store.runs()) == ["alice", "bob"]
        with store.engine.connect() as conn:
            versions = conn.execute(sa.select(schema.schema_version.c.version)).scalars().all()
        assert versions == [m.version for m in migrations.MIGRATIONS]


def test_a_database_from_a_newer_packlaw_is_refused(db_url: str) -> None:
    Store(db_url).close()
    engine = sa.create_engine(resolve_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(
                schema.schema_version.insert().values(
                    version=migrations.LATEST + 1,
                    description="from the future",
                    applied_at=sa.func.current_timestamp(),
                )
            )
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="newer than this packlaw"):
        Store(db_url)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_full_sync(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'p.db'}") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 1000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_value_too_big_for_its_column_is_refused_alike_on_both_backends(
    dump_store: Dump, store: Store, db_url: str
) -> None:
    run_id = store.start_run("ok", "", seed=1, worlds=1, days=1)
    before = dump_store(db_url)
    with pytest.raises(StoreError, match="metric name"):
        store.finish_run(run_id, {}, [(1, "m" * 101, 0, 0, 0, 0, 0)])
    with pytest.raises(StoreError, match="scenario name"):
        store.start_run("s" * 201, "", seed=1, worlds=1, days=1)
    with pytest.raises(StoreError, match="seed"):
        store.start_run("big seed", "", seed=2**64, worlds=1, days=1)
    assert dump_store(db_url) == before


def test_a_statement_without_notation_is_refused_so_the_document_stays_readable(
    dump_store: Dump, store: Store, db_url: str
) -> None:
    store.import_chronicle("hale", hale())
    before = dump_store(db_url)
    with pytest.raises(UnwritableStatement, match="no notation"):
        store.append("hale", [Being("two words", Kind.HUMAN)])
    with pytest.raises(UnwritableStatement):
        store.append("hale", [Note("a line\nbreak")])
    assert dump_store(db_url) == before


# ---------------------------------------------------------- hardening


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [("a\x00b", "U+0000", 8), ("\x1b[31mred", "U+001B", 7), ("x\x85", "U+0085", 8),
     ("x\u2028y", "U+2028", 8), ("\x7f", "U+007F", 7), ("\x9b", "U+009B", 7)],
)  # fmt: skip
def test_a_control_character_in_a_text_is_refused_at_the_stores_edge(
    text: str, code: str, column: int, dump_store: Dump, store: Store, db_url: str
) -> None:
    store.import_chronicle("hale", hale())
    before = dump_store(db_url)
    with pytest.raises(
        UnwritableStatement, match=re.escape(f"{code} at column {column}")
    ) as refused:
        store.append("hale", [Being("Stiles", Kind.HUMAN), Note(text)])
    assert refused.value.index == 1
    with pytest.raises(UnwritableStatement, match=re.escape(code)):
        store.import_chronicle("titled", [Title(text)])
    assert dump_store(db_url) == before


def test_a_nul_in_a_run_is_refused_alike_on_both_backends(
    dump_store: Dump, store: Store, db_url: str
) -> None:
    before = dump_store(db_url)
    with pytest.raises(StoreError, match="U\\+0000"):
        store.start_run("a\x00b", "", seed=1, worlds=1, days=1)
    with pytest.raises(StoreError, match="U\\+0000"):
        store.start_run("ok", 'name = "\x00"', seed=1, worlds=1, days=1)
    assert dump_store(db_url) == before


@pytest.mark.parametrize(("worlds", "days"), [(2**31, 1), (1, 2**31), (-1, 1), (1, -1)])
def test_worlds_and_days_are_held_to_their_columns_alike_on_both_backends(
    worlds: int, days: int, dump_store: Dump, store: Store, db_url: str
) -> None:
    before = dump_store(db_url)
    with pytest.raises(StoreError, match="does not fit the store's column"):
        store.start_run("big", "", seed=1, worlds=worlds, days=days)
    assert dump_store(db_url) == before


def test_a_run_id_past_the_id_column_is_no_run(store: Store) -> None:
    for run_id in (2**31, 10**20, 0, -1):
        with pytest.raises(UnknownRun):
            store.run(run_id)
        with pytest.raises(UnknownRun):
            store.mark_run(run_id, "failed")
        assert store.daily(run_id) == []


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_running_run_whose_process_is_gone_shows_interrupted(store: Store) -> None:
    import socket

    ours = store.start_run("ours", "", seed=1, worlds=1, days=1)
    dead = store.start_run("dead", "", seed=1, worlds=1, days=1)
    elsewhere = store.start_run("elsewhere", "", seed=1, worlds=1, days=1)
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(schema.runs.c.host, schema.runs.c.pid)).first()
        assert row is not None and (row.host, row.pid) == (socket.gethostname(), os.getpid())
        runs = schema.runs
        conn.execute(runs.update().where(runs.c.id == dead).values(pid=_dead_pid()))
        conn.execute(runs.update().where(runs.c.id == elsewhere).values(host="another-host"))
    assert store.run(ours).status == "running"
    assert store.run(dead).status == "interrupted"
    assert store.run(elsewhere).status == "running"  # no telling from here
    assert {r.id: r.status for r in store.runs()}[dead] == "interrupted"


class _Stop:
    """A parameter whose binding raises Ctrl-C, as a signal landing inside the driver's call does."""

    def __conform__(self, protocol: object) -> object:
        raise KeyboardInterrupt


def test_a_write_stopped_mid_statement_leaves_the_database_writable(tmp_path: Path) -> None:
    # SQLite keeps a closed connection, and its write lock, until the stopped statement's
    # cursor is freed; while a command handles the stop (marks its run interrupted, puts
    # a sweep's points back), the stop's traceback must not be what keeps that cursor.
    with Store(f"sqlite:///{tmp_path / 'stopped.db'}") as store:
        run_id = store.start_run("stopped", "", seed=1, worlds=1, days=1)
        update = f"UPDATE {schema.runs.name} SET scenario = ? WHERE id = ?"
        try:
            with store._writing("test a stop in") as conn:
                conn.exec_driver_sql(update, [("kept", run_id), (_Stop(), run_id)])
        except KeyboardInterrupt:
            store.mark_run(run_id, "interrupted")  # would wait out the busy timeout, then fail
        assert store.run(run_id).status == "interrupted"
        assert store.run(run_id).scenario == "stopped"  # the stopped write was rolled back


def test_runs_stored_before_migration_4_keep_their_status(db_url: str) -> None:
    engine = sa.create_engine(resolve_url(db_url))
    try:
        assert migrations.migrate(engine, target=2) == 2
        with engine.begin() as conn:
            old = sa.Table("runs", sa.MetaData(), autoload_with=conn)
            assert "pid" not in old.c
            conn.execute(
                old.insert().values(
                    scenario="old", scenario_text="", seed=1, worlds=1, days=1,
                    status="running", started_at=sa.func.current_timestamp(),
                )
            )  # fmt: skip
    finally:
        engine.dispose()
    with Store(db_url) as store:
        (run,) = store.runs()
        assert run.status == "running"
        with store.engine.connect() as conn:
            assert migrations.current_version(conn) == migrations.LATEST


def test_refusals_carry_their_place_in_the_batch(store: Store) -> None:
    from packlaw.rules.events import Set, Setting
    from packlaw.store import RefusedEvent

    store.import_chronicle("hale", hale())
    with pytest.raises(RefusedEvent) as refused:
        store.append("hale", [Being("Stiles", Kind.HUMAN), Day(2), Ascend("Stiles", "Argent")])
    assert isinstance(refused.value, RuleViolation) and refused.value.index == 2
    assert refused.value.rules == ["R1"]
    with pytest.raises(ExpectationFailed) as failed:
        store.append("hale", [ExpectEstablished("Hale", established=False)])
    assert failed.value.index == 0
    with pytest.raises(MisplacedStatement) as misplaced:
        store.append("hale", [Day(2), Set(Setting.HEAL_HUMAN, 5000)])
    assert misplaced.value.index == 1 and "heal-human" in str(misplaced.value)


def test_a_bug_in_checking_is_not_taken_for_a_misplaced_statement(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import packlaw.store.replay

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(packlaw.store.replay, "check_chronicle", broken)
    with pytest.raises(ValueError, match="a bug") as raised:
        store.import_chronicle("hale", hale())
    assert not isinstance(raised.value, StoreError)


def test_a_database_in_a_folder_no_one_may_write_can_be_read(tmp_path: Path) -> None:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(dir="/tmp", prefix="packlaw-ro-"))
    try:
        path = folder / "packlaw.db"
        with Store(f"sqlite:///{path}") as store:
            store.import_chronicle("hale", hale())
        expected = format_chronicle(hale())
        path.chmod(0o444)
        folder.chmod(0o555)
        assert not list(folder.glob("*-wal")) and not list(folder.glob("*-shm"))
        assert _read_as_another_user(f"sqlite:///{path}") == expected
        assert sorted(p.name for p in folder.iterdir()) == ["packlaw.db"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def _read_as_another_user(url: str) -> str:
    """Export chronicle hale, as ``nobody`` when we are root (root may write anywhere)."""
    with Store(url, create=False) as store:  # every module the child needs, imported now
        text = store.export("hale")
    if os.geteuid() != 0:
        return text
    import pwd

    nobody = pwd.getpwnam("nobody")
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.close(reading)
        try:
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            with Store(url, create=False) as store:
                answer = "ok:" + store.export("hale")
        except BaseException as error:
            answer = f"error:{error}"
        os.write(writing, answer.encode())
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as answer_pipe:
        answer = answer_pipe.read().decode()
    os.waitpid(child, 0)
    assert answer.startswith("ok:"), answer
    return answer[3:]


def test_a_migration_numbered_below_one_applied_is_still_applied(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Numbers are reserved for work done in parallel: 4 may ship before 3. A
    # database made by a packlaw that had 4 and not 3 gets 3 when next opened.
    without_three = tuple(step for step in migrations.MIGRATIONS if step.version != 3)
    engine = sa.create_engine(resolve_url(db_url))
    try:
        with monkeypatch.context() as patch:
            patch.setattr(migrations, "MIGRATIONS", without_three)
            assert migrations.migrate(engine) == migrations.LATEST
        with engine.connect() as conn:
            assert 3 not in migrations.applied(conn)
        assert migrations.migrate(engine) == migrations.LATEST
        with engine.connect() as conn:
            assert migrations.applied(conn) == {step.version for step in migrations.MIGRATIONS}
            columns = {c["name"] for c in sa.inspect(conn).get_columns("statements")}
            assert {"remarks", "comment"} <= columns
    finally:
        engine.dispose()
    with Store(db_url) as store:
        store.import_chronicle("late", parse_chronicle("# kept\nbeing Derek werewolf\n"))
        assert store.export("late") == "# kept\nbeing Derek werewolf\n"


def test_a_secret_a_driver_quotes_back_is_hidden_too() -> None:
    from packlaw.store.engine import first_line, shown

    url = resolve_url("postgresql://me:hunter2@db/x?sslpassword=opened&sslmode=require")
    said = first_line(ValueError("bad key opened for me:hunter2\nmore"), url)
    assert said == "bad key *** for me:***"
    assert shown(url) == "postgresql+psycopg://me:***@db/x?sslmode=require&sslpassword=***"
