"""Each phase of the territory model on tiny hand-built worlds with known outcomes."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from packlaw.sim import kernels as k
from packlaw.sim import phases
from packlaw.sim.grid import bucket_of, build_grid, index_rows
from packlaw.sim.metrics import M_ATTACKS, M_ATTACKS_ALONE, M_HITS, M_HUNTS
from packlaw.sim.phases import Ledger, new_tally
from packlaw.sim.scenario import parse_scenario
from packlaw.sim.state import (
    ALLY,
    ALPHA,
    HUMAN,
    MEMBER,
    NO_TASK,
    NOBODY,
    OMEGA,
    PATROL,
    RESEARCH,
    STANDINGS,
    UNAFFILIATED,
    WEREWOLF,
    State,
    build_state,
)

PACK = """
[[packs]]
name = "Hale"
alpha = { name = "Derek" }
members = [
  { name = "Isaac", kind = "werewolf" },
  { name = "Stiles", kind = "human" },
]
allies = [{ name = "Chris", kind = "human" }]
"""


class World:
    """A small batch of worlds built from scenario text, with helpers to place beings."""

    def __init__(self, text: str, worlds: int = 1, seed: int = 0) -> None:
        self.scenario = parse_scenario(text)
        self.state: State = build_state(self.scenario, worlds, seed)
        self.ledger = Ledger(new_tally(self.state, days=1))

    def index_of(self, name: str) -> int:
        return next(i for i, named in self.state.named.items() if named == name)

    def row(self, name: str, world: int = 0) -> int:
        return world * self.state.n0 + self.index_of(name)

    def rows(self, name: str) -> np.ndarray:
        return np.arange(self.state.worlds) * self.state.n0 + self.index_of(name)

    def col(self, column: str) -> np.ndarray:
        return self.state.columns[column][: self.state.n]

    def place(self, **where: tuple[int, int]) -> None:
        for name, (x, y) in where.items():
            rows = self.rows(name)
            self.col("x")[rows] = x
            self.col("y")[rows] = y

    def run(self, *names: str) -> None:
        for name in names:
            if name == "grid":
                self.index()
            else:
                getattr(phases, name)(self.state, self.ledger)

    def index(self) -> None:
        p = self.state.params
        side = max(1, p.width // 8)
        self.ledger.grid = build_grid(self.state.beings, self.state.worlds, p.width, p.height, side)


def crowd_after(text: str, count: int, kind: str = "human", hostile: bool = False) -> str:
    extra = "hostile = true\n" if hostile else ""
    return f'{text}\n[[crowds]]\nkind = "{kind}"\ncount = {count}\n{extra}'


# ------------------------------------------------------------------ 1. tasks


def test_stimulus_rises_by_delta_when_nobody_did_the_task() -> None:
    w = World(PACK)
    w.run("tasks")
    assert w.state.packs.s_research[0] == pytest.approx(0.6)
    assert w.state.packs.s_patrol[0] == pytest.approx(0.6)


def test_stimulus_falls_by_alpha_s_times_the_share_who_did_the_task() -> None:
    w = World(PACK)
    w.state.packs.s_research[0] = 1.0
    w.col("task")[[w.row("Isaac"), w.row("Stiles")]] = [RESEARCH, PATROL]
    w.run("tasks")
    assert w.state.packs.s_research[0] == pytest.approx(1.0 + 0.6 - 2.0 * 1 / 2)
    assert w.state.packs.s_patrol[0] == 0.0  # 0 + 0.6 - 1, clipped at 0


def test_stimulus_never_goes_below_zero() -> None:
    w = World(PACK)
    w.col("task")[[w.row("Isaac"), w.row("Stiles")]] = RESEARCH
    w.run("tasks")
    assert w.state.packs.s_research[0] == 0.0


def test_a_member_researches_with_probability_s2_over_s2_plus_theta2() -> None:
    w = World(PACK, worlds=4000)
    w.state.packs.s_research[:] = 2.4  # 3.0 after the day's rise
    w.col("theta_research")[w.rows("Stiles")] = 3.0
    w.run("tasks")
    took = w.col("task")[w.rows("Stiles")] == RESEARCH
    expected = 9.0 / (9.0 + 9.0)
    assert abs(took.mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / 4000)


def test_the_task_done_lowers_its_threshold_and_the_other_rises() -> None:
    w = World(PACK)
    w.state.packs.s_research[0] = 1e6  # research is all but certain
    isaac = w.row("Isaac")
    w.col("theta_research")[isaac] = 5.0
    w.col("theta_patrol")[isaac] = 19.9
    w.run("tasks")
    assert w.col("task")[isaac] == RESEARCH
    assert w.col("theta_research")[isaac] == pytest.approx(4.0)
    assert w.col("theta_patrol")[isaac] == pytest.approx(20.0)  # clipped at theta_max


def test_alphas_allies_and_outsiders_have_no_task() -> None:
    w = World(crowd_after(PACK, 3))
    w.state.packs.s_research[0] = 1e6
    w.run("tasks")
    task = w.col("task")
    assert task[w.row("Derek")] == NO_TASK and task[w.row("Chris")] == NO_TASK
    assert (task[w.state.n0 - 3 :] == NO_TASK).all()
    assert task[w.row("Isaac")] == RESEARCH


def test_initial_thresholds_follow_research_and_strength() -> None:
    w = World(
        PACK.replace(
            '{ name = "Stiles", kind = "human" }',
            '{ name = "Stiles", kind = "human", research = 0.9 }',
        )
    )
    stiles, isaac = w.row("Stiles"), w.row("Isaac")
    assert w.col("theta_research")[stiles] == pytest.approx(10 * (1.5 - 0.9))
    assert w.col("theta_patrol")[stiles] == pytest.approx(10 * (1.5 - 0.25))
    assert w.col("theta_patrol")[isaac] == pytest.approx(10 * (1.5 - 1.0))


# ----------------------------------------------------------------- 2. orders


def orders_world(
    order_rate: float, ill_rate: float, autonomy: float, resist_ill: float = 0.9
) -> World:
    text = f"""
[params]
order_rate = {order_rate}
ill_rate = {ill_rate}
resist_ill = {resist_ill}
[[packs]]
name = "Hale"
alpha = {{ name = "Derek" }}
members = [
  {{ name = "Isaac", kind = "werewolf", autonomy = {autonomy} }},
  {{ name = "Stiles", kind = "human", autonomy = {autonomy} }},
]
"""
    return World(text)


def test_defying_a_legitimate_order_adds_one_to_defiance() -> None:
    w = orders_world(order_rate=1.0, ill_rate=0.0, autonomy=1.0)
    w.run("orders")
    assert w.col("defiance")[w.row("Stiles")] == 1


def test_obeying_a_legitimate_order_takes_one_off_but_not_below_zero() -> None:
    w = orders_world(order_rate=1.0, ill_rate=0.0, autonomy=0.0)
    stiles, isaac = w.row("Stiles"), w.row("Isaac")
    w.col("defiance")[stiles] = 2
    w.run("orders")
    assert w.col("defiance")[stiles] == 1
    assert w.col("defiance")[isaac] == 0


def test_defying_an_ill_order_changes_nothing() -> None:
    w = orders_world(order_rate=1.0, ill_rate=1.0, autonomy=1.0, resist_ill=1.0)
    stiles = w.row("Stiles")
    w.col("defiance")[stiles] = 2
    w.run("orders")
    assert w.col("defiance")[stiles] == 2
    assert w.col("standing")[stiles] == MEMBER


def test_at_the_defiance_limit_a_human_becomes_an_ally_and_a_werewolf_an_omega() -> None:
    w = orders_world(order_rate=1.0, ill_rate=0.0, autonomy=1.0)
    stiles, isaac = w.row("Stiles"), w.row("Isaac")
    w.col("defiance")[[stiles, isaac]] = 2
    w.col("task")[[stiles, isaac]] = RESEARCH
    w.run("orders")
    assert w.col("standing")[stiles] == ALLY and w.col("pack")[stiles] == 0
    assert w.col("standing")[isaac] == OMEGA and not w.col("hostile")[isaac]
    assert w.col("pack")[isaac] == NOBODY
    assert (w.col("defiance")[[stiles, isaac]] == 0).all()
    assert (w.col("task")[[stiles, isaac]] == NO_TASK).all()


def test_a_member_gets_an_order_with_probability_order_rate() -> None:
    text = "[params]\norder_rate = 0.1\n" + '[[packs]]\nname = "P"\nalpha = { name = "A" }\n'
    text += (
        "members = ["
        + ", ".join(f'{{ name = "M{i}", kind = "werewolf" }}' for i in range(50))
        + "]\n"
    )
    w = World(text, worlds=200)
    seen: dict[str, np.ndarray] = {}

    class Spy:
        def phase(self, name: str, state: State, **happened: np.ndarray) -> None:
            seen.update(happened)

    w.ledger.chronicler = Spy()
    w.run("orders")
    given = (seen["outcome"] != k.NO_ORDER).mean()
    n = len(seen["outcome"])
    assert n == 200 * 50
    assert abs(given - 0.1) < 4 * np.sqrt(0.1 * 0.9 / n)


# --------------------------------------------------------------- 3. movement


def test_a_member_beyond_cohesion_steps_toward_its_alpha() -> None:
    w = World(PACK)
    w.place(Derek=(10, 10), Isaac=(14, 7), Stiles=(10, 13), Chris=(30, 30))
    w.run("movement")
    assert (w.col("x")[w.row("Isaac")], w.col("y")[w.row("Isaac")]) == (13, 8)
    assert (w.col("x")[w.row("Stiles")], w.col("y")[w.row("Stiles")]) == (10, 12)


def test_a_member_steps_the_shorter_way_round_the_torus() -> None:
    w = World(PACK)
    w.place(Derek=(38, 1), Isaac=(2, 38), Stiles=(20, 1), Chris=(30, 30))
    w.run("movement")
    # Isaac: 4 cells west across the edge, 3 south across the edge
    assert (w.col("x")[w.row("Isaac")], w.col("y")[w.row("Isaac")]) == (1, 39)
    # Stiles: 18 cells east or 22 west; the shorter is east
    assert w.col("x")[w.row("Stiles")] == 21


def test_when_both_ways_round_are_equally_short_a_member_moves_plus() -> None:
    w = World(PACK)
    w.place(Derek=(0, 5), Isaac=(20, 5), Stiles=(0, 6), Chris=(30, 30))
    w.run("movement")
    assert (w.col("x")[w.row("Isaac")], w.col("y")[w.row("Isaac")]) == (21, 5)


def test_a_member_steps_toward_where_its_alpha_was_at_the_start_of_the_phase() -> None:
    w = World(PACK, worlds=50)
    w.place(Derek=(10, 10), Isaac=(15, 10), Stiles=(10, 11), Chris=(30, 30))
    w.run("movement")
    assert (w.col("x")[w.rows("Isaac")] == 14).all()
    assert (w.col("y")[w.rows("Isaac")] == 10).all()


def test_everyone_else_steps_to_one_of_the_nine_cells_around_uniformly() -> None:
    w = World(crowd_after("", 1), worlds=9000)
    w.col("x")[:] = 5
    w.col("y")[:] = 5
    w.run("movement")
    cell = (w.col("x") - 4) * 3 + (w.col("y") - 4)
    counts = np.bincount(cell, minlength=9)
    assert counts.min() >= 0 and len(counts) == 9
    assert np.all(np.abs(counts - 1000) < 4 * np.sqrt(1000))


def test_an_ally_with_a_lead_walks_to_its_target() -> None:
    w = World(PACK + '[[omegas]]\nname = "Stranger"\nhostile = true\n')
    w.place(Derek=(1, 1), Isaac=(1, 2), Stiles=(2, 1), Chris=(10, 10), Stranger=(20, 5))
    w.col("lead")[w.row("Chris")] = w.row("Stranger")
    w.run("movement")
    assert (w.col("x")[w.row("Chris")], w.col("y")[w.row("Chris")]) == (11, 9)


# ---------------------------------------------------------------- 4. attacks

ATTACK = (
    PACK.replace(
        '{ name = "Chris", kind = "human" }', '{ name = "Chris", kind = "human", strength = 0.001 }'
    )
    + '[[omegas]]\nname = "Stranger"\nhostile = true\nstrength = 1000.0\n'
)


def test_an_attack_on_a_lone_ally_has_no_defenders() -> None:
    w = World(ATTACK)
    # the pack's werewolves stand right beside Chris: allies are alone all the same
    w.place(Chris=(10, 10), Stranger=(11, 10), Derek=(9, 10), Isaac=(9, 9), Stiles=(30, 30))
    w.run("grid", "attacks")
    today = w.ledger.today[0]
    assert today[M_ATTACKS] == 1 and today[M_ATTACKS_ALONE] == 1
    assert today[M_HITS] == 1
    chris = w.row("Chris")
    assert w.col("health")[chris] == 400
    assert w.col("wounded_as_ally")[chris]


def test_a_member_is_defended_by_pack_werewolves_within_protect_radius() -> None:
    w = World(ATTACK)
    w.place(Stiles=(10, 10), Stranger=(11, 10), Derek=(12, 12), Isaac=(30, 30), Chris=(20, 20))
    w.run("grid", "attacks")
    assert w.ledger.today[0, M_ATTACKS] == 1 and w.ledger.today[0, M_ATTACKS_ALONE] == 0


def test_a_werewolf_beyond_protect_radius_defends_only_on_patrol() -> None:
    for task, alone in ((NO_TASK, 1), (PATROL, 0)):
        w = World(ATTACK)
        w.place(Stiles=(10, 10), Stranger=(11, 10), Isaac=(14, 10), Derek=(30, 30), Chris=(20, 20))
        w.col("task")[w.row("Isaac")] = task
        w.run("grid", "attacks")
        assert w.ledger.today[0, M_ATTACKS_ALONE] == alone


def test_human_members_do_not_defend() -> None:
    w = World(ATTACK)
    w.place(Isaac=(10, 10), Stranger=(11, 10), Stiles=(9, 10), Derek=(30, 30), Chris=(20, 20))
    w.run("grid", "attacks")
    assert w.ledger.today[0, M_ATTACKS_ALONE] == 1


def test_omegas_are_never_targets_and_far_beings_are_safe() -> None:
    w = World(ATTACK + '[[omegas]]\nname = "Scott"\n')
    w.place(
        Scott=(11, 11),
        Stranger=(10, 10),
        Stiles=(12, 12),
        Derek=(30, 30),
        Isaac=(31, 31),
        Chris=(20, 20),
    )
    w.run("grid", "attacks")
    assert w.ledger.today[0, M_ATTACKS] == 0


def test_an_attack_succeeds_with_probability_a_over_a_plus_d() -> None:
    text = '[[omegas]]\nname = "Stranger"\nhostile = true\n' + crowd_after("", 1)
    w = World(text, worlds=4000)
    w.col("x")[:] = 5
    w.col("y")[:] = 5
    w.run("grid", "attacks")
    hits = w.ledger.today[:, M_HITS]
    assert w.ledger.today[:, M_ATTACKS].sum() == 4000
    expected = 1.0 / (1.0 + 0.25)
    assert abs(hits.mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / 4000)
    # failures wound the omega by repel_wound
    omega_health = w.col("health")[np.arange(4000) * 2]
    assert set(np.unique(omega_health)) <= {700, 1000}
    assert ((omega_health == 700) == (hits == 0)).all()


def test_wounds_of_several_attacks_on_one_target_add_up() -> None:
    text = '[[omegas]]\nname = "A"\nhostile = true\nstrength = 1000.0\n'
    text += '[[omegas]]\nname = "B"\nhostile = true\nstrength = 1000.0\n'
    text += '[[packs]]\nname = "P"\nalpha = { name = "Z" }\nallies = [{ name = "Chris", kind = "human", strength = 0.001 }]\n'
    w = World(text)
    w.place(A=(5, 5), B=(6, 6), Chris=(5, 6), Z=(30, 30))
    w.run("grid", "attacks", "deaths")
    chris = w.row("Chris")
    assert w.col("health")[chris] == 0 and not w.col("alive")[chris]


# ----------------------------------------------------------------- 5. deaths


SUCCESSION = """
[[packs]]
name = "Hale"
alpha = { name = "Derek" }
members = [
  { name = "Isaac", kind = "werewolf", strength = 1.1 },
  { name = "Erica", kind = "werewolf", strength = 1.4 },
  { name = "Boyd", kind = "werewolf", strength = 1.4 },
  { name = "Stiles", kind = "human", strength = 5.0 },
]
"""


def test_succession_picks_the_strongest_living_beta_lowest_index_on_a_tie() -> None:
    w = World(SUCCESSION)
    w.state.packs.knowledge[0] = 3.0
    w.col("health")[w.row("Derek")] = 0
    w.run("deaths")
    erica = w.row("Erica")
    assert not w.col("alive")[w.row("Derek")]
    assert w.col("standing")[erica] == ALPHA
    assert w.state.packs.alpha[0] == erica
    assert w.state.packs.knowledge[0] == 3.0  # the pack keeps its knowledge


def test_a_beta_who_dies_with_its_alpha_does_not_succeed() -> None:
    w = World(SUCCESSION)
    w.col("health")[[w.row("Derek"), w.row("Erica")]] = 0
    w.run("deaths")
    assert w.state.packs.alpha[0] == w.row("Boyd")


def test_a_pack_with_no_living_beta_dissolves() -> None:
    text = """
[[packs]]
name = "Hale"
alpha = { name = "Derek" }
members = [{ name = "Stiles", kind = "human" }]
allies = [{ name = "Chris", kind = "human" }, { name = "Peter", kind = "werewolf" }]
"""
    w = World(text)
    w.state.packs.knowledge[0] = 5.0
    w.col("health")[w.row("Derek")] = 0
    w.run("deaths")
    standing = w.col("standing")
    assert w.state.packs.alpha[0] == NOBODY
    assert w.state.packs.knowledge[0] == 0.0
    assert standing[w.row("Stiles")] == UNAFFILIATED
    assert standing[w.row("Chris")] == UNAFFILIATED
    assert standing[w.row("Peter")] == OMEGA and not w.col("hostile")[w.row("Peter")]
    assert (w.col("pack")[[w.row("Stiles"), w.row("Chris"), w.row("Peter")]] == NOBODY).all()


def test_the_dead_are_counted_by_the_standing_they_held() -> None:
    from packlaw.sim.metrics import M_DEATHS, M_DEATHS_OF

    w = World(SUCCESSION)
    w.col("health")[w.row("Stiles")] = 0
    w.run("deaths")
    assert w.ledger.today[0, M_DEATHS] == 1
    assert w.ledger.today[0, M_DEATHS_OF + MEMBER] == 1
    assert w.col("standing")[w.row("Stiles")] == MEMBER and not w.col("alive")[w.row("Stiles")]


# ---------------------------------------------------- 6. research and hunts


HUNT = """
[params]
lead_threshold = 8.0
[[packs]]
name = "Hale"
alpha = { name = "Derek" }
members = [{ name = "Isaac", kind = "werewolf" }, { name = "Stiles", kind = "human", research = 0.9 }]
allies = [{ name = "Chris", kind = "human", research = 0.5 }]
[[omegas]]
name = "Far"
hostile = true
[[omegas]]
name = "Near"
hostile = true
"""


def test_researchers_add_their_research_to_the_pack_and_allies_research_alone() -> None:
    w = World(HUNT.replace("hostile = true", "hostile = false"))
    w.col("task")[w.row("Stiles")] = RESEARCH
    w.state.packs.knowledge[0] = 1.0
    w.run("grid", "research_and_hunts")
    assert w.state.packs.knowledge[0] == pytest.approx(1.9)
    assert w.col("knowledge")[w.row("Chris")] == pytest.approx(0.5)


def test_without_a_hostile_omega_there_is_no_hunt_and_knowledge_keeps_growing() -> None:
    w = World(HUNT.replace("hostile = true", "hostile = false"))
    w.state.packs.knowledge[0] = 20.0
    w.col("task")[w.row("Stiles")] = RESEARCH
    w.run("grid", "research_and_hunts")
    assert w.state.packs.knowledge[0] == pytest.approx(20.9)
    assert w.ledger.today[0, M_HUNTS] == 0


def test_a_pack_that_knows_enough_hunts_the_hostile_omega_nearest_its_alpha() -> None:
    w = World(HUNT, worlds=400)
    w.place(
        Derek=(10, 10), Isaac=(10, 11), Stiles=(11, 10), Chris=(0, 0), Far=(30, 30), Near=(14, 12)
    )
    w.state.packs.knowledge[:] = 8.0
    w.run("grid", "research_and_hunts")
    assert (w.ledger.today[:, M_HUNTS] == 1).all()
    assert (w.state.packs.knowledge == 0.0).all()
    assert w.col("alive")[w.rows("Far")].all()
    near_died = ~w.col("alive")[w.rows("Near")]
    # hunters: Derek (1 + 1/5) and Isaac (1 + 0/4), against the omega's 1.0
    h = 1.2 + 1.0
    expected = h / (h + 1.0)
    assert abs(near_died.mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / 400)
    hunter_health = w.col("health")[np.concatenate([w.rows("Derek"), w.rows("Isaac")])]
    assert (hunter_health < 1000).sum() == (~near_died).sum()


def test_an_ally_takes_a_lead_and_confirms_it_to_its_pack_when_beside_the_omega() -> None:
    w = World(HUNT)
    chris = w.row("Chris")
    w.place(Derek=(0, 0), Isaac=(0, 1), Stiles=(1, 0), Chris=(10, 10), Far=(30, 30), Near=(15, 10))
    w.col("knowledge")[chris] = 7.8
    w.run("grid", "research_and_hunts")
    assert w.col("lead")[chris] == w.row("Near")
    assert w.col("knowledge")[chris] == 0.0
    w.place(Chris=(14, 11))
    w.run("grid", "research_and_hunts")
    assert w.col("lead")[chris] == NOBODY
    assert w.state.packs.knowledge[0] >= 8.0


# ------------------------------------------------------ 7. care and healing


def test_members_of_a_living_alphas_pack_heal_double_and_health_stops_at_one() -> None:
    w = World(crowd_after(PACK, 1) + '[[omegas]]\nname = "Scott"\n')
    health = w.col("health")
    health[:] = 500
    health[w.row("Isaac")] = 800
    w.run("care_and_healing")
    assert health[w.row("Isaac")] == 1000  # 0.8 + 2 x 0.25, capped
    assert health[w.row("Stiles")] == 540  # cared-for human: 2 x 0.02
    assert health[w.row("Scott")] == 750  # omega werewolf: 0.25
    assert health[w.state.n0 - 1] == 520  # unaffiliated human: 0.02


def test_an_alpha_is_not_cared_for_and_heals_at_its_kinds_rate() -> None:
    w = World(PACK)
    w.col("health")[w.row("Derek")] = 500
    w.run("care_and_healing")
    assert w.col("health")[w.row("Derek")] == 750


def test_members_and_allies_of_a_pack_with_no_living_alpha_are_not_cared_for() -> None:
    text = PACK.replace(
        '{ name = "Chris", kind = "human" }', '{ name = "Chris", kind = "human", pride = 0.0 }'
    )
    w = World(text)
    w.state.packs.alpha[0] = NOBODY  # as if the pack had lost its alpha
    w.col("health")[:] = 500
    w.run("care_and_healing")
    assert w.col("health")[w.row("Isaac")] == 750
    assert w.col("health")[w.row("Stiles")] == 520
    assert w.col("health")[w.row("Chris")] == 520


def test_an_injured_ally_is_cared_for_when_it_asks_with_probability_one_minus_pride() -> None:
    text = PACK.replace(
        '{ name = "Chris", kind = "human" }', '{ name = "Chris", kind = "human", pride = 0.7 }'
    )
    w = World(text, worlds=4000)
    chris = w.rows("Chris")
    w.col("health")[chris] = 500
    w.run("care_and_healing")
    asked = w.col("health")[chris] == 540
    assert set(np.unique(w.col("health")[chris])) <= {520, 540}
    assert abs(asked.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 4000)


# ------------------------------------------------------------------ 8. bites


def bite_world(lethality: float, submit: float) -> World:
    text = f"""
[params]
bite_rate = 1.0
consent = 1.0
bite_lethality = {lethality}
submit_after_bite = {submit}
bitten_strength = 1.5
[[packs]]
name = "Hale"
alpha = {{ name = "Derek" }}
members = [{{ name = "Stiles", kind = "human" }}]
[[omegas]]
name = "Scott"
"""
    w = World(crowd_after(text, 1))
    w.place(Derek=(5, 5), Stiles=(5, 6), Scott=(6, 5))
    w.col("x")[w.state.n0 - 1] = 4
    w.col("y")[w.state.n0 - 1] = 4
    return w


def test_an_alpha_bite_turns_an_unaffiliated_human_who_then_submits() -> None:
    w = bite_world(lethality=0.0, submit=1.0)
    human = w.state.n0 - 1
    w.col("health")[human] = 300
    w.run("grid", "bites")
    assert w.col("kind")[human] == WEREWOLF
    assert w.col("standing")[human] == MEMBER and w.col("pack")[human] == 0
    assert w.col("strength")[human] == pytest.approx(1.5)
    assert w.col("health")[human] == 300  # keeps its health
    assert w.col("theta_patrol")[human] == pytest.approx(5.0)
    assert w.col("kind")[w.row("Stiles")] == HUMAN  # members are never bitten


def test_a_bitten_human_who_does_not_submit_is_an_omega() -> None:
    w = bite_world(lethality=0.0, submit=0.0)
    human = w.state.n0 - 1
    w.run("grid", "bites")
    assert w.col("standing")[human] == OMEGA and not w.col("hostile")[human]


def test_a_lethal_bite_kills() -> None:
    w = bite_world(lethality=1.0, submit=1.0)
    human = w.state.n0 - 1
    w.run("grid", "bites")
    assert not w.col("alive")[human]


# ---------------------------------------------------------------- 9. joining


def join_world(insincerity: float) -> World:
    text = f"""
[params]
join_rate = 1.0
insincerity = {insincerity}
wounded_return_rate = 1.0
return_rate = 0.0
[[packs]]
name = "Hale"
alpha = {{ name = "Derek" }}
allies = [{{ name = "Chris", kind = "human" }}, {{ name = "Argent", kind = "human" }}]
[[packs]]
name = "Alpha"
alpha = {{ name = "Deucalion" }}
[[omegas]]
name = "Scott"
[[omegas]]
name = "Stranger"
hostile = true
"""
    w = World(text)
    w.place(
        Derek=(5, 5),
        Deucalion=(7, 5),
        Scott=(6, 5),
        Stranger=(5, 6),
        Chris=(30, 30),
        Argent=(20, 20),
    )
    return w


def test_an_omega_beside_an_alpha_submits_to_the_nearest_lowest_index_on_a_tie() -> None:
    w = join_world(insincerity=0.0)
    w.run("grid", "joining")
    scott = w.row("Scott")
    assert w.col("standing")[scott] == MEMBER and w.col("pack")[scott] == 0
    assert w.col("standing")[w.row("Stranger")] == OMEGA  # hostile omegas never submit


def test_an_insincere_submission_is_refused() -> None:
    w = join_world(insincerity=1.0)
    w.run("grid", "joining")
    assert w.col("standing")[w.row("Scott")] == OMEGA


def test_a_wounded_ally_comes_back_and_its_flag_is_cleared() -> None:
    w = join_world(insincerity=0.0)
    chris, argent = w.row("Chris"), w.row("Argent")
    w.col("wounded_as_ally")[chris] = True
    w.col("knowledge")[chris] = 3.0
    w.run("grid", "joining")
    assert w.col("standing")[chris] == MEMBER and w.col("pack")[chris] == 0
    assert not w.col("wounded_as_ally")[chris] and w.col("knowledge")[chris] == 0.0
    assert w.col("standing")[argent] == ALLY


# ---------------------------------------------------------------- 10. leaving


def test_a_werewolf_who_leaves_is_an_omega_and_a_human_unaffiliated() -> None:
    w = World("[params]\nleave_rate = 1.0\n" + PACK)
    w.run("leaving")
    assert w.col("standing")[w.row("Isaac")] == OMEGA
    assert w.col("standing")[w.row("Stiles")] == UNAFFILIATED
    assert w.col("standing")[w.row("Chris")] == ALLY  # allies are not members
    assert w.col("standing")[w.row("Derek")] == ALPHA


# --------------------------------------------------------------- 11. arrivals


def test_an_arriving_omega_is_hostile_with_arrival_strength_and_grows_the_arrays() -> None:
    w = World(
        "[params]\nomega_arrival_rate = 1.0\narrival_strength = 2.0\n" + crowd_after("", 1),
        worlds=3,
    )
    before = w.state.n
    for _ in range(40):  # far beyond the reserve: the columns must grow
        w.run("arrivals")
    assert w.state.n == before + 3 * 40
    new = slice(before, w.state.n)
    assert (w.col("standing")[new] == OMEGA).all() and w.col("hostile")[new].all()
    assert (w.col("strength")[new] == 2.0).all() and (w.col("health")[new] == 1000).all()
    assert (np.bincount(w.col("world")[new]) == 40).all()


@pytest.mark.parametrize(("hostile", "width"), [(3, 41), (400, 41), (60, 7)])
def test_the_nearest_hostile_omega_is_found_lowest_index_on_a_tie(hostile: int, width: int) -> None:
    text = f"[params]\nwidth = {width}\nheight = {width + 2}\n" + crowd_after(
        "", hostile, "werewolf", hostile=True
    )
    w = World(crowd_after(text, 50), seed=hostile)
    b, p = w.state.beings, w.state.params
    hostile_rows = k.hostile_by_world(b, 1)
    g = index_rows(b, hostile_rows[1], hostile, 1, p.width, p.height)
    rng = np.random.default_rng(1)
    for _ in range(200):
        x, y = int(rng.integers(0, p.width)), int(rng.integers(0, p.height))
        found = k.nearest_hostile(b.alive, b.x, b.y, hostile_rows, g, 0, x, y)
        dx = np.abs(b.x[:hostile].astype(int) - x)
        dy = np.abs(b.y[:hostile].astype(int) - y)
        d = np.maximum(np.minimum(dx, p.width - dx), np.minimum(dy, p.height - dy))
        assert found == int(np.argmin(d))


@pytest.mark.parametrize(("width", "side"), [(41, 5), (41, 41), (9, 2)])
def test_a_neighbour_query_finds_exactly_the_living_beings_in_range(width: int, side: int) -> None:
    w = World(f"[params]\nwidth = {width}\nheight = {width + 3}\n" + crowd_after("", 300), 3, 5)
    b, p = w.state.beings, w.state.params
    b.alive[::7] = False  # the dead stay out of every answer, wherever they stand
    g = build_grid(b, 3, p.width, p.height, side)
    assert len(g.entries) == int(b.alive.sum())
    rng = np.random.default_rng(2)
    for r in range(6):  # many places at a time, as the phases ask
        worlds = rng.integers(0, 3, 60)
        xs, ys = rng.integers(0, p.width, 60), rng.integers(0, p.height, 60)
        first, found = k.near_each(b.alive, g, worlds, xs, ys, r)
        for world, x, y, rows in zip(
            worlds, xs, ys, np.split(found[: first[-1]], first[1:-1]), strict=True
        ):
            dx = np.abs(b.x.astype(int) - x)
            dy = np.abs(b.y.astype(int) - y)
            d = np.maximum(np.minimum(dx, p.width - dx), np.minimum(dy, p.height - dy))
            expected = np.flatnonzero(b.alive & (b.world == world) & (d <= r))
            assert sorted(rows.tolist()) == expected.tolist()


@pytest.mark.parametrize("count", [1, 2, 3, 9, 64, 1_000, 32_767])
def test_a_pick_in_whole_numbers_is_the_floating_point_one_even_at_the_edges(count: int) -> None:
    def as_written(m: int) -> int:
        return min(int(np.float64(m) * 2.0**-53 * count), count - 1)

    rng = np.random.default_rng(count)
    drawn = [int(m) for m in rng.integers(0, 2**53, 2_000, dtype=np.int64)]
    # the largest m below each step q -> q + 1, and its neighbours, where rounding may carry
    edges = [
        ((q + 1) * 2**53 - 1) // count + d for q in range(min(count, 50)) for d in (-2, -1, 0, 1)
    ]
    for m in drawn + [0, 2**53 - 1] + [e for e in edges if 0 <= e < 2**53]:
        assert k.pick_of_bits(np.uint64(m), count) == as_written(m)
    key = np.uint64(k.stream(7, 3, k.MOVEMENT))
    for actor in range(200):
        assert k.pick(key, actor, 1, count) == as_written(int(k.bits(key, actor, 1)))


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 64, 1_001])
def test_the_standing_lists_are_the_living_of_each_wanted_standing_in_row_order(n: int) -> None:
    rng = np.random.default_rng(n)
    standing = rng.integers(0, len(STANDINGS), n).astype(np.int8)
    alive = rng.random(n) < 0.8
    for wanted in (0b00010, 0b01101, 0b11111):
        start, rows = k.standing_lists(alive, standing, wanted)
        for s in range(len(STANDINGS)):
            expected = np.flatnonzero(alive & (standing == s)) if wanted >> s & 1 else []
            assert rows[start[s] : start[s + 1]].tolist() == list(expected)


def test_a_cell_s_bucket_worked_out_in_floating_point_is_the_whole_number_quotient() -> None:
    @njit
    def buckets(cells: np.ndarray, side: int) -> np.ndarray:
        return np.array([bucket_of(c, 1.0 / side) for c in cells])

    for side in (1, 2, 3, 7, 10, 11, 97, 1_000, 4_093, 2**14 + 1, 2**15 - 1):
        # every bucket's first and last cell (a column holds cells below 2**15): where a
        # rounding error would show
        cells = np.concatenate([np.arange(0, 2**15, side), np.arange(side - 1, 2**15, side)])
        assert buckets(cells.astype(np.int16), side).tolist() == (cells // side).tolist()


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 10])
def test_a_step_toward_a_cell_goes_the_shorter_way_round_forward_on_a_tie(size: int) -> None:
    for a in range(size):
        for target in range(size):
            forward = (target - a) % size  # cells to go forward; size - forward back
            if forward == 0:
                expected = a
            elif forward <= size - forward:
                expected = (a + 1) % size
            else:
                expected = (a - 1) % size
            assert k.step_toward(a, target, size) == expected
