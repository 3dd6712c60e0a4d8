"""What `packlaw.cli.main` does for every command: output, errors, signals, pipes, help.

Processes are real where the behaviour is the process's: signals, a closed
pipe, a full device, a killed run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from packlaw.cli.main import main
from packlaw.cli.output import Table, emit, plain
from packlaw.store import Store

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "chronicles" / "safety-net.chronicle"


def packlaw(*argv: str, **options: object) -> subprocess.Popen[str]:
    """`packlaw` as its own process, stdout and stderr piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "packlaw.cli.main", *argv],
        stdout=options.pop("stdout", subprocess.PIPE),  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        **options,  # type: ignore[arg-type]
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# ----------------------------------------------------------------- output


def test_plain_tables_align_their_columns_and_right_align_numbers() -> None:
    text = plain(
        [
            Table("Runs", ["id", "scenario"], [["7", "a"], ["12", "beacon-hills"]], numeric={0}),
            "after",
        ]
    )
    assert text == "Runs\nid  scenario\n 7  a\n12  beacon-hills\nafter\n"


def test_two_tables_are_parted_by_a_blank_line_and_facts_have_no_header() -> None:
    text = plain([Table("A", ["k", "v"], [["x", "1"]], header=False), Table("B", ["n"], [["2"]])])
    assert text == "A\nx  1\n\nB\nn\n2\n"


@pytest.mark.parametrize("text", ["[bold]x[/]", "[link=https://example.org]here[/link]", "[red"])
def test_rich_markup_in_a_cell_is_printed_as_written_on_a_terminal(
    text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    emit([Table(text, ["title"], [[text]]), text])
    out = capsys.readouterr().out
    assert out.count(text) == 3  # the title, the cell, the line


def test_a_chronicle_title_with_markup_is_listed_as_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chronicle = tmp_path / "m.chronicle"
    chronicle.write_text('title "[bold]x[/] [link=https://e.org]y[/link]"\n', encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert run(capsys, "chronicle", "import", str(chronicle), "--db", db)[0] == 0
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    status, out, _ = run(capsys, "chronicle", "list", "--db", db)
    assert status == 0 and "[bold]x[/] [link=https://e.org]y[/link]" in out


def test_a_scenario_whose_name_is_markup_is_shown_as_written_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scenario = tmp_path / "[bold]x.toml"  # the file's stem names the scenario
    scenario.write_text('[[crowds]]\nkind = "human"\ncount = 3\n', encoding="utf-8")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    status, out, _ = run(
        capsys, "simulate", str(scenario), "--worlds", "2", "--days", "2", "--db", db
    )
    assert status == 0 and "┏" in out  # drawn by Rich
    assert "[bold]x, 2 worlds x 2 days" in out and "[bold]x: run 1" in out


def test_control_characters_in_a_file_name_never_reach_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = tmp_path / "\x1b[31mred.chronicle"
    name.write_text("being X human\nbeing X human\n", encoding="utf-8")
    missing = tmp_path / "\x1b]0;title\x07.chronicle"
    for argv in (
        ["check", str(name)],
        ["check", str(missing)],
        ["replay", str(name)],
        ["format", "--check", str(missing)],
        ["chronicle", "import", str(name), "--db", f"sqlite:///{tmp_path / 'p.db'}"],
    ):
        status, out, err = run(capsys, *argv)
        assert status in (1, 2), argv
        assert "\x1b" not in out + err and "\x07" not in out + err, (argv, out, err)
        assert "\\x1b" in out + err, (argv, out, err)  # written as an escape, not left out


# -------------------------------------------------------- the end of output


@pytest.mark.parametrize(
    ("argv", "colour"),
    [(["rules"], False), (["rules"], True), (["--help"], False), (["runs", "--help"], False)],
    ids=["plain", "Rich", "help", "a command's help"],
)
def test_a_closed_pipe_ends_the_program_quietly(argv: list[str], colour: bool) -> None:
    environment = {**os.environ, "FORCE_COLOR": "1"} if colour else None
    process = packlaw(*argv, env=environment)
    assert process.stdout is not None
    process.stdout.close()  # the reader is gone before the first write
    _, err = process.communicate(timeout=60)
    assert process.returncode == 141
    assert err == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_device_is_one_sentence_and_exit_1() -> None:
    with open("/dev/full", "w") as full:
        process = packlaw("rules", stdout=full)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err == "packlaw: cannot write the output: No space left on device\n"


# ---------------------------------------------------------------- signals


def _running_run(db: Path, process: subprocess.Popen[str]) -> int:
    """Wait until the simulation has stored its run as running; its id."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if db.exists():
            try:
                with Store(f"sqlite:///{db}", create=False) as store:
                    runs = store.runs()
            except Exception:
                runs = []  # being made by the other process
            if runs:
                time.sleep(0.5)  # well into the run
                return runs[0].id
        time.sleep(0.1)
    raise AssertionError("the run never started")


LONG_RUN = ("simulate", "--worlds", "2000", "--days", "5000", "--seed", "3")


@pytest.mark.parametrize(
    ("number", "status", "said"),
    [
        (signal.SIGINT, 130, "packlaw: interrupted\n"),
        (signal.SIGTERM, 143, "packlaw: interrupted by SIGTERM\n"),
        (signal.SIGHUP, 129, "packlaw: interrupted by SIGHUP\n"),
    ],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_a_signal_interrupts_the_run_says_so_and_marks_it(
    tmp_path: Path, number: int, status: int, said: str
) -> None:
    db = tmp_path / "runs.db"
    process = packlaw(*LONG_RUN, "--db", f"sqlite:///{db}")
    run_id = _running_run(db, process)
    process.send_signal(number)
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (status, said)
    with Store(f"sqlite:///{db}") as store:
        assert store.run(run_id).status == "interrupted"


@pytest.fixture(scope="module")
def long_recording(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database whose run 1 recorded world 0 for 3,000 days: a film and report that take a while."""
    db = f"sqlite:///{tmp_path_factory.mktemp('recorded') / 'runs.db'}"
    recorded = ["simulate", "--worlds", "1", "--days", "3000", "--record", "0", "--db", db]
    subprocess.run(
        [sys.executable, "-m", "packlaw.cli.main", *recorded], check=True, capture_output=True
    )
    return db


@pytest.mark.parametrize(
    ("argv", "partial"),
    [
        (["film", "1", "--world", "0", "--out", "film.gif"], ".film.gif."),
        (["report", "1", "--out", "report"], ".report."),
    ],
    ids=["film", "report"],
)
def test_a_signal_stops_a_film_or_a_report_and_leaves_no_part_of_it(
    long_recording: str, argv: list[str], partial: str, tmp_path: Path
) -> None:
    process = packlaw(*argv, "--db", long_recording, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(partial) for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)  # while it writes
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (143, "packlaw: interrupted by SIGTERM\n")
    assert list(tmp_path.iterdir()) == []


def test_a_run_whose_process_was_killed_shows_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    process = packlaw(*LONG_RUN, "--db", f"sqlite:///{db}")
    run_id = _running_run(db, process)
    process.kill()
    process.communicate(timeout=60)
    shown = subprocess.run(
        [sys.executable, "-m", "packlaw.cli.main", "runs", "--json", "--db", f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [(r["id"], r["status"]) for r in json.loads(shown.stdout)] == [(run_id, "interrupted")]


# ------------------------------------------------------------------- help


def _help_texts(argv: list[str]) -> list[str]:
    """The help of the program and of every command and group under it."""
    from packlaw.cli.main import _command

    texts: list[str] = []

    def walk(command: object, path: list[str]) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "packlaw.cli.main", *path, "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "120"},
        )
        assert done.returncode == 0, done.stderr
        texts.append(done.stdout)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(_command(), argv)
    return texts


def test_help_shows_no_bool_after_flags_and_no_braces_around_arguments() -> None:
    texts = _help_texts([])
    assert len(texts) > 10  # the program, its commands, the groups' commands
    for text in texts:
        assert "<bool>" not in text and "{" not in text, text
    check = next(t for t in texts if "Usage: packlaw check" in t)
    assert "Usage: packlaw check [OPTIONS] FILES..." in check


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    status, out, _ = run(capsys, "--version")
    assert (status, out) == (0, f"packlaw {version('packlaw')}\n")


def test_one_statement_is_said_in_the_singular(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one = tmp_path / "one.chronicle"
    one.write_text("being Derek werewolf\n", encoding="utf-8")
    two = tmp_path / "two.chronicle"
    two.write_text("being Stiles human\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    status, out, _ = run(capsys, "chronicle", "import", str(one), "--db", db)
    assert (status, out) == (0, f"stored {one} as chronicle one (1 statement)\n")
    status, out, _ = run(capsys, "chronicle", "append", "one", str(two), "--db", db)
    assert (status, out) == (0, f"appended 1 statement of {two} to chronicle one (now 2)\n")


def test_an_unknown_scenario_lists_the_bundled_ones(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "simulate", "nosuch", "--db", "sqlite:///never.db")
    assert status == 2
    assert err == (
        "packlaw: nosuch: no such scenario file, nor a bundled scenario "
        "(the bundled ones: beacon-hills, stiles-stays)\n"
    )
    assert not Path("never.db").exists()


# ---------------------------------------------------------- oversized runs


@pytest.mark.parametrize(
    ("scenario", "options"),
    [
        ("beacon-hills", ["--worlds", "1000000000"]),
        ("beacon-hills", ["--days", "1000000000000"]),
        ("crowd", ["--worlds", "1000"]),
    ],
    ids=["worlds", "days", "a crowd at the schema's maximum"],
)
def test_a_run_too_big_for_memory_is_refused_with_its_estimate_and_stores_nothing(
    scenario: str, options: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if scenario == "crowd":
        path = tmp_path / "crowd.toml"
        path.write_text('[[crowds]]\nkind = "human"\ncount = 100000000\n', encoding="utf-8")
        scenario = str(path)
    db = tmp_path / "runs.db"
    status, out, err = run(capsys, "simulate", scenario, *options, "--db", f"sqlite:///{db}")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert " need about " in err and " of memory, and " in err and " is available" in err
    assert not db.exists()  # refused before the store was opened


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["nosuch"], "packlaw: No such command 'nosuch' (see `packlaw --help`)\n"),
        (["runs", "--bogus"], "packlaw: No such option: --bogus (see `packlaw runs --help`)\n"),
        (
            ["simulate", "--worlds", "0"],
            "packlaw: Invalid value for '--worlds': Input should be greater than or equal to 1 "
            "(see `packlaw simulate --help`)\n",
        ),
    ],
)
def test_a_command_line_that_cannot_be_parsed_is_one_sentence(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, *argv) == (2, "", said)


def test_a_signal_wrapped_by_a_c_extension_is_still_an_interruption(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from packlaw.cli.errors import Interrupted
    from packlaw.cli.main import _failed

    try:
        try:
            raise Interrupted(signal.SIGTERM)
        except Interrupted as stop:
            raise SystemError(
                "<built-in function f> returned a result with an exception set"
            ) from stop
    except SystemError as wrapped:
        assert _failed(wrapped) == 143
    assert capsys.readouterr().err == "packlaw: interrupted by SIGTERM\n"


def test_a_signal_swallowed_in_a_finaliser_is_raised_at_the_next_progress_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from packlaw.cli.main import _signals_interrupt
    from packlaw.cli.progress import progress

    class Finalised:
        def __del__(self) -> None:
            raise KeyboardInterrupt  # as a signal landing in a finaliser does

    with _signals_interrupt(), progress("steps", 3) as advance:
        Finalised()  # Python cannot raise this one where it lands: it is "unraisable"
        with pytest.raises(KeyboardInterrupt):
            advance(1)
        advance(2)  # raised once, not again
    assert "Exception ignored" not in capsys.readouterr().err


def test_a_trace_that_cannot_be_written_is_refused_before_the_run_or_said_after_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "runs.db"
    small = ["simulate", "--worlds", "2", "--days", "3", "--db", f"sqlite:///{db}", "--trace", "0"]
    status, _, err = run(capsys, *small, str(tmp_path))
    assert (status, err) == (2, f"packlaw: {tmp_path}: cannot write the trace: it is a folder\n")
    assert not db.exists()  # refused before any run
    if Path("/dev/full").exists():
        status, _, err = run(capsys, *small, "/dev/full")
        assert (status, err) == (
            1,
            "packlaw: /dev/full: cannot write the trace: No space left on device (run 1 is stored)\n",
        )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["report", "1"], "the folder to write the report into"),
        (["film", "1", "--world", "0"], "the film to write, FILE.gif or FILE.mp4"),
    ],
    ids=["report", "film"],
)
def test_an_empty_output_is_refused_not_taken_for_the_current_folder(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'never.db'}"
    assert run(capsys, *argv, "--out", "", "--db", db) == (2, "", f"packlaw: --out: name {said}\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [["simulate", ""], ["simulate", "--compare", " "], ["sweep", "", "--vary", "wound=0.5"]],
    ids=["simulate", "compare", "sweep"],
)
def test_an_empty_scenario_name_is_refused_not_read_as_the_current_folder(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "never.db"
    assert run(capsys, *argv, "--db", f"sqlite:///{db}") == (
        2,
        "",
        "packlaw: an empty name is no scenario: name a scenario file or a bundled scenario "
        "(beacon-hills, stiles-stays), or leave it out for beacon-hills\n",
    )
    assert not db.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "--", "--db", "postgresql://me:sesame@127.0.0.1:1/x?password=hunter2"],
        ["runs", "postgresql://me:sesame@h/x?sslpassword=hunter2&sslmode=require"],
    ],
    ids=["after --", "an extra argument"],
)
def test_a_command_line_that_cannot_be_parsed_never_repeats_a_password(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out, err.count("\n")) == (2, "", 1)
    assert "sesame" not in err and "hunter2" not in err and "me:***@" in err, err
