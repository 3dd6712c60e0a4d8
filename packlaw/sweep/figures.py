"""A sweep's figures: each output against each varied parameter, and Sobol indices as bars.

`write_sweep_report(store, sweep_id, out_dir)` writes, with Matplotlib:

- ``SWEEP-PARAM.png`` for each varied parameter: one panel per output, its
  mean over worlds at each value (or bin) of the parameter, with its 5-95%
  band (`packlaw.sweep.analysis.profile`);
- ``SWEEP-sobol.png`` for a Sobol design: one panel per output, first-order
  and total indices of each parameter as bars with their 95% confidence
  intervals.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from packlaw.report.kit import Chart
from packlaw.store import Store
from packlaw.store.sweeps import PointInfo, SweepInfo, SweepLedger
from packlaw.sweep.analysis import factors, output_names, profile, sobol

COLUMNS = 4


def _grid(count: int) -> tuple[int, int]:
    columns = min(COLUMNS, max(1, count))
    return math.ceil(count / columns), columns


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)


def profile_figure(
    info: SweepInfo, points: list[PointInfo], factor_name: str, outputs: Sequence[str]
) -> Any:
    """A figure of ``outputs`` against one varied parameter: means with their 5-95% bands."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    factor = next(f for f in factors(info) if f.name == factor_name)
    rows, columns = _grid(len(outputs))
    figure = Figure(figsize=(3.6 * columns, 2.8 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for ax, output in zip(axes.flat, outputs, strict=False):
        groups = profile(points, factor, output)
        xs = [g.value for g in groups]
        ax.fill_between(
            xs, [g.low for g in groups], [g.high for g in groups], alpha=0.25, label="5-95%"
        )
        ax.plot(xs, [g.mean for g in groups], marker="o", markersize=3, label="mean")
        ax.set_title(output, fontsize=10)
        ax.set_xlabel(factor.name)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(outputs) :]:
        ax.set_visible(False)
    figure.suptitle(
        f"sweep {info.name}: {info.scenario}, {info.worlds:,} worlds x {info.days} days per point"
    )
    return figure


def sobol_figure(info: SweepInfo, indices: dict[str, Any], outputs: Sequence[str]) -> Any:
    """A figure of first-order and total Sobol indices per output, as bars with 95% intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib.figure import Figure

    names = [f.name for f in factors(info)]
    rows, columns = _grid(len(outputs))
    figure = Figure(figsize=(3.6 * columns + 0.4 * len(names), 3.0 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    at = np.arange(len(names))
    for ax, output in zip(axes.flat, outputs, strict=False):
        by = indices[output]
        for offset, key, label in ((-0.2, "S1", "first order"), (0.2, "ST", "total")):
            values = [by[n][key] if by[n][key] is not None else np.nan for n in names]
            errors = [
                by[n][f"{key}_conf"] if by[n][f"{key}_conf"] is not None else 0 for n in names
            ]
            ax.bar(at + offset, values, width=0.4, yerr=errors, capsize=3, label=label)
        ax.set_xticks(at, names, rotation=30, ha="right", fontsize=8)
        ax.set_title(output, fontsize=10)
        ax.axhline(0, color="black", linewidth=0.5)
        ax.grid(axis="y", alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    for ax in list(axes.flat)[len(outputs) :]:
        ax.set_visible(False)
    figure.suptitle(
        f"sweep {info.name}: Sobol indices ({info.experiment['sample']})\n"
        f"{info.worlds:,} worlds x {info.days} days a point; bars: 95% intervals",
        fontsize=10,
    )
    return figure


def sweep_charts(store: Store, sweep_id: int, outputs: Sequence[str] | None = None) -> list[Chart]:
    """The sweep's figures as the report kit's charts, named ``SWEEP-PARAM`` and ``SWEEP-sobol``.

    ``outputs`` picks the outputs to draw (default: all of them).
    """
    ledger = SweepLedger(store)
    info = ledger.sweep(sweep_id)
    points = ledger.points(info.id)
    chosen = list(outputs) if outputs is not None else output_names(points)
    charts: list[Chart] = []
    for factor in factors(info):
        figure = profile_figure(info, points, factor.name, chosen)
        title = f"Each output against {factor.name}: mean over worlds, 5-95% band"
        charts.append(Chart(f"{info.name}-{_slug(factor.name)}", title, figure, figure.axes))
    try:
        indices = sobol(info, points)
    except ValueError:  # the design is not done yet: no indices to draw
        indices = None
    if indices is not None:
        figure = sobol_figure(info, indices, chosen)
        title = "Sobol indices: first order and total, with 95% intervals"
        charts.append(Chart(f"{info.name}-sobol", title, figure, figure.axes))
    return charts


def write_sweep_report(
    store: Store, sweep_id: int, out_dir: Path | str, outputs: Sequence[str] | None = None
) -> list[Path]:
    """Write the sweep's figures as PNG files in ``out_dir``; return their paths.

    ``outputs`` picks the outputs to draw (default: all of them). `packlaw
    report SWEEP` writes the same charts as a whole report (`sweep_charts`).
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for chart in sweep_charts(store, sweep_id, outputs):
        path = folder / f"{chart.name}.png"
        chart.figure.savefig(path, dpi=110)
        written.append(path)
    return written
