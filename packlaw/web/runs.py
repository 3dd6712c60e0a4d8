"""Runs: the API (`/api/runs/...`) and its page twin (`/runs/{id}`).

A run's daily figures are read a page of days at a time, straight from the
`run_metrics` table, so no request holds a whole large run in memory; the
run page's script (`static/run.js`) fetches the pages and draws each metric's
mean with its 5–95% band.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field, ValidationError

from packlaw.store import RunInfo, Store
from packlaw.store.engine import translated
from packlaw.store.schema import INTEGER_MAX, run_metrics
from packlaw.web.errors import not_found, problem_responses
from packlaw.web.models import (
    TEXT,
    BeingOutcome,
    DailyPage,
    DailyRow,
    RunDetail,
    RunSummary,
)
from packlaw.web.site import page
from packlaw.web.worlds import recorded_worlds

PAGE = 1000  # days a page, by default
MAX_PAGE = 10_000
RUNS_PAGE = 100  # runs a page, by default
MAX_RUNS_PAGE = 1000
MAX_ID = INTEGER_MAX
CHARTS = 6  # metrics charted when the page names none

api = APIRouter(prefix="/api/runs", tags=["runs"])
pages = APIRouter(tags=["pages"])

RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="The run's id.")]
Metric = Annotated[
    str,
    Query(min_length=1, max_length=100, pattern=TEXT, description="A stored daily metric."),
]


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


# ------------------------------------------------------------------ queries


def metric_names(store: Store, run_id: int) -> list[str]:
    """The daily metrics stored for a run, in name order."""
    query = (
        sa.select(run_metrics.c.metric)
        .where(run_metrics.c.run_id == run_id)
        .group_by(run_metrics.c.metric)
        .order_by(run_metrics.c.metric)
    )
    with translated(store.url, f"read run {run_id} from"), store.engine.connect() as conn:
        return list(conn.scalars(query))


def daily_page(store: Store, run_id: int, metric: str, after: int, limit: int) -> list[DailyRow]:
    """Up to ``limit`` days of one metric after day ``after``, read as a page, not the table."""
    query = (
        sa.select(
            run_metrics.c.day,
            run_metrics.c.mean,
            run_metrics.c.sd,
            run_metrics.c.p5,
            run_metrics.c.p50,
            run_metrics.c.p95,
        )
        .where(
            run_metrics.c.run_id == run_id,
            run_metrics.c.metric == metric,
            run_metrics.c.day > after,
        )
        .order_by(run_metrics.c.day)
        .limit(limit)
    )
    with translated(store.url, f"read run {run_id} from"), store.engine.connect() as conn:
        return [
            DailyRow(day=day, mean=mean, sd=sd, p5=p5, p50=p50, p95=p95)
            for day, mean, sd, p5, p50, p95 in conn.execute(query)
        ]


def outcomes(summary: dict[str, Any] | None) -> list[BeingOutcome]:
    """The named beings' outcomes from a run's summary (those it describes in full)."""
    beings = (summary or {}).get("beings")
    if not isinstance(beings, dict):
        return []
    found = []
    for name, figures in beings.items():
        try:
            found.append(BeingOutcome.model_validate({"name": name, **figures}))
        except (ValidationError, TypeError):
            continue  # a summary from another version of the simulator: shown raw, not here
    return found


def _summary(run: RunInfo) -> RunSummary:
    return RunSummary.model_validate(run.to_dict())


def run_summaries(
    store: Store, before: int | None = None, limit: int | None = None, *, points: bool = True
) -> list[RunSummary]:
    """The stored runs, newest first (`Store.runs`), as the API gives them."""
    return [_summary(run) for run in store.runs(before, limit, points=points)]


# --------------------------------------------------------------------- API


@api.get(
    "",
    response_model=list[RunSummary],
    responses=problem_responses(422),
    summary="The stored runs, newest first, a page at a time (the next page's address in Link)",
)
def list_runs(
    request: Request,
    response: Response,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Runs with ids under this one.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RUNS_PAGE, description="Runs a page.")] = RUNS_PAGE,
) -> list[RunSummary]:
    found = run_summaries(store_of(request), before, limit + 1)
    if len(found) > limit:
        found = found[:limit]
        response.headers["Link"] = f'</api/runs?before={found[-1].id}&limit={limit}>; rel="next"'
    return found


@api.get(
    "/{run_id}",
    response_model=RunDetail,
    responses=problem_responses(404, 422),
    summary="One run: its scenario, summary, metrics and named beings' outcomes",
)
def run_detail(request: Request, run_id: RunId) -> RunDetail:
    store = store_of(request)
    run = store.run(run_id)
    return RunDetail(
        **_summary(run).model_dump(),
        scenario_text=run.scenario_text,
        metrics=metric_names(store, run_id),
        beings=outcomes(run.summary),
        recorded=recorded_worlds(store, run_id),
        summary=run.summary,
    )


@api.get(
    "/{run_id}/daily",
    response_model=DailyPage,
    responses=problem_responses(404, 422),
    summary="One metric of a run, day by day, a page at a time",
)
def run_daily(
    request: Request,
    run_id: RunId,
    metric: Metric,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Days after this one.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Days a page.")] = PAGE,
) -> DailyPage:
    store = store_of(request)
    store.run(run_id)  # 404 for an unknown run
    rows = daily_page(store, run_id, metric, after, limit + 1)
    if not rows and after == 0 and metric not in metric_names(store, run_id):
        raise not_found(f"run {run_id} has no daily metric named {metric}")
    more, rows = len(rows) > limit, rows[:limit]
    return DailyPage(
        run=run_id, metric=metric, rows=rows, next_after=rows[-1].day if more else None
    )


# ------------------------------------------------------------------- pages


@pages.get(
    "/runs/{run_id}",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422),
    summary="The run page: daily curves with bands, named beings' outcomes",
)
def run_page(
    request: Request,
    run_id: RunId,
    metric: Annotated[
        list[Annotated[str, Field(max_length=100, pattern=TEXT)]] | None,
        Query(max_length=60, description="Metrics to chart (default: the run's totals)."),
    ] = None,
) -> Response:
    run = run_detail(request, run_id)  # the page is a view of the API
    if metric:
        unknown = [m for m in metric if m not in run.metrics]
        if unknown:
            raise not_found(f"run {run_id} has no daily metric named {unknown[0]}")
        charted = list(dict.fromkeys(metric))
    else:
        totals = (run.summary or {}).get("totals")
        named = [m for m in totals if m in run.metrics] if isinstance(totals, dict) else []
        charted = (named or run.metrics)[:CHARTS]
    return page(
        request,
        "run.html",
        title=f"Run {run.id}: {run.scenario}",
        run=run,
        charted=charted,
        standings=_standings(run.beings),
    )


def _standings(beings: list[BeingOutcome]) -> list[str]:
    """The standings the outcomes give days for, in the order they first appear."""
    return list(dict.fromkeys(standing for being in beings for standing in being.days))
