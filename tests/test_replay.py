"""A world replayed alone gives the run's own numbers, so recording and tracing change nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_sim_trace import BUSY  # arrivals, bites, joins and leaves happen often

from packlaw.cli.main import main
from packlaw.sim import jit, kernels, parse_scenario, simulate
from packlaw.sim.replay import LoneWorld, Watch, shift
from packlaw.sim.trace import WorldChronicle


@settings(deadline=None)  # the first call loads the kernel
@given(
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**31 - 1),
    st.integers(0, 2**31 - 1),
    st.integers(0, kernels.DRAWS_PER_ACTOR - 1),
)
def test_a_shifted_key_gives_an_actor_the_draws_of_the_actor_at_its_offset(
    key: int, actor: int, offset: int, draw: int
) -> None:
    moved = np.uint64(shift(np.uint64(key), offset))  # a uint64, as inside the kernels
    assert kernels.uniform(moved, actor, draw) == kernels.uniform(
        np.uint64(key), actor + offset, draw
    )


def chronicle_on_the_whole_run(world: int, worlds: int, days: int, seed: int) -> str:
    """World ``world``'s chronicle written while every world runs phase by phase."""
    writers: list[WorldChronicle] = []

    def writer(state: Any) -> WorldChronicle:
        writers.append(WorldChronicle(state, world, "t"))
        return writers[0]

    simulate(parse_scenario(BUSY, "busy"), worlds=worlds, days=days, seed=seed, chronicler=writer)
    return writers[0].text()


def chronicle_replayed_alone(world: int, worlds: int, days: int, seed: int) -> str:
    """World ``world``'s chronicle written as it is replayed alone after an untraced run."""
    writers: list[WorldChronicle] = []

    def writer(state: Any) -> WorldChronicle:
        writers.append(WorldChronicle(state, 0, "t"))
        return writers[0]

    watch = [Watch(world, chronicler=writer)]
    simulate(parse_scenario(BUSY, "busy"), worlds=worlds, days=days, seed=seed, watch=watch)
    return writers[0].text()


@pytest.mark.parametrize(("world", "worlds", "seed"), [(0, 1, 1), (0, 5, 2), (3, 5, 3), (4, 5, 4)])
def test_a_world_replayed_alone_writes_the_chronicle_the_whole_run_writes(
    world: int, worlds: int, seed: int
) -> None:
    alone = chronicle_replayed_alone(world, worlds, 120, seed)
    assert alone == chronicle_on_the_whole_run(world, worlds, 120, seed)
    # the replay had arrivals to place, living beside the world's first beings
    assert alone.count("\nbeing Arrival") >= 5


def test_a_world_replayed_alone_matches_a_run_on_parallel_kernels() -> None:
    with jit.always_parallel():
        whole = chronicle_on_the_whole_run(2, 4, 60, 5)
        after_a_parallel_run = chronicle_replayed_alone(2, 4, 60, 5)
    assert chronicle_replayed_alone(2, 4, 60, 5) == after_a_parallel_run == whole


def test_watching_worlds_changes_none_of_the_run_s_numbers() -> None:
    scenario = parse_scenario(BUSY, "busy")
    plain = simulate(scenario, worlds=6, days=90, seed=8)
    seen: list[int] = []
    watched = simulate(
        scenario,
        worlds=6,
        days=90,
        seed=8,
        watch=[Watch(1, observe=lambda day, state: seen.append(day)), Watch(5)],
    )
    assert seen == list(range(1, 91))
    for name in ("totals", "alive", "wounded", "wounded_alone", "named_days", "daily"):
        assert np.array_equal(getattr(plain, name), getattr(watched, name)), name
    for name, column in plain.state.beings._asdict().items():
        assert np.array_equal(column, getattr(watched.state.beings, name)), name


def test_a_replay_that_drifts_from_the_run_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Keys shifted as for world 0's beings: the replay draws another world's numbers.
    made = LoneWorld.__init__

    def misplaced(self: LoneWorld, ensemble: Any, world: int) -> None:
        made(self, ensemble, world)
        self.first_row = 0

    monkeypatch.setattr(LoneWorld, "__init__", misplaced)
    scenario = parse_scenario(BUSY, "busy")
    with pytest.raises(RuntimeError, match="world 2 replayed alone differs from the run"):
        simulate(scenario, worlds=3, days=30, seed=1, watch=[Watch(2)])


def test_a_watched_world_must_be_one_of_the_run_s() -> None:
    scenario = parse_scenario(BUSY, "busy")
    with pytest.raises(ValueError, match="there is no world 3: the run has worlds 0 to 2"):
        simulate(scenario, worlds=3, days=2, seed=1, watch=[Watch(3)])


def summary_without_run(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(capsys.readouterr().out)
    for key in ("run_id", "speed", "recordings"):
        summary.pop(key, None)
    return summary


def test_simulate_gives_the_same_numbers_with_and_without_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    args = ["simulate", "--worlds", "20", "--days", "60", "--seed", "4", "--json", "--db", db]
    assert main(args) == 0
    plain = summary_without_run(capsys)
    assert main([*args, "--record", "0,19"]) == 0
    recorded = summary_without_run(capsys)
    assert recorded == plain
    assert plain["totals"]["deaths"]["mean"] > 0  # a run where things happen


def test_two_watchers_of_one_world_share_its_replay() -> None:
    writers: list[WorldChronicle] = []
    days: list[int] = []

    def writer(state: Any) -> WorldChronicle:
        writers.append(WorldChronicle(state, 0, "t"))
        return writers[-1]

    watch = [
        Watch(1, chronicler=writer),
        Watch(1, chronicler=writer, observe=lambda d, s: days.append(d)),
    ]
    simulate(parse_scenario(BUSY, "busy"), worlds=3, days=40, seed=6, watch=watch)
    assert len(writers) == 2 and days == list(range(1, 41))
    assert writers[0].text() == writers[1].text() == chronicle_on_the_whole_run(1, 3, 40, 6)
