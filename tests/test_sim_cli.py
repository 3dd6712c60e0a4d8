"""``packlaw simulate``: tables, JSON, stored runs, bad scenarios, interruptions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import packlaw.sim
from packlaw.cli.main import main
from packlaw.store import Store, resolve_url


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'runs.db'}"


def stored(db: str) -> list[Any]:
    with Store(resolve_url(db)) as store:
        return store.runs()


def test_simulate_prints_a_plain_table_of_named_beings_and_totals_when_piped(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "--worlds", "4", "--days", "20", "--db", db]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "beacon-hills, 4 worlds x 20 days, seed 1: named beings, means over worlds"
    header = " ".join(lines[1].split())
    assert header.startswith("being alive wounded wounded alone days alpha days member")
    named = [line.split()[0] for line in lines[2:10]]
    assert named == ["Derek", "Isaac", "Erica", "Boyd", "Stiles", "Chris", "Scott", "Stranger"]
    assert lines[11] == "totals per world"
    assert lines[12].split() == ["total", "mean", "sd", "p5", "p50", "p95"]
    assert [line.split()[0] for line in lines[13:19]] == [
        "attacks", "hits", "hits", "hunts", "kills", "deaths"
    ]  # fmt: skip
    assert lines[-1].startswith("beacon-hills: run 1, ")
    assert "\x1b[" not in out  # no terminal codes in a pipe


def test_simulate_json_has_the_architecture_pages_summary_and_is_stored(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["simulate", "--worlds", "3", "--days", "10", "--seed", "4", "--json", "--db", db])
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert (summary["scenario"], summary["worlds"], summary["days"], summary["seed"]) == (
        "beacon-hills",
        3,
        10,
        4,
    )
    assert set(summary["totals"]["attacks"]) == {"mean", "sd", "p5", "p50", "p95"}
    assert "member" in summary["beings"]["Stiles"]["days"]
    (run,) = stored(db)
    assert run.status == "done" and run.worlds == 3 and run.days == 10 and run.seed == 4
    with Store(resolve_url(db)) as store:
        daily = store.daily(run.id, "attacks")
    assert [row.day for row in daily] == list(range(1, 11))


def test_compare_runs_both_scenarios_with_the_same_seed_and_shows_them_side_by_side(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "simulate",
        "beacon-hills",
        "--compare",
        "stiles-stays",
        "--worlds",
        "3",
        "--days",
        "10",
    ]
    assert main([*args, "--db", db]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[1].split()
    assert header == ["figure", "beacon-hills", "stiles-stays"]
    assert sorted(run.scenario for run in stored(db)) == ["beacon-hills", "stiles-stays"]
    assert {run.seed for run in stored(db)} == {1}


def test_a_bad_scenario_is_refused_one_line_per_problem_and_starts_no_run(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text('[params]\norder_rate = 1.5\nbogus = 1\n[run]\nworlds = "many"\n')
    assert main(["simulate", str(bad), "--db", db]) == 2
    err = capsys.readouterr().err.splitlines()
    assert f"packlaw: {bad}: params.order_rate: must be between 0 and 1" in err
    assert any(line.startswith(f"packlaw: {bad}: params.bogus: unknown key") for line in err)
    assert f"packlaw: {bad}: run.worlds: must be a whole number" in err
    assert "Traceback" not in "\n".join(err)
    assert stored(db) == []


def test_a_missing_scenario_file_is_bad_input(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "nowhere.toml", "--db", db]) == 2
    assert capsys.readouterr().err == (
        "packlaw: nowhere.toml: no such scenario file, nor a bundled scenario "
        "(the bundled ones: beacon-hills, stiles-stays)\n"
    )


def test_a_trace_of_a_world_the_run_does_not_have_is_refused(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "--worlds", "2", "--trace", "2", str(tmp_path / "t"), "--db", db]) == 2
    assert "no world 2" in capsys.readouterr().err


def test_a_trace_into_a_missing_folder_is_refused_before_any_run(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "t.chronicle"
    assert main(["simulate", "--worlds", "2", "--trace", "0", str(target), "--db", db]) == 2
    assert capsys.readouterr().err == f"packlaw: {target}: cannot write the trace: no such folder\n"
    assert stored(db) == []


def test_without_arguments_it_runs_beacon_hills_with_the_scenarios_thousand_worlds(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    real = packlaw.sim.simulate

    def spy(scenario: Any, worlds: int, days: int, seed: int, **kw: Any) -> Any:
        seen.update(name=scenario.name, worlds=worlds, days=days, seed=seed)
        return real(scenario, worlds=2, days=2, seed=seed, **kw)

    monkeypatch.setattr(packlaw.sim, "simulate", spy)
    assert main(["simulate", "--db", db]) == 0
    assert seen == {"name": "beacon-hills", "worlds": 1000, "days": 365, "seed": 1}


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [(KeyboardInterrupt, "interrupted", 130), (RuntimeError, "failed", None)],
)
def test_a_run_that_stops_is_marked_and_never_stored_as_done(
    db: str,
    monkeypatch: pytest.MonkeyPatch,
    raised: type[BaseException],
    status: str,
    code: int | None,
) -> None:
    real = packlaw.sim.simulate

    def stops(*args: Any, on_day: Any = None, **kw: Any) -> Any:
        def then_stop(day: int) -> None:
            if day == 2:
                raise raised()

        return real(*args, on_day=then_stop, **kw)

    monkeypatch.setattr(packlaw.sim, "simulate", stops)
    if code is None:
        with pytest.raises(raised):
            main(["simulate", "--worlds", "2", "--days", "5", "--db", db])
    else:
        assert main(["simulate", "--worlds", "2", "--days", "5", "--db", db]) == code
    (run,) = stored(db)
    assert run.status == status
    with Store(resolve_url(db)) as store:
        assert store.daily(run.id) == []


def test_simulate_says_in_one_line_when_it_must_compile_the_kernels(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from packlaw.sim import jit, run

    monkeypatch.setattr(run, "_warmed", False)
    monkeypatch.setattr(jit, "cache_is_warm", lambda: False)  # as after a new Numba
    monkeypatch.setattr(jit, "mark_cache_warm", lambda: None)
    assert main(["simulate", "--worlds", "1", "--days", "1", "--db", db]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"packlaw: {run.COMPILE_NOTICE}"]


def test_simulate_says_nothing_of_compiling_when_the_cache_is_warm(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from packlaw.sim import jit, run

    monkeypatch.setattr(run, "_warmed", False)
    monkeypatch.setattr(jit, "cache_is_warm", lambda: True)
    assert main(["simulate", "--worlds", "1", "--days", "1", "--db", db]) == 0
    assert capsys.readouterr().err == ""


def test_threads_change_no_number_and_zero_or_too_many_threads_are_refused(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from packlaw.sim import jit

    summaries = []
    try:
        for threads in ("1", "2"):
            arguments = ["simulate", "--worlds", "5", "--days", "30", "--json", "--db", db]
            assert main([*arguments, "--threads", threads]) == 0
            summary = json.loads(capsys.readouterr().out)
            summaries.append((summary["totals"], summary["beings"]))
    finally:
        jit.set_threads(None)
    assert summaries[0] == summaries[1]
    assert main(["simulate", "--threads", "0", "--db", db]) == 2
    assert "--threads" in capsys.readouterr().err
    too_many = str(jit.MAX_THREADS + 1)
    assert main(["simulate", "--threads", too_many, "--db", db]) == 2
    assert f"--threads: at most {jit.MAX_THREADS}" in capsys.readouterr().err


def test_the_cache_fingerprint_follows_the_sources(tmp_path: Path, monkeypatch: Any) -> None:
    from packlaw.sim import jit

    here = tmp_path / "sim"
    here.mkdir()
    (here / "kernels.py").write_text("x = 1\n")
    monkeypatch.setattr(jit, "HERE", here)
    before = jit.cache_fingerprint()
    jit.mark_cache_warm()
    assert jit.cache_is_warm()
    (here / "kernels.py").write_text("x = 2\n")
    assert jit.cache_fingerprint() != before
    assert not jit.cache_is_warm()
