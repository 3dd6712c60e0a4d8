"""The fast reader: ordinary lines turned into statements by one compiled pattern per verb.

A generated million-event chronicle is almost all lines like ``welcome Derek
Isaac`` or ``order Derek Stiles "patrol the woods"``: lower-case verb, one
space between tokens, no comment, texts without escapes. `scan` reads such a
line directly; for anything else (upper case, extra blanks, comments,
escapes, and every mistake) it returns ``None`` and the caller asks the
grammar (`packlaw.notation.grammar.parse_line`), which is the reference.
The two must agree on every line `scan` accepts; a Hypothesis test holds
them to it.

>>> scan('order Derek Stiles "stay out of the woods" ill')
Order(alpha='Derek', name='Stiles', text='stay out of the woods', ill=True)
>>> scan("welcome  Derek Stiles") is None  # two spaces: the grammar decides
True
"""

from __future__ import annotations

import re
from collections.abc import Callable

from packlaw.rules.events import (
    MILLI,
    VERBS,
    Arg,
    Day,
    ExpectEstablished,
    ExpectHealth,
    ExpectRefusal,
    ExpectStanding,
    Kind,
    Origin,
    Standing,
    Statement,
    Title,
    Verb,
)

_NAME = r"([A-Za-z][A-Za-z0-9_'\-]*)"
_TEXT = r'"([^"\\\r]*)"'  # a text with no escapes (and no line break): its inside as is
_NUMBER = r"([0-9]{1,15}(?:\.[0-9]{1,3})?)"
_STANDINGS = {s.value: s for s in Standing}
_amounts: dict[str, int] = {}  # few distinct numbers recur in a chronicle

# Each kind of argument: its pattern (one group), and how its text becomes a value.
_ARGUMENTS: dict[Arg, tuple[str, Callable[[str], object] | None]] = {
    Arg.BEING: (_NAME, None),
    Arg.NEW: (_NAME, None),
    Arg.PACK: (_NAME, None),
    Arg.TEXT: (_TEXT, None),
    Arg.NUMBER: (_NUMBER, lambda token: _amount(token)),
    Arg.KIND: ("(human|werewolf)", Kind),
    Arg.ORIGIN: ("(born|bitten)", Origin),
}


def _pattern(*parts: str) -> Callable[[str], re.Match[str] | None]:
    """A whole-rest-of-line matcher: the parts separated by single spaces."""
    return re.compile(" ".join(parts) + r"\Z").match


def _amount(token: str | None) -> int | None:
    """The number as thousandths (the grammar's `amount`, for well-formed numbers only)."""
    if token is None:
        return None
    value = _amounts.get(token)
    if value is None:
        whole, _, frac = token.partition(".")
        value = int(whole) * MILLI + int(frac.ljust(3, "0"))
        if len(_amounts) < 4096:  # a cache, not a record of every number ever read
            _amounts[token] = value
    return value


def _reader(verb: Verb) -> Callable[[str], Statement | None]:
    """The fast reader of one verb, derived from its description.

    Arguments in order, one space apart, optional ones each with its space;
    then the flags, in their written order, each at most once.
    """
    pattern = ""
    converters: list[Callable[[str], object] | None] = []
    for index, argument in enumerate(verb.arguments):
        part, convert = _ARGUMENTS[argument.arg]
        space = " " if index else ""
        pattern += f"(?:{space}{part})?" if argument.optional else space + part
        converters.append(convert)
    for flag in verb.flags:
        pattern += f"( {flag})?"
    match = _pattern(pattern)
    cls = verb.event
    if not verb.flags and not any(converters) and not any(a.optional for a in verb.arguments):

        def read_plain(rest: str) -> Statement | None:
            found = match(rest)
            return None if found is None else cls(*found.groups())

        return read_plain
    count = len(converters)
    convert_at = tuple((i, convert) for i, convert in enumerate(converters) if convert is not None)

    def read(rest: str) -> Statement | None:
        found = match(rest)
        if found is None:
            return None
        groups = found.groups()
        values: list[object] = list(groups[:count])
        for index, convert in convert_at:
            text = values[index]
            if text is not None:
                values[index] = convert(text)  # type: ignore[arg-type]
        for flag in groups[count:]:
            values.append(flag is not None)
        return cls(*values)

    return read


_day_match = _pattern("([0-9]{1,15})")
_expect_match = _pattern(
    r"(?:(R1[0-5]|R[0-9])|"
    + _NAME
    + r" (?:(established|alone)|(alpha|member|ally)(?: "
    + _NAME
    + r")?|(omega|unaffiliated|dead)|health "
    + _NUMBER
    + "))"
)


def _day(rest: str) -> Statement | None:
    found = _day_match(rest)
    return None if found is None else Day(int(found.group(1)))


def _expect(rest: str) -> Statement | None:
    found = _expect_match(rest)
    if found is None:
        return None
    rule, name, established, packed, pack, lone, health = found.groups()
    if rule is not None:
        return ExpectRefusal(rule)
    if health is not None:
        return ExpectHealth(name, _amount(health))  # type: ignore[arg-type]
    if established is not None:
        return ExpectEstablished(name, established == "established")
    return ExpectStanding(name, _STANDINGS[packed or lone], pack)


def _title(rest: str) -> Statement | None:
    found = _title_match(rest)
    return None if found is None else Title(found.group(1))


_title_match = _pattern(_TEXT)
_READERS: dict[str, Callable[[str], Statement | None]] = {
    **{verb.word: _reader(verb) for verb in VERBS},
    "title": _title,
    "day": _day,
    "expect": _expect,
}


def scan(line: str) -> Statement | None:
    """The statement on an ordinary line, or None when the grammar must decide."""
    verb, _, rest = line.partition(" ")
    reader = _READERS.get(verb)
    return None if reader is None else reader(rest)
