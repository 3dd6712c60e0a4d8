"""Parameter sweeps on Dask distributed, the store as their ledger.

`experiment.py` checks what to vary and how; `design.py` makes the points
(grid, Latin hypercube, Sobol) with their ids and seeds; `work.py` is what a
worker runs; `runner.py` submits batches to a cluster and stores each point
as it comes back; `analysis.py` profiles the outputs and computes Sobol
indices; `figures.py` draws them.
"""
