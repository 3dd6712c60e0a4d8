"""Progress bars for every long step: Rich on stderr when it is a terminal, nothing otherwise.

One bar for all commands: the step, a bar, done of total and the time
taken; with ``rate`` (the unit counted, ``points``), also how many a minute
and the time left.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from packlaw.cli.errors import raise_if_signalled


@contextmanager
def progress(
    label: str, total: int, *, done: int = 0, rate: str | None = None
) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(done)``, where ``done`` counts the steps finished so far of ``total``.

    ``done`` given here is what was finished before this command (a resumed
    sweep's points): the bar starts there, and the rate counts only what
    this command does. Each step is also a safe point where a signal that
    was swallowed on its way is raised (`raise_if_signalled`).
    """
    if not sys.stderr.isatty():
        yield lambda done: raise_if_signalled()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[ProgressColumn] = [
        # The label as written: a scenario named "[bold]x" is no markup.
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
    ]
    if rate is not None:
        columns += [TextColumn("{task.fields[rate]}", markup=False), TimeRemainingColumn()]
    else:
        columns.append(TimeElapsedColumn())
    started, before = time.perf_counter(), done
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total, completed=done, rate="")

        def advance(done: int) -> None:
            raise_if_signalled()
            minutes = (time.perf_counter() - started) / 60
            per_minute = f"{(done - before) / minutes:,.0f} {rate}/min" if minutes > 0 else ""
            bar.update(task, completed=done, rate=per_minute if rate is not None else "")

        yield advance
