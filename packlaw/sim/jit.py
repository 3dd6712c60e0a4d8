"""Serial or parallel kernels, and how many threads, chosen by measurement; Numba's cache.

The per-being kernels (movement, healing) are compiled serial and parallel
(`kernels.py`). Draws are keyed, not sequential, so both forms give the
same numbers; which one runs is only a matter of speed, and it is chosen by
timing whole days (`ThreadChoice`):

- a run with fewer than `PARALLEL_FROM` rows is always serial (waking the
  thread pool costs more than such a day's per-being work);
- a larger one tries the serial form and the parallel form with each
  candidate thread count (`candidates`), one day each in turn, `PROBES`
  times after a first day each (which may load that form's kernels from
  Numba's cache, so it is not counted), keeps the fastest (the median),
  and measures again `REPROBE` calls later (a call is a day, or several
  days of a serial run), so a machine that becomes loaded (where the
  parallel form can be several times slower) falls back to serial; each
  time the serial form wins again, the wait before the next measurement
  doubles, as the slower forms' probing days are what measuring costs;
- `set_threads(n)` (``packlaw simulate --threads N``) overrides it: 1 is
  serial, more is the parallel form with ``n`` threads, whatever the size.
"""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numba
import numpy as np

PARALLEL_FROM = 50_000
"""Runs with fewer rows (beings of all worlds) are always serial."""

PROBES = 3
"""Timed days of each form before a run settles on the fastest."""

REPROBE = 100
"""Calls after which a run measures its forms again (doubled while the serial form keeps winning)."""

MAX_THREADS: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
"""Numba's thread pool size (``NUMBA_NUM_THREADS``, by default the machine's cores)."""

_forced: int | None = None  # threads set by `set_threads`, or None to measure


def cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def candidates() -> list[int]:
    """Thread counts to try for a large run: 1 (the serial form), then parallel ones."""
    most = min(cores(), MAX_THREADS)
    return [1, *sorted({t for t in (2, most // 2, most) if 2 <= t <= most})]


def set_threads(threads: int | None) -> None:
    """Run the kernels with ``threads`` threads (1: serial), or ``None`` to choose by measuring."""
    global _forced
    if threads is not None and threads < 1:
        raise ValueError("threads must be 1 or more")
    _forced = None if threads is None else min(threads, MAX_THREADS)


@contextmanager
def always_parallel() -> Iterator[None]:
    """Run the kernels in parallel whatever the size (to compile both forms)."""
    global _forced
    saved, _forced = _forced, min(max(2, cores()), MAX_THREADS)
    try:
        yield
    finally:
        _forced = saved


class ThreadChoice:
    """Threads for each day of one run, chosen by timing days (see the module)."""

    def __init__(self, rows: int) -> None:
        self.days = 0
        self.best = 1
        self.seconds: dict[int, list[float]] = {}
        self.tried: set[int] = set()
        self.options = candidates() if rows >= PARALLEL_FROM else [1]
        self.probing = False
        self.next_probe = 0  # the call at which the next measurement starts
        self.wait = REPROBE  # calls from the end of a measurement to the next

    def threads(self, rows: int) -> int:
        """Threads for the next day of a run with ``rows`` rows; sets Numba's pool to match."""
        chosen = self._choose(rows)
        if chosen > 1:
            numba.set_num_threads(chosen)
        return chosen

    def _choose(self, rows: int) -> int:
        if _forced is not None:
            return _forced
        options = self.options
        if rows < PARALLEL_FROM or len(options) == 1:
            return 1
        if not self.probing and self.days >= self.next_probe:
            self.seconds = {}
            self.probing = True
        untried = [t for t in options if len(self.seconds.get(t, [])) < PROBES]
        if not untried:
            return self.best
        return min(untried, key=lambda t: len(self.seconds.get(t, [])))

    def record(self, threads: int, seconds: float) -> None:
        """How long the day just run with ``threads`` took."""
        self.days += 1
        if _forced is not None:
            return
        if threads not in self.tried:
            self.tried.add(threads)  # its first day may have loaded its kernels: not counted
            return
        timed = self.seconds.setdefault(threads, [])
        if len(timed) < PROBES:
            timed.append(seconds)
            if all(len(self.seconds.get(t, [])) == PROBES for t in self.options):
                self.best = min(self.seconds, key=lambda t: sorted(self.seconds[t])[PROBES // 2])
                self.wait = 2 * self.wait if self.best == 1 else REPROBE
                self.next_probe = self.days + self.wait
                self.probing = False


# ------------------------------------------------------- the on-disk cache

HERE = Path(__file__).resolve().parent


def cache_fingerprint() -> str:
    """What Numba's cached kernels depend on: the sources here and the versions compiling them."""
    digest = hashlib.sha256()
    for part in (platform.python_version(), numba.__version__, np.__version__, platform.machine()):
        digest.update(part.encode() + b"\0")
    for source in sorted(HERE.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def cache_stamp() -> Path:
    """Where the fingerprint of the last warm-up is kept: beside Numba's cache when writable."""
    beside = HERE / "__pycache__"
    if os.access(beside if beside.exists() else HERE, os.W_OK):
        return beside / "packlaw-kernels.stamp"
    return Path.home() / ".cache" / "packlaw" / "kernels.stamp"


def cache_is_warm() -> bool:
    """Whether a warm-up has compiled these very kernels, with this Numba, into the cache."""
    try:
        return cache_stamp().read_text(encoding="ascii") == cache_fingerprint()
    except OSError:
        return False


def mark_cache_warm() -> None:
    """Record that the kernels are compiled and cached (a warm-up just ran)."""
    stamp = cache_stamp()
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(cache_fingerprint(), encoding="ascii")
    except OSError:
        pass  # an unwritable cache only means the notice is shown again next time
