"""The web part's command: ``packlaw serve``, the web app on Uvicorn.

It listens on loopback unless told otherwise, and says so loudly when told
otherwise: anyone who can reach the address can read every chronicle and run.
Writing needs the token, from ``PACKLAW_TOKEN`` or generated and printed here.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Annotated

import typer

from packlaw.cli.errors import EXIT_BAD_INPUT, UserError
from packlaw.cli.options import DbOption, open_store


def register(app: typer.Typer) -> None:
    """Add this part's commands to the app."""
    app.command("serve")(serve)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost).

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host and port, or one sentence saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        raise UserError(f"cannot listen on {host}: {error}", EXIT_BAD_INPUT) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise UserError(
            f"cannot listen on {host} port {port}: {error.strerror or error}", EXIT_BAD_INPUT
        ) from None
    sock.set_inheritable(True)
    return sock


def serve(
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on (loopback unless you say).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web app: chronicles, runs, recorded worlds and sweeps in a browser, and their JSON API.

    Reading is open to whoever reaches the address; appending to a
    chronicle needs the token (Authorization: Bearer TOKEN), taken from
    PACKLAW_TOKEN or generated and printed at start.
    """
    import uvicorn

    from packlaw.web import create_app
    from packlaw.web.auth import TOKEN_ENV, new_token, token_from_environment

    store = open_store(db)  # it may write (appends), so an in-memory database is refused
    try:
        sock = listen(host, port)
    except UserError:
        store.close()
        raise
    token = token_from_environment()
    shown = f"[{host}]" if ":" in host else host
    if not is_loopback(host):
        print(
            f"packlaw: warning: serving on {host}, beyond this machine: anyone who can reach "
            f"{shown}:{port} can read every chronicle and run",
            file=sys.stderr,
        )
    print(f"packlaw: serving http://{shown}:{port}/ (Ctrl-C stops)", flush=True)
    if token is None:
        token = new_token()
        print(f"packlaw: write token: {token}", flush=True)
    else:
        print(f"packlaw: write token from {TOKEN_ENV}", flush=True)
    config = uvicorn.Config(create_app(store, token), log_level="info", access_log=True)
    try:
        # Uvicorn finishes the requests in flight on Ctrl-C, then raises the signal again.
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        store.close()
    print("packlaw: stopped", file=sys.stderr)
