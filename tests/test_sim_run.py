"""Whole runs: reproducibility, the summary's shape, and simple quantities against closed forms."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from packlaw.sim import load_scenario, parse_scenario, simulate
from packlaw.sim.metrics import METRICS, describe_columns

STATISTICS = {"mean", "sd", "p5", "p50", "p95"}


def test_the_same_scenario_seed_and_worlds_give_the_same_numbers() -> None:
    scenario, _, _ = load_scenario()
    a = simulate(scenario, worlds=40, days=60, seed=5)
    b = simulate(scenario, worlds=40, days=60, seed=5)
    assert np.array_equal(a.daily, b.daily)
    assert np.array_equal(a.totals, b.totals)
    assert np.array_equal(a.named_days, b.named_days)
    for column in ("x", "y", "health", "standing"):
        assert np.array_equal(
            a.state.columns[column][: a.state.n], b.state.columns[column][: b.state.n]
        )


def test_another_seed_gives_other_numbers() -> None:
    scenario, _, _ = load_scenario()
    a = simulate(scenario, worlds=40, days=60, seed=5)
    b = simulate(scenario, worlds=40, days=60, seed=6)
    assert not np.array_equal(a.state.columns["x"][: a.state.n], b.state.columns["x"][: b.state.n])


def test_the_summary_has_the_architecture_pages_shape() -> None:
    scenario, _, _ = load_scenario()
    summary = simulate(scenario, worlds=20, days=30, seed=1).summary()
    assert (summary["scenario"], summary["worlds"], summary["days"], summary["seed"]) == (
        "beacon-hills",
        20,
        30,
        1,
    )
    for total in ("attacks", "hits", "hits_alone", "hunts", "kills", "deaths"):
        assert set(summary["totals"][total]) == STATISTICS
    stiles = summary["beings"]["Stiles"]
    for figure in ("alive", "wounded", "wounded_alone"):
        assert set(stiles[figure]) == STATISTICS
    assert set(stiles["days"]) == {"alpha", "member", "ally", "omega", "unaffiliated"}
    assert set(summary["beings"]) == {
        "Derek",
        "Isaac",
        "Erica",
        "Boyd",
        "Stiles",
        "Chris",
        "Scott",
        "Stranger",
    }
    assert summary["speed"]["seconds"] > 0 and summary["speed"]["being_days_per_second"] > 0


def test_a_living_named_being_counts_one_day_in_some_standing_each_day() -> None:
    scenario, _, _ = load_scenario()
    result = simulate(scenario, worlds=30, days=50, seed=2)
    days = result.named_days.sum(axis=2)
    assert (days <= 50).all()
    assert (days[result.alive] == 50).all()
    assert (result.wounded_alone <= result.wounded).all()


def test_daily_rows_cover_every_day_and_metric() -> None:
    scenario, _, _ = load_scenario()
    result = simulate(scenario, worlds=5, days=4, seed=1)
    rows = list(result.daily_rows())
    assert len(rows) == 4 * len(METRICS)
    assert {row[0] for row in rows} == {1, 2, 3, 4}
    day1 = {row[1]: row for row in rows if row[0] == 1}
    assert day1["beings_alpha_werewolf"][2:] == (1.0, 0.0, 1.0, 1.0, 1.0)


def test_summaries_use_numpy_percentiles() -> None:
    values = np.array([0, 1, 1, 2, 3, 5, 8, 13, 21.5])
    figure, twice = describe_columns(np.stack([values, 2 * values], axis=1))
    for column, stats in ((values, figure), (2 * values, twice)):
        assert stats["mean"] == column.mean()
        assert np.isclose(stats["sd"], column.std(ddof=1))
        assert [stats["p5"], stats["p50"], stats["p95"]] == list(np.percentile(column, [5, 50, 95]))
    (whole,) = describe_columns(np.arange(101.0)[:, None])
    assert whole["p95"] == 95.0


def test_healing_over_days_matches_the_rate_of_each_kind() -> None:
    # Nothing but healing happens here: no omegas, no packs.
    text = '[params]\nomega_arrival_rate = 0.0\n[[crowds]]\nkind = "human"\ncount = 3\n'
    text += '[[crowds]]\nkind = "werewolf"\ncount = 1\n'
    scenario = parse_scenario(text)
    from packlaw.sim.run import RunResult

    result: RunResult = simulate(scenario, worlds=1, days=0, seed=1)
    state = result.state
    state.columns["health"][: state.n] = 100
    from packlaw.sim.phases import Ledger, care_and_healing, new_tally

    ledger = Ledger(new_tally(state, days=10))
    for _ in range(10):
        care_and_healing(state, ledger)
        state.day += 1
    health = state.columns["health"][: state.n]
    assert list(health) == [100 + 10 * 20] * 3 + [1000]


def test_an_ally_of_pride_p_heals_on_average_at_one_plus_one_minus_p_times_the_rate() -> None:
    text = '[params]\nomega_arrival_rate = 0.0\n[[packs]]\nname = "P"\nalpha = { name = "A" }\n'
    text += 'allies = [{ name = "C", kind = "human", pride = 0.25 }]\n'
    scenario = parse_scenario(text)
    result = simulate(scenario, worlds=3000, days=0, seed=3)
    state = result.state
    ally = np.arange(3000) * 2 + 1
    state.columns["health"][ally] = 100
    from packlaw.sim.phases import Ledger, care_and_healing, new_tally

    ledger = Ledger(new_tally(state, days=5))
    for _ in range(5):  # five days, each with its own draws
        care_and_healing(state, ledger)
        state.day += 1
    gained = (state.columns["health"][ally] - 100) / 20.0  # in days of the human rate
    expected = 5 * (1 + 0.75)
    assert abs(gained.mean() - expected) < 4 * np.sqrt(5 * 0.75 * 0.25 / 3000)


def test_stiles_is_wounded_alone_more_often_when_he_pushes_himself_out() -> None:
    hills, _, _ = load_scenario("beacon-hills")
    stays, _, _ = load_scenario("stiles-stays")
    a = simulate(hills, worlds=300, days=365, seed=11).summary()["beings"]["Stiles"]
    b = simulate(stays, worlds=300, days=365, seed=11).summary()["beings"]["Stiles"]
    assert a["days"]["ally"]["mean"] > 100 > b["days"]["ally"]["mean"]
    assert a["wounded_alone"]["mean"] > b["wounded_alone"]["mean"]


@pytest.mark.parametrize(
    "module", ["packlaw.sim", "packlaw.sim.scenario", "packlaw.sim.run", "packlaw.sim.metrics"]
)
def test_the_examples_in_the_simulators_docstrings_run(module: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0


def test_serial_and_parallel_kernels_and_any_thread_count_give_the_same_numbers() -> None:
    from packlaw.sim import jit

    scenario = load_scenario()[0]
    runs = []
    try:
        for threads in (1, 2, None):
            jit.set_threads(threads)
            runs.append(simulate(scenario, worlds=30, days=60, seed=4))
    finally:
        jit.set_threads(None)
    for run in runs[1:]:
        for column in ("x", "y", "health", "standing", "alive", "pack"):
            assert np.array_equal(
                runs[0].state.columns[column][: runs[0].state.n],
                run.state.columns[column][: run.state.n],
            ), column
        assert np.array_equal(runs[0].totals, run.totals)


def test_the_thread_choice_measures_again_less_often_while_serial_keeps_winning() -> None:
    from packlaw.sim import jit

    jit.set_threads(None)
    choice = jit.ThreadChoice(jit.PARALLEL_FROM)
    choice.options = [1, 2]
    seconds = {1: 1.0, 2: 3.0}  # the parallel form is slower: serial wins every measurement
    probes = []
    for call in range(1500):
        threads = choice._choose(jit.PARALLEL_FROM)
        if threads == 2:
            probes.append(call)
        choice.record(threads, seconds[threads])
    starts = [c for i, c in enumerate(probes) if i == 0 or c > probes[i - 1] + 10]
    gaps = np.diff(starts)
    assert len(starts) == 4 and (gaps[1:] > 1.9 * gaps[:-1]).all()
    assert choice.best == 1
    seconds = {1: 3.0, 2: 1.0}  # now the parallel form is faster: chosen at the next measurement
    for _ in range(2000):
        threads = choice._choose(jit.PARALLEL_FROM)
        choice.record(threads, seconds[threads])
    assert choice.best == 2 and choice.wait == jit.REPROBE


def test_a_large_worlds_crowds_take_their_cells_in_the_spatial_indexs_order() -> None:
    from packlaw.sim.grid import bucket_side
    from packlaw.sim.state import BUCKET_ORDER_FROM, build_state

    def crowds(count: int) -> str:
        return (
            '[params]\nwidth = 1500\nheight = 1400\n[[omegas]]\nname = "O"\n'
            f'[[crowds]]\nkind = "werewolf"\ncount = 7\nhostile = true\n'
            f'[[crowds]]\nkind = "human"\ncount = {count}\n'
        )

    large = build_state(parse_scenario(crowds(BUCKET_ORDER_FROM)), 2, seed=4)
    n0, p = large.n0, large.params
    side = bucket_side(p.width, p.height, n0)
    per_row = -(-p.width // side)
    x, y = large.beings.x.astype(np.int64), large.beings.y.astype(np.int64)
    key = (y // side) * per_row + x // side
    for w in range(2):
        for rows in (slice(1, 8), slice(8, n0)):
            part = key[w * n0 + rows.start : w * n0 + rows.stop]
            assert (np.diff(part) >= 0).all()
    # the same cells as drawn, given in another order; a smaller world keeps the drawn order
    rng = np.random.default_rng(4)
    drawn = rng.integers(0, p.width, large.n, dtype=np.int16)
    assert sorted(drawn[8:n0].tolist()) == sorted(large.beings.x[8:n0].tolist())
    small = build_state(parse_scenario(crowds(BUCKET_ORDER_FROM - 9)), 1, seed=4)
    rng = np.random.default_rng(4)
    assert (small.beings.x == rng.integers(0, p.width, small.n, dtype=np.int16)).all()
