"""Everything a command prints as its result goes through `emit`, one way for every command.

A command describes its output as data: `Table`s and lines of text, plus
the JSON document ``--json`` prints instead. `emit` then writes

- on a terminal, Rich tables (titles above, numbers right-aligned);
- when piped, plain text: each table's title, then its rows with the
  columns aligned by spaces (numbers right-aligned), a blank line between
  tables, no colour and no box drawing;
- with ``--json``, the document alone, indented, UTF-8 (``compact``: on
  one line, for documents as large as their input, such as the summary of a
  scenario with many named beings: the C encoder, a fraction of the memory).

Every text is printed as written: a cell that reads ``[bold]x[/]`` is shown
as those characters on a terminal too, never taken for Rich markup; only
control characters are written as escapes (`visible`), so that no file or
chronicle name sends the terminal an escape sequence.

>>> emit([Table("Runs", ["id", "scenario"], [["1", "beacon-hills"]], numeric={0})])
Runs
id  scenario
 1  beacon-hills
>>> emit([Table("Runs", ["id"], [["1"]])], document=[{"id": 1}], as_json=True)
[
  {
    "id": 1
  }
]
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import TypeAlias

JSON: TypeAlias = "Mapping[str, JSON] | Sequence[JSON] | str | int | float | bool | None"
"""What ``--json`` prints: plain JSON values (read only, so a ``dict[str, float]`` is one)."""


@dataclass(frozen=True)
class Table:
    """A table of text cells.

    ``numeric`` names the columns (by index) that hold numbers and are
    right-aligned; ``header=False`` hides the column names (a table of
    facts, name then value); ``sections`` are the row indexes that start a
    new group, ruled off on a terminal; ``ruled`` sets every row apart (a
    rule between rows on a terminal, a blank line when piped).

    ``as_text`` is for tables whose rows read better as sentences when
    piped: each row is written as this template fills it (`str.format`,
    the row's cells in order) instead of in aligned columns, with no header.

    >>> emit([Table("Packs", ["pack", "alpha"], [["Hale", "Derek"]], as_text="pack {0}: alpha {1}")])
    Packs
    pack Hale: alpha Derek
    """

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int] | set[int] = frozenset()
    header: bool = True
    sections: Sequence[int] = field(default_factory=tuple)
    ruled: bool = False
    as_text: str | None = None


Block: TypeAlias = "Table | str"
"""What a command prints: a table, or a line of text."""


def emit(
    blocks: Iterable[Block],
    *,
    document: JSON | Callable[[], JSON] = None,
    as_json: bool = False,
    compact: bool = False,
) -> None:
    """Print a command's result: ``document`` as JSON with ``as_json``, else ``blocks``.

    ``document`` may be a function, called only when JSON is asked for.
    """
    if as_json:
        value = document() if callable(document) else document
        indent = None if compact else 2
        sys.stdout.write(json.dumps(value, indent=indent, ensure_ascii=False) + "\n")
        return
    shown = list(blocks)
    if on_terminal():
        _rich(shown)
    else:
        sys.stdout.write(plain(shown))


def counted(number: int, noun: str) -> str:
    """``1 statement``, ``2 statements``: a count and its noun, agreeing.

    >>> counted(1, "statement"), counted(97, "statement"), counted(0, "file")
    ('1 statement', '97 statements', '0 files')
    """
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def size(count: float) -> str:
    """A number of bytes as people read it, in powers of 1000.

    >>> size(512), size(7_300_000_000_000), size(24_800_000_000)
    ('512 bytes', '7.3 TB', '24.8 GB')
    """
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if count < 1000:
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1000
    return f"{count:,.1f} PB"


# Control characters but the line break, and the Unicode line breaks.
_INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str) -> str:
    r"""The text with its control characters written as escapes, so none reaches the terminal.

    >>> visible("no chronicle named \x1b[31mred")
    'no chronicle named \\x1b[31mred'
    """
    return _INVISIBLE.sub(lambda found: repr(found.group())[1:-1], text)


def on_terminal() -> bool:
    """Whether stdout is a terminal (as Rich decides it, ``FORCE_COLOR`` and all)."""
    if not sys.stdout.isatty() and not {"FORCE_COLOR", "TTY_COMPATIBLE"} & set(os.environ):
        return False  # the common piped case, decided without importing Rich
    from rich.console import Console

    return Console(file=sys.stdout).is_terminal


def plain(blocks: Sequence[Block]) -> str:
    """The blocks as plain text (see the module's docstring)."""
    lines: list[str] = []
    after_table = False
    for block in blocks:
        if isinstance(block, str):
            lines.append(visible(block))
            after_table = False
            continue
        if after_table:
            lines.append("")
        if block.title:
            lines.append(visible(block.title))
        cells = [[visible(cell) for cell in row] for row in block.rows]
        if block.as_text is not None:
            rows = [block.as_text.format(*row) for row in cells]
        else:
            header, rows = _aligned(block.columns, cells, block.numeric, block.header)
            lines.extend(header)
        for index, row in enumerate(rows):
            lines.extend([""] if block.ruled and index else [])
            lines.append(row)
        after_table = True
    return "".join(line + "\n" for line in lines)


def _aligned(
    columns: Sequence[str], rows: list[list[str]], numeric: Set[int], header: bool
) -> tuple[list[str], list[str]]:
    """The header line (if shown) and the rows of a table, the columns aligned by spaces."""
    grid = [list(columns), *rows] if header else rows
    widths = [max((len(row[i]) for row in grid), default=0) for i in range(len(columns))]
    lines = [
        "  ".join(
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in grid
    ]
    return (lines[:1], lines[1:]) if header else ([], lines)


def _rich(blocks: Sequence[Block]) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    console = Console(file=sys.stdout, highlight=False)
    for block in blocks:
        if isinstance(block, str):
            console.print(Text(visible(block)))
            continue
        table = RichTable(
            title=Text(visible(block.title)) if block.title else None,
            title_justify="left",
            show_header=block.header,
            show_lines=block.ruled,
        )
        for i, column in enumerate(block.columns):
            numeric = i in block.numeric
            table.add_column(Text(column), justify="right" if numeric else "left", no_wrap=numeric)
        for index, row in enumerate(block.rows):
            if index and index in block.sections:
                table.add_section()
            table.add_row(*(Text(visible(cell)) for cell in row))
        console.print(table)
