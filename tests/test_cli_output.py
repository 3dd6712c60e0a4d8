"""Every command's output, one way: plain text when piped, Rich on a terminal, JSON with --json.

The commands are taken from the Typer app itself, so a command added
without a case here fails `test_every_command_has_a_case`.

- Piped (pytest's capture is not a terminal), no command writes colour,
  box drawing, tabs or trailing spaces.
- On a terminal (``FORCE_COLOR=1``), a command that prints tables draws
  them with Rich; one that prints lines prints the same plain lines.
- A command that has ``--json`` prints one JSON document with it, and
  nothing else.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_web_cli import serving, stop

from packlaw.cli.main import _command, main

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "chronicles" / "safety-net.chronicle"
DECORATION = re.compile("[\x1b\t\u2500-\u257f]")  # escapes, tabs, box drawing


class Stage:
    """A database with a chronicle, a recorded run and a finished sweep, and a folder to write in."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = f"sqlite:///{folder / 'stage.db'}"
        self._fresh = itertools.count(1)
        self.expectation = folder / "expect.chronicle"
        self.expectation.write_text(
            "being Derek werewolf\nexpect Derek health 0.5\n", encoding="utf-8"
        )
        self.more = folder / "more.chronicle"
        self.more.write_text('note "more"\n', encoding="utf-8")
        for argv in (
            ["chronicle", "import", str(STORY), "--name", "hale"],
            ["simulate", "--worlds", "2", "--days", "4", "--record", "0"],
            ["sweep", "--vary", "wound=0.2,0.5", "--worlds", "2", "--days", "3", "--workers", "1"],
        ):
            assert main([*argv, "--db", self.db]) == 0, argv

    def fresh(self, name: str) -> str:
        """A path in the folder no earlier call gave."""
        return str(self.folder / f"{next(self._fresh)}-{name}")


@dataclass(frozen=True)
class Case:
    """How to run a command successfully on the stage, what it exits with, and whether it draws tables."""

    argv: Callable[[Stage], list[str]]
    tables: bool
    status: int = 0


CASES: dict[str, Case] = {
    "check": Case(lambda s: ["check", str(s.expectation)], tables=False, status=1),
    "replay": Case(lambda s: ["replay", str(STORY), "--day", "30", "--as", "Isaac"], tables=True),
    "format": Case(lambda s: ["format", "--check", str(STORY)], tables=False),
    "rules": Case(lambda s: ["rules"], tables=True),
    "chronicle import": Case(
        lambda s: ["chronicle", "import", str(STORY), "--name", Path(s.fresh("c")).name],
        tables=False,
    ),
    "chronicle append": Case(lambda s: ["chronicle", "append", "hale", str(s.more)], tables=False),
    "chronicle export": Case(lambda s: ["chronicle", "export", "hale"], tables=False),
    "chronicle list": Case(lambda s: ["chronicle", "list"], tables=True),
    "db init": Case(lambda s: ["db", "init"], tables=False),
    "runs": Case(lambda s: ["runs"], tables=True),
    "show": Case(lambda s: ["show", "1"], tables=True),
    "simulate": Case(lambda s: ["simulate", "--worlds", "2", "--days", "3"], tables=True),
    "report": Case(lambda s: ["report", "1", "--out", s.fresh("report")], tables=False),
    "film": Case(
        lambda s: ["film", "1", "--world", "0", "--out", s.fresh("film.gif")], tables=False
    ),
    "sweep": Case(lambda s: ["sweep", "--resume", "s1"], tables=True),
    "sweeps": Case(lambda s: ["sweeps"], tables=True),
    "serve": Case(lambda s: ["serve"], tables=False),
}


def commands() -> list[str]:
    """Every command of the app, as typed after ``packlaw``: ``runs``, ``chronicle list``..."""
    found: list[str] = []

    def walk(command: object, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs is None:
            found.append(" ".join(path))
            return
        for name, sub in subs.items():
            walk(sub, [*path, name])

    walk(_command(), [])
    return sorted(found)


def has_option(name: str, option: str) -> bool:
    """Whether the command ``name`` takes ``option``."""
    command = _command()
    for word in name.split():
        command = command.commands[word]  # type: ignore[attr-defined]
    return any(option in getattr(p, "opts", []) for p in command.params)


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    folder = tmp_path_factory.mktemp("stage")
    yield Stage(folder)


def run(stage: Stage, name: str, *extra: str) -> tuple[int, str, str]:
    """The command's status, stdout and stderr, run in this process (or, to serve, its own)."""
    argv = [*CASES[name].argv(stage), *extra]
    if name == "serve":
        return _serve(stage, argv)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([*argv, *(["--db", stage.db] if has_option(name, "--db") else [])])
    return status, out.getvalue(), err.getvalue()


def _serve(stage: Stage, argv: list[str]) -> tuple[int, str, str]:
    """``serve`` in its own process, stopped by Ctrl-C once it answers."""
    with serving(*argv[1:], "--db", stage.db) as (process, _):
        return stop(process)


def test_every_command_has_a_case() -> None:
    assert sorted(CASES) == commands()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_piped_every_command_writes_plain_text(
    stage: Stage, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    status, out, err = run(stage, name)
    assert status == CASES[name].status, err
    assert out.strip(), f"{name} printed nothing"
    assert not DECORATION.search(out), out
    assert all(line == line.rstrip() for line in out.splitlines()), out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n in CASES if n != "serve"))
def test_on_a_terminal_tables_are_drawn_and_lines_stay_plain(
    stage: Stage, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    status, out, err = run(stage, name)
    assert status == CASES[name].status, err
    drawn = re.search("[\u2500-\u257f]", out) is not None
    assert drawn == CASES[name].tables, out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n in CASES if has_option(n, "--json")))
def test_json_is_one_document_and_nothing_else(stage: Stage, name: str) -> None:
    status, out, err = run(stage, name, "--json")
    assert status == CASES[name].status, err
    json.loads(out)  # the whole of stdout: one document


def test_check_json_lists_the_problems_the_plain_lines_show(tmp_path: Path) -> None:
    bad = tmp_path / "bad.chronicle"
    bad.write_text("being X human\nbeing X human\nexpect X health 0.5\n", encoding="utf-8")
    broken = tmp_path / "broken.chronicle"
    broken.write_text("being Y human\nfoo\n", encoding="utf-8")
    expected = [(str(bad), 2, "R0"), (str(bad), 3, "expect"), (str(broken), 2, "syntax")]

    def checked(*extra: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            assert main(["check", str(bad), str(broken), *extra]) == 2  # syntax is the worst
        return out.getvalue()

    # FILE:LINE: KIND: MESSAGE, or FILE:LINE:COL: error: MESSAGE for syntax
    fields = [line.split(":") for line in checked().splitlines()]
    plain = [(f[0], int(f[1]), "syntax" if f[3] == " error" else f[2].strip()) for f in fields]
    listed = [(p["file"], p["line"], p["kind"]) for p in json.loads(checked("--json"))]
    assert plain == listed == expected
