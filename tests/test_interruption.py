"""One way to find the signal behind an error, for the simulator and the command line alike."""

from __future__ import annotations

import pytest

from packlaw.interruption import interrupted_by
from packlaw.sim.run import _interruptible


def _wrapped(stop: BaseException) -> SystemError:
    """A SystemError caused by ``stop``, as a C extension reports a signal that landed in it."""
    try:
        try:
            raise stop
        except BaseException as inner:
            raise SystemError(
                "<built-in function f> returned a result with an exception set"
            ) from inner
    except SystemError as outer:
        return outer


def test_a_signal_that_lands_in_a_kernel_leaves_the_simulator_as_itself() -> None:
    stop = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt) as raised, _interruptible():
        raise _wrapped(stop)
    assert raised.value is stop


def test_a_system_error_with_no_signal_behind_it_is_left_as_it_is() -> None:
    with pytest.raises(SystemError), _interruptible():
        raise _wrapped(ValueError("a bug"))


def test_an_error_raised_while_stopping_is_the_interruption_unless_raised_from_none() -> None:
    stop = KeyboardInterrupt()
    try:
        try:
            raise stop
        except KeyboardInterrupt:
            raise OSError("closing the store failed") from None
    except OSError as replaced:
        assert interrupted_by(replaced) is None
    try:
        try:
            raise stop
        except KeyboardInterrupt:
            raise OSError("closing the store failed")  # noqa: B904 (the point of the test)
    except OSError as during:
        assert interrupted_by(during) is stop
    assert interrupted_by(_wrapped(_wrapped(stop))) is stop
