"""How the command line reports a user's mistake: one sentence, an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_DOMAIN = 1  # a broken rule, a failed expectation
EXIT_BAD_INPUT = 2  # syntax, unknown scenario key, unreadable file, bad URL


class UserError(Exception):
    """A problem with what the user gave us, reported as one line on stderr.

    Raise it anywhere under a command; `packlaw.cli.main.main` prints
    ``packlaw: <message>`` and exits with ``exit_code``, never a traceback.
    """

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
