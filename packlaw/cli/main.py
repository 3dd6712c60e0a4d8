"""The `packlaw` program: registers each part's commands on one Typer app, and runs them.

`main` is the one place where errors, signals and the end of the output are
handled, for every command (see ``packlaw/cli/README.md``):

- an error with a sentence (`packlaw.cli.errors.as_user_error`) is printed
  as ``packlaw: <sentence>`` on stderr with its exit status; anything else
  is a bug and keeps its traceback;
- Ctrl-C, SIGTERM and SIGHUP raise `Interrupted` where the command is (so it
  can mark its work), then print ``packlaw: interrupted`` and exit 128 plus
  the signal's number (130, 143, 129);
- a reader that closes the pipe early (``| head -1``) ends the program
  quietly, exit 141 as for a program killed by SIGPIPE; a full device is
  one sentence, exit 1.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from functools import cache
from typing import Annotated

import typer

from packlaw.cli.errors import (
    EXIT_BAD_INPUT,
    EXIT_DOMAIN,
    EXIT_INTERRUPTED,
    as_user_error,
    forget_signals,
    interruption,
    signalled,
    swallowed,
    warn,
)
from packlaw.cli.output import visible
from packlaw.interruption import interrupted_by

EXIT_CLOSED_PIPE = EXIT_INTERRUPTED + signal.SIGPIPE
_INTERRUPTING = (signal.SIGTERM, signal.SIGHUP)  # Ctrl-C: Python's own KeyboardInterrupt

app = typer.Typer(
    name="packlaw",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"packlaw {version('packlaw')}")
        raise typer.Exit()


@app.callback()
def _packlaw(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show packlaw's version and exit.",
            is_eager=True,
            callback=_show_version,
        ),
    ] = False,
) -> None:
    """The werewolf pack system, executable: check and replay chronicles, store them, simulate."""


@cache
def _command() -> typer.core.TyperGroup:
    # Each part owns a module with a `register(app)` function; register them once.
    from packlaw.cli import notation_cmds, report_cmds, sim_cmds, store_cmds, sweep_cmds, web_cmds

    for part in (notation_cmds, store_cmds, sim_cmds, report_cmds, sweep_cmds, web_cmds):
        part.register(app)
    command = typer.main.get_command(app)
    assert isinstance(command, typer.core.TyperGroup)
    _tidy_help(command)
    return command


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status (see the module's docstring)."""
    command = _command()
    args = sys.argv[1:] if argv is None else list(argv)
    for place, arg in enumerate(args, start=1):
        if "\x00" in arg:  # no shell can pass one; a caller in Python can
            warn(f"argument {place} holds a NUL character (U+0000)")
            return EXIT_BAD_INPUT
    try:
        with _signals_interrupt():
            # Not `command.main`: it would turn Ctrl-C into a silent exit 130 and a closed
            # pipe into exit 1, each its own way; here every command ends one way.
            try:
                with command.make_context("packlaw", args) as context:
                    status = command.invoke(context)
            except typer.Exit as done:
                status = done.exit_code
            sys.stdout.flush()  # a full device or a closed pipe shows here, not at exit
    except BaseException as error:  # sorted out below; bugs are raised again
        return _failed(error)
    return status if isinstance(status, int) else 0


def _failed(error: BaseException) -> int:
    """Report why the command stopped; return its exit status."""
    # Rich (help, tables on a terminal) turns a closed pipe into exit 1 while handling it.
    if isinstance(error, BrokenPipeError) or isinstance(error.__context__, BrokenPipeError):
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    if isinstance(error, SystemExit):  # a library that exits: its status, as it said
        return error.code if isinstance(error.code, int) else EXIT_DOMAIN
    usage = _usage_mistake(error)
    if usage is not None:
        message, code = usage
        with contextlib.suppress(OSError):
            print(message, file=sys.stderr)
        return code
    stop = KeyboardInterrupt() if isinstance(error, typer.Abort) else interrupted_by(error)
    said = interruption(stop) if stop is not None else as_user_error(error)
    if said is None:
        raise error
    try:
        sys.stdout.flush()
    except OSError:  # the output is what failed: let nothing try to write it again at exit
        _silence_stdout()
    with contextlib.suppress(OSError):
        warn(said.message)
    return said.exit_code


def _usage_mistake(error: BaseException) -> tuple[str, int] | None:
    """Click's word for a command line it cannot parse, as one line, and its exit status.

    Click (vendored by typer, so recognised by shape) would print the usage
    and a boxed message; one sentence names the mistake and where help is.
    ``packlaw`` alone (no command) shows the help, as click does.
    """
    format_message = getattr(error, "format_message", None)
    code, context = getattr(error, "exit_code", None), getattr(error, "ctx", None)
    if not callable(format_message) or not isinstance(code, int):
        return None
    if type(error).__name__ == "NoArgsIsHelpError":
        return str(format_message()), code
    from packlaw.store.engine import redacted  # click repeats what it could not place: a URL

    path = getattr(context, "command_path", "packlaw")
    message = redacted(visible(str(format_message()))).rstrip(".")
    return f"packlaw: {message} (see `{path} --help`)", code


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that writing what is left at exit raises nothing."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP raise `Interrupted` as Ctrl-C raises KeyboardInterrupt."""

    def interrupt(number: int, _frame: object) -> None:
        raise signalled(number)

    def unraisable(hook: sys.UnraisableHookArgs) -> None:
        # A signal's exception that landed where Python cannot raise it (a finaliser):
        # no "Exception ignored" noise; `raise_if_signalled` raises it at the next step.
        if isinstance(hook.exc_value, KeyboardInterrupt):
            swallowed(hook.exc_value)
        else:
            default_hook(hook)

    try:
        before = {number: signal.signal(number, interrupt) for number in _INTERRUPTING}
    except ValueError:  # not the main thread (an embedding app): leave signals alone
        yield
        return
    default_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    forget_signals()
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
        sys.unraisablehook = default_hook


def _tidy_help(command: typer.core.TyperGroup | typer.core.TyperCommand) -> None:
    """Help that reads like a Unix tool's: ``FILES...`` and ``[SCENARIO]``, no ``<bool>`` after flags."""
    help_option = command.get_help_option(command.context_class(command))
    for param in [*command.params, *([help_option] if help_option else [])]:
        if isinstance(param, typer.core.TyperOption) and param.is_flag:
            param.metavar = ""
        elif isinstance(param, typer.core.TyperArgument):
            param.__class__ = _Argument
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)


class _Argument(typer.core.TyperArgument):
    """An argument shown as click always showed one: upper case, ``[...]`` when optional."""

    def _label(self) -> str:
        name = (self.metavar or self.name or "").upper()
        return name + "..." if self.nargs != 1 else name

    def _usage_display_name(self) -> str:
        return self._label() if self.required else f"[{self._label()}]"

    def _rich_display_name(self) -> str:
        return self._label()

    def display_type_rich(self, ctx: object) -> str | None:
        return None


if __name__ == "__main__":
    sys.exit(main())
