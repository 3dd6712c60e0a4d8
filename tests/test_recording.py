"""Recorded worlds: the film keeps every being's day exactly, compactly, and its chronicle replays to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_sim_trace import BUSY  # arrivals, bites, joins and leaves happen often

from packlaw.cli.main import main
from packlaw.notation import check_chronicle, parse_chronicle, replay
from packlaw.sim import load_scenario, parse_scenario, simulate
from packlaw.sim.recording import (
    FILM_COLUMNS,
    Recorder,
    RecordingError,
    decode_chunk,
    encode_chunk,
    parse_worlds,
)
from packlaw.sim.state import STANDINGS, State
from packlaw.store import Store, StoreError, resolve_url
from packlaw.store.recordings import (
    UnrecordedWorld,
    load_recording,
    recordings,
    save_recordings,
)


class Copier:
    """Copies one world's beings each day straight from the state: what the film must give back."""

    def __init__(self, world: int) -> None:
        self.world = world
        self.days: list[dict[int, tuple[int, ...]]] = []

    def observe(self, day: int, state: State) -> None:
        b = state.beings
        n_packs = state.n_packs
        today = {}
        for row in range(state.n):
            if b.world[row] == self.world:
                pack = int(b.pack[row])
                today[row] = (
                    int(b.x[row]),
                    int(b.y[row]),
                    int(b.standing[row]),
                    pack % n_packs if pack >= 0 else -1,
                    int(b.health[row]),
                    int(b.alive[row]),
                )
        self.days.append(today)


def recorded_run(worlds: list[int], days: int = 60, seed: int = 3) -> tuple[Recorder, list[Copier]]:
    """A run recording ``worlds``, and each of their beings copied from the whole run's state.

    The recorder's worlds are replayed alone after the run; the copiers
    watch every world of the run itself, day by day.
    """
    scenario = parse_scenario(BUSY, "busy")
    recorder = Recorder(scenario, worlds, chunk_days=16)
    copiers = [Copier(world) for world in worlds]

    def observe(day: int, state: State) -> None:
        for copier in copiers:
            copier.observe(day, state)

    simulate(scenario, worlds=4, days=days, seed=seed, observe=observe, watch=recorder.watches())
    return recorder, copiers


def test_the_observe_hook_sees_every_day_in_order_after_it_is_simulated() -> None:
    seen: list[tuple[int, int]] = []
    scenario, _, _ = load_scenario()
    simulate(scenario, worlds=2, days=5, seed=1, observe=lambda d, s: seen.append((d, s.day)))
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]


def test_a_recorded_world_round_trips_through_the_store_on_both_backends(db_url: str) -> None:
    recorder, copiers = recorded_run([1, 3])
    scenario = parse_scenario(BUSY, "busy")
    with Store(resolve_url(db_url)) as store:
        run_id = store.start_run(scenario.name, BUSY, seed=3, worlds=4, days=60)
        save_recordings(store, run_id, recorder.recordings())
        for copier in copiers:
            film = load_recording(store, run_id, copier.world).film()
            assert film.days == 60
            for d, today in enumerate(copier.days):
                # Film beings are the world's rows in the order it made them.
                assert len(today) <= len(film.names)
                for i, row in enumerate(sorted(today)):
                    got = tuple(int(film.columns[c][d, i]) for c in FILM_COLUMNS)
                    assert got == today[row], (copier.world, d + 1, row)
                # Beings not yet made are not alive in the film.
                assert not film.columns["alive"][d, len(today) :].any()
        infos = recordings(store, run_id)
    assert [(i.world, i.days, i.chronicle) for i in infos] == [
        (1, 60, f"run-{run_id}-world-1"),
        (3, 60, f"run-{run_id}-world-3"),
    ]


def test_a_film_grows_with_arrivals_and_says_when_each_being_appeared() -> None:
    recorder, copiers = recorded_run([0])
    (recording,) = recorder.recordings()
    counts = [len(day) for day in copiers[0].days]
    assert counts[-1] > counts[0]  # arrivals and bites made new beings
    first_day = {len(day) for day in copiers[0].days[:1]}
    assert (recording.born == 1).sum() in first_day
    for i in range(len(recording.names)):
        appeared = next(d for d, day in enumerate(copiers[0].days, start=1) if len(day) > i)
        assert recording.born[i] == appeared


def test_a_slice_of_days_decodes_to_the_same_days_of_the_whole_film() -> None:
    recorder, _ = recorded_run([2])
    (recording,) = recorder.recordings()
    whole, part = recording.film(), recording.film(10, 40)
    assert part.first_day == 10 and part.days == 31
    for column in FILM_COLUMNS:
        assert np.array_equal(part.columns[column], whole.columns[column][9:40])


def test_the_recorded_chronicle_is_stored_checks_clean_and_replays_to_the_film(db_url: str) -> None:
    recorder, _ = recorded_run([1])
    (recording,) = recorder.recordings()
    with Store(resolve_url(db_url)) as store:
        run_id = store.start_run("busy", BUSY, seed=3, worlds=4, days=60)
        save_recordings(store, run_id, [recording])
        text = store.export(f"run-{run_id}-world-1")
    chronicle = parse_chronicle(text)
    assert check_chronicle(chronicle) == []
    film = recording.film()
    for day in (1, 17, 60):
        world = replay(chronicle, day=day)
        for i, name in enumerate(film.names):
            if film.born[i] > day:
                continue
            alive = bool(film.columns["alive"][day - 1, i])
            standing = world.standing(name)
            assert standing is not None
            if not alive:
                assert standing.value == "dead", (day, name)
                continue
            assert standing.value == STANDINGS[film.columns["standing"][day - 1, i]], (day, name)
            assert world.health(name) == film.columns["health"][day - 1, i], (day, name)
            pack = int(film.columns["pack"][day - 1, i])
            if standing.value in ("alpha", "member", "ally"):
                assert world.pack_of(name) == film.pack_names[pack], (day, name)


def test_beacon_hills_films_take_under_eight_bytes_a_being_day() -> None:
    scenario, _, _ = load_scenario()
    recorder = Recorder(scenario, [0])
    simulate(scenario, worlds=3, days=365, seed=1, watch=recorder.watches())
    (recording,) = recorder.recordings()
    raw = sum(dtype.itemsize for dtype in FILM_COLUMNS.values())
    assert recording.being_days >= 40 * 365
    assert recording.film_bytes / recording.being_days < 8 < raw


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 20).flatmap(
        lambda days: st.integers(0, 12).flatmap(
            lambda beings: st.fixed_dictionaries(
                {name: hnp.arrays(dtype, (days, beings)) for name, dtype in FILM_COLUMNS.items()}
            )
        )
    )
)
def test_any_chunk_decodes_to_exactly_what_was_encoded(columns: dict[str, np.ndarray]) -> None:
    chunk = encode_chunk(5, columns)
    decoded = decode_chunk(chunk)
    for name, values in columns.items():
        assert decoded[name].dtype == values.dtype
        assert np.array_equal(decoded[name], values)


def test_a_world_that_was_not_recorded_is_refused_naming_those_that_were() -> None:
    recorder, _ = recorded_run([0, 2], days=5)
    with Store("sqlite://") as store:
        run_id = store.start_run("busy", BUSY, seed=3, worlds=4, days=5)
        save_recordings(store, run_id, recorder.recordings())
        with pytest.raises(
            UnrecordedWorld, match=r"did not record world 1: it recorded world\(s\) 0, 2"
        ):
            load_recording(store, run_id, 1)


def test_recordings_go_only_to_a_running_run_and_a_refused_batch_stores_nothing() -> None:
    recorder, _ = recorded_run([0], days=5)
    with Store("sqlite://") as store:
        run_id = store.start_run("busy", BUSY, seed=3, worlds=4, days=5)
        store.finish_run(run_id, {}, [])
        with pytest.raises(StoreError, match="is done: only a running run takes recordings"):
            save_recordings(store, run_id, recorder.recordings())
        assert recordings(store) == [] and store.chronicles() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0,x", "'x' is not a world index"),
        ("4", "there is no world 4: the run has worlds 0 to 3"),
        ("1,1", "world 1 is named twice"),
        ("1,01", "world 1 is named twice"),
        ("\u0661", "'\u0661' is not a world index"),
        ("9" * 5000, r"there is no world 999999999999\.\.\.: the run has worlds 0 to 3"),
        ("0,1,2,3,4,5,6,7,8", "at most 8 worlds"),
    ],
)
def test_worlds_to_record_are_checked(text: str, message: str) -> None:
    with pytest.raises(RecordingError, match=message):
        parse_worlds(text, 4 if "8" not in text else 20)


# ------------------------------------------------------------- command line


def test_simulate_record_stores_each_runs_worlds_and_runs_and_show_list_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    args = ["simulate", "--compare", "stiles-stays", "--worlds", "5", "--days", "20"]
    assert main([*args, "--record", "0,4", "--json", "--db", db]) == 0
    document = json.loads(capsys.readouterr().out)
    for summary in document["runs"]:
        assert [r["world"] for r in summary["recordings"]] == [0, 4]
    assert main(["runs", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Runs" and lines[1].split()[-1] == "recorded"
    assert [line.split()[-1] for line in lines[2:]] == ["0,4", "0,4"]
    assert main(["show", "1", "--json", "--db", db]) == 0
    shown: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert [(r["world"], r["days"], r["chronicle"]) for r in shown["recorded"]] == [
        (0, 20, "run-1-world-0"),
        (4, 20, "run-1-world-4"),
    ]
    assert main(["show", "2", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "run-2-world-4" in out
    assert main(["chronicle", "list", "--db", db]) == 0
    assert "run-2-world-0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("9", "packlaw: --record: there is no world 9: the run has worlds 0 to 2\n"),
        ("a", "packlaw: --record: 'a' is not a world index (expected K[,K...], e.g. 0,7)\n"),
    ],
)
def test_simulate_refuses_worlds_it_cannot_record_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record: str, message: str
) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["simulate", "--worlds", "3", "--days", "5", "--record", record, "--db", db]) == 2
    assert capsys.readouterr().err == message
    with Store(resolve_url(db)) as store:
        assert store.runs() == []


@pytest.mark.parametrize(
    "module",
    [
        "packlaw.sim.recording",
        "packlaw.store.recordings",
        "packlaw.report.kit",
        "packlaw.report.runs",
        "packlaw.report.film",
    ],
)
def test_the_examples_in_the_recording_and_report_docstrings_run(module: str) -> None:
    import doctest
    import importlib

    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0


def test_a_trace_and_recordings_are_written_together_each_of_its_own_world(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    traced = tmp_path / "world1.chronicle"
    args = ["simulate", "--worlds", "3", "--days", "15", "--trace", "1", str(traced)]
    assert main([*args, "--record", "0,2", "--db", db]) == 0
    trace = traced.read_text()
    with Store(resolve_url(db)) as store:
        recorded = {w: store.export(f"run-1-world-{w}") for w in (0, 2)}
    assert trace.startswith('title "beacon-hills, world 1"\n')
    assert recorded[0].startswith('title "beacon-hills, world 0"\n')
    assert recorded[2].startswith('title "beacon-hills, world 2"\n')
    for text in (trace, *recorded.values()):
        assert check_chronicle(parse_chronicle(text)) == []
