"""The territory simulator: the rulebook run forward over many replicate worlds.

``territory-model.md`` is the contract. A scenario (`scenario.py`) gives the
starting beings and parameters; the state (`state.py`) is a struct of NumPy
arrays over all worlds; a day is eleven phases, Numba functions in
`kernels.py` run in one call (or one at a time from `phases.py` for a traced
world); `run.py` runs the days and summarises the worlds, and `trace.py`
writes one world's events as a chronicle that checks itself.

>>> from packlaw.sim import load_scenario, simulate
>>> scenario, _, _ = load_scenario()
>>> scenario.name
'beacon-hills'
"""

from packlaw.sim.run import RunResult, simulate
from packlaw.sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["RunResult", "Scenario", "ScenarioError", "load_scenario", "parse_scenario", "simulate"]
