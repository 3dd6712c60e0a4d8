"""Every failure as one sentence: JSON (`Problem`) for the API, a page for the pages.

A request never reaches a 500 by design: unknown things are 404, bad
parameters and refused events 422, a missing token 401, a lost race 409, a
database that cannot be reached 503.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from packlaw.store import ConcurrencyError, StoreError, UnknownChronicle, UnknownRun
from packlaw.web.models import Problem


class WebError(Exception):
    """A request the app answers with a status and a `Problem`."""

    def __init__(self, status: int, problem: Problem, headers: dict[str, str] | None = None):
        super().__init__(problem.detail)
        self.status = status
        self.problem = problem
        self.headers = headers


def not_found(detail: str) -> WebError:
    return WebError(404, Problem(detail=detail))


def unprocessable(detail: str, **where: Any) -> WebError:
    return WebError(422, Problem(detail=detail, **where))


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each status answered with a `Problem`."""
    return {status: {"model": Problem} for status in statuses}


def install(app: FastAPI, render_page: Any) -> None:
    """Answer every failure as a `Problem`, or as an error page outside the API.

    ``render_page(request, status, problem)`` draws the page.
    """

    def answer(request: Request, status: int, problem: Problem, headers: Any = None) -> Response:
        if request.url.path.startswith("/api/") or request.url.path == "/healthz":
            return JSONResponse(problem.model_dump(), status_code=status, headers=headers)
        page: Response = render_page(request, status, problem)
        return page

    @app.exception_handler(WebError)
    async def web_error(request: Request, error: WebError) -> Response:
        return answer(request, error.status, error.problem, error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = str(first.get("msg", "is not valid"))
        detail = f"{where}: {message}" if where else message
        return answer(request, 422, Problem(detail=detail, field=where or None))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        detail = error.detail if isinstance(error.detail, str) else "request refused"
        if error.status_code == 404 and detail == "Not Found":
            detail = f"there is nothing at {request.url.path}"
        return answer(request, error.status_code, Problem(detail=detail), error.headers)

    @app.exception_handler(UnknownChronicle)
    @app.exception_handler(UnknownRun)
    async def unknown(request: Request, error: StoreError) -> Response:
        return answer(request, 404, Problem(detail=str(error)))

    @app.exception_handler(ConcurrencyError)
    async def conflict(request: Request, error: ConcurrencyError) -> Response:
        return answer(request, 409, Problem(detail=str(error)))

    @app.exception_handler(StoreError)
    async def unavailable(request: Request, error: StoreError) -> Response:
        return answer(request, 503, Problem(detail=str(error)))
