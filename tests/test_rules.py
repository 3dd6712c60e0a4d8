"""The rulebook engine: each test states a rule of the rulebook and checks it."""

from __future__ import annotations

from pathlib import Path

import mypy.api
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import any_event

from packlaw.rules import (
    RULE_IDS,
    RULES,
    Ally,
    Ascend,
    Ask,
    Attack,
    Being,
    Bite,
    CheckIn,
    Day,
    Death,
    Defy,
    Event,
    Heal,
    Kind,
    Leave,
    Obey,
    Order,
    Origin,
    Request,
    Rescind,
    Research,
    RuleViolation,
    Set,
    Setting,
    SettingOutOfRange,
    Settings,
    Share,
    Standing,
    Submit,
    Welcome,
    World,
)

WEREWOLF, HUMAN = Kind.WEREWOLF, Kind.HUMAN


def world_of(*events: Event | Set | Day) -> World:
    world = World()
    world.extend(events)
    return world


def hale() -> World:
    """Derek leads Hale with Isaac as beta and Stiles as a human member; Chris is an ally."""
    return world_of(
        Being("Derek", WEREWOLF, Origin.BORN),
        Being("Isaac", WEREWOLF, Origin.BITTEN),
        Being("Stiles", HUMAN),
        Being("Chris", HUMAN),
        Being("Scott", WEREWOLF),
        Ascend("Derek", "Hale"),
        Submit("Isaac", "Derek"),
        Welcome("Derek", "Isaac"),
        Submit("Stiles", "Derek"),
        Welcome("Derek", "Stiles"),
        Ally("Derek", "Chris"),
    )


def rules_of(world: World, event: Event) -> list[str]:
    return [v.rule for v in world.explain(event)]


# ----------------------------------------------------------------- standing


def test_standing_follows_the_rulebook_precedence() -> None:
    world = hale()
    assert world.standing("Derek") is Standing.ALPHA
    assert world.standing("Isaac") is Standing.MEMBER
    assert world.standing("Stiles") is Standing.MEMBER
    assert world.standing("Chris") is Standing.ALLY
    assert world.standing("Scott") is Standing.OMEGA
    world.apply(Being("Lydia", HUMAN))
    assert world.standing("Lydia") is Standing.UNAFFILIATED
    world.apply(Death("Isaac"))
    assert world.standing("Isaac") is Standing.DEAD
    assert world.standing("Nobody") is None


def test_the_catalogue_lists_r0_to_r15_with_titles_and_story() -> None:
    assert list(RULES) == [f"R{n}" for n in range(16)]
    for rule in RULES.values():
        assert rule.title and rule.text and rule.story


def test_the_rule_id_type_is_the_catalogues_ids() -> None:
    assert tuple(f"R{n}" for n in range(16)) == RULE_IDS


def test_the_type_checker_refuses_a_rule_id_the_rulebook_lacks(tmp_path: Path) -> None:
    """A refusal, an `expect Rn` and a problem carry a typed id, so a typo is caught before it runs."""
    source = tmp_path / "typo.py"
    source.write_text(
        "from packlaw.notation.check import Problem\n"
        "from packlaw.rules import ExpectRefusal, Violation\n"
        'Violation("R15", "fine")\n'
        'Violation("R16", "no such rule")\n'
        'ExpectRefusal("r3")\n'
        'Problem(None, 1, "expect", "fine")\n'
        'Problem(None, 1, "warning", "no such kind")\n'
    )
    out, _, status = mypy.api.run(
        [str(source), "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache")]
    )
    errors = [line.split(":")[1] for line in out.splitlines() if ": error:" in line]
    assert status == 1
    assert errors == ["4", "5", "7"]


# ----------------------------------------------------------------------- R0


def test_r0_names_must_exist() -> None:
    assert rules_of(hale(), Attack("Peter", "Stiles")) == ["R0"]


def test_r0_a_name_is_introduced_once_and_shared_by_beings_and_packs() -> None:
    world = hale()
    assert rules_of(world, Being("Stiles", HUMAN)) == ["R0"]
    assert rules_of(world, Being("Hale", HUMAN)) == ["R0"]
    assert rules_of(world, Ascend("Scott", "Stiles")) == ["R0"]


def test_r0_the_dead_do_nothing() -> None:
    world = hale()
    world.apply(Death("Stiles"))
    for event in (Research("Stiles", "omegas"), Heal("Stiles"), Attack("Scott", "Stiles")):
        assert rules_of(world, event) == ["R0"], event


def test_r0_only_an_outstanding_order_can_be_obeyed_or_defied() -> None:
    world = hale()
    assert rules_of(world, Obey("Stiles")) == ["R0"]
    world.apply(Order("Derek", "Stiles", "stay home"))
    world.apply(Obey("Stiles"))
    assert rules_of(world, Defy("Stiles")) == ["R0"]


def test_r0_an_origin_is_only_for_werewolves() -> None:
    assert rules_of(World(), Being("Lydia", HUMAN, Origin.BITTEN)) == ["R0"]


# ----------------------------------------------------------------------- R1


def test_r1_an_alpha_leads_exactly_one_pack() -> None:
    assert rules_of(hale(), Ascend("Derek", "Other")) == ["R1"]


def test_r1_a_pack_with_a_living_alpha_takes_no_other() -> None:
    world = hale()
    world.apply(Leave("Isaac"))
    assert "R1" in rules_of(world, Ascend("Isaac", "Hale"))


def test_r1_only_werewolves_lead() -> None:
    assert rules_of(hale(), Ascend("Chris", "Argent")) == ["R1"]


def test_r1_only_an_alpha_bite_turns() -> None:
    world = hale()
    assert rules_of(world, Bite("Isaac", "Stiles")) == ["R1"]
    assert rules_of(world, Bite("Derek", "Scott")) == ["R1"]
    world.apply(Bite("Derek", "Stiles"))
    assert world.summary().packs[0].betas == ["Isaac", "Stiles"]


def test_r1_succession_goes_to_a_beta_of_the_waiting_pack() -> None:
    world = hale()
    world.apply(Death("Derek"))
    assert not world.is_established("Hale")
    assert "R1" in rules_of(world, Ascend("Scott", "Hale"))
    world.apply(Ascend("Isaac", "Hale"))
    assert world.standing("Isaac") is Standing.ALPHA
    assert world.standing("Stiles") is Standing.MEMBER


# ----------------------------------------------------------------------- R2


def test_r2_a_pack_is_established_only_with_a_living_werewolf_beta() -> None:
    world = world_of(Being("Laura", WEREWOLF), Being("Derek", WEREWOLF), Ascend("Laura", "Hale"))
    assert not world.is_established("Hale")
    world.extend([Submit("Derek", "Laura"), Welcome("Laura", "Derek")])
    assert world.is_established("Hale")
    world.apply(Leave("Derek"))
    assert not world.is_established("Hale")


def test_r2_a_human_member_does_not_establish_a_pack() -> None:
    world = world_of(
        Being("Derek", WEREWOLF),
        Being("Stiles", HUMAN),
        Ascend("Derek", "Hale"),
        Submit("Stiles", "Derek"),
        Welcome("Derek", "Stiles"),
    )
    assert not world.is_established("Hale")


# ----------------------------------------------------------------------- R3


def test_r3_only_the_alpha_gives_orders() -> None:
    reasons = hale().explain(Order("Isaac", "Stiles", "come with me"))
    assert [v.rule for v in reasons] == ["R3"]
    assert str(reasons[0]) == "R3: Isaac cannot order Stiles: Isaac is no alpha"


def test_r3_orders_go_only_to_the_alphas_own_members() -> None:
    assert rules_of(hale(), Order("Derek", "Scott", "stay away")) == ["R3"]


# ----------------------------------------------------------------------- R4


def test_r4_a_welcome_needs_a_submission_to_that_alpha() -> None:
    world = hale()
    world.apply(Being("Lydia", HUMAN))
    reasons = world.explain(Welcome("Derek", "Lydia"))
    assert [str(v) for v in reasons] == [
        "R4: Lydia cannot be welcomed by Derek: Lydia has not submitted to Derek"
    ]


def test_r4_submission_is_only_to_an_alpha() -> None:
    assert rules_of(hale(), Submit("Scott", "Isaac")) == ["R4"]


def test_r4_submitting_alone_does_not_make_a_member() -> None:
    world = hale()
    world.apply(Submit("Scott", "Derek"))
    assert world.standing("Scott") is Standing.OMEGA
    world.apply(Welcome("Derek", "Scott"))
    assert world.standing("Scott") is Standing.MEMBER


# ----------------------------------------------------------------------- R5


def test_r5_defying_an_ill_order_keeps_the_place_and_adds_no_defiance() -> None:
    world = hale()
    world.apply(Set(Setting.DEFIANCE_LIMIT, 1000))
    world.extend([Order("Derek", "Isaac", "hurt the town", ill=True), Defy("Isaac")])
    assert world.standing("Isaac") is Standing.MEMBER
    assert world.defiance("Isaac") == 0


# ----------------------------------------------------------------------- R6


def test_r6_a_werewolf_who_leaves_is_an_omega_and_a_human_unaffiliated() -> None:
    world = hale()
    world.extend([Leave("Isaac"), Leave("Stiles")])
    assert world.standing("Isaac") is Standing.OMEGA
    assert world.standing("Stiles") is Standing.UNAFFILIATED


def test_r6_only_members_leave() -> None:
    world = hale()
    assert rules_of(world, Leave("Chris")) == ["R6"]
    assert rules_of(world, Leave("Derek")) == ["R6"]


# ----------------------------------------------------------------------- R7


def test_r7_defying_fair_orders_up_to_the_limit_puts_a_human_out_as_an_ally() -> None:
    world = hale()
    for _ in range(2):
        world.extend([Order("Derek", "Stiles", "stay out of it"), Defy("Stiles")])
    assert world.standing("Stiles") is Standing.MEMBER
    world.extend([Order("Derek", "Stiles", "stay out of it"), Defy("Stiles")])
    assert world.standing("Stiles") is Standing.ALLY
    assert world.pack_of("Stiles") == "Hale"
    assert world.defiance("Stiles") == 0


def test_r7_a_werewolf_out_by_defiance_is_an_omega() -> None:
    world = hale()
    world.apply(Set(Setting.DEFIANCE_LIMIT, 1000))
    world.extend([Order("Derek", "Isaac", "stay"), Defy("Isaac")])
    assert world.standing("Isaac") is Standing.OMEGA
    assert not world.is_established("Hale")


def test_r7_obeying_takes_defiance_back_down_but_not_below_zero() -> None:
    world = hale()
    world.extend([Order("Derek", "Stiles", "a"), Defy("Stiles"), Order("Derek", "Stiles", "b")])
    world.apply(Obey("Stiles"))
    assert world.defiance("Stiles") == 0
    world.extend([Order("Derek", "Stiles", "c"), Obey("Stiles")])
    assert world.defiance("Stiles") == 0


def test_r7_a_new_defiance_limit_applies_from_the_next_defiance() -> None:
    world = hale()
    world.extend([Order("Derek", "Stiles", "a"), Defy("Stiles"), Order("Derek", "Stiles", "b")])
    world.extend([Defy("Stiles"), Set(Setting.DEFIANCE_LIMIT, 2000)])
    assert world.standing("Stiles") is Standing.MEMBER
    world.extend([Order("Derek", "Stiles", "c"), Defy("Stiles")])
    assert world.standing("Stiles") is Standing.ALLY


def test_r7_only_a_coerced_submission_can_be_rescinded() -> None:
    world = hale()
    assert rules_of(world, Rescind("Isaac")) == ["R7"]
    world.extend([Submit("Scott", "Derek", coerced=True), Welcome("Derek", "Scott")])
    world.apply(Rescind("Scott"))
    assert world.standing("Scott") is Standing.OMEGA


def test_r7_there_is_no_event_by_which_an_alpha_expels() -> None:
    # The only ways out are the member's own: leave, rescind, or defiance.
    world = hale()
    assert rules_of(world, Leave("Derek")) == ["R6"]
    assert world.standing("Stiles") is Standing.MEMBER


# ----------------------------------------------------------------------- R8


def test_r8_effective_strength_grows_with_betas_and_levels_off() -> None:
    world = hale()
    # One beta (Isaac): Derek gets 1 * (1 + 1/5); Isaac counts no one but himself.
    assert world.strength("Derek") == pytest.approx(1.2)
    assert world.strength("Isaac") == pytest.approx(1.0)
    assert world.strength("Stiles") == pytest.approx(0.25)
    assert world.pack_strength("Hale") == pytest.approx(1.2 + 1.0 + 0.25)
    for name in ("Erica", "Boyd", "Cora"):
        world.extend([Being(name, WEREWOLF), Submit(name, "Derek"), Welcome("Derek", name)])
    assert world.strength("Derek") == pytest.approx(1 + 4 / 8)
    assert world.strength("Isaac") == pytest.approx(1 + 3 / 7)


def test_r8_an_omega_keeps_only_its_base_strength() -> None:
    assert hale().strength("Scott") == pytest.approx(1.0)


# ---------------------------------------------------------------------- R10


def test_r10_an_ally_is_asked_not_ordered() -> None:
    world = hale()
    assert rules_of(world, Order("Derek", "Chris", "guard the school")) == ["R3", "R10"]
    world.apply(Request("Derek", "Chris", "guard the school"))


def test_r10_an_alpha_checks_in_on_members_and_on_allies_who_asked() -> None:
    world = hale()
    world.apply(Attack("Scott", "Chris", 400))
    assert rules_of(world, CheckIn("Derek", "Chris")) == ["R10"]
    world.apply(Ask("Chris", "Derek", "help me home"))
    world.apply(CheckIn("Derek", "Chris"))
    assert rules_of(world, CheckIn("Derek", "Chris")) == ["R10"], "one check-in answers one ask"


def test_r10_care_doubles_the_next_default_heal() -> None:
    world = hale()
    world.apply(Attack("Scott", "Stiles", 600))
    world.extend([CheckIn("Derek", "Stiles"), Heal("Stiles")])
    assert world.health("Stiles") == 400 + 40
    world.apply(Heal("Stiles"))
    assert world.health("Stiles") == 440 + 20


def test_r10_only_an_alpha_takes_requests_and_asks() -> None:
    world = hale()
    assert rules_of(world, Request("Isaac", "Chris", "x")) == ["R10"]
    assert rules_of(world, Ask("Chris", "Isaac", "x")) == ["R10"]


# ---------------------------------------------------------------------- R11


def test_r11_pack_business_is_seen_by_the_alpha_and_members_only() -> None:
    world = hale()
    assert world.audience("Hale") == {"Derek", "Isaac", "Stiles"}
    assert "Chris" not in world.audience("Hale")
    assert rules_of(world, Share("Argent", "x")) == ["R0"]


# ---------------------------------------------------------------------- R12


def test_r12_a_bite_turns_but_does_not_bind() -> None:
    world = hale()
    world.apply(Being("Lydia", HUMAN))
    world.apply(Bite("Derek", "Lydia"))
    assert world.standing("Lydia") is Standing.OMEGA
    world.apply(Bite("Derek", "Chris"))
    assert world.standing("Chris") is Standing.ALLY


# ---------------------------------------------------------------------- R13


def test_r13_an_insincere_submission_cannot_be_welcomed() -> None:
    world = hale()
    world.apply(Submit("Scott", "Derek", insincere=True))
    assert rules_of(world, Welcome("Derek", "Scott")) == ["R13"]


# ---------------------------------------------------------------------- R14


def test_r14_humans_heal_slowly_and_werewolves_fast() -> None:
    world = hale()
    world.extend([Attack("Scott", "Stiles", 500), Attack("Scott", "Isaac", 500)])
    world.extend([Heal("Stiles"), Heal("Isaac")])
    assert world.health("Stiles") == 520
    assert world.health("Isaac") == 750
    world.apply(Set(Setting.HEAL_HUMAN, 100))
    world.apply(Heal("Stiles"))
    assert world.health("Stiles") == 620


def test_r14_health_is_capped_at_one_and_a_being_at_zero_is_dead() -> None:
    world = hale()
    world.apply(Heal("Stiles", 300))
    assert world.health("Stiles") == 1000
    world.extend([Attack("Scott", "Stiles", 600), Attack("Scott", "Stiles", 400)])
    assert world.standing("Stiles") is Standing.DEAD


# ---------------------------------------------------------------------- R15


def test_r15_a_member_must_leave_before_submitting_elsewhere() -> None:
    world = hale()
    world.extend([Being("Peter", WEREWOLF), Ascend("Peter", "Other")])
    assert rules_of(world, Submit("Isaac", "Peter")) == ["R15"]
    assert rules_of(world, Submit("Isaac", "Derek")) == ["R15"]


def test_r15_an_alpha_cannot_submit() -> None:
    world = hale()
    world.extend([Being("Peter", WEREWOLF), Ascend("Peter", "Other")])
    assert rules_of(world, Submit("Peter", "Derek")) == ["R15"]


def test_r15_an_ally_of_one_pack_cannot_ally_with_another() -> None:
    world = hale()
    world.extend([Being("Peter", WEREWOLF), Ascend("Peter", "Other")])
    assert rules_of(world, Ally("Peter", "Chris")) == ["R15"]
    assert rules_of(world, Ally("Peter", "Isaac")) == ["R15"]


# ------------------------------------------------------------------- death


def test_a_dead_alpha_with_no_beta_dissolves_the_pack() -> None:
    world = world_of(
        Being("Derek", WEREWOLF),
        Being("Stiles", HUMAN),
        Being("Argent", WEREWOLF),
        Ascend("Derek", "Hale"),
        Submit("Stiles", "Derek"),
        Welcome("Derek", "Stiles"),
        Ally("Derek", "Argent"),
    )
    world.apply(Death("Derek"))
    assert world.standing("Stiles") is Standing.UNAFFILIATED
    assert world.standing("Argent") is Standing.OMEGA


def test_ascend_with_a_dead_name_still_judges_the_packs_own_conditions() -> None:
    # rulebook: "Judging with a dead or unknown name"
    world = hale()
    world.extend([Being("Peter", WEREWOLF), Ascend("Peter", "Argent"), Death("Scott")])
    assert rules_of(world, Ascend("Scott", "Argent")) == ["R0", "R1"]
    assert rules_of(world, Ascend("Nobody", "Argent")) == ["R0", "R1"]
    assert rules_of(world, Ascend("Scott", "Newpack")) == ["R0"]


def test_ally_with_a_dead_alpha_does_not_judge_the_other_alliance() -> None:
    world = hale()  # Chris is an ally of Hale
    world.extend([Being("Peter", WEREWOLF), Ascend("Peter", "Argent"), Death("Peter")])
    assert rules_of(world, Ally("Peter", "Chris")) == ["R0"]


def test_a_waiting_pack_that_loses_its_last_werewolf_beta_dissolves() -> None:
    for loss in (Leave("Isaac"), Death("Isaac")):
        world = hale()  # Isaac is Hale's only beta; Stiles a human member; Chris an ally
        world.apply(Death("Derek"))
        assert world.standing("Stiles") is Standing.MEMBER  # the pack waits for Isaac
        world.apply(loss)
        assert world.standing("Stiles") is Standing.UNAFFILIATED, loss
        assert world.standing("Chris") is Standing.UNAFFILIATED, loss
        assert rules_of(world, Ascend("Scott", "Hale")) == ["R1"]  # nobody can succeed


def test_ascending_ends_an_alliance_of_ones_own() -> None:
    world = hale()
    world.extend([Ally("Derek", "Scott"), Ascend("Scott", "McCall")])
    assert world.standing("Scott") is Standing.ALPHA
    assert "Scott" not in next(p for p in world.summary().packs if p.name == "Hale").allies


def test_a_dead_alphas_orders_submissions_and_asks_lapse() -> None:
    world = hale()
    world.extend(
        [
            Order("Derek", "Isaac", "stay"),
            Submit("Scott", "Derek"),
            Ask("Chris", "Derek", "help"),
            Death("Derek"),
        ]
    )
    assert rules_of(world, Obey("Isaac")) == ["R0"]
    world.apply(Ascend("Isaac", "Hale"))
    assert rules_of(world, Welcome("Isaac", "Scott")) == ["R4"]


# -------------------------------------------------------- apply and explain


def test_arguments_the_wrong_way_round_get_a_hint_about_the_order() -> None:
    world = world_of(Being("Maya", WEREWOLF), Being("Ruth", HUMAN), Ascend("Maya", "Ridge"))
    (ally,) = world.explain(Ally("Ruth", "Maya"))[:1]
    assert str(ally) == (
        "R10: Maya cannot become an ally of Ruth: Ruth leads no pack "
        "(Maya leads Ridge; the order is `ally ALPHA NAME`)"
    )
    (order,) = world.explain(Order("Ruth", "Maya", "sit"))
    assert order.message.endswith("(Maya leads Ridge; the order is `order ALPHA NAME TEXT [ill]`)")
    # no hint when neither is an alpha: then nothing says the order is wrong
    world.apply(Being("Tom", HUMAN))
    (plain,) = world.explain(Ally("Ruth", "Tom"))
    assert plain.message == "Tom cannot become an ally of Ruth: Ruth leads no pack"


def test_explain_returns_every_broken_rule_not_just_the_first() -> None:
    world = hale()
    world.apply(Being("Peter", WEREWOLF))
    # Peter leads nothing (R4), and Derek is an alpha, who submits to no one (R15).
    world.apply(Ascend("Peter", "Other"))
    assert rules_of(world, Submit("Derek", "Isaac")) == ["R4", "R15"]


def test_apply_refuses_with_the_reasons_of_explain() -> None:
    world = hale()
    event = Welcome("Derek", "Scott")
    with pytest.raises(RuleViolation) as refused:
        world.apply(event)
    assert refused.value.violations == world.explain(event)
    assert refused.value.rules == ["R4"]


def test_a_world_is_freed_without_the_cyclic_collector() -> None:
    # A million-event check drops its world with the collector paused: nothing may tie
    # a world to itself, or its history would wait for the collector.
    import gc
    import weakref

    world = hale()
    world.apply(Leave("Stiles"))
    gone = weakref.ref(world)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del world
        assert gone() is None
    finally:
        if enabled:
            gc.enable()


def test_pop_undoes_the_last_statement() -> None:
    world = hale()
    before = world.copy()
    world.apply(Leave("Stiles"))
    assert world.pop() == Leave("Stiles")
    assert world == before


def test_a_day_cannot_go_back() -> None:
    world = world_of(Day(3))
    with pytest.raises(ValueError, match="goes back"):
        world.apply(Day(2))


def test_a_bad_setting_is_refused_and_changes_nothing() -> None:
    world = hale()
    bad = Set(Setting.DEFIANCE_LIMIT, 1500)
    with pytest.raises(SettingOutOfRange, match="defiance-limit") as refused:
        world.apply(bad)
    assert refused.value.statement == bad
    assert world.settings.defiance_limit == 3
    with pytest.raises(SettingOutOfRange, match="heal-human must be more than 0"):
        world.apply(Set(Setting.HEAL_HUMAN, 0))
    assert world.settings == Settings()


# ---------------------------------------------------- a refused event is inert

NAMES = ["Derek", "Isaac", "Stiles", "Chris", "Scott", "Hale", "Nobody"]
name = st.sampled_from(NAMES)
text = st.sampled_from(["go", "stay"])
amount = st.one_of(st.none(), st.integers(0, 1000))
events = any_event(name, text, amount)


@settings(max_examples=300, deadline=None)
@given(st.lists(events, max_size=30))
def test_a_refused_event_never_changes_the_world(events: list[Event]) -> None:
    world = hale()
    for event in events:
        before = world.copy()
        reasons = world.explain(event)
        assert world.is_legal(event) == (not reasons)
        if reasons:
            with pytest.raises(RuleViolation):
                world.apply(event)
            assert world == before
        else:
            world.apply(event)


@settings(max_examples=200, deadline=None)
@given(events)
def test_the_repr_of_an_event_rebuilds_it(event: Event) -> None:
    import packlaw.rules as namespace

    assert eval(repr(event), vars(namespace)) == event
