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
from packlaw.notation.chronicle import Chronicle, read_line
from packlaw.notation.grammar import LineError
from packlaw.rules.events import EVENT_TYPES, Day, Event, Set, Statement, Title
from packlaw.rules.world import Violation, World
from packlaw.store.errors import (
    ExpectationFailed,
    MisplacedStatement,
    RefusedEvent,
    UnwritableStatement,
)

Row = tuple[int, str]
"""A statement as the store keeps it: its day and its canonical line."""

_EVENT_TYPES = frozenset(EVENT_TYPES)
LAST_DAY = 2**31 - 1
"""The largest day the store keeps: its ``day`` columns are 32-bit on both backends."""

# What no line of a chronicle may hold: C0 controls but tab, DEL, C1, and the
# Unicode line breaks (NUL above all, which PostgreSQL cannot store in a text).
_UNWRITABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


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
        self.day = 0
        self.title: str | None = None
        self.has_events = False
        self.last_sequence = 0

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
            same = [Violation(p.kind, p.message) for p in problems if p.line == first.line]
            raise RefusedEvent(event, same, index)
        self.last_sequence += len(rows)
        return rows

    def _place(self, batch: tuple[Statement, ...]) -> list[Row]:
        """Each statement's day and line; refuses a day going back, a misplaced title, no notation."""
        rows: list[Row] = []
        day = self.day
        for index, statement in enumerate(batch):
            kind = type(statement)
            if kind in _EVENT_TYPES:
                self.has_events = True
            elif kind is Day:
                assert isinstance(statement, Day)
                if statement.number < day:
                    raise MisplacedStatement(
                        f"`{statement}` goes back: the chronicle is at day {day}", index
                    )
                if statement.number > LAST_DAY:
                    raise MisplacedStatement(
                        f"`{statement}` is past the last day the store keeps ({LAST_DAY:,})",
                        index,
                    )
                day = statement.number
            elif kind is Title:
                assert isinstance(statement, Title)
                if self.title is not None:
                    raise MisplacedStatement(
                        f"`{statement}` is a second title: the chronicle is {self.title!r}", index
                    )
                if self.has_events:
                    raise MisplacedStatement(
                        f"`{statement}` comes after an event; a title comes first", index
                    )
                self.title = statement.text
            elif kind is Set:
                assert isinstance(statement, Set)
                _check_setting(statement, index)
            elif not isinstance(statement, Statement):
                raise TypeError(f"not a chronicle statement: {statement!r}")
            line = str(statement)
            _check_writable(line, statement, index)
            rows.append((day, line))
        self.day = day
        return rows


def _check_setting(statement: Set, index: int) -> None:
    # A setting out of range, made in code: the world says so when it applies one.
    try:
        World().apply(statement)
    except ValueError as error:
        raise MisplacedStatement(f"`{statement}`: {error}", index) from None


def _check_writable(line: str, statement: Statement, index: int) -> None:
    # Statements made in code may hold what the notation cannot write (a name
    # with a space); reading the line back is the one sure test, and cheap.
    bad = _UNWRITABLE.search(line)
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
