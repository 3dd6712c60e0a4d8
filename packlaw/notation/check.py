"""Checking a chronicle: every event through the rulebook, every expectation against the world.

>>> from packlaw.notation.chronicle import parse_chronicle
>>> chronicle = parse_chronicle('''day 1
... being Derek werewolf
... being Stiles human
... ascend Derek Hale
... expect R3
... order Stiles Derek "sit"
... order Derek Stiles "stay out of the woods"
... expect Hale established
... ''', filename="safety.chronicle")
>>> for problem in check_chronicle(chronicle):
...     print(problem)
safety.chronicle:7: R3: Derek cannot order Stiles: Stiles is not a member of Hale
safety.chronicle:8: expect: expected Hale to be established, but Hale is alone: it has no living werewolf beta
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from packlaw.notation.chronicle import Chronicle
from packlaw.rules import (
    EVENT_TYPES,
    Day,
    ExpectEstablished,
    ExpectHealth,
    ExpectRefusal,
    ExpectStanding,
    RuleId,
    RuleViolation,
    Set,
    Standing,
    Statement,
    World,
)
from packlaw.rules.events import format_amount

ProblemKind = RuleId | Literal["expect"]
"""What a problem is: a broken rule, by its id, or a failed expectation."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule an unannounced event breaks (`kind` is its id, ``R3``) or a failed expectation (``expect``).

    ``str()`` is the linter-style line of the notation page: ``FILE:LINE: KIND: MESSAGE``.
    """

    filename: str | None
    line: int
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return f"{self.filename or '<chronicle>'}:{self.line}: {self.kind}: {self.message}"


_EVENT_TYPES = frozenset(EVENT_TYPES)


def check_chronicle(chronicle: Chronicle, world: World | None = None) -> list[Problem]:
    """Apply the chronicle to a world (a new one by default) and list what is wrong, in order.

    An illegal event that no ``expect Rn`` announced gives one problem per
    broken rule and is skipped; the chronicle goes on. ``expect Rn`` applies
    to the next event (skipping directives and other expectations): it
    holds when that event is refused with Rn among its reasons, and a
    refused announced event changes nothing; an announced event that turns
    out legal is applied and the expectation fails. `expect NAME STANDING
    [PACK]`, ``expect PACK established|alone`` and ``expect NAME health N``
    are checked on the spot.
    """
    if world is None:
        world = World()
    filename = chronicle.filename
    problems: list[Problem] = []
    announced: list[tuple[int, ExpectRefusal]] = []
    events = _EVENT_TYPES
    apply = world.apply

    for line, statement in zip(chronicle.lines, chronicle.statements, strict=True):
        kind = type(statement)
        if kind in events:
            if announced:
                _settle(world, line, statement, announced, problems, filename)
                announced = []
                continue
            try:
                apply(statement)
            except RuleViolation as refusal:
                problems.extend(
                    Problem(filename, line, v.rule, v.message) for v in refusal.violations
                )
        elif kind is ExpectRefusal:
            assert isinstance(statement, ExpectRefusal)
            announced.append((line, statement))
        elif kind is ExpectStanding:
            assert isinstance(statement, ExpectStanding)
            failure = _standing_failure(world, statement)
            if failure:
                problems.append(Problem(filename, line, "expect", failure))
        elif kind is ExpectEstablished:
            assert isinstance(statement, ExpectEstablished)
            failure = _established_failure(world, statement)
            if failure:
                problems.append(Problem(filename, line, "expect", failure))
        elif kind is ExpectHealth:
            assert isinstance(statement, ExpectHealth)
            failure = _health_failure(world, statement)
            if failure:
                problems.append(Problem(filename, line, "expect", failure))
        elif kind is Day or kind is Set:
            apply(statement)  # the parser has already refused a day going back or a bad setting

    for line, expectation in announced:
        problems.append(
            Problem(
                filename,
                line,
                "expect",
                f"expected the next event to break {expectation.rule}, but no event follows",
            )
        )
    return problems


def _settle(
    world: World,
    line: int,
    event: Statement,
    announced: list[tuple[int, ExpectRefusal]],
    problems: list[Problem],
    filename: str | None,
) -> None:
    """An announced event: refused, changing nothing, or (failing the expectations) applied."""
    violations = world.explain(event)  # type: ignore[arg-type]
    if not violations:
        world.apply(event)
        for at, expectation in announced:
            problems.append(
                Problem(
                    filename,
                    at,
                    "expect",
                    f"expected `{event}` (line {line}) to break {expectation.rule}, but it is legal",
                )
            )
        return
    broken = [v.rule for v in violations]
    for at, expectation in announced:
        if expectation.rule not in broken:
            problems.append(
                Problem(
                    filename,
                    at,
                    "expect",
                    f"expected `{event}` (line {line}) to break {expectation.rule}, "
                    "but it breaks " + "; ".join(f"{v.rule} ({v.message})" for v in violations),
                )
            )


def _standing_failure(world: World, expectation: ExpectStanding) -> str | None:
    name, pack = expectation.name, expectation.pack
    standing = world.standing(name)
    wanted = _describe(expectation.standing, pack)
    if standing is None:
        if world.has_pack(name):
            return f"expected {name} to be {wanted}, but {name} is a pack, not a being"
        return f"expected {name} to be {wanted}, but there is no being named {name}"
    actual_pack = world.pack_of(name)
    if standing is expectation.standing and (pack is None or actual_pack == pack):
        return None
    return f"expected {name} to be {wanted}, but {name} is {_describe(standing, actual_pack)}"


def _health_failure(world: World, expectation: ExpectHealth) -> str | None:
    name, wanted = expectation.name, format_amount(expectation.health)
    if not world.has_being(name):
        if world.has_pack(name):
            return f"expected {name}'s health to be {wanted}, but {name} is a pack, not a being"
        return f"expected {name}'s health to be {wanted}, but there is no being named {name}"
    health = world.health(name)
    if health == expectation.health:
        return None
    dead = " (dead)" if world.standing(name) is Standing.DEAD else ""
    return f"expected {name}'s health to be {wanted}, but it is {format_amount(health)}{dead}"


def _established_failure(world: World, expectation: ExpectEstablished) -> str | None:
    pack = expectation.pack
    wanted = "established" if expectation.established else "alone"
    if not world.has_pack(pack):
        if world.standing(pack) is not None:
            return f"expected {pack} to be {wanted}, but {pack} is a being, not a pack"
        return f"expected {pack} to be {wanted}, but there is no pack named {pack}"
    established = world.is_established(pack)
    if established == expectation.established:
        return None
    if established:
        return f"expected {pack} to be alone, but {pack} is established (R2)"
    summary = next(p for p in world.summary().packs if p.name == pack)
    why = "it has no living alpha" if summary.alpha is None else "it has no living werewolf beta"
    return f"expected {pack} to be established, but {pack} is alone: {why}"


def _describe(standing: Standing, pack: str | None) -> str:
    """A standing as a phrase: ``a member of Hale``, ``an omega``, ``dead``."""
    if standing is Standing.ALPHA:
        return f"the alpha of {pack}" if pack else "an alpha"
    if standing is Standing.MEMBER:
        return f"a member of {pack}" if pack else "a member"
    if standing is Standing.ALLY:
        return f"an ally of {pack}" if pack else "an ally"
    if standing is Standing.OMEGA:
        return "an omega"
    return str(standing)  # unaffiliated, dead
