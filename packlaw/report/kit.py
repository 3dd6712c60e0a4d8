"""What every report shares: colours and line styles, bands, charts, and the page writer.

The public API (for reports of runs here and of sweeps elsewhere):

- `style` (i) gives the i-th of several things drawn on one chart (a run, a
  sweep point) a colour of the Okabe-Ito palette, which colour-blind readers
  tell apart, *and* a line style and marker, so that the chart still reads
  in grayscale;
- `Series` is one line of data (with its 5-95% band, or its interval):
  every chart keeps the series it draws, so tests can check the picture's
  numbers against the store;
- `new_chart` makes a titled Matplotlib figure of one or more panels,
  `plot_band` draws a mean with its band, `plot_points` points with
  intervals, `finish_panel` labels a panel;
- `check_output` refuses a folder that cannot be written before any work,
  and `write_report` writes every chart as PNG and SVG plus one offline
  ``index.html`` (the PNGs inlined), into a temporary folder that replaces
  ``DIR`` only when everything is written: a failed report leaves nothing.

>>> chart = new_chart("demo", "Attacks per day", ["attacks"])
>>> series = Series("run 1", "attacks", [1.0, 2.0], [0.5, 1.0], [0.0, 0.0], [1.0, 2.0])
>>> plot_band(chart, 0, series, style(0))
>>> [s.mean for s in chart.series]
[[0.5, 1.0]]
>>> style(1).colour, style(1).linestyle
('#D55E00', '--')
"""

from __future__ import annotations

import base64
import html
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design": distinct under the common colour blindnesses.
# In this order neighbours also differ in lightness, which grayscale keeps.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
BAND_ALPHA = 0.18
FIGURE_DPI = 110


class ReportError(Exception):
    """A report that cannot be written: one sentence."""


@dataclass(frozen=True)
class Style:
    """How the i-th thing on a chart is drawn."""

    colour: str
    linestyle: str
    marker: str


def style(i: int) -> Style:
    """The i-th style: colour, line style and marker all change, so each survives grayscale."""
    return Style(
        PALETTE[i % len(PALETTE)], LINESTYLES[i % len(LINESTYLES)], MARKERS[i % len(MARKERS)]
    )


@dataclass
class Series:
    """One drawn line or set of points: ``mean`` at ``x`` with its band ``low .. high``.

    ``label`` names whose it is (a run), ``name`` what it is (a metric).
    """

    label: str
    name: str
    x: list[float]
    mean: list[float]
    low: list[float] | None = None
    high: list[float] | None = None


@dataclass
class Chart:
    """A figure and the series drawn on it. ``name`` is its file stem."""

    name: str
    title: str
    figure: Figure
    axes: list[Axes]
    caption: str = ""
    series: list[Series] = field(default_factory=list)


def new_chart(
    name: str, title: str, panels: Sequence[str], columns: int = 2, caption: str = ""
) -> Chart:
    """A chart of titled panels laid out in ``columns`` columns."""
    columns = max(1, min(columns, len(panels)))
    rows = -(-len(panels) // columns)
    figure = Figure(figsize=(5.2 * columns, 3.4 * rows + 0.6), dpi=FIGURE_DPI, layout="constrained")
    figure.suptitle(title, fontsize=13, fontweight="bold")
    grid = figure.subplots(rows, columns, squeeze=False)
    axes = list(grid.ravel())
    for ax, panel in zip(axes, panels, strict=False):
        ax.set_title(panel, fontsize=11)
        ax.grid(True, color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    return Chart(name, title, figure, axes[: len(panels)], caption)


def plot_band(chart: Chart, panel: int, series: Series, look: Style) -> None:
    """Draw ``series`` on a panel: its mean as a line, its band shaded and edged."""
    ax = chart.axes[panel]
    ax.plot(
        series.x,
        series.mean,
        color=look.colour,
        linestyle=look.linestyle,
        linewidth=1.6,
        label=series.label,
    )
    if series.low is not None and series.high is not None:
        ax.fill_between(
            series.x, series.low, series.high, color=look.colour, alpha=BAND_ALPHA, linewidth=0
        )
        for edge in (series.low, series.high):
            ax.plot(series.x, edge, color=look.colour, linestyle=look.linestyle, linewidth=0.5)
    chart.series.append(series)


def plot_points(chart: Chart, panel: int, series: Series, look: Style, offset: float = 0.0) -> None:
    """Draw ``series`` as points with interval bars, shifted by ``offset`` along x."""
    ax = chart.axes[panel]
    x = [value + offset for value in series.x]
    errors = None
    if series.low is not None and series.high is not None:
        errors = [
            [m - lo for m, lo in zip(series.mean, series.low, strict=True)],
            [hi - m for m, hi in zip(series.mean, series.high, strict=True)],
        ]
    ax.errorbar(
        x,
        series.mean,
        yerr=errors,
        color=look.colour,
        marker=look.marker,
        linestyle="none",
        capsize=3,
        markersize=5,
        label=series.label,
    )
    chart.series.append(series)


def finish_panel(
    chart: Chart, panel: int, xlabel: str, ylabel: str, ticks: Sequence[str] | None = None
) -> None:
    """Label a panel's axes (with units), name its ticks, and give it a legend."""
    ax = chart.axes[panel]
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if ticks is not None:
        ax.set_xticks(range(len(ticks)), list(ticks), rotation=30, ha="right")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, frameon=False)


def check_output(out: Path) -> None:
    """Refuse, before any work, a report folder that cannot be written or replaced.

    ``out`` may be missing (its parent must exist and be writable), an empty
    folder, or a folder holding an earlier report (it is replaced whole).
    """
    parent = out.absolute().parent
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out}: cannot write a report there: it is a file, not a folder")
    if not parent.is_dir():
        raise ReportError(f"{out}: cannot write a report there: no folder {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(f"{out}: cannot write a report there: {parent} is not writable")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise ReportError(
            f"{out}: the folder holds files that are not a report; "
            "name a new or empty folder, or an earlier report's"
        )


def write_report(
    out: Path,
    title: str,
    intro: Sequence[str],
    charts: Sequence[Chart],
    advance: Callable[[int], None] = lambda done: None,
) -> list[Path]:
    """Write each chart as ``NAME.png`` and ``NAME.svg`` and one ``index.html``; all or nothing.

    The page is one file that works offline and from a file URL (the PNGs
    are inlined; the SVGs sit beside it). ``advance(k)`` is called after
    each chart. Returns the files written, as they are in ``out``.
    """
    check_output(out)
    parent = out.absolute().parent
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        sections = []
        names = []
        for k, chart in enumerate(charts, start=1):
            png = io.BytesIO()
            chart.figure.savefig(png, format="png")
            (building / f"{chart.name}.png").write_bytes(png.getvalue())
            chart.figure.savefig(building / f"{chart.name}.svg", format="svg")
            names += [f"{chart.name}.png", f"{chart.name}.svg"]
            sections.append(_section(chart, png.getvalue()))
            advance(k)
        (building / "index.html").write_text(_page(title, intro, sections), encoding="utf-8")
        names.append("index.html")
        building.chmod(0o755)
        _replace(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return [out / name for name in names]


def _replace(new: Path, out: Path) -> None:
    """Put the finished folder ``new`` at ``out``, replacing an earlier report there."""
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.absolute().parent))
    old.rmdir()
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _section(chart: Chart, png: bytes) -> str:
    image = base64.b64encode(png).decode("ascii")
    name = html.escape(chart.name)
    caption = f"<p>{html.escape(chart.caption)}</p>" if chart.caption else ""
    return (
        f'<section id="{name}">\n<h2>{html.escape(chart.title)}</h2>\n'
        f'<img src="data:image/png;base64,{image}" alt="{html.escape(chart.title)}">\n'
        f"{caption}\n"
        f'<p class="files"><a href="{name}.png">PNG</a> · <a href="{name}.svg">SVG</a></p>\n'
        "</section>"
    )


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; background: #fff; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
.files { font-size: 0.9rem; } nav a { margin-right: 1rem; }
"""


def _page(title: str, intro: Sequence[str], sections: Sequence[str]) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in intro)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{paragraphs}\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def as_list(values: Any) -> list[float]:
    """Plain floats of an array or sequence (NaN stays NaN)."""
    return [float(v) for v in values]
