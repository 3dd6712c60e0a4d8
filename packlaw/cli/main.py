"""The `packlaw` program: registers each part's commands on one Typer app."""

from __future__ import annotations

import sys
from functools import cache

import typer

from packlaw.cli.errors import UserError

app = typer.Typer(
    name="packlaw",
    help="The werewolf pack system, executable: check and replay chronicles, store them, simulate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@cache
def _register_parts() -> None:
    # Each part owns a module with a `register(app)` function; register them once.
    from packlaw.cli import notation_cmds, sim_cmds, store_cmds, web_cmds

    for part in (notation_cmds, store_cmds, sim_cmds, web_cmds):
        part.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user mistakes become one line on stderr."""
    _register_parts()
    try:
        # Without standalone mode click hands back a command's `typer.Exit` code instead of raising.
        status = app(args=argv, standalone_mode=False)
    except UserError as error:
        print(f"packlaw: {error.message}", file=sys.stderr)
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    except KeyboardInterrupt:
        print("packlaw: interrupted", file=sys.stderr)
        return 130
    except typer.Abort:
        print("packlaw: aborted", file=sys.stderr)
        return 130
    except Exception as error:
        # Click's usage errors (typer vendors click, so no `import click`) show themselves
        # and carry their own exit code.
        show, code = getattr(error, "show", None), getattr(error, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            return code
        raise
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    sys.exit(main())
