"""Replaying a chronicle: the world at any line or day, and one being's view of it (R11).

>>> from packlaw.notation.chronicle import parse_chronicle
>>> chronicle = parse_chronicle('''day 1
... being Derek werewolf
... being Isaac werewolf bitten
... being Stiles human
... ascend Derek Hale
... submit Isaac Derek
... welcome Derek Isaac
... share Hale "the den is by the old distillery"
... day 2
... submit Stiles Derek
... welcome Derek Stiles
... share Hale "the hunters meet on Friday"
... ''')
>>> replay(chronicle, day=1).standing("Stiles")
Standing.UNAFFILIATED
>>> [s.text for s in view_as(chronicle, "Stiles") if isinstance(s, Share)]
['the hunters meet on Friday']
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from contextlib import suppress

from packlaw.notation.check import Problem, check_chronicle
from packlaw.notation.chronicle import Chronicle
from packlaw.rules import EVENT_TYPES, Day, RuleViolation, Set, Share, Statement, World

_APPLIED = frozenset((*EVENT_TYPES, Day, Set))


def replay(
    chronicle: Chronicle,
    line: int | None = None,
    day: int | None = None,
    problems: list[Problem] | None = None,
) -> World:
    """The world after the statements on lines up to `line`, or the events of days up to `day`.

    With neither, the world at the end. The chronicle is checked as far as
    that (`check_chronicle`): refused events are skipped, expectations
    change nothing, and what the check finds is added to `problems` if
    given.
    """
    world = World()
    found = check_chronicle(up_to(chronicle, line, day), world)
    if problems is not None:
        problems.extend(found)
    return world


def up_to(chronicle: Chronicle, line: int | None = None, day: int | None = None) -> Chronicle:
    """The statements on lines up to `line`, or before the first `day` past `day`."""
    if line is not None:
        end = bisect_right(chronicle.lines, line)
    elif day is not None:
        end = next(
            (
                index
                for index, statement in enumerate(chronicle.statements)
                if type(statement) is Day and statement.number > day
            ),
            len(chronicle),
        )
    else:
        return chronicle
    return Chronicle(chronicle.statements[:end], chronicle.lines[:end], chronicle.filename)


def view_as(
    chronicle: Chronicle, name: str, line: int | None = None, day: int | None = None
) -> Chronicle:
    """The chronicle as `name` could know it (R11), up to `line` or `day` if given.

    Every statement stays except the `share`s that `name` did not see: a
    share is seen by its pack's living alpha and members at that moment, so
    those who join later miss earlier business and those who leave keep what
    they saw. Line numbers stay those of the original.
    """
    statements: list[Statement] = []
    lines: list[int] = []
    world = World()
    for number, statement in _walk(chronicle, world, line, day):
        if type(statement) is Share and name not in world.audience(statement.pack):
            continue
        statements.append(statement)
        lines.append(number)
    return Chronicle(tuple(statements), tuple(lines), chronicle.filename)


def pack_business(view: Chronicle) -> list[tuple[int, Share]]:
    """The `share`s of a view, with their lines: the pack business its being saw."""
    return [
        (number, statement)
        for number, statement in zip(view.lines, view.statements, strict=True)
        if isinstance(statement, Share)
    ]


def _walk(
    chronicle: Chronicle, world: World, line: int | None, day: int | None
) -> Iterator[tuple[int, Statement]]:
    """Each statement up to the limit, yielded before it is applied to `world`."""
    for number, statement in zip(chronicle.lines, chronicle.statements, strict=True):
        if line is not None and number > line:
            return
        if day is not None and type(statement) is Day and statement.number > day:
            return
        yield number, statement
        if type(statement) in _APPLIED:
            with suppress(RuleViolation):  # a refused event is skipped
                world.apply(statement)
