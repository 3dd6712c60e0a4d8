"""The bundled chronicles: the story and one chronicle per rule, all checking clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from packlaw.notation import (
    Chronicle,
    check_chronicle,
    pack_business,
    parse_chronicle,
    replay,
    view_as,
)
from packlaw.rules import (
    RULES,
    Ask,
    Attack,
    Death,
    ExpectHealth,
    ExpectRefusal,
    ExpectStanding,
    Standing,
)

ROOT = Path(__file__).resolve().parent.parent
CHRONICLES = sorted((ROOT / "chronicles").rglob("*.chronicle"))
STORY = ROOT / "chronicles" / "safety-net.chronicle"
# Rules that decide how the world is rather than refusing events.
RULES_THAT_REFUSE_NOTHING = {"R2", "R5", "R8", "R9", "R11", "R12", "R14"}


def read(path: Path) -> Chronicle:
    return parse_chronicle(path.read_text(encoding="utf-8"), filename=str(path.relative_to(ROOT)))


@pytest.mark.parametrize("path", CHRONICLES, ids=lambda p: p.name)
def test_every_bundled_chronicle_checks_clean(path: Path) -> None:
    assert check_chronicle(read(path)) == []


def test_there_is_a_chronicle_for_every_rule() -> None:
    names = [p.name for p in (ROOT / "chronicles" / "rules").glob("*.chronicle")]
    shown = {re.findall(r"^r(\d+)-", name)[0] for name in names}
    assert {f"R{int(n)}" for n in shown} == set(RULES)


@pytest.mark.parametrize("rule", sorted(set(RULES) - RULES_THAT_REFUSE_NOTHING))
def test_each_rule_chronicle_shows_its_rule_refusing(rule: str) -> None:
    paths = sorted((ROOT / "chronicles" / "rules").glob(f"r{int(rule[1:]):02d}-*.chronicle"))
    assert any(ExpectRefusal(rule) in read(path).statements for path in paths)


def test_the_story_keeps_stiles_outside_the_pack_until_he_submits_sincerely() -> None:
    story = read(STORY)
    turns = {
        3: Standing.UNAFFILIATED,  # his submission does not ring true (R13)
        10: Standing.ALLY,  # treated like Chris from the opening quarrel on
        50: Standing.ALLY,  # hurt alone, outside the pack
        80: Standing.ALLY,  # healing alone, not asking
        95: Standing.MEMBER,  # he means it, and is welcomed
    }
    for day, standing in turns.items():
        world = replay(story, day=day)
        assert world.standing("Stiles") is standing, day
        assert world.is_established("Hale")
    assert replay(story, day=2).standing("Erica") is Standing.OMEGA  # Derek let her go


def test_the_story_checks_its_turns_with_expectations() -> None:
    statements = read(STORY).statements
    assert ExpectRefusal("R13") in statements  # the insincere submission
    assert ExpectHealth("Stiles", 200) in statements  # hurt alone
    assert Ask not in {type(s) for s in statements}  # Stiles never asks Derek for help
    assert Death not in {type(s) for s in statements}  # the omega runs away; nobody dies
    attack = next(i for i, s in enumerate(statements) if isinstance(s, Attack))
    assert statements[attack - 1] == ExpectStanding("Stiles", Standing.ALLY, "Hale")
    assert statements[attack + 1] == ExpectHealth("Stiles", 200)


def test_the_story_wounds_stiles_alone_and_he_heals_the_human_way() -> None:
    story = read(STORY)
    assert replay(story, day=50).health("Stiles") == 200
    # Five plain heals at 0.02 a day: nobody checks in on him, so none counts double.
    assert replay(story, day=80).health("Stiles") == 200 + 5 * 20
    assert replay(story).health("Stiles") == 300


def test_stiles_is_not_told_the_pack_business_shared_while_he_is_an_ally() -> None:
    story = read(STORY)
    assert pack_business(view_as(story, "Stiles")) == []
    assert [share.text for _, share in pack_business(view_as(story, "Isaac"))] == [
        "a matter for the pack alone",
        "the attacks are a lone omega's",
    ]
