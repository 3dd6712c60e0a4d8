"""Progress bars: Rich on a terminal (on stderr), nothing at all when piped."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from packlaw.cli.errors import raise_if_signalled


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(done)``: a Rich bar on stderr when it is a terminal, nothing otherwise.

    Each step is also a safe point where a signal that was swallowed on its
    way is raised (`raise_if_signalled`).
    """
    if not sys.stderr.isatty():
        yield lambda done: raise_if_signalled()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)

        def advance(done: int) -> None:
            raise_if_signalled()
            bar.update(task, completed=done)

        yield advance
