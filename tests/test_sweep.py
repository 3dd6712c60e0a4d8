"""Sweeps on real Dask: a local cluster, a separately started one, lost workers, failing
points, a killed client and ``--resume``, determinism, Sobol indices, bad input.

The scenario is Beacon Hills over a few worlds and days, so each point takes
milliseconds; the Dask clusters are real (worker processes on loopback).
"""

from __future__ import annotations

import doctest
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from packlaw.cli.main import main
from packlaw.sim import load_scenario, simulate
from packlaw.store import Store, resolve_url, schema
from packlaw.store.sweeps import NewPoint, SweepLedger
from packlaw.sweep.analysis import sobol
from packlaw.sweep.design import design, point_id, point_seed
from packlaw.sweep.experiment import build_experiment

ROOT = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).parent / "dask"
SMALL = ["--worlds", "6", "--days", "15"]


def packlaw(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "packlaw.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def ledger_points(db: str) -> list[Any]:
    with Store(resolve_url(db)) as store:
        ledger = SweepLedger(store)
        return [p for info in ledger.sweeps() for p in ledger.points(info.id)]


def table_rows(db: str, table: sa.Table) -> list[Any]:
    engine = sa.create_engine(resolve_url(db))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.select(table)))
    finally:
        engine.dispose()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sweep.db'}"


# -------------------------------------------------------- a local cluster


@pytest.fixture(scope="module")
def two_worker_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """A grid of three autonomies, run on a LocalCluster of two workers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('two') / 'sweep.db'}"
    done = packlaw(
        "sweep", "beacon-hills", "--vary", "Stiles.autonomy=0,0.5,1", *SMALL,
        "--workers", "2", "--json", "--db", url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return url, json.loads(done.stdout)


def test_a_sweep_on_a_local_cluster_of_two_workers_stores_every_point_as_a_run(
    two_worker_sweep: tuple[str, dict[str, Any]],
) -> None:
    url, document = two_worker_sweep
    assert document["sweep"] == "s1"
    assert [p["values"] for p in document["points"]] == [
        {"Stiles.autonomy": 0.0},
        {"Stiles.autonomy": 0.5},
        {"Stiles.autonomy": 1.0},
    ]
    assert {p["status"] for p in document["points"]} == {"done"}
    with Store(resolve_url(url)) as store:
        for point in document["points"]:
            run = store.run(point["run_id"])
            assert run.status == "done"
            assert (run.worlds, run.days, run.seed) == (6, 15, point["seed"])
            assert run.summary == point["summary"]
            assert len(store.daily(run.id, "attacks")) == 15


def test_each_point_runs_with_a_seed_from_the_sweep_seed_and_its_values_alone(
    two_worker_sweep: tuple[str, dict[str, Any]],
) -> None:
    _, document = two_worker_sweep
    scenario, _, _ = load_scenario("beacon-hills")
    for point in document["points"]:
        autonomy = point["values"]["Stiles.autonomy"]
        assert point["seed"] == point_seed(1, {"Stiles.autonomy": autonomy})
        # The same point simulated here, in one process, without Dask or the sweep code.
        data = scenario.model_dump()
        data["packs"][0]["members"][3]["autonomy"] = autonomy
        alone = simulate(type(scenario).model_validate(data), worlds=6, days=15, seed=point["seed"])
        assert point["summary"]["totals"] == alone.summary()["totals"]
        assert point["summary"]["beings"] == alone.summary()["beings"]


def test_the_same_numbers_on_one_worker_and_on_two(
    two_worker_sweep: tuple[str, dict[str, Any]], db: str
) -> None:
    _, on_two = two_worker_sweep
    done = packlaw(
        "sweep", "beacon-hills", "--vary", "Stiles.autonomy=0,0.5,1", *SMALL,
        "--workers", "1", "--json", "--db", db,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    on_one = json.loads(done.stdout)

    def numbers(document: dict[str, Any]) -> list[Any]:
        return [
            (p["values"], p["seed"], p["summary"]["totals"], p["summary"]["beings"])
            for p in document["points"]
        ]

    assert numbers(on_one) == numbers(on_two)


def test_running_the_same_sweep_again_reuses_its_points_and_an_extension_runs_only_new_ones(
    tmp_path: Path, two_worker_sweep: tuple[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, first = two_worker_sweep
    copy = tmp_path / "copy.db"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    db = f"sqlite:///{copy}"
    args = ["sweep", "beacon-hills", *SMALL, "--workers", "1", "--json", "--db", db]
    status, out, _ = cli(capsys, *args, "--vary", "Stiles.autonomy=0,0.5,1")
    assert status == 0
    assert [p["run_id"] for p in json.loads(out)["points"]] == [
        p["run_id"] for p in first["points"]
    ]
    runs_before = len(table_rows(db, schema.runs))

    status, out, _ = cli(capsys, *args, "--vary", "Stiles.autonomy=0,0.25,0.5,1")
    assert status == 0
    extended = json.loads(out)
    assert extended["sweep"] == "s1"
    reused = {p["values"]["Stiles.autonomy"]: p["run_id"] for p in extended["points"]}
    assert [reused[p["values"]["Stiles.autonomy"]] for p in first["points"]] == [
        p["run_id"] for p in first["points"]
    ]
    assert len(table_rows(db, schema.runs)) == runs_before + 1
    assert len(ledger_points(db)) == 4


def test_sweeps_lists_them_and_show_tells_a_sweep_from_a_run(
    two_worker_sweep: tuple[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, document = two_worker_sweep
    status, out, _ = cli(capsys, "sweeps", "--db", url)
    assert status == 0
    assert out.splitlines()[-1].split()[:4] == ["s1", "beacon-hills", "Stiles.autonomy", "grid"]

    status, out, _ = cli(capsys, "show", "s1", "--json", "--db", url)
    assert status == 0
    shown = json.loads(out)
    assert shown["points"][1]["outputs"]["Stiles.alive"]["mean"] == pytest.approx(
        document["points"][1]["summary"]["beings"]["Stiles"]["alive"]["mean"]
    )
    assert shown["sobol"] is None

    status, out, _ = cli(capsys, "show", "s1", "--db", url)
    assert status == 0
    assert "Means over worlds against Stiles.autonomy (values)" in out
    assert ["output", "0", "0.5", "1"] in [line.split() for line in out.splitlines()]
    status, out, _ = cli(capsys, "show", str(document["points"][0]["run_id"]), "--db", url)
    assert status == 0 and "beacon-hills" in out


# ------------------------------------------------- failures and bad input


def test_a_failing_point_is_retried_once_then_recorded_with_its_error_and_the_others_stored(
    db: str,
) -> None:
    # theta_min 30 passes its own check but not theta_min <= theta_max (20): that point fails.
    done = packlaw(
        "sweep", "beacon-hills", "--vary", "theta_min=1,30", *SMALL, "--workers", "1",
        "--json", "--db", db,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == "packlaw: 1 of 2 points failed (see `packlaw show s1`)"
    points = {p.values["theta_min"]: p for p in ledger_points(db)}
    assert points[1.0].status == "done" and points[1.0].run_id is not None
    failed = points[30.0]
    assert (failed.status, failed.attempts, failed.run_id) == ("failed", 2, None)
    assert "theta_min: must be at most theta_max" in (failed.error or "")
    assert "Traceback" in (failed.error or "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "wond=0:1"], "--vary wond=0:1: wond is not a parameter of the territory model (did you mean wound?)"),
        (["--vary", "Stiles.autonom=0:1:0.5"], "--vary Stiles.autonom=0:1:0.5: autonom is not a trait of Stiles (its traits: strength, research, autonomy, pride)"),
        (["--vary", "Stilez.autonomy=0:1:0.5"], "--vary Stilez.autonomy=0:1:0.5: no being named Stilez in scenario beacon-hills (did you mean Stiles?)"),
        (["--vary", "Stiles.autonomy=1:0:0.1"], "--vary Stiles.autonomy=1:0:0.1: the range is reversed (1 is above 0)"),
        (["--vary", "wound=0.5:0.5", "--sample", "lhs:4"], "--vary wound=0.5:0.5: the range is empty (0.5 to 0.5)"),
        (["--vary", "wound=0.1:2:0.5"], "--vary wound=0.1:2:0.5: 1.1 must be at most 1 (health runs from 0 to 1)"),
        (["--vary", "Stiles.autonomy=0:1"], "--vary Stiles.autonomy=0:1: a grid needs a list or a range with a step (low:high:step)"),
        (["--vary", "wound=0.1:0.9", "--sample", "sobol:500000"], "--sample sobol:500000: the design has 1,500,000 points, more than a sweep's ledger holds (1,000,000); sample fewer or split the sweep"),
        (["--vary", "wound=0.1:0.9", "--sample", "halton:3"], "--sample: 'halton:3' is not a sample; use grid, lhs:N or sobol:N"),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence_and_exit_2_before_any_point_runs(
    db: str, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = cli(capsys, "sweep", "beacon-hills", *args, *SMALL, "--db", db)
    assert (status, out, err) == (2, "", f"packlaw: {message}\n")
    assert ledger_points(db) == [] and table_rows(db, schema.sweeps) == []


def test_an_unreachable_scheduler_is_one_sentence_exit_2_and_nothing_stored(db: str) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = packlaw(
        "sweep", "beacon-hills", "--vary", "wound=0.3,0.6", *SMALL,
        "--scheduler", f"tcp://127.0.0.1:{port}", "--db", db,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"packlaw: cannot reach the Dask scheduler at tcp://127.0.0.1:{port} within 10 s"
    )
    assert len(done.stderr.splitlines()) == 1
    assert table_rows(db, schema.sweeps) == [] and table_rows(db, schema.runs) == []


def test_an_experiment_file_is_validated_like_a_scenario(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('scenario = "beacon-hills"\nsamples = "grid"\n[vary]\nwound = [0.3]\n')
    status, _, err = cli(capsys, "sweep", str(bad), "--db", db)
    assert (status, err) == (2, f"packlaw: {bad}: samples: unknown key (not an experiment field)\n")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('scenario = "beacon-hills"\n[vary]\n"Stiles.autonomy" = "0:2:1"\n')
    status, _, err = cli(capsys, "sweep", str(wrong), "--db", db)
    assert (status, err) == (
        2,
        f"packlaw: {wrong}: vary.Stiles.autonomy: 2 must be between 0 and 1\n",
    )


# -------------------------------------------- a separately started cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """``dask scheduler`` and two ``dask worker`` processes on loopback; stopped afterwards."""
    if not DASK.exists():
        pytest.fail(
            f"the dask command is missing from {DASK.parent}; install packlaw's dependencies"
        )
    file = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(file)],
        **quiet,
    )  # fmt: skip
    processes = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() or not file.read_text().strip():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        workers = [
            subprocess.Popen(
                [
                    str(DASK),
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                **quiet,
            )
            for _ in range(2)
        ]
        processes += workers
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        for process in reversed(processes):
            process.kill()
            process.wait()


def wait_for_done(db: str, count: int, timeout: float = 120) -> list[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done = [p for p in ledger_points(db) if p.status == "done"]
        except Exception:  # the database is still being made
            done = []
        if len(done) >= count:
            return done
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} points were done within {timeout} s")


LONG = ["--vary", "Stiles.autonomy=0:1:0.05", "--worlds", "150", "--days", "150"]


def test_a_sweep_runs_on_a_separately_started_cluster_and_survives_a_lost_worker(
    cluster: tuple[str, list[subprocess.Popen[bytes]]], db: str
) -> None:
    address, workers = cluster
    client = subprocess.Popen(
        [sys.executable, "-m", "packlaw.cli.main", "sweep", "beacon-hills", *LONG,
         "--scheduler", address, "--json", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        before = wait_for_done(db, 3)
        workers[0].kill()  # one worker lost mid-sweep
        out, err = client.communicate(timeout=300)
    finally:
        client.kill()
    assert len(before) < 21, "the sweep ended before a worker could be lost"
    assert client.returncode == 0, err
    document = json.loads(out)
    assert len(document["points"]) == 21
    assert {p["status"] for p in document["points"]} == {"done"}
    runs = table_rows(db, schema.runs)
    assert len(runs) == 21  # no point counted twice
    assert sorted(p["run_id"] for p in document["points"]) == sorted(r.id for r in runs)


def test_a_killed_client_loses_only_points_in_flight_and_resume_runs_the_rest(
    cluster: tuple[str, list[subprocess.Popen[bytes]]], db: str
) -> None:
    address, _ = cluster
    client = subprocess.Popen(
        [sys.executable, "-m", "packlaw.cli.main", "sweep", "beacon-hills", *LONG,
         "--scheduler", address, "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_done(db, 3)
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait()
    kept = {p.point_id: p.run_id for p in ledger_points(db) if p.status == "done"}
    assert 3 <= len(kept) < 21
    env = {**os.environ, "PACKLAW_SCHEDULER": address}
    done = packlaw("sweep", "--resume", "s1", "--json", "--db", db, env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert len(document["points"]) == 21 and {p["status"] for p in document["points"]} == {"done"}
    after = {p.point_id: p.run_id for p in ledger_points(db)}
    assert all(after[pid] == run_id for pid, run_id in kept.items())  # not run again
    assert len(table_rows(db, schema.runs)) == 21


def test_ctrl_c_keeps_the_done_points_puts_the_rest_back_and_says_how_to_resume(db: str) -> None:
    client = subprocess.Popen(
        [sys.executable, "-m", "packlaw.cli.main", "sweep", "beacon-hills", *LONG,
         "--workers", "1", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        wait_for_done(db, 2)
        client.send_signal(signal.SIGINT)
        _, err = client.communicate(timeout=120)
    finally:
        client.kill()
    statuses = [p.status for p in ledger_points(db)]
    done = statuses.count("done")
    assert client.returncode == 130
    assert err.splitlines()[-1] == (
        f"packlaw: interrupted: {done} of 21 points are done and kept; "
        "`packlaw sweep --resume s1` runs the rest"
    )
    assert set(statuses) == {"done", "pending"}  # nothing left running
    assert len(table_rows(db, schema.runs)) == done


# ------------------------------------------------------------------ Sobol


def test_sobol_indices_find_the_one_parameter_an_output_depends_on(tmp_path: Path) -> None:
    """Outputs made from the design's own values: y = 4 x1 + noise-free nothing of x2."""
    experiment = build_experiment(
        "beacon-hills",
        {"wound": "0.1:0.9", "Stiles.autonomy": "0:1"},
        "sobol:256",
        worlds=2,
        days=1,
        seed=3,
    )
    rows = design(experiment.factors, experiment.sample, experiment.seed)
    with Store(resolve_url(f"sqlite:///{tmp_path / 'sobol.db'}")) as store:
        ledger = SweepLedger(store)
        sweep = ledger.open("key", "beacon-hills", experiment.scenario_text, worlds=2, days=1,
                            seed=3, experiment=experiment.document())  # fmt: skip
        points = [NewPoint(point_id("key", row), row, point_seed(3, row)) for row in rows]
        ledger.add_points(sweep, points)
        info = ledger.sweep(sweep)
        for point in ledger.points(sweep):
            x1, x2 = point.values["wound"], point.values["Stiles.autonomy"]
            outputs = {
                "only_wound": {"mean": 4 * x1, "low": 0.0, "high": 0.0},
                "both": {"mean": x1 + x2, "low": 0.0, "high": 0.0},
            }
            ledger.finish(info, point, {}, [], outputs)
        indices = sobol(info, ledger.points(sweep))
    assert indices is not None
    only = indices["only_wound"]
    assert only["wound"]["S1"] == pytest.approx(1.0, abs=0.05)
    assert only["wound"]["ST"] == pytest.approx(1.0, abs=0.05)
    assert abs(only["Stiles.autonomy"]["ST"]) < 0.01
    # x1 spans 0.8 and x2 spans 1: variances 0.8^2 : 1^2 of the sum.
    both = indices["both"]
    assert both["wound"]["S1"] == pytest.approx(0.64 / 1.64, abs=0.05)
    assert both["Stiles.autonomy"]["S1"] == pytest.approx(1 / 1.64, abs=0.05)
    for by in indices.values():
        for figures in by.values():
            assert figures["S1_conf"] is not None and figures["S1_conf"] >= 0


def test_a_sobol_sweep_shows_indices_for_every_output(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = cli(
        capsys, "sweep", "beacon-hills", "--vary", "wound=0.2:0.8", "--vary",
        "Stiles.autonomy=0:1", "--sample", "sobol:4", *SMALL, "--workers", "2", "--no-daily",
        "--db", db,
    )  # fmt: skip
    assert status == 0, err
    assert len(ledger_points(db)) == 16  # N x (factors + 2)
    assert len(table_rows(db, schema.runs)) == 16
    assert table_rows(db, schema.run_metrics) == []  # --no-daily: summaries and outputs only
    status, out, _ = cli(capsys, "show", "s1", "--json", "--db", db)
    shown = json.loads(out)
    assert set(shown["sobol"]) == set(shown["points"][0]["outputs"])
    assert set(shown["sobol"]["Stiles.alive"]) == {"wound", "Stiles.autonomy"}
    status, out, _ = cli(capsys, "show", "s1", "--db", db)
    assert "Sobol indices (first order S1, total ST; ± the 95% confidence interval)" in out


def test_a_larger_sobol_design_begins_with_the_smaller_one() -> None:
    experiment = build_experiment("beacon-hills", {"wound": "0.1:0.9"}, "sobol:8", seed=5)
    small = design(experiment.factors, "sobol:8", 5)
    large = design(experiment.factors, "sobol:16", 5)
    assert large[: len(small)] == small
    assert np.ptp([row["wound"] for row in large]) > 0


@pytest.mark.parametrize(
    "module", ["packlaw.sweep.experiment", "packlaw.sweep.design", "packlaw.store.sweeps"]
)
def test_the_examples_in_the_sweep_docstrings_run(module: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0


# ---------------------------------------------------------------- figures


def test_the_report_draws_each_outputs_mean_and_band_against_each_parameter(tmp_path: Path) -> None:
    from packlaw.sweep.figures import profile_figure, write_sweep_report

    experiment = build_experiment(
        "beacon-hills", {"wound": "0.2,0.4", "Stiles.autonomy": "0,0.5,1"}, worlds=2, days=1
    )
    with Store(resolve_url(f"sqlite:///{tmp_path / 'fig.db'}")) as store:
        ledger = SweepLedger(store)
        sweep = ledger.open("key", "beacon-hills", experiment.scenario_text, worlds=2, days=1,
                            seed=1, experiment=experiment.document())  # fmt: skip
        rows = design(experiment.factors, experiment.sample, 1)
        ledger.add_points(sweep, [NewPoint(point_id("key", r), r, 0) for r in rows])
        info = ledger.sweep(sweep)
        for point in ledger.points(sweep):
            y = 10 * point.values["wound"] + point.values["Stiles.autonomy"]
            ledger.finish(info, point, {}, [], {"y": {"mean": y, "low": y - 1, "high": y + 1}})
        points = ledger.points(sweep)
        written = write_sweep_report(store, sweep, tmp_path / "out")

    assert [p.name for p in written] == ["s1-wound.png", "s1-Stiles.autonomy.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written)
    axes = profile_figure(info, points, "wound", ["y"]).axes[0]
    # At wound 0.2 the autonomies 0, 0.5 and 1 give y = 2, 2.5, 3: mean 2.5; at 0.4, 4.5.
    assert axes.lines[0].get_xydata().tolist() == [[0.2, 2.5], [0.4, 4.5]]
    band = axes.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(1.5) and band[:, 1].max() == pytest.approx(5.5)

    # `packlaw report s1` writes the same figures as a whole report: PNG, SVG and the page.
    out = tmp_path / "report"
    assert (
        main(["report", "s1", "--out", str(out), "--db", f"sqlite:///{tmp_path / 'fig.db'}"]) == 0
    )
    names = {p.name for p in out.iterdir()}
    for stem in ("s1-wound", "s1-Stiles.autonomy"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    assert "index.html" in names
    unknown = ["report", "s9", "--out", str(tmp_path / "none")]
    assert main([*unknown, "--db", f"sqlite:///{tmp_path / 'fig.db'}"]) == 2
    assert not (tmp_path / "none").exists()


def test_the_report_draws_sobol_indices_as_bars(tmp_path: Path) -> None:
    from packlaw.sweep.figures import sobol_figure

    indices = {
        "y": {
            "wound": {"S1": 0.7, "S1_conf": 0.05, "ST": 0.8, "ST_conf": 0.06},
            "Stiles.autonomy": {"S1": 0.1, "S1_conf": 0.02, "ST": 0.2, "ST_conf": None},
        }
    }
    experiment = build_experiment(
        "beacon-hills", {"wound": "0.2:0.8", "Stiles.autonomy": "0:1"}, "sobol:2"
    )
    with Store(resolve_url(f"sqlite:///{tmp_path / 'fig.db'}")) as store:
        ledger = SweepLedger(store)
        sweep = ledger.open("key", "beacon-hills", experiment.scenario_text, worlds=2, days=1,
                            seed=1, experiment=experiment.document())  # fmt: skip
        info = ledger.sweep(sweep)
    axes = sobol_figure(info, indices, ["y"]).axes[0]
    heights = [bar.get_height() for bar in axes.patches]
    assert heights == pytest.approx([0.7, 0.1, 0.8, 0.2])


# ------------------------------------------------------- ledger and worker


def test_the_ledger_stores_a_point_once_with_its_run_on_both_backends(db_url: str) -> None:
    with Store(db_url) as store:
        ledger = SweepLedger(store)
        sweep = ledger.open("k" * 64, "tiny", "name = 'tiny'", worlds=2, days=1, seed=1,
                            experiment={"sample": "grid", "factors": []})  # fmt: skip
        assert ledger.open("k" * 64, "tiny", "name = 'tiny'", worlds=2, days=1, seed=1,
                           experiment={"sample": "lhs:4", "factors": []}) == sweep  # fmt: skip
        points = [NewPoint("a", {"wound": 0.3}, 11), NewPoint("b", {"wound": 0.6}, 12)]
        assert ledger.add_points(sweep, points) == 2
        assert ledger.add_points(sweep, [*points, NewPoint("c", {"wound": 0.9}, 13)]) == 1
        info = ledger.sweep(sweep)
        assert info.experiment["sample"] == "lhs:4"
        a = ledger.points(sweep)[0]
        ledger.mark_running(sweep, ["a", "b", "c"])
        daily = [(1, "attacks", 1.0, 0.0, 1.0, 1.0, 1.0)]
        run_id = ledger.finish(info, a, {"totals": {}}, daily, {"y": {"mean": 1.0}})
        assert run_id is not None
        assert ledger.finish(info, a, {"totals": {}}, daily, {"y": {"mean": 2.0}}) is None
        assert ledger.fail(sweep, "b", "Traceback: boom") == 1
        ledger.release(sweep, ["a", "b", "c"])  # only the running one goes back to pending
        shown = {p.point_id: p for p in ledger.points(sweep)}
        assert [shown[i].status for i in "abc"] == ["done", "failed", "pending"]
        assert shown["a"].outputs == {"y": {"mean": 1.0}} and shown["a"].run_id == run_id
        assert shown["b"].error == "Traceback: boom"
        assert store.run(run_id).summary == {"totals": {}, "run_id": run_id}
        assert store.run(run_id).seed == 11
        assert ledger.sweep(sweep).counts == {"pending": 1, "running": 0, "done": 1, "failed": 1}
        assert [r.id for r in store.runs()] == [run_id]


def test_a_worker_runs_points_without_the_store() -> None:
    code = (
        "import sys\n"
        "from packlaw.sim import load_scenario\n"
        "from packlaw.sweep.work import run_points\n"
        "scenario = load_scenario('beacon-hills')[0].model_dump()\n"
        "(result,) = run_points(scenario, [('params', 'wound')], [('p', [0.5], 3)], 2, 3)\n"
        "assert result.error is None and result.daily.shape[0] == 3, result.error\n"
        "print(sorted(m for m in sys.modules if m.startswith(('packlaw.store', 'sqlalchemy'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_returned_daily_table_gives_the_same_rows_as_the_run() -> None:
    from packlaw.sweep.work import daily_rows

    scenario, _, _ = load_scenario("beacon-hills")
    run = simulate(scenario, worlds=3, days=4, seed=2)
    assert daily_rows(run.daily) == list(run.daily_rows())
