"""The end of a stored chronicle, kept ready so that appends are checked fast.

A `Tail` is the world after a chronicle's last statement, plus what the
notation needs to place the next statements: the current day, whether the
chronicle has a title, whether any event has happened yet. ``Tail.check``
takes a batch of statements and replays it on top, exactly as the notation's
checker reads a chronicle:

- an event is applied, or refused with the engine's `RuleViolation`;
- ``expect Rn`` announces that the *next* event is refused for Rn: that
  event then changes nothing and the chronicle goes on;
- ``expect NAME STANDING [PACK]`` and ``expect PACK established|alone``
  must hold at that point;
- ``day``, ``set`` and ``title`` must be where the notation allows them.

Anything else refuses the batch. Because every stored batch passed this
check, a stored chronicle always checks clean, and the store can keep the
tail of each chronicle in memory and check a batch in time proportional to
the batch, not to the whole history.
"""

from __future__ import annotations

from collections.abc import Iterable

from packlaw.rules.events import (
    Day,
    Event,
    ExpectEstablished,
    ExpectRefusal,
    ExpectStanding,
    Set,
    Standing,
    Statement,
    Title,
)
from packlaw.rules.world import RuleViolation, World
from packlaw.store.errors import ExpectationFailed, MisplacedStatement

Row = tuple[int, str]
"""A statement as the store keeps it: its day and its canonical line."""


class Tail:
    """A chronicle's state after its last statement (see the module's docstring).

    >>> from packlaw.rules.events import Being, Day, Kind
    >>> tail = Tail()
    >>> tail.check([Being("Derek", Kind.WEREWOLF), Day(3), Being("Stiles", Kind.HUMAN)])
    [(0, 'being Derek werewolf'), (3, 'day 3'), (3, 'being Stiles human')]
    >>> tail.day, tail.world.standing("Stiles")
    (3, <Standing.UNAFFILIATED: 'unaffiliated'>)
    """

    def __init__(self) -> None:
        self.world = World()
        self.day = 0
        self.title: str | None = None
        self.has_events = False
        self.last_sequence = 0
        # Index in the batch of the statement that refused the last `check`, if any.
        self.failed_at: int | None = None

    def check(self, statements: Iterable[Statement]) -> list[Row]:
        """Replay ``statements`` on top of this tail; return their rows.

        Raises `RuleViolation` for an illegal event nobody announced,
        `ExpectationFailed` for an expectation that does not hold, and
        `MisplacedStatement` for a `day`, `set` or `title` out of place. The
        index of the offending statement is then in ``failed_at``; the tail
        is left part-way and must be thrown away.
        """
        rows: list[Row] = []
        announced: list[ExpectRefusal] = []
        world = self.world
        for index, statement in enumerate(statements):
            self.failed_at = index
            if isinstance(statement, Event):
                self.has_events = True
                if announced:
                    self._refused_as_announced(statement, announced)
                    announced = []
                else:
                    world.apply(statement)  # raises the engine's RuleViolation
            elif isinstance(statement, ExpectRefusal):
                announced.append(statement)
            elif isinstance(statement, ExpectStanding | ExpectEstablished):
                self._holds(statement)
            elif isinstance(statement, Day | Set):
                try:
                    world.apply(statement)
                except ValueError as error:
                    raise MisplacedStatement(f"`{statement}`: {error}") from None
                self.day = world.day
            elif isinstance(statement, Title):
                if self.title is not None:
                    raise MisplacedStatement(
                        f"`{statement}`: the chronicle already has a title, {self.title!r}"
                    )
                if self.has_events:
                    raise MisplacedStatement(f"`{statement}`: a title comes before the first event")
                self.title = statement.text
            else:
                raise TypeError(f"not a chronicle statement: {statement!r}")
            rows.append((self.day, str(statement)))
        if announced:
            self.failed_at = len(rows) - 1
            raise ExpectationFailed(f"`{announced[-1]}` has no event after it to refuse")
        self.failed_at = None
        self.last_sequence += len(rows)
        return rows

    def _refused_as_announced(self, event: Event, announced: list[ExpectRefusal]) -> None:
        broken = {violation.rule for violation in self.world.explain(event)}
        if not broken:
            rules = ", ".join(expect.rule for expect in announced)
            raise ExpectationFailed(f"`{event}` was expected to break {rules}, but it is legal")
        missed = [expect.rule for expect in announced if expect.rule not in broken]
        if missed:
            raise ExpectationFailed(
                f"`{event}` was expected to break {', '.join(missed)}, "
                f"but it breaks {', '.join(sorted(broken))}"
            )

    def _holds(self, expect: ExpectStanding | ExpectEstablished) -> None:
        world = self.world
        if isinstance(expect, ExpectEstablished):
            if not world.has_pack(expect.pack):
                raise ExpectationFailed(f"`{expect}`: there is no pack named {expect.pack}")
            if world.is_established(expect.pack) != expect.established:
                now = "established" if world.is_established(expect.pack) else "alone"
                raise ExpectationFailed(f"`{expect}`: {expect.pack} is {now}")
            return
        standing = world.standing(expect.name)
        if standing is None:
            raise ExpectationFailed(f"`{expect}`: there is no being named {expect.name}")
        pack = world.pack_of(expect.name)
        if standing is not expect.standing or (expect.pack is not None and pack != expect.pack):
            where = f" of {pack}" if pack and standing is not Standing.DEAD else ""
            raise ExpectationFailed(f"`{expect}`: {expect.name} is {standing}{where}")


def is_refusal(error: BaseException) -> bool:
    """Whether ``error`` is a statement refused by `Tail.check` (not a fault of the store)."""
    return isinstance(error, RuleViolation | ExpectationFailed | MisplacedStatement)
