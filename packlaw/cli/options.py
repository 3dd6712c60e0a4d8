"""What several parts' commands share: the `--db` and `--json` options, opening the store.

The store (and SQLAlchemy under it) is imported only when a command opens it,
so commands that never touch a database, `packlaw check` above all, start
without paying for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from packlaw.cli.errors import EXIT_BAD_INPUT, UserError

if TYPE_CHECKING:
    from packlaw.store import Store

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Database URL (default: $PACKLAW_DB, else sqlite:///packlaw.db).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def open_store(db: str | None, *, writes: bool = True, adopt: bool = False) -> Store:
    """The store that ``--db`` names, for a command that stores (``writes``) or only reads.

    A command that only reads never makes a database: a missing one is
    "no packlaw database at ...", exit 2. A command that stores refuses
    ``sqlite://``, an in-memory database whose contents would be gone when
    the command ends. ``adopt`` adds packlaw's tables to a database that
    holds another application's (`packlaw db init`). A bad URL or an
    unreachable server is one sentence, exit 2 (`packlaw.store.StoreError`,
    reported by `packlaw.cli.main`).
    """
    from packlaw.store import Store, resolve_url
    from packlaw.store.engine import in_memory, shown

    url = resolve_url(db)
    if writes and in_memory(url):
        raise UserError(
            f"{shown(url)} is an in-memory database: what a command stores there is gone "
            "when it ends; name a file (sqlite:///packlaw.db) or a server",
            EXIT_BAD_INPUT,
        )
    return Store(url, create=writes, adopt=adopt)
