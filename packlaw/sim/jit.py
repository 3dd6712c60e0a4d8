"""Numba compilation for per-being kernels: serial for small batches, parallel for large.

Starting Numba's thread pool costs a fraction of a millisecond per call,
which is more than a whole small world's work, so each per-being kernel is
compiled twice from one body (``prange`` is a plain ``range`` when not
parallel) and the call picks by the batch's size. Both are cached on disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FunctionType
from typing import Any

from numba import njit

PARALLEL_FROM = 50_000
"""Batches (rows, or worlds for summaries) at least this large run on all cores."""


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

    def __call__(self, size: int, *args: Any) -> Any:
        """Run on ``args``, in parallel when ``size`` is large."""
        kernel = self.parallel if size >= PARALLEL_FROM else self.serial
        return kernel(*args)


def per_being(body: Callable[..., Any]) -> PerBeing:
    """Decorator form of `PerBeing`."""
    return PerBeing(body)


@contextmanager
def always_parallel() -> Iterator[None]:
    """Run every per-being kernel in parallel, whatever its size (to compile both forms)."""
    global PARALLEL_FROM
    saved, PARALLEL_FROM = PARALLEL_FROM, 0
    try:
        yield
    finally:
        PARALLEL_FROM = saved
