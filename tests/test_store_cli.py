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
title "Hale"   # a comment, dropped
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
    assert status == 2 and f"{late}:1: `day 0` goes back" in one_line(err)
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
