"""Numba compilation for per-being kernels, and the choice of serial or parallel by measurement.

Each per-being kernel is compiled twice from one body (``prange`` is a plain
``range`` when not parallel), and both are cached on disk. Kernels never
draw random numbers, so the two forms give the same numbers; which one runs
is only a matter of speed, and it is chosen by measuring:

- a batch smaller than `PARALLEL_FROM` rows always runs serially (waking the
  thread pool costs more than such a batch's work);
- a larger batch is timed: each kernel tries the serial form and the
  parallel form with each candidate thread count (`candidates`), one call
  each in turn, `PROBES` times, keeps the fastest per row, and measures
  again every `REPROBE` calls, so a machine that becomes loaded (where the
  parallel form can be several times slower) falls back to serial;
- `set_threads(n)` (``packlaw simulate --threads N``) overrides it: 1 is
  serial everywhere, more is the parallel form with ``n`` threads for every
  batch.
"""

from __future__ import annotations

import hashlib
import os
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FunctionType
from typing import Any

import numba
import numpy as np
from numba import njit

PARALLEL_FROM = 50_000
"""Batches (rows, or worlds for summaries) below this size always run serially."""

PROBES = 3
"""Timed calls of each form before a kernel settles on the fastest."""

REPROBE = 200
"""Calls after which a kernel measures its forms again."""

MAX_THREADS: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
"""Numba's thread pool size (``NUMBA_NUM_THREADS``, by default the machine's cores)."""

_forced: int | None = None  # threads set by `set_threads`, or None to measure


def cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def candidates() -> list[int]:
    """Thread counts to try for a large batch: 1 (the serial form), then parallel ones."""
    most = min(cores(), MAX_THREADS)
    return [1, *sorted({t for t in (2, most // 2, most) if 2 <= t <= most})]


def set_threads(threads: int | None) -> None:
    """Run every per-being kernel with ``threads`` threads (1: serial), or ``None`` to measure."""
    global _forced
    if threads is not None and threads < 1:
        raise ValueError("threads must be 1 or more")
    _forced = None if threads is None else min(threads, MAX_THREADS)


class PerBeing:
    """A kernel body compiled serial and parallel; call it with the batch size first."""

    def __init__(self, body: Callable[..., Any]) -> None:
        self.__doc__ = body.__doc__
        self.serial = njit(cache=True)(body)
        # A distinct qualified name keeps the two compilations apart in Numba's cache.
        twin = FunctionType(
            body.__code__, body.__globals__, body.__name__ + "_parallel", body.__defaults__
        )
        twin.__qualname__ = body.__qualname__ + "_parallel"
        self.parallel = njit(cache=True, parallel=True)(twin)
        self._calls = 0
        self._best = 1
        self._seconds_per_row: dict[int, list[float]] = {}

    def _run(self, threads: int, args: tuple[Any, ...]) -> Any:
        if threads == 1:
            return self.serial(*args)
        numba.set_num_threads(threads)
        return self.parallel(*args)

    def __call__(self, size: int, *args: Any) -> Any:
        """Run on ``args`` in the form chosen for a batch of ``size`` (see the module)."""
        if _forced is not None:
            return self._run(_forced, args)
        if size < PARALLEL_FROM:
            return self.serial(*args)
        options = candidates()
        if len(options) == 1:
            return self.serial(*args)
        if self._calls % REPROBE == 0:
            self._seconds_per_row = {}
        self._calls += 1
        untried = [t for t in options if len(self._seconds_per_row.get(t, [])) < PROBES]
        if not untried:
            return self._run(self._best, args)
        threads = min(untried, key=lambda t: len(self._seconds_per_row.get(t, [])))
        started = time.perf_counter()
        out = self._run(threads, args)
        self._seconds_per_row.setdefault(threads, []).append((time.perf_counter() - started) / size)
        if len(untried) == 1 and len(self._seconds_per_row[threads]) == PROBES:
            self._best = min(options, key=lambda t: sorted(self._seconds_per_row[t])[PROBES // 2])
        return out

    def chosen(self) -> int:
        """Threads this kernel last settled on for large batches (1: serial)."""
        return _forced if _forced is not None else self._best


def per_being(body: Callable[..., Any]) -> PerBeing:
    """Decorator form of `PerBeing`."""
    return PerBeing(body)


@contextmanager
def always_parallel() -> Iterator[None]:
    """Run every per-being kernel in parallel, whatever its size (to compile both forms)."""
    global _forced
    saved, _forced = _forced, min(max(2, cores()), MAX_THREADS)
    try:
        yield
    finally:
        _forced = saved


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
