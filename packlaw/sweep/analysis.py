"""What a finished sweep says: each output against each varied parameter, and Sobol indices.

A profile of an output against one parameter groups the done points by
that parameter's value (a grid) or into ten equal-width bins of its range
(a sampled design), and gives each group's mean of the points' means and
the mean of their 5-95% bands (`packlaw.sweep.work`).

Sobol indices (first-order ``S1`` and total ``ST``, each with its 95%
confidence interval) are computed by SALib from the Saltelli design the
sweep ran (`packlaw.sweep.design`), for every output, once all of the
design's points are done.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from packlaw.store.sweeps import PointInfo, SweepInfo
from packlaw.sweep.design import design, sobol_problem
from packlaw.sweep.experiment import Factor, factors_from_document, sample_kind

BINS = 10
SOBOL_SEED = 1  # SALib's bootstrap for the confidence intervals; fixed so that show repeats itself


@dataclass(frozen=True)
class Group:
    """The done points where one parameter is at (or near) one value."""

    value: float
    points: int
    mean: float
    low: float
    high: float


def output_names(points: list[PointInfo]) -> list[str]:
    """Every output the done points report, in the order the first one gives them."""
    names: dict[str, None] = {}
    for point in points:
        if point.outputs:
            names.update(dict.fromkeys(point.outputs))
    return list(names)


def factors(info: SweepInfo) -> tuple[Factor, ...]:
    """The factors of a stored sweep."""
    return factors_from_document(info.experiment)


def profile(points: list[PointInfo], factor: Factor, output: str) -> list[Group]:
    """An output's mean and band against one factor, over the done points."""
    done = [p for p in points if p.status == "done" and p.outputs and output in p.outputs]
    if not done:
        return []
    xs = np.array([float(p.values[factor.name]) for p in done])
    if factor.values is not None:
        keys = xs
        centres = {float(x): float(x) for x in np.unique(xs)}
    else:
        edges = np.linspace(factor.low, factor.high, BINS + 1)
        index = np.clip(np.digitize(xs, edges) - 1, 0, BINS - 1)
        keys = index.astype(float)
        centres = {float(i): float((edges[i] + edges[i + 1]) / 2) for i in np.unique(index)}
    groups = []
    for key, centre in sorted(centres.items(), key=lambda item: item[1]):
        chosen = [p.outputs[output] for p, k in zip(done, keys, strict=True) if k == key]  # type: ignore[index]
        groups.append(
            Group(
                value=centre,
                points=len(chosen),
                mean=_mean(c["mean"] for c in chosen),
                low=_mean(c["low"] for c in chosen),
                high=_mean(c["high"] for c in chosen),
            )
        )
    return groups


def _mean(values: Any) -> float:
    numbers = [v for v in values if v is not None]
    return float(np.mean(numbers)) if numbers else float("nan")


def sobol(
    info: SweepInfo, points: list[PointInfo]
) -> dict[str, dict[str, dict[str, float | None]]] | None:
    """``{output: {factor: {S1, S1_conf, ST, ST_conf}}}``, or None when the sweep is no Sobol design.

    Raises `ValueError` when some of the design's points are not done yet.
    """
    kind, _ = sample_kind(info.experiment["sample"], "sample")
    if kind != "sobol":
        return None
    from SALib.analyze import sobol as salib_sobol

    chosen = factors(info)
    rows = design(chosen, info.experiment["sample"], info.seed)
    by_values = {_canonical(p.values): p for p in points}
    missing = sum(
        1
        for row in rows
        if by_values.get(_canonical(row)) is None or by_values[_canonical(row)].status != "done"
    )
    if missing:
        raise ValueError(f"{missing} of the design's {len(rows)} points are not done")
    design_points = [by_values[_canonical(row)] for row in rows]
    problem = sobol_problem(chosen)
    indices: dict[str, dict[str, dict[str, float | None]]] = {}
    for output in output_names(design_points):
        y = np.array([_outcome(p, output) for p in design_points], dtype=float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            found = salib_sobol.analyze(
                problem, y, calc_second_order=False, conf_level=0.95, seed=SOBOL_SEED
            )
        indices[output] = {
            f.name: {key: _finite(found[key][i]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            for i, f in enumerate(chosen)
        }
    return indices


def _outcome(point: PointInfo, output: str) -> float:
    value = (point.outputs or {}).get(output, {}).get("mean")
    return float("nan") if value is None else float(value)


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def _canonical(values: dict[str, Any]) -> str:
    return json.dumps({k: float(v) for k, v in values.items()}, sort_keys=True)
