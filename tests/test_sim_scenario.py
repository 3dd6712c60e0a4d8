"""Scenario files: the model page's schema, every problem refused by key, bundled scenarios."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from packlaw.sim.scenario import (
    Params,
    ScenarioError,
    bundled_path,
    load_scenario,
    parse_scenario,
)


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "scenarios/x.toml")
    return caught.value.problems


def test_an_out_of_range_rate_is_refused_naming_file_and_key() -> None:
    assert problems("[params]\norder_rate = 1.5\n") == [
        "scenarios/x.toml: params.order_rate: must be between 0 and 1"
    ]


def test_an_unknown_key_is_refused_naming_it() -> None:
    (problem,) = problems("[params]\norder_rat = 0.5\n")
    assert problem.startswith("scenarios/x.toml: params.order_rat: unknown key")


def test_a_value_of_the_wrong_type_is_refused() -> None:
    assert problems('[params]\nwound = "0.6"\n') == [
        "scenarios/x.toml: params.wound: must be a number"
    ]
    assert problems("[params]\ncohesion = 2.5\n") == [
        "scenarios/x.toml: params.cohesion: must be a whole number"
    ]
    assert problems('[[omegas]]\nname = "S"\nhostile = "yes"\n') == [
        "scenarios/x.toml: omegas[0].hostile: must be true or false"
    ]


def test_every_problem_gets_its_own_message() -> None:
    found = problems('[params]\nwidth = 2\nconsent = -1.0\n[[crowds]]\nkind = "elf"\ncount = -3\n')
    assert len(found) == 4
    assert any("params.width" in p for p in found)
    assert any("params.consent: must be between 0 and 1" in p for p in found)
    assert any("crowds[0].kind: must be one of" in p for p in found)
    assert any("crowds[0].count" in p for p in found)


def test_strengths_and_wounds_must_be_positive_and_counts_whole() -> None:
    assert problems("[params]\nhuman_strength = 0.0\n") == [
        "scenarios/x.toml: params.human_strength: must be greater than 0"
    ]
    assert problems("[params]\nprotect_radius = -1\n") == [
        "scenarios/x.toml: params.protect_radius: must be a whole number 0 or more"
    ]


def test_health_amounts_have_at_most_three_decimals_as_in_the_rulebook() -> None:
    (problem,) = problems("[params]\nheal_human = 0.0125\n")
    assert "params.heal_human: must have at most three decimals" in problem


def test_theta_min_may_not_exceed_theta_max() -> None:
    assert problems("[params]\ntheta_min = 5.0\ntheta_max = 2.0\n") == [
        "scenarios/x.toml: params.theta_min: must be at most theta_max"
    ]


def test_traits_of_beings_are_checked_where_they_stand() -> None:
    text = '[[packs]]\nname = "P"\nalpha = { name = "A", ill_rate = 2.0 }\n'
    text += 'members = [{ name = "M", kind = "human", autonomy = 1.5 }]\n'
    found = problems(text)
    assert "scenarios/x.toml: packs[0].alpha.ill_rate: must be between 0 and 1" in found
    assert "scenarios/x.toml: packs[0].members[0].autonomy: must be between 0 and 1" in found


def test_names_are_unique_across_beings_and_packs() -> None:
    text = '[[packs]]\nname = "Hale"\nalpha = { name = "Hale" }\n'
    (problem,) = problems(text)
    assert "'Hale' is given twice" in problem


def test_a_crowd_of_humans_cannot_be_hostile() -> None:
    (problem,) = problems('[[crowds]]\nkind = "human"\ncount = 2\nhostile = true\n')
    assert "crowds[0].hostile" in problem


def test_bad_toml_is_refused_with_its_place() -> None:
    (problem,) = problems("name = \n")
    assert problem.startswith("scenarios/x.toml: not valid TOML") and "line 1" in problem


def test_defaults_are_the_model_pages() -> None:
    p = Params()
    assert (p.width, p.height, p.order_rate, p.resist_ill, p.defiance_limit) == (
        40,
        40,
        0.1,
        0.9,
        3,
    )
    assert (p.wound, p.repel_wound, p.heal_werewolf, p.heal_human) == (0.6, 0.3, 0.25, 0.02)
    assert (p.bonus, p.half, p.delta, p.alpha_s, p.xi, p.phi) == (1.0, 4.0, 0.6, 2.0, 1.0, 0.2)
    assert (p.theta_min, p.theta_max, p.lead_threshold, p.cohesion) == (1.0, 20.0, 8.0, 2)
    assert (p.protect_radius, p.patrol_radius, p.bite_rate, p.consent) == (2, 4, 0.005, 0.5)
    assert (p.join_rate, p.insincerity, p.return_rate, p.wounded_return_rate) == (
        0.02,
        0.1,
        0.001,
        0.05,
    )
    assert (p.leave_rate, p.omega_arrival_rate, p.arrival_strength) == (0.001, 0.01, 1.0)


def test_the_default_scenario_is_beacon_hills_with_a_thousand_worlds() -> None:
    scenario, text, _ = load_scenario()
    assert scenario.name == "beacon-hills"
    assert (scenario.run.worlds, scenario.run.days, scenario.run.seed) == (1000, 365, 1)
    assert scenario.beings_per_world == 1 + 4 + 1 + 2 + 40
    (hale,) = scenario.packs
    stiles = hale.members[3]
    assert (stiles.name, stiles.research, stiles.autonomy, stiles.pride) == (
        "Stiles",
        0.9,
        0.7,
        0.9,
    )
    assert hale.allies[0].strength == 0.5
    assert tomllib.loads(text)["name"] == "beacon-hills"


def test_stiles_stays_differs_from_beacon_hills_only_in_stiles_autonomy() -> None:
    hills, _, _ = load_scenario("beacon-hills")
    stays, _, _ = load_scenario(bundled_path("stiles-stays"))
    assert stays.packs[0].members[3].autonomy == 0.05
    changed = stays.model_copy(
        update={
            "name": hills.name,
            "description": hills.description,
            "packs": hills.packs,
        }
    )
    assert changed == hills
    other = [m for m in stays.packs[0].members if m.name != "Stiles"]
    assert other == [m for m in hills.packs[0].members if m.name != "Stiles"]


def test_a_missing_file_is_one_clear_problem() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("no/such/file.toml")
    assert caught.value.problems == [
        "no/such/file.toml: no such scenario file, nor a bundled scenario "
        "(the bundled ones: beacon-hills, stiles-stays)"
    ]


def test_a_byte_order_mark_at_the_start_is_accepted_and_ignored(tmp_path: Path) -> None:
    plain = bundled_path("stiles-stays").read_text(encoding="utf-8")
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.encode("utf-8"))
    scenario, text, _ = load_scenario(marked)
    assert scenario == parse_scenario(plain)
    assert text == plain  # the run stores the text without the mark
    assert parse_scenario("\ufeff" + plain) == scenario
