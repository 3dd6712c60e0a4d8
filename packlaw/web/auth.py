"""Write access: one token, sent as ``Authorization: Bearer TOKEN``, compared in constant time.

Reading needs nothing; writing (appending to a chronicle) needs the token
the server was started with (`PACKLAW_TOKEN`, or one generated and printed
at start).

>>> token = new_token()
>>> len(token) >= 32, token_matches(token, token), token_matches(token, token[:-1] + "?")
(True, True, False)
"""

from __future__ import annotations

import os
import secrets

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from packlaw.web.errors import WebError
from packlaw.web.models import Problem

TOKEN_ENV = "PACKLAW_TOKEN"

_bearer = HTTPBearer(auto_error=False, description="The write token the server printed at start.")


def new_token() -> str:
    """A fresh random token: 32 bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def token_from_environment() -> str | None:
    """`PACKLAW_TOKEN`, if it is set and not blank."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def token_matches(expected: str, given: str) -> bool:
    """Whether ``given`` is the token, in time that does not depend on where they differ."""
    return secrets.compare_digest(expected.encode(), given.encode())


def require_token(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> None:
    """A dependency: 401 unless the request carries the server's token."""
    expected: str = request.app.state.token
    if credentials is None or credentials.scheme.lower() != "bearer":
        detail = "writing needs the server's token, sent as 'Authorization: Bearer TOKEN'"
    elif not token_matches(expected, credentials.credentials):
        detail = "the token is not the server's"
    else:
        return
    raise WebError(401, Problem(detail=detail), headers={"WWW-Authenticate": "Bearer"})
