"""Sweeps: the API (`/api/sweeps/...`) and its page twin (`/sweeps/{name}`).

A sweep is named as on the command line, ``s1``, ``s2``. Its points are read
a page at a time from the ledger; what they say together (each output
against each varied parameter, with bands, and the Sobol indices) is the
sweep's own analysis (`packlaw.sweep.analysis`, which `packlaw show SWEEP`
and the sweep's report figures use too), worked out once for each state of
the sweep and kept. The page's script (`static/sweep.js`) draws the profiles
with uPlot.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from packlaw.store import Store
from packlaw.store.engine import translated
from packlaw.store.schema import INTEGER_MAX, sweep_points
from packlaw.store.sweeps import PointInfo, SweepInfo, SweepLedger, UnknownSweep, sweep_number
from packlaw.sweep.analysis import factors, output_names, profile, sobol
from packlaw.web.errors import not_found, problem_responses
from packlaw.web.models import (
    Profile,
    ProfileGroup,
    SobolIndex,
    SweepDetail,
    SweepPoint,
    SweepSummary,
)
from packlaw.web.site import page

MAX_ID = INTEGER_MAX
PAGE = 100  # points a page, by default
MAX_PAGE = 5000
_KEPT = 8  # sweeps whose analysis is kept

api = APIRouter(prefix="/api/sweeps", tags=["sweeps"])
pages = APIRouter(tags=["pages"])

SweepName = Annotated[
    str,
    Path(pattern=r"^[sS][0-9]{1,10}$", description="The sweep's name: `s` and its number."),
]
After = Annotated[
    int,
    Query(ge=-1, le=MAX_ID, description="Points after this position (they start at 0)."),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Points a page.")]


def ledger_of(request: Request) -> SweepLedger:
    store: Store = request.app.state.store
    return SweepLedger(store)


def _summary(info: SweepInfo) -> SweepSummary:
    return SweepSummary(
        name=info.name,
        scenario=info.scenario,
        worlds=info.worlds,
        days=info.days,
        seed=info.seed,
        sample=info.experiment["sample"],
        vary={factor.name: factor.spec for factor in factors(info)},
        points=info.counts,
        created_at=info.created_at,
        updated_at=info.updated_at,
    )


def _sweep(ledger: SweepLedger, name: str) -> SweepInfo:
    """The sweep called ``name``; 404 naming the stored sweeps."""
    number = sweep_number(name)
    try:
        if number is None or number > MAX_ID:
            raise UnknownSweep(name)
        return ledger.sweep(number)
    except UnknownSweep:
        stored = [info.name for info in ledger.sweeps()]
        has = (
            "the stored sweeps are "
            + ", ".join(stored[:20])
            + (" and more" if len(stored) > 20 else "")
            if stored
            else "no sweep is stored (`packlaw sweep` runs one)"
        )
        raise not_found(f"no sweep {name} is stored: {has}") from None


# --------------------------------------------------------------- analysis


class Analysis:
    """What a sweep's done points say together, kept while the sweep is unchanged."""

    def __init__(self) -> None:
        self._kept: OrderedDict[
            tuple[object, ...], tuple[list[str], list[Profile], list[SobolIndex], str | None]
        ] = OrderedDict()
        self._lock = threading.Lock()

    def of(
        self, ledger: SweepLedger, info: SweepInfo
    ) -> tuple[list[str], list[Profile], list[SobolIndex], str | None]:
        key = (info.id, info.updated_at, tuple(sorted(info.counts.items())))
        with self._lock:
            kept = self._kept.get(key)
        if kept is None:
            kept = analyse(info, ledger.points(info.id))
            with self._lock:
                self._kept[key] = kept
                while len(self._kept) > _KEPT:
                    self._kept.popitem(last=False)
        return kept


def analyse(
    info: SweepInfo, points: list[PointInfo]
) -> tuple[list[str], list[Profile], list[SobolIndex], str | None]:
    """The outputs, each output's profile against each factor, the Sobol indices (or why none)."""
    outputs = output_names(points)
    profiles = [
        Profile(
            parameter=factor.name,
            output=output,
            binned=factor.values is None,
            groups=[
                ProfileGroup(
                    value=g.value,
                    points=g.points,
                    mean=_finite(g.mean),
                    low=_finite(g.low),
                    high=_finite(g.high),
                )
                for g in profile(points, factor, output)
            ],
        )
        for factor in factors(info)
        for output in outputs
    ]
    try:
        indices, waiting = sobol(info, points), None
    except ValueError as error:
        indices, waiting = None, f"the Sobol indices come once the design is done: {error}"
    found = [
        SobolIndex(output=output, parameter=parameter, **values)
        for output, by in (indices or {}).items()
        for parameter, values in by.items()
    ]
    return outputs, profiles, found, waiting


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _point(point: PointInfo) -> SweepPoint:
    error = (point.error or "").strip().splitlines()
    return SweepPoint(
        position=point.position,
        values=point.values,
        seed=point.seed,
        status=point.status,  # type: ignore[arg-type]
        run_id=point.run_id,
        outputs=point.outputs,
        error=error[-1] if point.status == "failed" and error else None,
    )


def count_point_runs(store: Store) -> int:
    """How many runs are sweeps' points (shown on their sweep's page, not among the runs)."""
    query = sa.select(sa.func.count()).select_from(sweep_points)
    query = query.where(sweep_points.c.run_id.is_not(None))
    with translated(store.url, "read the sweeps' runs from"), store.engine.connect() as conn:
        return conn.scalar(query) or 0


# --------------------------------------------------------------------- API


@api.get("", response_model=list[SweepSummary], summary="Every stored sweep, newest first")
def list_sweeps(request: Request) -> list[SweepSummary]:
    return [_summary(info) for info in ledger_of(request).sweeps()]


@api.get(
    "/{sweep}",
    response_model=SweepDetail,
    responses=problem_responses(404, 422),
    summary="A sweep: a page of its points, each output against each parameter, Sobol indices",
)
def sweep_detail(
    request: Request, sweep: SweepName, after: After = -1, limit: Limit = PAGE
) -> SweepDetail:
    ledger = ledger_of(request)
    info = _sweep(ledger, sweep)
    outputs, profiles, indices, waiting = request.app.state.sweeps.of(ledger, info)
    points = ledger.points(info.id, after=after, limit=limit + 1)
    more, points = len(points) > limit, points[:limit]
    return SweepDetail(
        **_summary(info).model_dump(),
        outputs=outputs,
        profiles=profiles,
        sobol=indices,
        sobol_waiting=waiting,
        point_list=[_point(p) for p in points],
        next_after=points[-1].position if more else None,
    )


# ------------------------------------------------------------------- pages


@pages.get(
    "/sweeps/{sweep}",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422),
    summary="The sweep page: each output against each varied parameter, with bands; Sobol indices",
)
def sweep_page(
    request: Request, sweep: SweepName, after: After = -1, limit: Limit = PAGE
) -> Response:
    detail = sweep_detail(request, sweep, after, limit)  # the page is a view of the API
    return page(
        request,
        "sweep.html",
        title=f"Sweep {detail.name}: {detail.scenario}",
        sweep=detail,
        parameters=list(detail.vary),
        after=after,
        limit=limit,
    )
