"""The spatial index: beings bucketed by world and square block of cells.

Neighbour queries (who is within distance r of this cell, in this world) look
only at the few buckets the query square touches, so no phase is quadratic in
beings. The index is a counting sort of the living beings by
``(world, bucket)``: ``start[k]:start[k + 1]`` are the positions in
``entries`` of bucket ``k``'s beings, in row order (oldest first). An entry
is one 64-bit number holding the being's row and its cell (`entry`), so
building the index writes one scattered number a being, and a query
measures distances over contiguous memory and reads the beings' columns
only for those in range (the rows of a bucket are scattered over them).

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

    start: np.ndarray  # int32, worlds * buckets + 2 places
    entries: np.ndarray  # int64: row and cell of each indexed being (`entry`)
    bucket_x: np.ndarray  # int32: the bucket column of each x (a look-up, not a division)
    bucket_y: np.ndarray  # int32: the bucket row of each y
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
    per_cell = 1.0 / side
    # each being's bucket + 2 (its count's place), 0 for the dead (not indexed): a loop of
    # its own, which vectorises, then the counts, which cannot (two beings may share a bucket)
    keys = np.empty(b.world.shape[0], np.int32)
    alive, world, xs, ys = b.alive, b.world, b.x, b.y
    for i in range(keys.shape[0]):
        k = world[i] * nb + bucket_of(ys[i], per_cell) * nbx + bucket_of(xs[i], per_cell) + 2
        keys[i] = k * np.int64(alive[i])
    start = np.zeros(worlds * nb + 2, np.int32)
    for i in range(keys.shape[0]):
        start[keys[i]] += 1
    total = keys.shape[0] - start[0]
    start[0] = 0
    accumulate(start, 2)
    entries = np.empty(total, np.int64)
    for i in range(keys.shape[0]):
        k = keys[i] - 1
        if k > 0:
            q = start[k]
            entries[q] = entry(i, xs[i], ys[i])
            start[k] = q + 1
    bucket_x = np.array([bucket_of(c, per_cell) for c in range(width)], np.int32)
    bucket_y = np.array([bucket_of(c, per_cell) for c in range(height)], np.int32)
    return Grid(start, entries, bucket_x, bucket_y, side, nbx, nby, width, height)


@njit(cache=True)
def accumulate(counts, first):
    """``counts[k] += counts[k - 1]`` for each ``k`` from ``first`` on, in place: counts to starts.

    The running total stays in a register: the loop written over the
    array waits at each place for the store just before it.
    """
    total = counts[first - 1]
    for k in range(first, counts.shape[0]):
        total += counts[k]
        counts[k] = total


@njit(cache=True, inline="always")
def bucket_of(c, per_cell):
    """``c // side``, the bucket of cell ``c`` along an axis, for ``per_cell = 1 / side``.

    In floating point, so that a loop of them vectorises (vector units do
    not divide whole numbers): ``c + 0.5`` lies at least half a cell from a
    bucket's edge, and the product's rounding error is below 2**-34 cells
    for any ``c`` a column holds (below 2**15).
    """
    return np.int64((np.int64(c) + 0.5) * per_cell)


@njit(cache=True)
def index_rows(b, rows, most, worlds, width, height):
    """Index only the beings ``rows`` (living, oldest first) by world and bucket, about one a bucket.

    The buckets are sized for ``most`` beings in one world, about one a
    bucket, so a search for the nearest of a few thousand scattered beings
    (hostile omegas) looks at a few buckets rather than at every being
    near it. The buckets' sides differ by at most one cell (a look-up per
    axis): ``side`` is the narrowest.
    """
    nb_wanted = max(1.0, float(most))
    nbx = max(1, min(width, np.int64(np.round(np.sqrt(nb_wanted * width / height)))))
    nby = max(1, min(height, np.int64(np.round(nb_wanted / nbx))))
    nb = nbx * nby
    bucket_x = (np.arange(width) * nbx // width).astype(np.int32)
    bucket_y = (np.arange(height) * nby // height).astype(np.int32)
    start = np.zeros(worlds * nb + 2, np.int32)
    for i in rows:
        start[b.world[i] * nb + bucket_y[b.y[i]] * nbx + bucket_x[b.x[i]] + 2] += 1
    accumulate(start, 2)
    entries = np.empty(rows.shape[0], np.int64)
    for i in rows:
        k = b.world[i] * nb + bucket_y[b.y[i]] * nbx + bucket_x[b.x[i]] + 1
        entries[start[k]] = entry(i, b.x[i], b.y[i])
        start[k] += 1
    side = min(width // nbx, height // nby)
    return Grid(start, entries, bucket_x, bucket_y, side, nbx, nby, width, height)


@njit(cache=True, inline="always")
def narrowest(g):
    """The narrowest bucket's side, in cells (a last bucket may be narrower than ``side``)."""
    return min(g.side, g.width - (g.nbx - 1) * g.side, g.height - (g.nby - 1) * g.side)


@njit(cache=True, inline="always")
def entry(row, x, y):
    """An index entry: ``row`` in the high 32 bits, ``y`` and ``x`` 16 bits each below."""
    return (np.int64(row) << 32) | (np.int64(y) << 16) | np.int64(x)


@njit(cache=True, inline="always")
def entry_row(e):
    """The row of an index entry."""
    return np.int32(e >> 32)


@njit(cache=True, inline="always")
def entry_x(e):
    """The x of an index entry."""
    return e & 0xFFFF


@njit(cache=True, inline="always")
def entry_y(e):
    """The y of an index entry."""
    return (e >> 16) & 0xFFFF


@njit(cache=True, inline="always")
def wrap(v, size):
    """``v % size`` for ``-size <= v < 2 * size``, by comparison (``%`` is a slow division)."""
    if v < 0:
        return v + size
    if v >= size:
        return v - size
    return v


@njit(cache=True, inline="always")
def axis_buckets(c, r, size, bucket, nbk):
    """First bucket and bucket count covering cells ``c - r .. c + r`` on a ring of ``size``.

    ``bucket`` is the axis's table of each cell's bucket.
    """
    if 2 * r + 1 >= size:
        return 0, nbk
    lo = wrap(c - r, size)  # r < size here
    hi = wrap(c + r, size)
    blo = bucket[lo]
    bhi = bucket[hi]
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
