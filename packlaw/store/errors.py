"""What can go wrong in the store, as a few specific exceptions.

Every message is one sentence a user can act on. Each error carries its
context as fields: ``index`` is the place in its batch of the statement
that was refused (None when the error is about no one statement), and
``domain`` says whether the input was refused on its merits (a failed
expectation, a lost race: exit 1 on the command line) rather than being bad
input (exit 2). Illegal events are refused with `RefusedEvent`, which is
the engine's own `packlaw.rules.world.RuleViolation` plus its ``index``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from packlaw.rules.events import Event
from packlaw.rules.world import RuleViolation, Violation


class StoreError(Exception):
    """The store cannot do what was asked: a bad URL, an unreachable server,
    an unknown chronicle or run, a statement out of place.

    ``str(error)`` is one clear sentence.
    """

    domain: ClassVar[bool] = False

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


class NoDatabase(StoreError):
    """A command that only reads was pointed at a database packlaw never made."""


class ForeignDatabase(StoreError):
    """The database holds another application's tables and no packlaw schema."""


class RefusedEvent(RuleViolation):
    """An illegal event in a batch: the engine's `RuleViolation`, and where it was in the batch."""

    def __init__(self, event: Event, violations: Sequence[Violation], index: int) -> None:
        super().__init__(event, list(violations))
        self.index = index


class ConcurrencyError(StoreError):
    """Another writer appended to the chronicle first; read the tail again and retry.

    Raised when the expected last sequence is stale, or when the primary key
    ``(chronicle, sequence)`` catches two writers claiming the same place.
    """

    domain = True


class UnknownChronicle(StoreError, KeyError):
    """No chronicle has that name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ChronicleExists(StoreError):
    """A chronicle of that name is already stored."""


class UnknownRun(StoreError, KeyError):
    """No run has that id."""

    def __str__(self) -> str:
        return str(self.args[0])


class MisplacedStatement(StoreError, ValueError):
    """A statement that cannot go where it was put.

    A `day` going back, a second `title` or one after the first event, a
    setting out of range: the same mistakes the notation calls syntax.
    """


class UnwritableStatement(StoreError, ValueError):
    """A statement made in code that the notation cannot write.

    A name with a space, a text with a line break: its line would not read
    back as the same statement, so storing it would break the document.
    """


class ExpectationFailed(StoreError):
    """An `expect` statement that does not hold; the batch is refused."""

    domain = True
