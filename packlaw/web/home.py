"""The home page and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from packlaw import __version__
from packlaw.store import Store
from packlaw.store.engine import translated
from packlaw.web.chronicles import list_chronicles
from packlaw.web.errors import problem_responses
from packlaw.web.models import Health
from packlaw.web.runs import run_summaries
from packlaw.web.site import page
from packlaw.web.sweeps import list_sweeps, point_runs

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
def home(request: Request) -> Response:
    store: Store = request.app.state.store
    runs, points = run_summaries(store), point_runs(store)
    return page(
        request,
        "home.html",
        title="packlaw",
        chronicles=list_chronicles(request.app.state.chronicles),
        runs=[run for run in runs if run.id not in points],
        point_runs=len(points),
        sweeps=list_sweeps(request),
    )
