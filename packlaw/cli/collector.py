"""The garbage collector paused while a command reads or checks a large chronicle.

A chronicle of a million lines is hundreds of thousands of new statement
values and a million list slots, none of them in a reference cycle. Left
on, the cyclic collector walks them again at every full collection, as
they pile up: it took 40% of the time to read such a chronicle. The
library leaves the collector alone (a caller may hold cycles of its own);
the commands that read a chronicle and exit pause it around that work.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; switch it back on after, if it was on.

    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
