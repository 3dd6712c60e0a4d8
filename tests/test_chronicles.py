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
from packlaw.rules import RULES, ExpectRefusal, Standing

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


def test_the_story_follows_stiles_out_of_the_pack_and_back() -> None:
    story = read(STORY)
    turns = {1: Standing.MEMBER, 10: Standing.ALLY, 52: Standing.ALLY, 95: Standing.MEMBER}
    for day, standing in turns.items():
        world = replay(story, day=day)
        assert world.standing("Stiles") is standing, day
        assert world.pack_of("Stiles") == "Hale"
        assert world.is_established("Hale")


def test_the_story_wounds_stiles_alone_and_he_heals_the_human_way() -> None:
    story = read(STORY)
    assert replay(story, day=52).health("Stiles") == 200
    # Three plain heals at 0.02 a day, one doubled by care after he asked, one more after.
    assert replay(story, day=80).health("Stiles") == 200 + 3 * 20 + 40
    assert replay(story).health("Stiles") == 300 + 40


def test_stiles_is_not_told_the_pack_business_shared_while_he_is_an_ally() -> None:
    story = read(STORY)
    assert pack_business(view_as(story, "Stiles")) == []
    assert [share.text for _, share in pack_business(view_as(story, "Isaac"))] == [
        "the attacks come from a lone omega",
        "we track it from the distillery at night",
    ]
