"""Whether an error is, or comes from, an interruption: Ctrl-C or a signal raised as one.

The one place that looks through an error's chain for the signal behind it,
used by the simulator (`packlaw.sim.run`), which raises the signal as itself,
and by the command line, which reports it and marks the run. It imports
nothing, so every floor of the package may use it.

A signal's exception can come back wrapped: Python runs a signal's handler in
the first Python code it meets, which may be a call a C extension makes (a
Numba kernel), and the extension then reports a `SystemError` caused by it.

>>> try:
...     try:
...         raise KeyboardInterrupt
...     except KeyboardInterrupt as stop:
...         raise SystemError("returned a result with an exception set") from stop
... except SystemError as wrapped:
...     interrupted_by(wrapped)
KeyboardInterrupt()
>>> interrupted_by(ValueError("no signal here")) is None
True
"""

from __future__ import annotations


def interrupted_by(error: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or signal behind ``error``: itself, its cause, or what it was raised handling.

    An error raised ``from None`` replaced what it was handling on purpose
    (a command that turns an interruption into its own sentence), so the
    search stops there.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return seen
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    return None
