"""Scenarios shipped with packlaw (TOML files beside this module); see `packlaw.sim.scenario`."""
