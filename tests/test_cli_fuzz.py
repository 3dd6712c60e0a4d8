"""The command line under hostile arguments: one sentence, exit 1 or 2, nothing changed.

Hypothesis puts together command lines from a table of each command's
arguments and the hostile values each may take: numbers too big or
negative, empty strings, odd URLs, control characters, missing, unreadable,
damaged and read-only files, another application's database. Every one is
wrong, so every one must end with exit status 1 or 2, never a traceback, and
leave the database, and every file around it, exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli_output import commands

from packlaw.cli.main import main
from packlaw.notation import parse_chronicle
from packlaw.store import Store

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "chronicles" / "safety-net.chronicle"

NUMBERS = [
    "99999999999999999999", "-99999999999999999999", "2147483648", "-2147483649", "-1", "",
    "1e999", "nan", "0x10", "\u0661", "1\x00", " ", "--",
]  # fmt: skip
TEXTS = ["", " padded", "a\x00b", "\x1b[31mred", "line\u2028break", "x" * 300, "\t"]


class Sandbox:
    """A folder with a good database and every kind of bad file, made once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db_file = folder / "good.db"
        self.covered: set[str] = set()
        self.db = f"sqlite:///{self.db_file}"
        with Store(self.db) as store:
            story = parse_chronicle(STORY.read_text(encoding="utf-8"))
            store.import_chronicle("hale", story.statements)
        # Run 1, world 0 recorded: a film's and a report's arguments are checked against it.
        with _captured():
            recorded = ["simulate", "--worlds", "2", "--days", "3", "--record", "0"]
            assert main([*recorded, "--db", self.db]) == 0
        with Store(self.db) as store:
            store.start_run("beacon-hills", "", seed=1, worlds=1, days=1)
        files = {
            "garbage.chronicle": bytes(range(256)) * 4,
            "nul.chronicle": b"being Der\x00ek werewolf\n",
            "syntax.chronicle": b"being X human\nwelcome X\n",
            "bom.chronicle": b"\xef\xbb\xbfbeing X human\nwelcome X\n",
            "broken.chronicle": b'being Stiles human\norder Stiles Derek "sit"\n',
            "escape.chronicle": b'being S human\nnote "\x1b[31mred"\n',
            "unreadable.chronicle": b"being X human\nwelcome X\n",
            "readonly.chronicle": b"being X human\nwelcome X\n",
            "garbage.db": bytes(range(256)) * 20,
            "bad.toml": b"[params]\nwidth = -5\n",
            "huge.toml": b'[[crowds]]\nkind = "human"\ncount = 99999999999999999999\n',
        }
        for name, data in files.items():
            (folder / name).write_bytes(data)
        (folder / "unreadable.chronicle").chmod(0)
        (folder / "readonly.chronicle").chmod(0o444)
        (folder / "empty-folder").mkdir()
        (folder / "readonly-folder").mkdir()
        (folder / "readonly-folder").chmod(0o555)
        (folder / "a-report-folder").mkdir()
        (folder / "a-report-folder" / "notes.txt").write_text("not a report\n", encoding="utf-8")
        (folder / "\x1b[31mbroken.chronicle").write_bytes(b"being X human\nwelcome X\n")
        foreign = sqlite3.connect(folder / "foreign.db")
        foreign.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        foreign.commit()
        foreign.close()
        bad = [folder / name for name in files if name.endswith(".chronicle")]
        self.files = [str(path) for path in bad if path.name != "escape.chronicle"] + [
            str(folder / "missing.chronicle"),
            str(folder / "empty-folder"),
            str(folder / "\x1b[31mbroken.chronicle"),
            "",
        ]
        # Refused by the store's edge; the notation's own refusal of control characters in
        # texts is the notation's test.
        self.stored_files = [*self.files, str(folder / "escape.chronicle")]
        self.urls = [
            "",
            "sqlite://",
            "sqlite:///:memory:",
            "sqlite:////no/such/folder/x.db",
            f"sqlite:///{folder / 'garbage.db'}",
            f"sqlite:///{folder / 'foreign.db'}",
            f"sqlite:///{folder / 'empty-folder'}",
            "postgresql://me:pw@127.0.0.1:1/x?connect_timeout=1&password=pw",
            "mysql://me@localhost/x",
            "not a url",
            "\x00",
        ]
        self.reading_urls = [*self.urls, f"sqlite:///{folder / 'missing.db'}"]
        # Where a report (a folder) cannot or must not be written.
        self.report_outputs = [
            "",
            str(folder / "garbage.chronicle"),
            str(folder / "no" / "such" / "folder"),
            str(folder / "a-report-folder"),
        ]
        # Where a film (a .gif or .mp4) cannot or must not be written.
        self.film_outputs = [
            "",
            str(folder / "garbage.chronicle"),
            str(folder / "film.txt"),
            str(folder / "no" / "such" / "film.gif"),
            str(folder / "empty-folder"),
            str(folder / "readonly.chronicle"),
        ]
        if os.geteuid() != 0:  # root writes in a read-only folder
            self.report_outputs.append(str(folder / "readonly-folder" / "x"))
            self.film_outputs.append(str(folder / "readonly-folder" / "film.mp4"))
        self.scenarios = [
            str(folder / "bad.toml"),
            str(folder / "huge.toml"),
            str(folder / "missing.toml"),
            str(folder / "garbage.chronicle"),
            "nosuch",
            "",
            "\x00",
        ]

    def state(self) -> dict[str, Any]:
        """Every file's bytes (by hash) and the good database's rows."""
        out: dict[str, Any] = {}
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and path.stat().st_mode & 0o400:
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[str(path)] = path.is_dir()
        with Store(self.db, create=False) as store:
            out["chronicles"] = [(c.name, c.statements) for c in store.chronicles()]
            out["runs"] = [(r.id, r.status) for r in store.runs()]
            out["export"] = store.export("hale")
        return out

    def command_lines(self) -> st.SearchStrategy[list[str]]:
        """Every hostile command line this sandbox can make; `covered` names their commands."""
        known = set(commands())
        number, text = st.sampled_from(NUMBERS), st.sampled_from(TEXTS)
        file, url = st.sampled_from(self.files), st.sampled_from(self.urls)
        stored = st.sampled_from(self.stored_files)
        # Replaying or formatting a chronicle with a broken rule is no mistake.
        unparsable = st.sampled_from([f for f in self.files if "broken" not in f])
        reading = st.sampled_from(self.reading_urls)
        scenario, good = st.sampled_from(self.scenarios), st.just(self.db)
        story = st.just(str(STORY))
        folder = self.folder
        report_output, film_output = (
            st.sampled_from(self.report_outputs),
            st.sampled_from(self.film_outputs),
        )
        gif, report = st.just(str(folder / "film.gif")), st.just(str(folder / "report"))
        sweeps = st.sampled_from(["s1", "s0", "s99999999999999999999"])  # none is stored
        any_db = st.one_of(good, reading)
        span = st.sampled_from(["0:3", "3:1", "1:99999999999999999999", "a:b", "-1:", "4:"])
        sample = st.sampled_from(["lhs:0", "sobol:-1", "lhs:99999999999999999999", "grid:2"])
        address = st.sampled_from(["nonsense", "tcp://h:99999999", "inproc://x", "tcp://:x"])

        def line(*parts: st.SearchStrategy[str] | str) -> st.SearchStrategy[list[str]]:
            words = [str(p) for p in itertools.takewhile(lambda p: isinstance(p, str), parts)]
            self.covered.add(" ".join(words[:2]) if " ".join(words[:2]) in known else words[0])
            return st.tuples(*(st.just(p) if isinstance(p, str) else p for p in parts)).map(list)

        def film(*options: st.SearchStrategy[str] | str) -> st.SearchStrategy[list[str]]:
            return line("film", "1", "--world", "0", *options)  # run 1 recorded world 0

        def sweep(*options: st.SearchStrategy[str] | str) -> st.SearchStrategy[list[str]]:
            return line("sweep", "--vary", "wound=0.1,0.2", *options)  # a good design

        return st.one_of(
            line("check", file),
            line("rules", text),
            line("replay", unparsable, "--line", number),
            line("replay", unparsable, "--day", number, "--as", text),
            line("format", "--check", unparsable),
            line("runs", "--db", reading),
            line("show", number, "--db", st.one_of(good, reading)),
            line("chronicle", "list", "--db", reading),
            line("chronicle", "export", text, "--db", st.one_of(good, reading)),
            line("chronicle", "import", stored, "--db", good),
            line("chronicle", "import", story, "--db", url),
            line("chronicle", "import", story, "--name", text, "--db", good),
            line("chronicle", "append", text, story, "--db", good),
            line("chronicle", "append", "hale", stored, "--db", good),
            line(
                "db", "init", "--db", st.sampled_from([u for u in self.urls if "foreign" not in u])
            ),
            line("simulate", scenario, "--db", good),
            line("simulate", "--compare", scenario, "--worlds", "2", "--days", "2", "--db", good),
            line("simulate", "--worlds", number, "--days", "1", "--db", good),
            line("simulate", "--days", number, "--db", good),
            line("simulate", "--seed", st.sampled_from(NUMBERS[:2] + NUMBERS[3:]), "--db", good),
            line("simulate", "--worlds", "1", "--days", "1", "--db", url),
            line("simulate", "--trace", number, text, "--db", good),
            line("report", st.one_of(number, text, sweeps), "--out", report, "--db", good),
            line("report", "1", "--out", report_output, "--db", good),
            line("report", "1", "--out", report, "--db", reading),
            line("film", number, "--world", "0", "--out", gif, "--db", good),
            line("film", "1", "--world", number, "--out", gif, "--db", good),
            film("--out", film_output, "--db", good),
            film("--out", gif, "--days", st.one_of(number, text, span), "--db", good),
            film("--out", gif, "--scale", number, "--db", good),
            film("--out", gif, "--db", reading),
            line("sweep", scenario, "--vary", "wound=0.1,0.2", "--db", good),
            line(
                "sweep",
                "--vary",
                st.one_of(text, st.builds("wound={}".format, number)),
                "--db",
                good,
            ),
            sweep("--sample", st.one_of(text, sample), "--db", good),
            sweep(st.sampled_from(["--worlds", "--days"]), number, "--db", good),
            sweep("--seed", st.sampled_from(NUMBERS[:2]), "--db", good),
            sweep("--scheduler", st.one_of(text, address), "--db", good),
            sweep("--worlds", "1", "--days", "1", "--db", url),
            line("sweep", "--resume", st.one_of(number, text, sweeps), "--db", any_db),
            line("sweeps", "--db", reading),
            line("show", st.one_of(sweeps, st.just("s-1")), "--db", any_db),
            line("serve", "--port", number, "--db", good),
            line("serve", "--host", text, "--db", good),
            line("serve", "--db", url),
        )


@contextlib.contextmanager
def _captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    folder = tmp_path_factory.mktemp("hostile")
    cwd = Path.cwd()
    os.chdir(folder)  # a default packlaw.db would appear here
    try:
        yield Sandbox(folder)
    finally:
        os.chdir(cwd)
        (folder / "unreadable.chronicle").chmod(0o600)
        (folder / "readonly-folder").chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def _hostile(sandbox: Sandbox) -> Callable[[list[str]], None]:
    before = sandbox.state()

    def check(argv: list[str]) -> None:
        with _captured() as (out, err):
            status = main(argv)  # a traceback would be an exception raised here
        said = err.getvalue()
        assert status in (1, 2), (argv, status, out.getvalue(), said)
        assert "Traceback" not in said and "Traceback" not in out.getvalue(), (argv, said)
        assert (said + out.getvalue()).strip(), (argv, "not a word")
        # An escape sequence never reaches the terminal; no noise from a finaliser.
        assert "\x1b" not in said + out.getvalue(), (argv, said)
        assert "Exception ignored" not in said, (argv, said)
        assert ":pw@" not in said and "password=pw" not in said, (argv, said)  # a URL's secret
        assert sandbox.state() == before, argv

    return check


def test_hostile_command_lines_get_a_sentence_an_exit_status_and_change_nothing(
    sandbox: Sandbox,
) -> None:
    check = _hostile(sandbox)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(sandbox.command_lines())
    def hostile(argv: list[str]) -> None:
        check(argv)

    hostile()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["sweep", "--vary", "Stiles.autonomy=0:1:0.0000000001"],
            "--vary Stiles.autonomy=0:1:0.0000000001: the range has more values than a "
            "sweep's ledger holds (1,000,000); take a larger step",
        ),
        (["sweep", "--vary", "wound=nan"], "--vary wound=nan: nan is not a finite number"),
        (
            ["sweep", "--vary", "wound=\u0661"],
            "--vary wound=\u0661: '\u0661' is not a number (give a list like 0,0.5,1 "
            "or a range like 0:1:0.1)",
        ),
        (
            ["sweep", "--vary", "wound=0.1,0.2", "--seed", "99999999999999999999"],
            "seed 99999999999999999999 does not fit the store's 64-bit seed column",
        ),
        (
            ["sweep", "--vary", "wound=0.1,0.2", "--days", "2147483648"],
            "beacon-hills: 1,000 worlds x 2,147,483,648 days need about ",
        ),
        (
            ["sweep", "--vary", "wound=0.1,0.2", "--scheduler", "nonsense"],
            "'nonsense' is not a Dask scheduler's address (missing port number in address "
            "'nonsense'); give tcp://HOST:PORT",
        ),
        (
            ["sweep", "--vary", "wound=0.1,0.2", "--scheduler", ""],
            "--scheduler: give a scheduler's address, tcp://HOST:PORT, "
            "or leave the option out for a local cluster",
        ),
        (
            ["sweep", "--vary", "wound=0.1,0.2", "--sample", ""],
            "--sample: give grid, lhs:N or sobol:N, or leave the option out for grid",
        ),
        (["sweep", "--resume", "s1"], "no packlaw database at "),
        (["show", "s99999999999999999999"], "no packlaw database at "),
    ],
    ids=lambda value: value[1] if isinstance(value, list) else None,
)
def test_a_sweep_that_cannot_run_is_refused_before_a_cluster_starts_or_a_database_is_made(
    argv: list[str], said: str, tmp_path: Path
) -> None:
    db = tmp_path / "never.db"
    with _captured() as (out, err):
        status = main([*argv, "--db", f"sqlite:///{db}"])
    assert (status, out.getvalue()) == (2, "")
    assert err.getvalue().startswith(f"packlaw: {said}") and err.getvalue().count("\n") == 1
    assert not db.exists()


def test_a_sweep_or_a_world_numbered_past_what_a_column_holds_is_not_stored(
    sandbox: Sandbox,
) -> None:
    for argv, said in (
        (["show", "s99999999999999999999"], "packlaw: no sweep s99999999999999999999 is stored"),
        (
            ["film", "1", "--world", "99999999999999999999", "--out", "x.gif"],
            "packlaw: run 1 did not record world 99999999999999999999: it recorded world(s) 0",
        ),
    ):
        with _captured() as (out, err):
            status = main([*argv, "--db", sandbox.db])
        assert (status, out.getvalue()) == (2, ""), err.getvalue()
        assert err.getvalue().startswith(said), err.getvalue()


def test_every_command_is_driven_with_hostile_arguments(sandbox: Sandbox) -> None:
    sandbox.command_lines()
    assert sorted(sandbox.covered) == commands()  # from the app: a new command must be added
