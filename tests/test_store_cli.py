"""The store's commands: `packlaw chronicle import|append|export|list`, `packlaw runs`, `packlaw show`.

Bad input of every kind gets one line on stderr, the right exit status, and
leaves the store exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from packlaw.cli.main import main
from packlaw.notation import format_chronicle, parse_chronicle
from packlaw.store import Store

STORY = Path(__file__).resolve().parent.parent / "chronicles" / "safety-net.chronicle"
Dump = Callable[[str], dict[str, list[tuple[Any, ...]]]]

HALE = """\
title "Hale"   # a comment, kept
day 1
being Derek werewolf
being Isaac   werewolf bitten
ascend Derek Hale
submit Isaac Derek
welcome Derek Isaac
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `packlaw` with ``argv``; its exit status, stdout and stderr."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def db(db_url: str) -> str:
    """A database URL, SQLite then PostgreSQL (see conftest.py), with the schema made."""
    Store(db_url).close()
    return db_url


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def one_line(err: str) -> str:
    assert err.startswith("packlaw: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_import_then_export_gives_the_canonical_text(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    status, out, _ = run(capsys, "chronicle", "import", str(STORY), "--db", db)
    assert status == 0 and "safety-net" in out
    status, out, _ = run(capsys, "chronicle", "export", "safety-net", "--db", db)
    assert status == 0
    assert out == format_chronicle(parse_chronicle(STORY.read_text(encoding="utf-8")))
    assert out == STORY.read_text(encoding="utf-8")  # the story is canonical, comments and all
    assert out.startswith("# The seed story")


def test_import_names_the_chronicle_after_the_file_unless_told(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "hale.chronicle", HALE)
    assert run(capsys, "chronicle", "import", path, "--db", db)[0] == 0
    assert run(capsys, "chronicle", "import", path, "--name", "Hale pack", "--db", db)[0] == 0
    status, out, _ = run(capsys, "chronicle", "list", "--json", "--db", db)
    assert status == 0
    assert [(c["name"], c["title"], c["statements"]) for c in json.loads(out)] == [
        ("Hale pack", "Hale", 7),
        ("hale", "Hale", 7),
    ]


def test_the_database_comes_from_packlaw_db_when_no_option_names_one(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACKLAW_DB", db)
    assert run(capsys, "chronicle", "import", write(tmp_path, "hale.chronicle", HALE))[0] == 0
    with Store(db) as store:
        assert [c.name for c in store.chronicles()] == ["hale"]


def test_append_adds_the_statements_of_a_file(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run(capsys, "chronicle", "import", write(tmp_path, "hale.chronicle", HALE), "--db", db)
    more = write(tmp_path, "more.chronicle", "day 2\nbeing Stiles human\nsubmit Stiles Derek\n")
    status, out, _ = run(capsys, "chronicle", "append", "hale", more, "--db", db)
    assert status == 0 and "appended 3 statements" in out
    status, out, _ = run(capsys, "chronicle", "export", "hale", "--db", db)
    assert out.endswith("welcome Derek Isaac\nday 2\nbeing Stiles human\nsubmit Stiles Derek\n")


def test_import_and_append_keep_the_collector_paused_while_they_store(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Restarted with the chronicle alive, the collector would walk every statement of it.
    import gc

    seen: list[tuple[str, bool]] = []
    import_, append = Store.import_chronicle, Store.append

    def watched_import(self: Store, *args: Any, **kwargs: Any) -> Any:
        seen.append(("import", gc.isenabled()))
        return import_(self, *args, **kwargs)

    def watched_append(self: Store, *args: Any, **kwargs: Any) -> Any:
        seen.append(("append", gc.isenabled()))
        return append(self, *args, **kwargs)

    monkeypatch.setattr(Store, "import_chronicle", watched_import)
    monkeypatch.setattr(Store, "append", watched_append)
    assert gc.isenabled()
    assert (
        run(capsys, "chronicle", "import", write(tmp_path, "hale.chronicle", HALE), "--db", db)[0]
        == 0
    )
    more = write(tmp_path, "more.chronicle", "day 2\nbeing Stiles human\n")
    assert run(capsys, "chronicle", "append", "hale", more, "--db", db)[0] == 0
    assert seen == [("import", False), ("append", False)]
    assert gc.isenabled()


def test_a_broken_rule_is_exit_1_names_the_line_and_stores_nothing(
    dump_store: Dump, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run(capsys, "chronicle", "import", write(tmp_path, "hale.chronicle", HALE), "--db", db)
    before = dump_store(db)
    bad = write(tmp_path, "bad.chronicle", 'being Stiles human\n\norder Stiles Derek "sit"\n')
    status, _, err = run(capsys, "chronicle", "append", "hale", bad, "--db", db)
    assert status == 1
    assert one_line(err).startswith(f"packlaw: {bad}:3: R3: ")
    status, _, err = run(capsys, "chronicle", "import", bad, "--db", db)
    assert status == 1 and f"{bad}:3: R0" in one_line(err)
    assert dump_store(db) == before


def test_a_failed_expectation_is_exit_1_and_stores_nothing(
    dump_store: Dump, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run(capsys, "chronicle", "import", write(tmp_path, "hale.chronicle", HALE), "--db", db)
    before = dump_store(db)
    bad = write(tmp_path, "bad.chronicle", 'note "x"\nexpect Isaac omega\n')
    status, _, err = run(capsys, "chronicle", "append", "hale", bad, "--db", db)
    assert status == 1 and f"{bad}:2: expect: " in one_line(err)
    assert dump_store(db) == before


def test_a_syntax_error_is_exit_2_with_its_position_and_stores_nothing(
    dump_store: Dump, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run(capsys, "chronicle", "import", write(tmp_path, "hale.chronicle", HALE), "--db", db)
    before = dump_store(db)
    bad = write(tmp_path, "bad.chronicle", "being Stiles human\nwelcome Derek\n")
    status, _, err = run(capsys, "chronicle", "append", "hale", bad, "--db", db)
    assert status == 2 and one_line(err).startswith(f"packlaw: {bad}:2:")
    status, _, err = run(capsys, "chronicle", "import", bad, "--db", db)
    assert status == 2 and "nothing was stored" in one_line(err)
    late = write(tmp_path, "late.chronicle", "day 0\nbeing Stiles human\n")
    status, _, err = run(capsys, "chronicle", "append", "hale", late, "--db", db)
    assert status == 2 and f"{late}:1: day 0 goes back" in one_line(err)
    assert dump_store(db) == before


def test_an_unreadable_file_or_an_unknown_chronicle_is_exit_2(
    dump_store: Dump, capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    before = dump_store(db)
    status, _, err = run(capsys, "chronicle", "import", str(tmp_path / "missing"), "--db", db)
    assert status == 2 and "cannot read" in one_line(err)
    binary = tmp_path / "binary.chronicle"
    binary.write_bytes(b"\xff\xfe\x00junk")
    status, _, err = run(capsys, "chronicle", "import", str(binary), "--db", db)
    assert status == 2 and "not UTF-8" in one_line(err)
    status, _, err = run(capsys, "chronicle", "export", "ghost", "--db", db)
    assert status == 2 and "no chronicle named ghost" in one_line(err)
    hale = write(tmp_path, "hale.chronicle", HALE)
    status, _, err = run(capsys, "chronicle", "append", "ghost", hale, "--db", db)
    assert status == 2 and "no chronicle named ghost" in one_line(err)
    assert run(capsys, "chronicle", "import", hale, "--db", db)[0] == 0
    status, _, err = run(capsys, "chronicle", "import", hale, "--db", db)
    assert status == 2 and "already" in one_line(err)
    assert dump_store(db) != before  # only the one good import landed


@pytest.mark.parametrize(
    "url",
    [
        "::::",
        "mysql://me@localhost/x",
        "postgresql://me@127.0.0.1:1/x",
        "sqlite:////no/such/dir/x.db",
    ],
)
@pytest.mark.parametrize("command", [["chronicle", "list"], ["runs"], ["show", "1"]])
def test_a_bad_database_url_is_exit_2_in_one_sentence(
    capsys: pytest.CaptureFixture[str], url: str, command: list[str]
) -> None:
    status, out, err = run(capsys, *command, "--db", url)
    assert status == 2 and out == ""
    one_line(err)


def test_runs_and_show_print_plain_tables_when_piped_and_json_on_request(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    with Store(db) as store:
        first = store.start_run("beacon-hills", "worlds: 4", seed=1, worlds=4, days=10)
        summary = {
            "scenario": "beacon-hills",
            "totals": {"attacks": {"mean": 2.5, "sd": 1.0, "p5": 1.0, "p50": 2.0, "p95": 4.0}},
            "beings": {"Stiles": {"alive": {"mean": 0.75}}},
            "speed": {"seconds": 0.5},
        }
        store.finish_run(first, summary, [(1, "attacks", 1, 0, 1, 1, 1)])
        second = store.start_run("quiet-town", "", seed=2, worlds=1, days=1)

    status, out, _ = run(capsys, "runs", "--db", db)
    assert status == 0
    title, header, *rows = out.splitlines()
    assert title == "Runs"
    assert header.split()[:3] == ["id", "scenario", "status"]
    assert [row.split()[:3] for row in rows] == [
        [str(second), "quiet-town", "running"],
        [str(first), "beacon-hills", "done"],
    ]
    # Columns aligned: every row's status starts where the header's does.
    assert {row.index(status) for row, status in zip(rows, ("running", "done"), strict=True)} == {
        header.index("status")
    }
    assert "\u2503" not in out and "\u2502" not in out and "\t" not in out  # no box drawing

    status, out, _ = run(capsys, "show", str(first), "--db", db)
    assert status == 0
    lines = [line.split() for line in out.splitlines()]
    assert lines[0] == ["Run", str(first)]
    assert ["status", "done"] in lines
    assert ["totals.attacks", "2.5", "1", "1", "2", "4"] in lines
    assert ["beings.Stiles.alive", "0.75"] in lines
    assert ["speed.seconds", "0.5"] in lines
    assert ["figure", "mean", "sd", "p5", "p50", "p95"] in lines

    status, out, _ = run(capsys, "show", str(first), "--json", "--db", db)
    shown = json.loads(out)
    assert (shown["id"], shown["status"], shown["summary"]) == (first, "done", summary)
    status, out, _ = run(capsys, "runs", "--json", "--db", db)
    assert [r["id"] for r in json.loads(out)] == [second, first]

    status, _, err = run(capsys, "show", "999", "--db", db)
    assert status == 2 and "no run 999" in one_line(err)


def test_tables_are_drawn_with_rich_on_a_terminal(
    capsys: pytest.CaptureFixture[str], db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # Rich treats the output as a terminal
    with Store(db) as store:
        store.start_run("beacon-hills", "", seed=1, worlds=4, days=10)
    status, out, _ = run(capsys, "runs", "--db", db)
    assert status == 0 and "Runs" in out and "beacon-hills" in out and "\t" not in out


# ------------------------------------------------ databases that are not ours


READING = [
    ["runs"],
    ["show", "1"],
    ["chronicle", "list"],
    ["chronicle", "export", "hale"],
]


@pytest.mark.parametrize("argv", READING, ids=" ".join)
def test_a_command_that_reads_never_makes_a_database(
    argv: list[str], capsys: pytest.CaptureFixture[str], db_url: str, dump_store: Dump
) -> None:
    status, out, err = run(capsys, *argv, "--db", db_url)
    assert (status, out) == (2, "")
    assert one_line(err).startswith("packlaw: no packlaw database at ")
    if db_url.startswith("sqlite"):
        assert not Path(db_url.removeprefix("sqlite:///")).exists()
    else:
        import sqlalchemy as sa

        engine = sa.create_engine(resolve(db_url))
        try:
            with engine.connect() as conn:
                assert sa.inspect(conn).get_table_names() == []
        finally:
            engine.dispose()


@pytest.mark.parametrize(
    "argv",
    [*READING, ["chronicle", "import", str(STORY)], ["simulate", "--worlds", "1", "--days", "1"]],
    ids=" ".join,
)
def test_an_empty_database_url_is_refused(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, *argv, "--db", "")
    assert status == 2 and "the database URL is empty" in one_line(err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["chronicle", "import", str(STORY)],
        ["chronicle", "append", "safety-net", str(STORY)],
        ["simulate", "--worlds", "1", "--days", "1"],
        ["db", "init"],
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused_by_commands_that_store(
    argv: list[str], url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, *argv, "--db", url)
    assert (status, out) == (2, "")
    assert "is an in-memory database" in one_line(err)


def _foreign(url: str) -> None:
    """Give the database at ``url`` another application's tables."""
    import sqlalchemy as sa

    engine = sa.create_engine(resolve(url))
    try:
        with engine.begin() as conn:
            for table in ("customers", "orders", "invoices", "payments"):
                conn.execute(sa.text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)"))
    finally:
        engine.dispose()


def resolve(url: str) -> Any:
    from packlaw.store import resolve_url

    return resolve_url(url)


def test_another_applications_database_is_refused_until_adopted(
    capsys: pytest.CaptureFixture[str], db_url: str, dump_store: Dump
) -> None:
    import sqlalchemy as sa

    _foreign(db_url)

    def tables() -> list[str]:
        engine = sa.create_engine(resolve(db_url))
        try:
            with engine.connect() as conn:
                return sorted(sa.inspect(conn).get_table_names())
        finally:
            engine.dispose()

    before = tables()
    for argv in (["chronicle", "import", str(STORY)], ["runs"]):
        status, out, err = run(capsys, *argv, "--db", db_url)
        assert (status, out) == (2, "")
        said = one_line(err)
        assert "another application's tables (customers, invoices, orders and 1 more)" in said
        assert "packlaw db init --db " in said
    assert tables() == before

    status, out, _ = run(capsys, "db", "init", "--db", db_url)
    assert status == 0 and "packlaw's tables are ready" in out
    assert run(capsys, "chronicle", "import", str(STORY), "--db", db_url)[0] == 0
    assert set(tables()) == set(before) | set(schema_tables())


def schema_tables() -> list[str]:
    from packlaw.store import schema

    return list(schema.metadata.tables)


def test_a_damaged_sqlite_file_is_named_as_not_a_readable_packlaw_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "packlaw.db"
    db = f"sqlite:///{path}"
    assert run(capsys, "chronicle", "import", str(STORY), "--db", db)[0] == 0
    with Store(db) as store:
        store.start_run("beacon-hills", "", seed=1, worlds=1, days=1)
    data = bytearray(path.read_bytes())
    # Every page after the first (the header and the schema's root) is damaged, so no
    # table can be read, wherever in the file it lies.
    data[4096:] = b"\xff" * (len(data) - 4096)
    path.write_bytes(bytes(data))
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 20)
    for file, argvs in (
        (path, [["chronicle", "export", "safety-net"], ["chronicle", "list"]]),
        (garbage, [*READING, ["chronicle", "import", str(STORY)]]),
    ):
        for argv in argvs:
            status, _, err = run(capsys, *argv, "--db", f"sqlite:///{file}")
            assert status == 2, argv
            assert one_line(err).startswith(f"packlaw: {file} is not a readable packlaw database")


def test_a_password_in_a_url_is_never_shown(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    urls = [
        f"postgresql://me:hunter2@127.0.0.1:{port}/x?password=sesame&sslpassword=opened",
        "postgresql://me:hunter2@127.0.0.1:notaport/x?password=sesame",
    ]
    for url in urls:
        status, _, err = run(capsys, "runs", "--db", url)
        assert status == 2
        said = one_line(err)
        assert "hunter2" not in said and "sesame" not in said and "opened" not in said, said
        assert "***" in said


# ---------------------------------------------------- numbers and texts


@pytest.mark.parametrize("run_id", ["99999999999999999999", "2147483648", "0"])
def test_a_run_id_no_column_can_hold_is_no_run(
    run_id: str, capsys: pytest.CaptureFixture[str], db: str
) -> None:
    status, _, err = run(capsys, "show", run_id, "--db", db)
    assert status == 2 and f"no run {run_id} is stored" in one_line(err)


def test_a_day_past_the_day_column_is_refused_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, dump_store: Dump
) -> None:
    before = dump_store(db)
    path = write(tmp_path, "far.chronicle", "being Derek werewolf\nday 2147483648\n")
    status, _, err = run(capsys, "chronicle", "import", path, "--db", db)
    assert status == 2 and f"{path}:2: `day 2147483648` is past the last day" in one_line(err)
    assert dump_store(db) == before


@pytest.mark.parametrize("worlds", ["2147483648", "99999999999999999999"])
def test_worlds_past_what_memory_and_columns_hold_are_refused_before_any_run(
    worlds: str, capsys: pytest.CaptureFixture[str], db: str, dump_store: Dump
) -> None:
    before = dump_store(db)
    status, _, err = run(capsys, "simulate", "--worlds", worlds, "--days", "1", "--db", db)
    assert status == 2 and "of memory, and" in one_line(err)
    assert dump_store(db) == before


def test_the_default_database_is_not_made_by_a_command_that_reads(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PACKLAW_DB", raising=False)
    for argv in READING:
        assert run(capsys, *argv) == (2, "", "packlaw: no packlaw database at packlaw.db\n")
    assert list(tmp_path.iterdir()) == []
