"""Chronicles as values: `parse_chronicle` reads the notation, `format_chronicle` writes it.

The pair mirror each other, as python-chess's `parse_san` and `san` do:

>>> chronicle = parse_chronicle('''
... title "Safety Net"   # a comment
... DAY 1
... being Derek werewolf
... being Stiles human
... ascend Derek Hale
... expect Stiles  unaffiliated
... ''')
>>> chronicle.title, chronicle.lines
('Safety Net', (2, 3, 4, 5, 6, 7))
>>> print(format_chronicle(chronicle), end="")
title "Safety Net"
day 1
being Derek werewolf
being Stiles human
ascend Derek Hale
expect Stiles unaffiliated
>>> parse_chronicle(format_chronicle(chronicle)) == chronicle.renumbered()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress, count
from typing import cast

from packlaw.notation.fastpath import scan
from packlaw.notation.grammar import LineError, parse_line
from packlaw.rules.events import EVENT_TYPES, Day, Statement, Title

_EVENT_TYPES = frozenset(EVENT_TYPES)


class ChronicleSyntaxError(ValueError):
    """Text that is not a chronicle: what was expected, and where (1-based line and column).

    One exception stands for every syntax error in the text: its own
    `line`, `column` and `message` are the first error's, `errors` lists
    them all (each a `ChronicleSyntaxError` of its own), and ``str()`` gives
    one ``FILE:LINE:COL: error: MESSAGE`` line per error.

    >>> try:
    ...     parse_chronicle("day 1\\nwelcome Derek\\n", filename="safety.chronicle")
    ... except ChronicleSyntaxError as error:
    ...     print(error)
    safety.chronicle:2:14: error: expected a being name after 'welcome Derek'
    """

    def __init__(
        self,
        message: str,
        line: int,
        column: int,
        filename: str | None = None,
        errors: list[ChronicleSyntaxError] | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.filename = filename
        self.errors: list[ChronicleSyntaxError] = [self] if errors is None else errors
        super().__init__(
            "\n".join(error.where() + f" error: {error.message}" for error in self.errors)
        )

    def where(self) -> str:
        """``FILE:LINE:COL:`` (``<chronicle>`` when the text has no file name)."""
        return f"{self.filename or '<chronicle>'}:{self.line}:{self.column}:"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message, self.line, self.column, self.filename, self.errors))


@dataclass(frozen=True, slots=True)
class Chronicle:
    """A chronicle's statements in order, with the source line of each.

    ``lines[i]`` is the line that ``statements[i]`` was read from; a
    chronicle built from statements alone is numbered as its canonical text
    would be (1, 2, 3, ...). Iterating over a chronicle gives its statements.
    The file name is carried along for messages and takes no part in equality.
    """

    statements: tuple[Statement, ...]
    lines: tuple[int, ...] = ()
    filename: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.statements, tuple):
            object.__setattr__(self, "statements", tuple(self.statements))
        if not self.lines:
            object.__setattr__(self, "lines", tuple(range(1, len(self.statements) + 1)))
        elif not isinstance(self.lines, tuple):
            object.__setattr__(self, "lines", tuple(self.lines))
        if len(self.lines) != len(self.statements):
            raise ValueError(
                f"a chronicle needs one line number per statement, "
                f"not {len(self.lines)} for {len(self.statements)}"
            )

    @property
    def title(self) -> str | None:
        """The text of the `title` directive, if there is one."""
        for statement in self.statements:
            if type(statement) is Title:
                return statement.text
            if type(statement) in _EVENT_TYPES:  # a title comes before the first event
                return None
        return None

    def __iter__(self) -> Iterator[Statement]:
        return iter(self.statements)

    def __len__(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return format_chronicle(self)

    def renumbered(self) -> Chronicle:
        """The same statements numbered as their canonical text is (1, 2, 3, ...)."""
        return Chronicle(self.statements, filename=self.filename)


def format_chronicle(statements: Chronicle | Iterable[Statement]) -> str:
    """The canonical text: one statement a line, each as ``str()`` writes it.

    Comments and blank lines are not statements, so they are gone; every
    line ends with a line break. ``format_chronicle(parse_chronicle(t))``
    is ``t`` itself when ``t`` is canonical. A text with a line break in it
    has no notation and is refused with `ValueError`.

    >>> from packlaw.rules.events import Being, Kind
    >>> format_chronicle([Being("Stiles", Kind.HUMAN), Day(3)])
    'being Stiles human\\nday 3\\n'
    """
    lines = [str(statement) for statement in statements]
    text = "\n".join(lines)
    if lines and ("\r" in text or text.count("\n") >= len(lines)):  # in C: a line break in a text
        bad = next(line for line in lines if "\n" in line or "\r" in line)
        raise ValueError(f"a text with a line break cannot be written: {bad!r}")
    return text + "\n" if lines else ""


def read_line(line: str) -> Statement | None:
    """One line's statement (None for a blank or comment line); `LineError` if it is wrong.

    The fast reader takes ordinary lines; the grammar takes the rest.
    """
    if line.endswith("\r"):
        line = line[:-1]
    statement = scan(line)
    if statement is None:
        statement = parse_line(line)
    return statement


def parse_chronicle(text: str, filename: str | None = None) -> Chronicle:
    """Read a chronicle; raise `ChronicleSyntaxError` listing every syntax error.

    Besides each line's own syntax, a chronicle's `day` never goes back and
    its `title` comes at most once, before the first event. No text makes
    this raise anything but `ChronicleSyntaxError`.

    >>> [str(s) for s in parse_chronicle('Being Stiles HUMAN\\nleave   Stiles # why not')]
    ['being Stiles human', 'leave Stiles']
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    errors: list[ChronicleSyntaxError] = []
    with collector_paused():
        # Each distinct line is read once (statements are values, so equal
        # lines share one), and the loop over lines runs in C (map, filter, compress).
        table = _LineTable()
        read = list(map(table.__getitem__, lines))
        wrong = table.wrong
        del table
        if wrong:
            for number, item in enumerate(read, 1):
                if isinstance(item, LineError):
                    errors.append(ChronicleSyntaxError(item.message, number, item.column, filename))
                    read[number - 1] = None
        # Statement values are always true and blank lines are None, so
        # filter and compress keep exactly the statements and their lines.
        statements: list[Statement] = list(filter(None, read))  # type: ignore[arg-type]
        numbers = list(compress(count(1), read))
        del read
        errors.extend(_placement_errors(statements, numbers, lines, filename))
    if errors:
        errors.sort(key=lambda e: (e.line, e.column))
        first = errors[0]
        raise ChronicleSyntaxError(first.message, first.line, first.column, filename, errors)
    return Chronicle(tuple(statements), tuple(numbers), filename)


class _LineTable(dict[str, "Statement | LineError | None"]):
    """Each distinct line's statement (None if blank, a `LineError` if wrong), read on first use."""

    wrong = False

    def __missing__(self, raw: str) -> Statement | LineError | None:
        try:
            statement: Statement | LineError | None = read_line(raw)
        except LineError as error:
            statement = error
            self.wrong = True
        self[raw] = statement
        return statement


def _placement_errors(
    statements: list[Statement], numbers: list[int], lines: list[str], filename: str | None
) -> list[ChronicleSyntaxError]:
    """A `day` that goes back; a second `title`, or one after the first event."""
    errors: list[ChronicleSyntaxError] = []
    day, day_line = 0, 0
    title_line = 0
    first_event_line = 0
    for index, statement in enumerate(statements):
        kind = type(statement)
        if kind is Day:
            number, new_day = numbers[index], cast(Day, statement).number
            if new_day < day:
                errors.append(
                    ChronicleSyntaxError(
                        f"day {new_day} goes back: the chronicle is already "
                        f"at day {day} (line {day_line})",
                        number,
                        _argument_column(lines[number - 1]),
                        filename,
                    )
                )
            else:
                day, day_line = new_day, number
        elif kind is Title:
            number = numbers[index]
            if title_line:
                message = f"a second title: the chronicle already has one (line {title_line})"
            elif first_event_line:
                message = f"a title must come before the first event (line {first_event_line})"
            else:
                title_line = number
                continue
            errors.append(
                ChronicleSyntaxError(message, number, _keyword_column(lines[number - 1]), filename)
            )
        elif not first_event_line and kind in _EVENT_TYPES:
            first_event_line = numbers[index]
    return errors


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading.

    A million statements are a million new objects with no cycles among
    them; left on, the collector walks them again and again (it took 40% of
    the time to read a large chronicle). It is switched back on after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _keyword_column(line: str) -> int:
    return len(line) - len(line.lstrip(" \t")) + 1


def _argument_column(line: str) -> int:
    """The column of a directive's first argument (the number of `day N`)."""
    start = _keyword_column(line) - 1
    keyword_end = start
    while keyword_end < len(line) and line[keyword_end] not in " \t":
        keyword_end += 1
    rest = line[keyword_end:]
    return keyword_end + len(rest) - len(rest.lstrip(" \t")) + 1
