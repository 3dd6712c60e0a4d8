"""What every page shares: the templates (escaped), the static files, the security headers.

Pages are Jinja2 templates with autoescaping on, so a chronicle's text is
shown as text wherever it lands. Scripts are files under ``/static`` and
nothing else may run: the Content-Security-Policy allows the app's own
scripts only, no inline script, no other origin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from packlaw import __version__
from packlaw.web.models import Problem

HERE = Path(__file__).parent
STATIC = HERE / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page drawn from ``template`` with ``context`` (every value escaped)."""
    html = _templates.get_template(template).render(request=request, version=__version__, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, problem: Problem) -> Response:
    return page(request, "error.html", status=status, title=f"Error {status}", problem=problem)


class SecurityHeaders:
    """ASGI middleware: the same protective headers on every answer (cheaper than Starlette's
    `BaseHTTPMiddleware`, which copies each response through a second task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
