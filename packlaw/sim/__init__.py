"""The territory simulator: the rulebook run forward over many replicate worlds.

``territory-model.md`` is the contract. A scenario (`scenario.py`) gives the
starting beings and parameters; the state (`state.py`) is a struct of NumPy
arrays over all worlds; a day is eleven phases (`phases.py`) backed by Numba
kernels (`kernels.py`); `run.py` runs the days and summarises the worlds, and
`trace.py` writes one world's events as a chronicle.

>>> from packlaw.sim import load_scenario, simulate
>>> scenario, _, _ = load_scenario()
>>> scenario.name
'beacon-hills'
"""

from packlaw.sim.run import RunResult, simulate
from packlaw.sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["RunResult", "Scenario", "ScenarioError", "load_scenario", "parse_scenario", "simulate"]
