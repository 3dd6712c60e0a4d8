"""Checking and replaying chronicles: broken rules, expectations, the world at a point, R11 views."""

from __future__ import annotations

from packlaw.notation import check_chronicle, pack_business, parse_chronicle, replay, view_as
from packlaw.rules import Share, Standing

PACK = """\
being Derek werewolf
being Isaac werewolf bitten
being Stiles human
ascend Derek Hale
submit Isaac Derek
welcome Derek Isaac
"""  # six lines: Derek leads Hale, Isaac is its beta, Stiles is on his own


def problems(text: str) -> list[str]:
    return [str(p) for p in check_chronicle(parse_chronicle(text, filename="t.chronicle"))]


def test_a_clean_chronicle_has_no_problems() -> None:
    assert problems(PACK + "expect Hale established\nexpect Isaac member Hale\n") == []


def test_an_unannounced_illegal_event_is_reported_once_per_broken_rule_and_skipped() -> None:
    found = problems(PACK + 'order Isaac Stiles "come"\nexpect Stiles unaffiliated\n')
    assert found == ["t.chronicle:7: R3: Isaac cannot order Stiles: Isaac is no alpha"]
    two_rules = problems(PACK + "ally Derek Stiles\n" + 'order Derek Stiles "come"\n')
    assert [p.split(": ")[1] for p in two_rules] == ["R3", "R10"]
    assert all(p.startswith("t.chronicle:8: ") for p in two_rules)


def test_an_illegal_event_is_skipped_and_the_chronicle_goes_on() -> None:
    found = problems(PACK + "welcome Derek Stiles\nsubmit Stiles Derek\nwelcome Derek Stiles\n")
    assert found == [
        "t.chronicle:7: R4: Stiles cannot be welcomed by Derek: Stiles has not submitted to Derek"
    ]


def test_expect_rule_holds_when_the_next_event_breaks_that_rule_and_changes_nothing() -> None:
    text = PACK + "expect R4\nwelcome Derek Stiles\nexpect Stiles unaffiliated\n"
    assert problems(text) == []


def test_expect_rule_skips_directives_and_other_expectations() -> None:
    text = PACK + "expect R4\nday 3\nset defiance-limit 2\nexpect Hale established\n"
    text += "welcome Derek Stiles\n"
    assert problems(text) == []


def test_several_expect_rules_in_a_row_apply_to_the_same_event() -> None:
    text = PACK + 'ally Derek Stiles\nexpect R3\nexpect R10\norder Derek Stiles "x"\n'
    assert problems(text) == []
    wrong = PACK + 'ally Derek Stiles\nexpect R3\nexpect R4\norder Derek Stiles "x"\n'
    (found,) = problems(wrong)
    assert found.startswith(
        't.chronicle:9: expect: expected `order Derek Stiles "x"` (line 10) to break R4, '
        "but it breaks R3 ("
    )


def test_an_announced_event_that_is_legal_is_applied_and_the_expectation_fails() -> None:
    text = PACK + "expect R4\nsubmit Stiles Derek\nwelcome Derek Stiles\nexpect Stiles member\n"
    assert problems(text) == [
        "t.chronicle:7: expect: expected `submit Stiles Derek` (line 8) to break R4, but it is legal"
    ]


def test_note_is_an_event_an_expect_rule_can_announce() -> None:
    (found,) = problems(PACK + 'expect R0\nnote "nothing wrong"\n')
    assert 'expected `note "nothing wrong"` (line 8) to break R0, but it is legal' in found


def test_an_expect_rule_with_no_event_after_it_fails() -> None:
    assert problems(PACK + "expect R3\nday 2\n") == [
        "t.chronicle:7: expect: expected the next event to break R3, but no event follows"
    ]


def test_expect_standing_checks_the_standing_and_the_pack() -> None:
    assert problems(PACK + "expect Derek alpha Hale\nexpect Isaac member\n") == []
    assert problems(PACK + "expect Stiles ally Hale\nexpect Isaac member Argent\n") == [
        "t.chronicle:7: expect: expected Stiles to be an ally of Hale, but Stiles is unaffiliated",
        "t.chronicle:8: expect: expected Isaac to be a member of Argent, but Isaac is a member of Hale",
    ]


def test_expect_standing_of_a_name_that_is_no_being_fails() -> None:
    assert problems(PACK + "expect Scott omega\nexpect Hale dead\n") == [
        "t.chronicle:7: expect: expected Scott to be an omega, but there is no being named Scott",
        "t.chronicle:8: expect: expected Hale to be dead, but Hale is a pack, not a being",
    ]


def test_expect_established_and_alone_follow_r2() -> None:
    assert problems(PACK + "expect Hale established\n") == []
    assert problems(PACK + "leave Isaac\nexpect Hale established\nexpect Hale alone\n") == [
        "t.chronicle:8: expect: expected Hale to be established, but Hale is alone: "
        "it has no living werewolf beta"
    ]
    assert problems(PACK + "expect Hale alone\nexpect Argent alone\nexpect Stiles alone\n") == [
        "t.chronicle:7: expect: expected Hale to be alone, but Hale is established (R2)",
        "t.chronicle:8: expect: expected Argent to be alone, but there is no pack named Argent",
        "t.chronicle:9: expect: expected Stiles to be alone, but Stiles is a being, not a pack",
    ]


def test_expect_health_holds_for_exactly_that_many_thousandths() -> None:
    # full health is 1; the default wound is 0.5; a human heals 0.02 a day
    text = PACK + "expect Stiles health 1\nattack Isaac Stiles\nexpect Stiles health 0.5\n"
    text += "heal Stiles\nexpect Stiles health 0.52\n"
    assert problems(text) == []
    assert problems(PACK + "attack Isaac Stiles 0.7\nexpect Stiles health 0.5\n") == [
        "t.chronicle:8: expect: expected Stiles's health to be 0.5, but it is 0.3"
    ]


def test_a_dead_beings_health_is_zero() -> None:
    assert problems(PACK + "death Stiles\nexpect Stiles health 0\n") == []
    assert problems(PACK + "attack Derek Isaac 1\nexpect Isaac health 0.1\n") == [
        "t.chronicle:8: expect: expected Isaac's health to be 0.1, but it is 0 (dead)"
    ]


def test_expect_health_of_a_name_that_is_no_being_fails() -> None:
    assert problems(PACK + "expect Scott health 1\nexpect Hale health 1\n") == [
        "t.chronicle:7: expect: expected Scott's health to be 1, but there is no being named Scott",
        "t.chronicle:8: expect: expected Hale's health to be 1, but Hale is a pack, not a being",
    ]


def test_a_pack_whose_alpha_died_waits_alone_for_a_successor() -> None:
    found = problems(PACK + "death Derek\nexpect Hale established\n")
    assert found == [
        "t.chronicle:8: expect: expected Hale to be established, but Hale is alone: "
        "it has no living alpha"
    ]


def test_settings_from_set_apply_from_then_on() -> None:
    text = (
        PACK
        + "set defiance-limit 1\n"
        + 'order Derek Isaac "sit"\ndefy Isaac\nexpect Isaac omega\n'
    )
    assert problems(text) == []


# ------------------------------------------------------------------ replay

STORY = (
    PACK
    + """\
share Hale "the den is by the distillery"
day 2
submit Stiles Derek
welcome Derek Stiles
share Hale "the hunters meet on Friday"
leave Stiles
day 3
share Hale "a new alpha in town"
welcome Derek Scott
"""
)


def test_replay_at_a_line_applies_every_statement_on_lines_up_to_it() -> None:
    chronicle = parse_chronicle(STORY)
    assert replay(chronicle, line=9).standing("Stiles") is Standing.UNAFFILIATED
    assert replay(chronicle, line=10).standing("Stiles") is Standing.MEMBER
    assert replay(chronicle, line=2).standing("Stiles") is None


def test_replay_at_a_day_applies_every_event_of_days_up_to_it() -> None:
    chronicle = parse_chronicle(STORY)
    world = replay(chronicle, day=1)
    assert world.standing("Stiles") is Standing.UNAFFILIATED
    assert replay(chronicle, day=2).standing("Stiles") is Standing.UNAFFILIATED  # left again
    assert replay(chronicle, day=2).day == 2
    assert replay(chronicle, day=0).standing("Derek") is Standing.ALPHA  # before any `day`


def test_replay_skips_refused_events_and_reaches_the_end() -> None:
    world = replay(parse_chronicle(STORY))  # `welcome Derek Scott` names no being: skipped
    assert world.standing("Scott") is None
    assert world.summary().packs[0].betas == ["Isaac"]


def test_a_being_sees_pack_business_only_while_in_the_pack_and_keeps_what_it_saw() -> None:
    chronicle = parse_chronicle(STORY)
    view = view_as(chronicle, "Stiles")
    assert [(line, share.text) for line, share in pack_business(view)] == [
        (11, "the hunters meet on Friday")
    ]
    assert len(view) == len(chronicle) - 2  # two shares withheld, everything else kept
    isaac = [s.text for s in view_as(chronicle, "Isaac") if isinstance(s, Share)]
    assert isaac == [
        "the den is by the distillery",
        "the hunters meet on Friday",
        "a new alpha in town",
    ]


def test_a_view_keeps_the_original_line_numbers_and_can_stop_early() -> None:
    chronicle = parse_chronicle(STORY)
    view = view_as(chronicle, "Derek", day=2)
    assert view.lines == chronicle.lines[: len(view)]
    assert [s.text for _, s in pack_business(view)] == [
        "the den is by the distillery",
        "the hunters meet on Friday",
    ]


def test_an_ally_does_not_see_pack_business() -> None:
    chronicle = parse_chronicle(PACK + 'ally Derek Stiles\nshare Hale "pack only"\n')
    assert pack_business(view_as(chronicle, "Stiles")) == []
