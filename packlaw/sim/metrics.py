"""What a run reports: per-day metrics per world, totals, named beings, summaries.

Each day every world fills one row of ``today`` (``worlds x len(METRICS)``):
counts by standing and kind, established packs, mean pack size, members on
each task (counted at the end of the day), and the day's attacks, hits,
deaths, hunts and kills (counted as they happen). The day's row is summarised
over worlds (mean, sd, 5/50/95th percentiles) for the store, and the event
counts are added to each world's totals for the run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_STANDINGS = ("alpha", "member", "ally", "omega", "unaffiliated")
_KINDS = ("human", "werewolf")

METRICS: list[str] = []


def _add(*names: str) -> int:
    first = len(METRICS)
    METRICS.extend(names)
    return first


M_BEINGS = _add(*(f"beings_{s}_{k}" for s in _STANDINGS for k in _KINDS))  # 2 * standing + kind
M_BEINGS_OMEGA_HOSTILE = _add("beings_omega_hostile")
M_PACKS_ESTABLISHED = _add("packs_established")
M_PACK_SIZE_MEAN = _add("pack_size_mean")
M_TASKS_RESEARCH = _add("tasks_research")
M_TASKS_PATROL = _add("tasks_patrol")
M_ATTACKS = _add("attacks")
M_ATTACKS_ALONE = _add("attacks_alone")
M_ATTACKS_ON = _add(*(f"attacks_on_{s}" for s in _STANDINGS))  # + standing
M_HITS = _add("hits")
M_HITS_ALONE = _add("hits_alone")
M_HITS_ON = _add(*(f"hits_on_{s}" for s in _STANDINGS))
M_DEATHS = _add("deaths")
M_DEATHS_OF = _add(*(f"deaths_{s}" for s in _STANDINGS))  # + standing held at death
M_HUNTS = _add("hunts")
M_KILLS = _add("kills")
N_METRICS = len(METRICS)

# Events (summed over the run into each world's totals) versus states of the day.
EVENT_METRICS = np.arange(M_ATTACKS, N_METRICS)
STATISTICS = ("mean", "sd", "p5", "p50", "p95")


@njit(cache=True, inline="always")
def _order_statistic(sorted_counts, lo, k):
    # k-th smallest (0-based) of values lo + v with multiplicities sorted_counts[v]
    seen = 0
    for v in range(sorted_counts.shape[0]):
        seen += sorted_counts[v]
        if seen > k:
            return lo + v
    return lo + sorted_counts.shape[0] - 1


@njit(cache=True)
def summarise_figures(by_figure):
    """Mean, sd and 5/50/95th percentiles (NumPy's linear rule) of each column.

    Columns of small whole numbers (almost all of them: counts) are
    summarised by counting, in time linear in the worlds; others are sorted.
    """
    m, n = by_figure.shape
    out = np.empty((m, 5))
    if n == 1:  # one world: every statistic is its value, and the spread is 0
        for c in range(m):
            out[c] = by_figure[c, 0]
            out[c, 1] = 0.0
        return out
    for c in range(m):
        column = by_figure[c]
        mean = column.mean()
        out[c, 0] = mean
        out[c, 1] = np.sqrt(((column - mean) ** 2).sum() / (n - 1)) if n > 1 else 0.0
        lo = column.min()
        hi = column.max()
        whole = hi - lo < 100_000
        if whole:
            for i in range(n):
                if column[i] != np.floor(column[i]):
                    whole = False
                    break
        counts = np.zeros(1, np.int64)
        ordered = column[:1]
        if whole:
            counts = np.zeros(int(hi - lo) + 1, np.int64)
            for i in range(n):
                counts[int(column[i] - lo)] += 1
        else:
            ordered = np.sort(column)
        for j in range(3):
            position = (5.0, 50.0, 95.0)[j] / 100.0 * (n - 1)
            below = int(np.floor(position))
            above = min(below + 1, n - 1)
            fraction = position - below
            if whole:
                a = _order_statistic(counts, lo, below)
                b = _order_statistic(counts, lo, above)
            else:
                a = ordered[below]
                b = ordered[above]
            out[c, 2 + j] = a + (b - a) * fraction
    return out


def summarise(values: np.ndarray) -> np.ndarray:
    """Mean, sd and 5/50/95th percentiles of each column of ``values`` (worlds x figures)."""
    by_figure = np.ascontiguousarray(values.T)  # one figure's worlds side by side in memory
    return summarise_figures(by_figure)


def describe_columns(values: np.ndarray) -> list[dict[str, float]]:
    """``{mean, sd, p5, p50, p95}`` over worlds of each column of ``values`` (worlds x figures)."""
    stats = summarise(np.asarray(values, dtype=np.float64))
    return [dict(zip(STATISTICS, row.tolist(), strict=True)) for row in stats]
