"""The web app: one FastAPI application over a store, one router per part.

Each part of what the store holds has a module with an ``api`` router (JSON,
under ``/api/``) and a ``pages`` router (HTML at the mirroring address):
`chronicles`, `runs`, `worlds` (a run's recorded worlds) and `sweeps`. A new
part joins by adding its module to `PARTS`.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from packlaw import __version__
from packlaw.store import Store
from packlaw.web import chronicles, errors, home, runs, sweeps, worlds
from packlaw.web.reading import ReadChronicles
from packlaw.web.site import STATIC, SecurityHeaders, error_page

PARTS = (chronicles, runs, worlds, sweeps)


def create_app(store: Store, token: str) -> FastAPI:
    """The app over ``store``; writing needs ``token`` (see `packlaw.web.auth`)."""
    if not token:
        raise ValueError("the write token must not be empty")
    app = FastAPI(
        title="packlaw",
        version=__version__,
        description="Chronicles and simulation runs of the werewolf pack system.",
        docs_url=None,  # the interactive docs fetch scripts from elsewhere; the schema stays
        redoc_url=None,
    )
    app.state.store = store
    app.state.token = token
    app.state.chronicles = ReadChronicles(store)
    app.state.sweeps = sweeps.Analysis()
    app.add_middleware(SecurityHeaders)
    errors.install(app, error_page)
    app.include_router(home.router)
    for part in PARTS:
        app.include_router(part.api)
        app.include_router(part.pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
