"""What a Dask worker does: run a batch of points and send back compact results.

Workers need only packlaw installed: they get the scenario as plain data,
the factors' places and each point's values and seed, run each point as an
ensemble (`packlaw.sim.simulate`), and return the run's summary, its daily
table as one array, and the sweep's outputs. They never touch the
database; the client stores what comes back.

A point that raises is returned as failed with its traceback; the other
points of its batch go on.

Outputs, each over the point's worlds:

- ``NAME.alive``, ``NAME.hurt``, ``NAME.hurt_alone`` for each named being:
  the chance it is alive at the end, was ever wounded, was ever wounded
  while alone;
- ``PACK.survival`` for each pack: the share of its alpha and members
  (named at the start) alive at the end;
- ``deaths``, ``hits_alone``: totals per world.

Each output keeps its ``mean`` and a 5-95% band (``low``, ``high``): for a
quantity per world, the 5th and 95th percentiles over worlds; for a chance
(a yes or no per world, whose spread over worlds is always 0 to 1), the 90%
interval of the chance itself (Jeffreys).
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

TOTAL_OUTPUTS = ("deaths", "hits_alone")
BEING_OUTPUTS = ("alive", "hurt", "hurt_alone")


@dataclass(frozen=True)
class PointResult:
    """One point's result as it travels back: compact, no per-being arrays."""

    point_id: str
    error: str | None
    summary: dict[str, Any] | None
    daily: np.ndarray | None  # days x metrics x statistics
    outputs: dict[str, dict[str, float]] | None
    seconds: float
    being_days: float


def _band(per_world: np.ndarray, chance: bool) -> dict[str, float]:
    mean = float(per_world.mean()) if per_world.size else float("nan")
    if chance:
        from scipy.stats import beta

        yes, n = float(per_world.sum()), per_world.size
        low, high = beta.ppf([0.05, 0.95], yes + 0.5, n - yes + 0.5)
        return {"mean": mean, "low": float(low), "high": float(high)}
    low, high = np.percentile(per_world, [5, 95]) if per_world.size else (np.nan, np.nan)
    return {"mean": mean, "low": float(low), "high": float(high)}


def outputs(result: Any) -> dict[str, dict[str, float]]:
    """The sweep's outputs of one run (`packlaw.sim.RunResult`)."""
    from packlaw.sim.run import TOTALS

    found: dict[str, dict[str, float]] = {}
    slot = {name: i for i, name in enumerate(result.named)}
    for name, i in slot.items():
        found[f"{name}.alive"] = _band(result.alive[:, i].astype(float), chance=True)
        found[f"{name}.hurt"] = _band((result.wounded[:, i] > 0).astype(float), chance=True)
        found[f"{name}.hurt_alone"] = _band(
            (result.wounded_alone[:, i] > 0).astype(float), chance=True
        )
    for pack in result.scenario.packs:
        rows = [slot[b.name] for b in (pack.alpha, *pack.members) if b.name in slot]
        if rows:
            share = result.alive[:, rows].astype(float).mean(axis=1)
            found[f"{pack.name}.survival"] = _band(share, chance=False)
    for total in TOTAL_OUTPUTS:
        found[total] = _band(result.totals[:, TOTALS.index(total)], chance=False)
    return found


def run_points(
    scenario: dict[str, Any],
    paths: list[tuple[str, str]],
    points: list[tuple[str, list[float], int]],
    worlds: int,
    days: int,
    daily: bool = True,
) -> list[PointResult]:
    """Run each point ``(id, values, seed)`` of a batch; a failure is kept, not raised.

    ``daily=False`` leaves the daily table out of the result (summary and outputs only).
    """
    from packlaw.sim import simulate
    from packlaw.sweep.experiment import apply_values

    results = []
    for point_id, values, seed in points:
        started = time.perf_counter()
        try:
            run = simulate(
                apply_values(scenario, paths, values), worlds=worlds, days=days, seed=seed
            )
            summary = run.summary()
            results.append(
                PointResult(
                    point_id=point_id,
                    error=None,
                    summary=summary,
                    daily=run.daily if daily else None,
                    outputs=outputs(run),
                    seconds=time.perf_counter() - started,
                    being_days=run.being_days,
                )
            )
        except Exception:
            results.append(
                PointResult(
                    point_id,
                    traceback.format_exc(),
                    None,
                    None,
                    None,
                    time.perf_counter() - started,
                    0.0,
                )
            )
    return results


def daily_rows(daily: np.ndarray) -> list[tuple[int, str, float, float, float, float, float]]:
    """A returned daily table as the store's rows, ``(day, metric, mean, sd, p5, p50, p95)``."""
    from packlaw.sim.metrics import METRICS

    days, metrics = daily.shape[0], len(METRICS)
    figures = daily.reshape(days * metrics, -1).tolist()
    keys = [(day + 1, name) for day in range(days) for name in METRICS]
    return [(day, name, *values) for (day, name), values in zip(keys, figures, strict=True)]
