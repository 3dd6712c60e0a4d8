"""The design: which points a sweep runs, and each point's id and seed.

- ``grid``: every combination of the factors' values, the first factor
  varying slowest.
- ``lhs:N``: N points of a Latin hypercube over the factors' ranges
  (`scipy.stats.qmc.LatinHypercube`, seeded by the sweep seed).
- ``sobol:N``: Saltelli's design for first-order and total indices,
  N x (factors + 2) points (`SALib.sample.sobol`, seeded by the sweep seed).
  A larger N starts with the smaller design's points, so extending a Sobol
  sweep runs only the new ones.

A point's seed comes from the sweep's seed and the point's values alone,
and its id is a hash of the sweep's identity and those values: neither
depends on the order of points, the batch or the worker, so the same sweep
gives the same numbers however it is spread, and the same point asked for
again is found done.

>>> point_seed(1, {"wound": 0.5}) == point_seed(1, {"wound": 0.5})
True
>>> point_seed(1, {"wound": 0.5}) != point_seed(2, {"wound": 0.5})
True
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from typing import Any

import numpy as np

from packlaw.sweep.experiment import MAX_POINTS, Experiment, ExperimentError, Factor, sample_kind


def sweep_key(experiment: Experiment) -> str:
    """What makes two experiments one sweep: scenario text, worlds, days, seed, varied names."""
    identity = {
        "scenario": experiment.scenario_text,
        "worlds": experiment.worlds,
        "days": experiment.days,
        "seed": experiment.seed,
        "names": sorted(experiment.names),
    }
    return hashlib.sha256(_canonical(identity).encode()).hexdigest()


def point_seed(sweep_seed: int, values: dict[str, float]) -> int:
    """A point's seed: 63 bits of a hash of the sweep seed and the point's values."""
    digest = hashlib.sha256(f"{sweep_seed}\n{_canonical(values)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def point_id(key: str, values: dict[str, float]) -> str:
    """A point's content-hashed id within its sweep (32 hex digits)."""
    return hashlib.sha256(f"{key}\n{_canonical(values)}".encode()).hexdigest()[:32]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def point_count(factors: tuple[Factor, ...], sample: str) -> int:
    """How many points the design has, worked out without making it."""
    kind, n = sample_kind(sample, "--sample")
    if kind == "grid":
        return math.prod(len(f.values or ()) for f in factors)
    if kind == "lhs":
        return n
    return n * (len(factors) + 2)


def check_size(factors: tuple[Factor, ...], sample: str) -> int:
    """The design's size; one the ledger cannot hold is refused before any point runs."""
    count = point_count(factors, sample)
    if count > MAX_POINTS:
        raise ExperimentError(
            [
                f"--sample {sample}: the design has {count:,} points, more than a sweep's "
                f"ledger holds ({MAX_POINTS:,}); sample fewer or split the sweep"
            ]
        )
    return count


def sobol_problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    """The SALib problem of a sweep's factors."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


def design(factors: tuple[Factor, ...], sample: str, seed: int) -> list[dict[str, float]]:
    """The design's points as ``{name: value}``, in design order (repeats kept)."""
    check_size(factors, sample)
    kind, n = sample_kind(sample, "--sample")
    if kind == "grid":
        grids = [f.values or () for f in factors]
        return [
            {f.name: v for f, v in zip(factors, combo, strict=True)}
            for combo in itertools.product(*grids)
        ]
    if kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(n)
        rows = qmc.scale(unit, [f.low for f in factors], [f.high for f in factors])
    else:
        import warnings

        from SALib.sample import sobol

        with warnings.catch_warnings():  # SALib warns when N is not a power of 2; the design holds
            warnings.simplefilter("ignore")
            rows = sobol.sample(sobol_problem(factors), n, calc_second_order=False, seed=seed)
    return [{f.name: f.snap(float(v)) for f, v in zip(factors, row, strict=True)} for row in rows]
