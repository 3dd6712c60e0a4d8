"""Figures of stored runs: ensemble curves over days and the named beings' outcomes.

Everything is read from the store: the daily table ``run_metrics`` (each
metric's mean and 5th and 95th percentiles over worlds, per day) and each
run's summary (the named beings' figures). Several runs share each figure,
one style each (`packlaw.report.kit.style`).

>>> from packlaw.sim import load_scenario, simulate
>>> from packlaw.store import Store
>>> scenario, text, _ = load_scenario()
>>> result = simulate(scenario, worlds=5, days=20, seed=2)
>>> store = Store("sqlite://")
>>> run_id = store.start_run(scenario.name, text, seed=2, worlds=5, days=20)
>>> store.finish_run(run_id, result.summary(), result.daily_rows())
>>> charts = run_charts(load_runs(store, [run_id]))
>>> [chart.name for chart in charts]
['beings', 'attacks', 'packs', 'tasks', 'deaths', 'named-beings']
>>> attacks = next(s for s in charts[1].series if s.name == "attacks")
>>> len(attacks.mean) == 20 and attacks.x[0] == 1.0
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from packlaw.report.kit import (
    Chart,
    Series,
    as_list,
    finish_panel,
    new_chart,
    plot_band,
    plot_points,
    style,
)
from packlaw.sim.metrics import (
    M_ATTACKS,
    M_ATTACKS_ALONE,
    M_BEINGS,
    M_BEINGS_OMEGA_HOSTILE,
    M_DEATHS,
    M_PACK_SIZE_MEAN,
    M_PACKS_ESTABLISHED,
    M_TASKS_PATROL,
    M_TASKS_RESEARCH,
    METRICS,
)
from packlaw.sim.state import KINDS, STANDINGS
from packlaw.store import RunInfo, Store

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval
DAY = "day of the run"


@dataclass
class RunData:
    """A stored run as the figures need it: its record and its daily table."""

    info: RunInfo
    days: np.ndarray
    daily: dict[str, dict[str, np.ndarray]]  # metric -> statistic -> value per day

    @property
    def label(self) -> str:
        """How the run is named in legends."""
        return f"run {self.info.id}: {self.info.scenario}"

    def series(self, metric: str) -> Series:
        """A metric's daily mean with its 5-95% band, as stored."""
        table = self.daily[metric]
        return Series(
            self.label,
            metric,
            as_list(self.days),
            as_list(table["mean"]),
            as_list(table["p5"]),
            as_list(table["p95"]),
        )


def load_runs(store: Store, run_ids: Sequence[int]) -> list[RunData]:
    """The runs' records and daily tables (`UnknownRun` for an id the store lacks)."""
    loaded = []
    for run_id in run_ids:
        info = store.run(run_id)
        rows = store.daily(run_id)
        days = np.arange(1, info.days + 1, dtype=np.float64)
        daily: dict[str, dict[str, np.ndarray]] = {}
        for row in rows:
            table = daily.setdefault(
                row.metric, {s: np.full(info.days, np.nan) for s in ("mean", "p5", "p95")}
            )
            for statistic in ("mean", "p5", "p95"):
                value = getattr(row, statistic)
                table[statistic][row.day - 1] = np.nan if value is None else value
        loaded.append(RunData(info, days, daily))
    return loaded


def run_charts(runs: Sequence[RunData]) -> list[Chart]:
    """Every figure of a report of ``runs``, in the order the page shows them."""
    return [
        beings_chart(runs),
        attacks_chart(runs),
        packs_chart(runs),
        tasks_chart(runs),
        deaths_chart(runs),
        named_beings_chart(runs),
    ]


def _bands(
    name: str,
    title: str,
    runs: Sequence[RunData],
    panels: Sequence[tuple[str, str, str]],
    caption: str,
) -> Chart:
    """A chart with one panel per (metric, panel title, y label), every run on each."""
    chart = new_chart(name, title, [p[1] for p in panels], caption=caption)
    for panel, (metric, _, ylabel) in enumerate(panels):
        for i, run in enumerate(runs):
            if metric in run.daily:
                plot_band(chart, panel, run.series(metric), style(i))
        finish_panel(chart, panel, DAY, ylabel)
    return chart


_BAND_NOTE = "Lines are means over worlds; shaded bands run from the 5th to the 95th percentile."


def beings_chart(runs: Sequence[RunData]) -> Chart:
    """Beings by standing (and kind) over days; pairs nobody ever held are left out."""
    panels = []
    for s, standing in enumerate(STANDINGS):
        for k, kind in enumerate(KINDS):
            metric = METRICS[M_BEINGS + 2 * s + k]  # laid out as 2 * standing + kind
            held = (
                np.nanmax(r.daily[metric]["p95"], initial=0) > 0 for r in runs if metric in r.daily
            )
            if any(held):
                panels.append((metric, f"{_plural(standing)} ({kind})", "beings per world"))
    panels.append((METRICS[M_BEINGS_OMEGA_HOSTILE], "hostile omegas", "beings per world"))
    return _bands("beings", "Beings by standing", runs, panels, _BAND_NOTE)


def _plural(standing: str) -> str:
    """``allies``, ``members``, ``unaffiliated``: a standing's name for several."""
    return {"ally": "allies", "unaffiliated": "unaffiliated"}.get(standing, standing + "s")


def attacks_chart(runs: Sequence[RunData]) -> Chart:
    """Attacks per day, those on beings alone, and the share of attacks that were alone."""
    attacks, alone = METRICS[M_ATTACKS], METRICS[M_ATTACKS_ALONE]
    panels = [
        (attacks, "attacks", "attacks per world per day"),
        (alone, "attacks on a being alone", "attacks per world per day"),
    ]
    chart = new_chart(
        "attacks",
        "Attacks, and how many were on beings alone",
        [*(p[1] for p in panels), "share of attacks on a being alone, so far"],
        caption=_BAND_NOTE
        + " The share is the run's attacks on beings alone up to that day over all its"
        " attacks up to that day (a ratio of means, so it has no band).",
    )
    for panel, (metric, _, ylabel) in enumerate(panels):
        for i, run in enumerate(runs):
            plot_band(chart, panel, run.series(metric), style(i))
        finish_panel(chart, panel, DAY, ylabel)
    for i, run in enumerate(runs):
        plot_band(chart, 2, share_alone(run), style(i))
    finish_panel(chart, 2, DAY, "share of attacks (0 to 1)")
    return chart


def share_alone(run: RunData) -> Series:
    """The share of a run's attacks, up to each day, that were on a being alone."""
    attacks = np.nancumsum(run.daily[METRICS[M_ATTACKS]]["mean"])
    alone = np.nancumsum(run.daily[METRICS[M_ATTACKS_ALONE]]["mean"])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(attacks > 0, alone / np.where(attacks > 0, attacks, 1), np.nan)
    return Series(run.label, "share_alone", as_list(run.days), as_list(share))


def packs_chart(runs: Sequence[RunData]) -> Chart:
    """Established packs and the mean pack size over days."""
    panels = [
        (METRICS[M_PACKS_ESTABLISHED], "established packs", "packs per world"),
        (METRICS[M_PACK_SIZE_MEAN], "pack size", "members and alpha per pack"),
    ]
    return _bands("packs", "Packs", runs, panels, _BAND_NOTE)


def tasks_chart(runs: Sequence[RunData]) -> Chart:
    """Members on each task: the pack's division of labour."""
    panels = [
        (METRICS[M_TASKS_RESEARCH], "on research", "members per world"),
        (METRICS[M_TASKS_PATROL], "on patrol", "members per world"),
    ]
    return _bands("tasks", "Members on each task (division of labour)", runs, panels, _BAND_NOTE)


def deaths_chart(runs: Sequence[RunData]) -> Chart:
    """Deaths per day."""
    panels = [(METRICS[M_DEATHS], "deaths", "deaths per world per day")]
    return _bands("deaths", "Deaths", runs, panels, _BAND_NOTE)


# ------------------------------------------------------------ named beings

OUTCOMES = (
    ("alive", "alive at the end", "share of worlds (0 to 1)"),
    ("wounded", "times wounded", "times per world"),
    ("wounded_alone", "times wounded alone", "times per world"),
)


def mean_interval(stats: dict[str, Any], worlds: int) -> tuple[float, float, float]:
    """A mean over worlds with its 95% interval (normal approximation, sd over sqrt(worlds))."""
    mean = float(stats["mean"])
    sd = float(stats["sd"] or 0.0)
    half = Z95 * sd / math.sqrt(worlds) if worlds > 0 else 0.0
    return mean, mean - half, mean + half


def share_interval(share: float, worlds: int) -> tuple[float, float, float]:
    """A share of worlds with its 95% Wilson interval (right even at 0 and 1)."""
    if worlds <= 0:
        return share, share, share
    z2 = Z95 * Z95
    centre = (share + z2 / (2 * worlds)) / (1 + z2 / worlds)
    half = Z95 * math.sqrt(share * (1 - share) / worlds + z2 / (4 * worlds**2)) / (1 + z2 / worlds)
    # The interval holds the share; min/max only absorb rounding at 0 and 1.
    return share, min(share, max(0.0, centre - half)), max(share, min(1.0, centre + half))


def named_beings_chart(runs: Sequence[RunData]) -> Chart:
    """Each named being's outcomes in each run, as points with 95% intervals."""
    names = list(
        dict.fromkeys(n for run in runs for n in (run.info.summary or {}).get("beings", {}))
    )
    standings = [
        standing
        for standing in STANDINGS
        if any(
            being["days"][standing]["mean"] > 0
            for run in runs
            for being in (run.info.summary or {}).get("beings", {}).values()
        )
    ]
    panels = [title for _, title, _ in OUTCOMES] + [f"days as {s}" for s in standings]
    chart = new_chart(
        "named-beings",
        "Named beings' outcomes",
        panels,
        caption="Points are means over worlds with 95% intervals: Wilson's for the share "
        "alive, otherwise the mean plus or minus 1.96 standard errors.",
    )
    width = 0.6 / max(len(runs), 1)
    for i, run in enumerate(runs):
        beings = (run.info.summary or {}).get("beings", {})
        worlds = run.info.worlds
        offset = (i - (len(runs) - 1) / 2) * width
        present = [n for n in names if n in beings]
        x = [float(names.index(n)) for n in present]
        figures: list[tuple[str, Any]] = [(key, None) for key, _, _ in OUTCOMES]
        figures += [("days", s) for s in standings]
        for panel, (key, standing) in enumerate(figures):
            points = []
            for name in present:
                stats = beings[name][key] if standing is None else beings[name][key][standing]
                if key == "alive":
                    points.append(share_interval(float(stats["mean"]), worlds))
                else:
                    points.append(mean_interval(stats, worlds))
            metric = key if standing is None else f"days_{standing}"
            series = Series(
                run.label,
                metric,
                x,
                [p[0] for p in points],
                [p[1] for p in points],
                [p[2] for p in points],
            )
            plot_points(chart, panel, series, style(i), offset)
    for panel, (_, _, ylabel) in enumerate(OUTCOMES):
        finish_panel(chart, panel, "named being", ylabel, names)
    for j in range(len(standings)):
        finish_panel(chart, len(OUTCOMES) + j, "named being", "days per world", names)
    return chart
