"""The spatial index: beings bucketed by world and square block of cells.

Neighbour queries (who is within distance r of this cell, in this world) look
only at the few buckets the query square touches, so no phase is quadratic in
beings. The index is a counting sort of the living beings by
``(world, bucket)``: ``start[k]:start[k + 1]`` are the positions in ``rows``
of bucket ``k``'s beings, in row order (oldest first).

Positions do not change after the movement phase, so one index built right
after it serves the whole day (attacks, bites, joining); queries filter by
``alive`` and standing as the state is then.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit


class Grid(NamedTuple):
    """A built index (see the module's docstring)."""

    start: np.ndarray  # int32, worlds * buckets + 2 entries
    rows: np.ndarray  # int32
    side: int  # cells per bucket along each axis
    nbx: int  # buckets along x
    nby: int  # buckets along y
    width: int
    height: int


@njit(cache=True)
def bucket_side(width, height, beings_per_world):
    """A bucket side giving a few living beings a bucket (fewer buckets sort faster), at least 1."""
    cells_per_being = width * height / max(beings_per_world, 1.0)
    side = np.int64(np.round(np.sqrt(3.0 * cells_per_being)))
    return max(1, min(max(width, height), side))


@njit(cache=True)
def build_index(b, worlds, width, height):
    """Index the living beings of ``b`` by world and bucket (the bucket's side from their density)."""
    return build_grid(
        b, worlds, width, height, bucket_side(width, height, b.alive.shape[0] / worlds)
    )


@njit(cache=True)
def build_grid(b, worlds, width, height, side):
    """Index the living beings of ``b`` by world and square buckets of ``side`` cells."""
    nbx, nby = -(-width // side), -(-height // side)
    nb = nbx * nby
    # bucket of each cell along each axis: a table look-up instead of two divisions a being
    bucket_x = (np.arange(width) // side).astype(np.int32)
    bucket_y = (np.arange(height) // side).astype(np.int32) * nbx
    start = np.zeros(worlds * nb + 2, np.int32)
    total = 0
    for i in range(b.world.shape[0]):
        if b.alive[i]:
            start[b.world[i] * nb + bucket_y[b.y[i]] + bucket_x[b.x[i]] + 2] += 1
            total += 1
    for k in range(2, start.shape[0]):
        start[k] += start[k - 1]
    rows = np.empty(total, np.int32)
    for i in range(b.world.shape[0]):
        if b.alive[i]:
            k = b.world[i] * nb + bucket_y[b.y[i]] + bucket_x[b.x[i]] + 1
            rows[start[k]] = i
            start[k] += 1
    return Grid(start, rows, side, nbx, nby, width, height)


@njit(cache=True, inline="always")
def axis_buckets(c, r, size, side, nbk):
    """First bucket and bucket count covering cells ``c - r .. c + r`` on a ring of ``size``."""
    if 2 * r + 1 >= size:
        return 0, nbk
    lo = (c - r) % size
    hi = (c + r) % size
    blo = lo // side
    bhi = hi // side
    count = bhi - blo + 1 if lo <= hi else nbk - blo + bhi + 1
    if count >= nbk:
        return 0, nbk
    return blo, count


@njit(cache=True, inline="always")
def torus_distance(x1, y1, x2, y2, width, height):
    """Chebyshev distance on the torus."""
    dx = abs(np.int64(x1) - np.int64(x2))
    dy = abs(np.int64(y1) - np.int64(y2))
    dx = min(dx, width - dx)
    dy = min(dy, height - dy)
    return max(dx, dy)
