"""The home page and the health check."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from packlaw import __version__
from packlaw.store import Store
from packlaw.store.engine import translated
from packlaw.web.chronicles import list_chronicles
from packlaw.web.errors import problem_responses
from packlaw.web.models import Health
from packlaw.web.runs import MAX_ID, RUNS_PAGE, run_summaries
from packlaw.web.site import page
from packlaw.web.sweeps import count_point_runs, list_sweeps

router = APIRouter()


@router.get(
    "/healthz",
    response_model=Health,
    responses=problem_responses(503),
    tags=["health"],
    summary="Whether the app is up and its database answers",
)
def healthz(request: Request) -> Health:
    store: Store = request.app.state.store
    with translated(store.url, "reach"), store.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return Health(status="ok", version=__version__)


@router.get("/", response_class=HTMLResponse, tags=["pages"], summary="The home page")
def home(
    request: Request,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="List the runs with ids under this one.")
    ] = None,
) -> Response:
    store: Store = request.app.state.store
    runs = run_summaries(store, before, RUNS_PAGE + 1, points=False)
    return page(
        request,
        "home.html",
        title="packlaw",
        chronicles=list_chronicles(request.app.state.chronicles),
        runs=runs[:RUNS_PAGE],
        older=runs[RUNS_PAGE - 1].id if len(runs) > RUNS_PAGE else None,
        newer=before is not None,
        point_runs=count_point_runs(store),
        sweeps=list_sweeps(request),
    )
