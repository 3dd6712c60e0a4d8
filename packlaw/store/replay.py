"""The end of a stored chronicle, kept ready so that appends are checked fast.

A `Tail` is the world after a chronicle's last statement, plus what the
notation needs to place more statements: the current day, the title, whether
any event has happened yet. ``Tail.check`` replays a batch on top of it with
the notation's own checker (`packlaw.notation.check.check_chronicle`, given
the tail's world), so a batch is judged exactly as ``packlaw check`` would
judge the whole chronicle:

- an illegal event that no ``expect Rn`` announced refuses the batch with
  the engine's `RuleViolation` (its event and every broken rule);
- an expectation that does not hold refuses it with `ExpectationFailed`;
- a ``day`` going back, or a ``title`` that is a second one or comes after
  an event, refuses it with `MisplacedStatement` (the parser's syntax
  errors, which a batch made in code can also contain);
- a statement whose line would not read back as itself (a name with a
  space, made in code) refuses it with `UnwritableStatement`.

Every stored batch passed this check, so a stored chronicle always checks
clean, and the store can keep each chronicle's tail in memory and check a
batch in time proportional to the batch rather than to the whole history.
"""

from __future__ import annotations

from collections.abc import Iterable

from packlaw.notation.check import check_chronicle
from packlaw.notation.chronicle import Chronicle, Placement, read_line
from packlaw.notation.grammar import LineError
from packlaw.rules.events import Event, Statement
from packlaw.rules.world import RuleViolation, Violation, World
from packlaw.store.errors import ExpectationFailed, MisplacedStatement, UnwritableStatement

Row = tuple[int, str]
"""A statement as the store keeps it: its day and its canonical line."""


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

        Raises `RuleViolation`, `ExpectationFailed`, `MisplacedStatement` or
        `UnwritableStatement` (see the module's docstring); `refused_index` of the error is the
        offending statement's index in the batch. After a refusal the tail
        is left part-way: throw it away.
        """
        batch = tuple(statements)
        rows = self._place(batch)
        try:
            problems = check_chronicle(Chronicle(batch), world=self.world)
        except ValueError as error:  # a setting out of range, made in code
            raise MisplacedStatement(str(error)) from None
        if problems:
            first = problems[0]
            index = first.line - 1  # the batch is numbered 1, 2, 3, ...
            if first.kind == "expect":
                raise _at(ExpectationFailed(first.message), index)
            event = batch[index]
            assert isinstance(event, Event)
            same = [Violation(p.kind, p.message) for p in problems if p.line == first.line]
            raise _at(RuleViolation(event, same), index)
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
                raise _at(MisplacedStatement(misplaced), index)
            line = str(statement)
            if not _reads_back(line, statement):
                raise _at(
                    UnwritableStatement(
                        f"{line!r} has no notation: it would not read back as the same statement"
                    ),
                    index,
                )
            rows.append((self.placement.day, line))
        return rows


def _reads_back(line: str, statement: Statement) -> bool:
    # Statements made in code may hold what the notation cannot write (a name
    # with a space); reading the line back is the one sure test, and cheap.
    if "\n" in line or "\r" in line:
        return False
    try:
        return read_line(line) == statement
    except LineError:
        return False


def _at(error: Exception, index: int) -> Exception:
    # Where in the batch, so that a command can point at the file's line.
    setattr(error, "statement_index", index)  # noqa: B010
    return error


def refused_index(error: BaseException) -> int | None:
    """The index in its batch of the statement that ``error`` refused, if it refused one."""
    index = getattr(error, "statement_index", None)
    return index if isinstance(index, int) else None
