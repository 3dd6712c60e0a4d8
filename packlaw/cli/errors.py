"""How the command line reports a problem: one sentence on stderr and an exit status.

`packlaw.cli.main.main` turns every error below into ``packlaw: <sentence>``
and its status, so a command raises and never prints its own errors:

- `UserError`, raised by commands for what they find wrong themselves;
- the parts' own typed errors, which carry their sentence: a store error
  (`packlaw.store.StoreError`), a rule broken (`RuleViolation`), a scenario
  that does not validate (`ScenarioError`);
- a full device, an unreadable file or memory running out (`OSError`,
  `MemoryError`);
- Ctrl-C, SIGTERM and SIGHUP (`Interrupted`), after the command has had the
  chance to mark its work (a run becomes ``interrupted``).
"""

from __future__ import annotations

import errno
import signal
import sys

from packlaw.cli.output import visible

EXIT_OK = 0
EXIT_DOMAIN = 1  # a broken rule, a failed expectation, a fault of the machine
EXIT_BAD_INPUT = 2  # syntax, unknown scenario key, unreadable file, bad URL
EXIT_INTERRUPTED = 128  # plus the signal's number: 130 for Ctrl-C, 143 for SIGTERM

# Faults of the machine rather than of what the user gave.
_MACHINE_FAULTS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.ENOMEM})


class UserError(Exception):
    """A problem with what the user gave us, reported as one line on stderr.

    Raise it anywhere under a command; `packlaw.cli.main.main` prints
    ``packlaw: <message>`` and exits with ``exit_code``, never a traceback.
    """

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, as Ctrl-C raises `KeyboardInterrupt`.

    A subclass of `KeyboardInterrupt`, so code that cleans up after Ctrl-C
    (marking a run ``interrupted``) does the same for these.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


# A signal's exception that Python swallowed: it landed in a finaliser or a callback,
# where Python can only report it as "unraisable" (see `packlaw.cli.main`). It is
# raised again at the command's next safe point.
_swallowed: list[KeyboardInterrupt] = []


def signalled(number: int) -> KeyboardInterrupt:
    """The exception a signal raises where the program is: Ctrl-C's, or `Interrupted`."""
    return KeyboardInterrupt() if number == signal.SIGINT else Interrupted(number)


def swallowed(stop: KeyboardInterrupt) -> None:
    """Keep a signal's exception that could not be raised where it landed."""
    _swallowed.append(stop)


def forget_signals() -> None:
    """Start a command with no swallowed signal kept."""
    _swallowed.clear()


def raise_if_signalled() -> None:
    """At a safe point of a long command (each step of its progress): raise a swallowed signal."""
    if _swallowed:
        raise _swallowed.pop()


def warn(message: str) -> None:
    """``packlaw: <message>`` on stderr, its control characters escaped (`visible`)."""
    print(f"packlaw: {visible(message)}", file=sys.stderr)


def interruption(stop: KeyboardInterrupt) -> UserError:
    """The sentence and status for Ctrl-C (130) or a signal (128 + its number)."""
    if isinstance(stop, Interrupted):
        name = signal.Signals(stop.signal_number).name
        return UserError(f"interrupted by {name}", EXIT_INTERRUPTED + stop.signal_number)
    return UserError("interrupted", EXIT_INTERRUPTED + signal.SIGINT)


def _loaded(module: str, name: str) -> type[BaseException] | None:
    # An error class of a part that was never imported cannot have been raised:
    # checking sys.modules keeps the store (and SQLAlchemy) out of start-up.
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def as_user_error(error: BaseException) -> UserError | None:
    """The one sentence and status for ``error``, or None when it is a bug (a traceback)."""
    if isinstance(error, UserError):
        return error
    store_error = _loaded("packlaw.store.errors", "StoreError")
    if store_error is not None and isinstance(error, store_error):
        # A refusal on the merits (a failed expectation, a lost race) is 1; bad input 2.
        domain = bool(getattr(error, "domain", False))
        return UserError(str(error), EXIT_DOMAIN if domain else EXIT_BAD_INPUT)
    violation = _loaded("packlaw.rules.world", "RuleViolation")
    if violation is not None and isinstance(error, violation):
        return UserError(str(error), EXIT_DOMAIN)
    scenario_error = _loaded("packlaw.sim.scenario", "ScenarioError")
    if scenario_error is not None and isinstance(error, scenario_error):
        # One line per problem; main adds "packlaw: " to the first.
        return UserError("\npacklaw: ".join(getattr(error, "problems", [str(error)])))
    if isinstance(error, MemoryError):
        return UserError("out of memory; nothing more was done", EXIT_DOMAIN)
    if isinstance(error, OSError):
        return _os_error(error)
    return None


def os_error_status(error: OSError) -> int:
    """1 for a fault of the machine (a full disk, an I/O error), 2 for what the user named."""
    return EXIT_DOMAIN if error.errno in _MACHINE_FAULTS else EXIT_BAD_INPUT


def _os_error(error: OSError) -> UserError:
    reason = error.strerror or str(error)
    status = os_error_status(error)
    if error.filename is not None:
        return UserError(f"{error.filename}: {reason}", status)
    return UserError(f"cannot write the output: {reason}", status)
