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


def open_store(db: str | None) -> Store:
    """The store that `--db` names; a bad URL or unreachable server is one line, exit 2."""
    from packlaw.store import Store, StoreError, resolve_url

    try:
        return Store(resolve_url(db))
    except StoreError as error:
        raise UserError(str(error), EXIT_BAD_INPUT) from None
