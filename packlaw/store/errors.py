"""What can go wrong in the store, as a few specific exceptions.

Every message is one sentence a user can act on. Illegal events are not
here: the store refuses them with the engine's own
`packlaw.rules.world.RuleViolation`.
"""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot do what was asked: a bad URL, an unreachable server,
    an unknown chronicle or run, a statement out of place.

    ``str(error)`` is one clear sentence.
    """


class ConcurrencyError(StoreError):
    """Another writer appended to the chronicle first; read the tail again and retry.

    Raised when the expected last sequence is stale, or when the primary key
    ``(chronicle, sequence)`` catches two writers claiming the same place.
    """


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
