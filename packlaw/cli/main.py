"""The `packlaw` program: registers each part's commands on one Typer app."""

from __future__ import annotations

import sys

import typer

from packlaw.cli.errors import UserError

app = typer.Typer(
    name="packlaw",
    help="The werewolf pack system, executable: check and replay chronicles, store them, simulate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_parts() -> None:
    # Each part owns a module with a `register(app)` function.
    from packlaw.cli import notation_cmds, sim_cmds, store_cmds

    for part in (notation_cmds, store_cmds, sim_cmds):
        part.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user mistakes become one line on stderr."""
    _register_parts()
    try:
        app(args=argv, standalone_mode=False)
    except UserError as error:
        print(f"packlaw: {error.message}", file=sys.stderr)
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    except KeyboardInterrupt:
        print("packlaw: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # click's usage errors carry their own exit code
        import click

        if isinstance(error, click.ClickException):
            error.show()
            return error.exit_code
        if isinstance(error, click.exceptions.Abort):
            print("packlaw: aborted", file=sys.stderr)
            return 130
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
