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
title "Safety Net"  # a comment
day 1
being Derek werewolf
being Stiles human
ascend Derek Hale
expect Stiles unaffiliated
>>> parse_chronicle(format_chronicle(chronicle)) == chronicle.renumbered()
True
"""

from __future__ import annotations

import re
from bisect import insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count
from typing import cast

from packlaw.notation.fastpath import scan
from packlaw.notation.grammar import LineError, content_end, parse_line
from packlaw.rules.events import EVENT_TYPES, Day, Statement, Title

_EVENT_TYPES = frozenset(EVENT_TYPES)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]")
"""What no line of a chronicle may hold: C0 but tab (a CR only ends a line), DEL, C1,
U+2028/9, and bytes that were not UTF-8 (kept as surrogates by the reader of a file)."""
_ASCII_CONTROL = bytes(code for code in range(128) if CONTROL.match(chr(code)))
_CHUNK = 1 << 20


def has_control(text: str) -> bool:
    """Whether `text` holds a character that `CONTROL` refuses (a line feed is none; a CR is).

    ASCII text, the usual case, is checked a megabyte at a time by deleting
    the control bytes in C and comparing lengths, several times as fast as
    searching it; any other text is searched.

    >>> has_control('day 1\\nnote "fine"\\n'), has_control('note "\\x1b[31m"'), has_control("été\\u2028")
    (False, True, True)
    """
    if not text.isascii():
        return CONTROL.search(text) is not None
    for start in range(0, len(text), _CHUNK):
        data = text[start : start + _CHUNK].encode("ascii")
        if len(data.translate(None, _ASCII_CONTROL)) != len(data):
            return True
    return False


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """One syntax error: what is wrong, and where (1-based line and column).

    ``str()`` is the ``FILE:LINE:COL: error: MESSAGE`` line of the notation page.
    """

    message: str
    line: int
    column: int
    filename: str | None = None

    def where(self) -> str:
        """``FILE:LINE:COL:`` (``<chronicle>`` when the text has no file name)."""
        return f"{self.filename or '<chronicle>'}:{self.line}:{self.column}:"

    def __str__(self) -> str:
        return f"{self.where()} error: {self.message}"


class ChronicleSyntaxError(ValueError):
    """Text that is not a chronicle: what was expected, and where (1-based line and column).

    One exception stands for every syntax error in the text: its own
    `line`, `column` and `message` are the first error's, `errors` lists
    them all (each a `SyntaxProblem`, small enough that a file of a
    million bad lines fits in memory), and ``str()`` gives one
    ``FILE:LINE:COL: error: MESSAGE`` line per error.

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
        errors: list[SyntaxProblem] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.filename = filename
        self.errors: list[SyntaxProblem] = (
            [SyntaxProblem(message, line, column, filename)] if errors is None else errors
        )

    def where(self) -> str:
        """``FILE:LINE:COL:`` of the first error."""
        return self.errors[0].where()

    def __str__(self) -> str:
        return "\n".join(map(str, self.errors))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message, self.line, self.column, self.filename, self.errors))


@dataclass(frozen=True, slots=True)
class Remark:
    """A writer's comment, or a blank line, kept with the statements (spec: "Writing").

    ``text`` is the comment without its ``#`` and surrounding spaces, or
    None for a blank line. A remark on a line of its own comes before the
    statement at index ``before`` (``len(statements)`` for the end); a
    trailing one (``trailing=True``) follows the statement at that index,
    on its line.
    """

    before: int
    text: str | None
    trailing: bool = False

    def __str__(self) -> str:
        if self.text is None:
            return ""
        return f"# {self.text}" if self.text else "#"


@dataclass(frozen=True, slots=True)
class Chronicle:
    """A chronicle's statements in order, with the source line of each, and its remarks.

    ``lines[i]`` is the line that ``statements[i]`` was read from; a
    chronicle built from statements alone is numbered as its canonical text
    would be (1, 2, 3, ...). ``remarks`` are its comments and blank lines
    (`Remark`), as canonical layout keeps them. Iterating over a chronicle
    gives its statements. The file name is carried along for messages and
    takes no part in equality.
    """

    statements: tuple[Statement, ...]
    lines: tuple[int, ...] = ()
    filename: str | None = field(default=None, compare=False)
    remarks: tuple[Remark, ...] = ()

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
        """The same statements and remarks numbered as their canonical text is."""
        if not self.remarks:
            return Chronicle(self.statements, filename=self.filename, remarks=self.remarks)
        return parse_chronicle(format_chronicle(self), filename=self.filename)


def format_chronicle(statements: Chronicle | Iterable[Statement]) -> str:
    """The canonical text: one statement a line, each as ``str()`` writes it, remarks kept.

    A chronicle's comments stay where they were (spec: "Writing"): on a
    line of their own, ``#``, one space and the text; after a statement,
    two spaces from it. A run of blank lines is written as one, and none
    at the start or the end. Every line ends with a line break.
    ``format_chronicle(parse_chronicle(t))`` is ``t`` itself when ``t`` is
    canonical. A text with a line break in it has no notation and is
    refused with `ValueError`.

    >>> from packlaw.rules.events import Being, Kind
    >>> format_chronicle([Being("Stiles", Kind.HUMAN), Day(3)])
    'being Stiles human\\nday 3\\n'
    >>> print(format_chronicle(parse_chronicle("#  the start\\n\\n\\nday 3   #a day\\n\\n")), end="")
    # the start
    <BLANKLINE>
    day 3  # a day
    """
    lines = [str(statement) for statement in statements]
    text = "\n".join(lines)
    if lines and (text.count("\n") >= len(lines) or CONTROL.search(text)):  # in C
        bad = next(line for line in lines if "\n" in line or CONTROL.search(line))
        what = "a line break" if "\n" in bad or "\r" in bad else "a control character"
        raise ValueError(f"a text with {what} cannot be written: {bad!r}")
    remarks = statements.remarks if isinstance(statements, Chronicle) else ()
    if remarks:
        return lay_out(lines, remarks)
    return text + "\n" if lines else ""


def lay_out(lines: list[str], remarks: Iterable[Remark]) -> str:
    """Statement lines and remarks in the canonical layout (see `format_chronicle`)."""
    own: dict[int, list[Remark]] = {}
    trailing: dict[int, Remark] = {}
    for remark in remarks:
        if remark.trailing:
            trailing[remark.before] = remark
        else:
            own.setdefault(remark.before, []).append(remark)
    out: list[str] = []
    blank = False
    for index in range(len(lines) + 1):
        for remark in own.get(index, ()):
            if remark.text is None:
                blank = bool(out)
                continue
            if blank:
                out.append("")
                blank = False
            out.append(str(remark))
        if index == len(lines):
            break
        if blank:
            out.append("")
            blank = False
        after = trailing.get(index)
        out.append(lines[index] if after is None else f"{lines[index]}  {after}")
    return "\n".join(out) + "\n" if out else ""


def remarks_by_statement(
    remarks: Iterable[Remark], statements: int
) -> tuple[dict[int, str], dict[int, str], str | None]:
    """Remarks as a store keeps them, each group as its canonical lines.

    Returns the own-line remarks before each statement (by index; lines
    joined by line breaks, a blank line empty), the trailing comment of
    each statement, and what comes after the last statement (or None).
    `remarks_from_groups` undoes it.

    >>> chronicle = parse_chronicle("# a\\n\\n# b\\nleave A  # c\\n# d\\n")
    >>> remarks_by_statement(chronicle.remarks, len(chronicle))
    ({0: '# a\\n\\n# b'}, {0: '# c'}, '# d')
    """
    before: dict[int, list[str]] = {}
    trailing: dict[int, str] = {}
    for remark in remarks:
        if remark.trailing:
            trailing[remark.before] = str(remark)
        else:
            before.setdefault(remark.before, []).append(str(remark))
    ending = before.pop(statements, None)
    groups = {index: "\n".join(lines) for index, lines in before.items()}
    return groups, trailing, None if ending is None else "\n".join(ending)


def remarks_from_groups(groups: Iterable[tuple[int, str | None, str | None]]) -> list[Remark]:
    """Remarks from ``(index, own-line remarks, trailing comment)`` as `remarks_by_statement` gives them."""
    remarks: list[Remark] = []
    for index, own, after in groups:
        if own is not None:
            for line in own.split("\n"):
                remarks.append(Remark(index, line[1:].strip(" \t") if line else None))
        if after is not None:
            remarks.append(Remark(index, after[1:].strip(" \t"), trailing=True))
    return remarks


def read_remarks(raw: list[str], read: list[Statement | None]) -> tuple[Remark, ...]:
    """The comments and blank lines of a chronicle's lines, placed among its statements.

    ``read`` has each line's statement, or None for a line with none.
    """
    remarks: list[Remark] = []
    index = 0  # the statement the next own-line remark comes before
    for line, statement in zip(raw, read, strict=True):
        if statement is not None:
            if "#" in line:
                comment = line[content_end(line) :].strip(" \t\r")
                if comment.startswith("#"):
                    remarks.append(Remark(index, comment[1:].strip(" \t"), trailing=True))
            index += 1
            continue
        stripped = line.strip(" \t\r")
        if not stripped:
            last = remarks[-1] if remarks else None
            if last is not None and last.text is None and last.before == index:
                continue  # a run of blank lines is one
            if index == 0 and not remarks:
                continue  # none at the start
            remarks.append(Remark(index, None))
        else:
            remarks.append(Remark(index, stripped[1:].strip(" \t")))
    while remarks and remarks[-1].text is None and remarks[-1].before == index:
        remarks.pop()  # none at the end
    return tuple(remarks)


def read_line(line: str) -> Statement | None:
    """One line's statement (None for a blank or comment line); `LineError` if it is wrong.

    The fast reader takes ordinary lines; the grammar takes the rest. A
    control character anywhere in the line is refused, named by its code
    point (spec: "Lines").

    >>> read_line('note "a \\x1b[31m red"')
    Traceback (most recent call last):
    ...
    packlaw.notation.grammar.LineError: 9: control character U+001B is not allowed in a chronicle
    """
    if line.endswith("\r"):
        line = line[:-1]
    found = CONTROL.search(line)
    if found is not None:
        code = ord(found.group())
        if code >= 0xDC80:
            message = f"invalid UTF-8 byte 0x{code - 0xDC00:02x}: the file is not UTF-8 text"
        else:
            message = f"control character U+{code:04X} is not allowed in a chronicle"
        raise LineError(found.start() + 1, message)
    return _read_checked_line(line)


def _read_checked_line(line: str) -> Statement | None:
    if line.endswith("\r"):
        line = line[:-1]
    statement = scan(line)
    if statement is None:
        start = line.lstrip(" \t")
        if not start or start[0] == "#":
            return None  # blank, or a comment alone: no need to ask the grammar
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
    errors: list[SyntaxProblem] = []
    # Each distinct line is read once (statements are values, so equal
    # lines share one), and the loop over lines runs in C (map, filter, compress).
    table = _LineTable(checked=not has_control(text))
    read = list(map(table.__getitem__, lines))
    wrong, placed = table.wrong, table.placed
    del table
    if wrong:
        for number, item in enumerate(read, 1):
            if type(item) is _Wrong:
                column, message = item
                errors.append(SyntaxProblem(message, number, column, filename))
                read[number - 1] = None
    # (the last line is empty when the text ends with a line break)
    blank = not all(read[:-1])
    remarks = read_remarks(lines, read) if "#" in text or blank else ()  # type: ignore[arg-type]
    if placed:
        errors.extend(_placement_errors(read, lines, placed, filename))  # type: ignore[arg-type]
    del lines  # a million strings: freed before the numbers below take their memory
    # Statement values are always true and blank lines are None, so
    # filter and compress keep exactly the statements and their lines.
    statements = tuple(filter(None, read))
    if blank:
        numbers: tuple[int, ...] = tuple(compress(count(1), read))
    else:
        numbers = tuple(range(1, len(statements) + 1))
    del read
    if errors:
        errors.sort(key=lambda e: (e.line, e.column))
        first = errors[0]
        raise ChronicleSyntaxError(first.message, first.line, first.column, filename, errors)
    return Chronicle(statements, numbers, filename, remarks)  # type: ignore[arg-type]


class _Wrong(tuple[int, str]):
    """A line's syntax error as (column, message): no traceback, no parser state kept."""

    __slots__ = ()


class _LineTable(dict[str, "Statement | _Wrong | None"]):
    """Each distinct line's statement (None if blank, a `_Wrong` if wrong), read on first use.

    With ``checked``, the whole text is known to hold no control character,
    so lines skip that test and go to the fast reader first. ``placed``
    collects the distinct lines whose statement has a place to keep (a
    `day` or a `title`, see `Placement`).
    """

    wrong = False

    def __init__(self, *, checked: bool) -> None:
        super().__init__()
        self.checked = checked
        self.read = _read_checked_line if checked else read_line
        self.placed: set[str] = set()

    def __missing__(self, raw: str) -> Statement | _Wrong | None:
        statement: Statement | _Wrong | None = scan(raw) if self.checked else None
        if statement is None:
            try:
                statement = self.read(raw)
            except LineError as error:
                statement = _Wrong((error.column, error.message))
                self.wrong = True
        if type(statement) in _PLACED:
            self.placed.add(raw)
        self[raw] = statement
        return statement


_PLACED = frozenset((Day, Title))


class Placement:
    """Where a chronicle has got to: its day, its title, whether an event has happened.

    `place` takes the next statement and says why it is misplaced (a `day`
    that goes back; a second `title`, or one after the first event), or
    None and moves on. The reader and the store's appends both place
    statements with it, so these rules are written once. ``unit`` names
    what ``at`` counts in messages: lines of a file, or a stored
    chronicle's statements.

    >>> placement = Placement()
    >>> placement.place(Day(3), 1), placement.place(Day(2), 2)
    (None, 'day 2 goes back: the chronicle is already at day 3 (line 1)')
    """

    __slots__ = ("day", "day_at", "event_at", "title", "title_at", "unit")

    def __init__(self, unit: str = "line") -> None:
        self.unit = unit
        self.day = 0
        self.day_at = 0
        self.title: str | None = None
        self.title_at = 0
        self.event_at = 0

    def place(self, statement: Statement, at: int) -> str | None:
        kind = type(statement)
        if kind is Day:
            number = cast(Day, statement).number
            if number < self.day:
                return (
                    f"day {number} goes back: the chronicle is already at day {self.day} "
                    f"({self.unit} {self.day_at})"
                )
            self.day, self.day_at = number, at
        elif kind is Title:
            if self.title_at:
                return (
                    f"a second title: the chronicle already has one ({self.unit} {self.title_at})"
                )
            if self.event_at:
                return f"a title must come before the first event ({self.unit} {self.event_at})"
            self.title, self.title_at = cast(Title, statement).text, at
        elif not self.event_at and kind in _EVENT_TYPES:
            self.event_at = at
        return None


def _placement_errors(
    read: list[Statement | None], lines: list[str], placed: set[str], filename: str | None
) -> list[SyntaxProblem]:
    """Each misplaced statement (see `Placement`), pointing at its keyword or day number.

    ``read`` has each line's statement (None for none), ``placed`` the
    lines that hold a `day` or a `title`. Only those and the first event
    can be misplaced or place another, so only they are looked at.
    """
    at = list(compress(count(1), map(placed.__contains__, lines)))
    first_event = next((n for n, s in enumerate(read, 1) if type(s) in _EVENT_TYPES), None)
    if first_event is not None:
        insort(at, first_event)
    errors: list[SyntaxProblem] = []
    place = Placement().place
    for number in at:
        statement = cast(Statement, read[number - 1])
        message = place(statement, number)
        if message is not None:
            line = lines[number - 1]
            column = _argument_column(line) if type(statement) is Day else _keyword_column(line)
            errors.append(SyntaxProblem(message, number, column, filename))
    return errors


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
