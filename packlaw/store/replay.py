"""The end of a stored chronicle, kept ready so that appends are checked fast.

A `Tail` is the world after a chronicle's last statement, plus what the
notation needs to place more statements: the current day, the title, whether
any event has happened yet. ``Tail.check`` replays a batch on top of it with
the notation's own checker (`packlaw.notation.check.check_chronicle`, given
the tail's world), so a batch is judged exactly as ``packlaw check`` would
judge the whole chronicle:

- an illegal event that no ``expect Rn`` announced refuses the batch with
  `RefusedEvent`, the engine's `RuleViolation` (its event and every broken
  rule) with the event's place in the batch;
- an expectation that does not hold refuses it with `ExpectationFailed`;
- a ``day`` going back, or a ``title`` that is a second one or comes after
  an event, refuses it with `MisplacedStatement` (the parser's syntax
  errors, which a batch made in code can also contain);
- a statement whose line would not read back as itself (a name with a
  space, a control character in a text, made in code) refuses it with
  `UnwritableStatement`;
- a ``day`` past what the database's day column holds (2,147,483,647, the
  same on both backends) refuses it with `MisplacedStatement`.

Every refusal carries ``index``, the refused statement's place in the batch.

Every stored batch passed this check, so a stored chronicle always checks
clean, and the store can keep each chronicle's tail in memory and check a
batch in time proportional to the batch rather than to the whole history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from packlaw.notation.check import check_chronicle
from packlaw.notation.chronicle import CONTROL, Chronicle, Placement, read_line
from packlaw.notation.grammar import LineError
from packlaw.rules.events import Day, Event, Set, Statement
from packlaw.rules.world import SettingOutOfRange, Violation, World
from packlaw.store.errors import (
    ExpectationFailed,
    MisplacedStatement,
    RefusedEvent,
    UnwritableStatement,
)
from packlaw.store.schema import INTEGER_MAX

Row = tuple[int, str]
"""A statement as the store keeps it: its day and its canonical line."""

LAST_DAY = INTEGER_MAX
"""The largest day the store keeps: its ``day`` columns are 32-bit on both backends."""


class Tail:
    """A chronicle's state after its last statement (see the module's docstring).

    >>> from packlaw.rules.events import Being, Day, Kind
    >>> tail = Tail()
    >>> tail.check([Being("Derek", Kind.WEREWOLF), Day(3), Being("Stiles", Kind.HUMAN)])
    [(0, 'being Derek werewolf'), (3, 'day 3'), (3, 'being Stiles human')]
    >>> tail.day, tail.last_sequence, tail.world.standing("Stiles")
    (3, 3, Standing.UNAFFILIATED)
    """

    def __init__(self) -> None:
        self.world = World()
        self.placement = Placement(unit="statement")
        self.last_sequence = 0

    @property
    def day(self) -> int:
        return self.placement.day

    @property
    def title(self) -> str | None:
        return self.placement.title

    def check(self, statements: Iterable[Statement]) -> list[Row]:
        """Replay ``statements`` on top of this tail; return their rows ``(day, line)``.

        Raises `RefusedEvent`, `ExpectationFailed`, `MisplacedStatement` or
        `UnwritableStatement` (see the module's docstring), each with the
        offending statement's ``index`` in the batch. After a refusal the
        tail is left part-way: throw it away.
        """
        batch = tuple(statements)
        rows = self._place(batch)
        problems = check_chronicle(Chronicle(batch), world=self.world)
        if problems:
            first = problems[0]
            index = first.line - 1  # the batch is numbered 1, 2, 3, ...
            event = batch[index]
            if not isinstance(event, Event):  # the problem is an expectation's
                raise ExpectationFailed(first.message, index)
            same = [
                Violation(p.kind, p.message)
                for p in problems
                if p.line == first.line and p.kind != "expect"
            ]
            raise RefusedEvent(event, same, index)
        self.last_sequence += len(rows)
        return rows

    def _place(self, batch: tuple[Statement, ...]) -> list[Row]:
        """Each statement's day and line (the notation's `Placement` refuses a misplaced one)."""
        rows: list[Row] = []
        place = self.placement.place
        for index, statement in enumerate(batch):
            if not isinstance(statement, Statement):
                raise TypeError(f"not a chronicle statement: {statement!r}")
            misplaced = place(statement, self.last_sequence + index + 1)
            if misplaced is not None:
                raise MisplacedStatement(misplaced, index)
            kind = type(statement)
            if kind is Day and self.placement.day > LAST_DAY:
                raise MisplacedStatement(
                    f"`{statement}` is past the last day the store keeps ({LAST_DAY:,})", index
                )
            if kind is Set:
                assert isinstance(statement, Set)
                _check_setting(statement, index)
            line = str(statement)
            _check_writable(line, statement, index)
            rows.append((self.placement.day, line))
        return rows


def _check_setting(statement: Set, index: int) -> None:
    # A setting out of range, made in code: the world says so when it applies one.
    try:
        World().apply(statement)
    except SettingOutOfRange as error:
        raise MisplacedStatement(f"`{statement}`: {error}", index) from None


def _check_writable(line: str, statement: Statement, index: int) -> None:
    # Statements made in code may hold what the notation cannot write (a name
    # with a space); reading the line back is the one sure test, and cheap.
    # The notation's control characters, and a line break (NUL above all, which
    # PostgreSQL cannot store in a text).
    bad = CONTROL.search(line) or re.search("\n", line)
    if bad is not None:
        raise UnwritableStatement(
            f"{line!r} has no notation: U+{ord(bad.group()):04X} at column {bad.start() + 1} "
            "is a control character",
            index,
        )
    try:
        same = read_line(line) == statement
    except LineError:
        same = False
    if not same:
        raise UnwritableStatement(
            f"{line!r} has no notation: it would not read back as the same statement", index
        )
