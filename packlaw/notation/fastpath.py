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

from packlaw.notation.grammar import LineError, check_setting
from packlaw.rules.catalogue import RULE_IDS, RuleId
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
    Set,
    Setting,
    Standing,
    Statement,
    Title,
    Verb,
)

_NAME = r"([A-Za-z][A-Za-z0-9_'\-]*)"
_TEXT = r'"([^"\\\r]*)"'  # a text with no escapes (and no line break): its inside as is
_NUMBER = r"([0-9]{1,15}(?:\.[0-9]{1,3})?)"
_STANDINGS = {s.value: s for s in Standing}


class _Amounts(dict[str | None, int | None]):
    """Numbers as thousandths, each distinct token worked out once (few recur in a chronicle).

    Looking one up is a C call. It takes only well-formed numbers (the
    grammar's `amount` words the rest), and None (an optional number left
    out) stays None.
    """

    def __missing__(self, token: str | None) -> int | None:
        if token is None:
            return None
        whole, _, frac = token.partition(".")
        value = int(whole) * MILLI + int(frac.ljust(3, "0"))
        if len(self) < 4096:  # a cache, not a record of every number ever read
            self[token] = value
        return value


_amount = _Amounts().__getitem__


def _words(values: dict[str | None, object]) -> Callable[[str], object]:
    """A keyword's text to its value by a C-level lookup (None, an optional word left out, stays None)."""
    return {None: None, **values}.__getitem__


# Each kind of argument: its pattern (one group), and how its text becomes a value
# (None: as it is). Every converter is a C-level call.
_ARGUMENTS: dict[Arg, tuple[str, Callable[[str], object] | None]] = {
    Arg.BEING: (_NAME, None),
    Arg.NEW: (_NAME, None),
    Arg.PACK: (_NAME, None),
    Arg.TEXT: (_TEXT, None),
    Arg.NUMBER: (_NUMBER, _amount),
    Arg.KIND: ("(human|werewolf)", _words({k.value: k for k in Kind})),
    Arg.ORIGIN: ("(born|bitten)", _words({o.value: o for o in Origin})),
}

_Shape = tuple[Callable[[str], "re.Match[str] | None"], Callable[..., Statement | None]]
"""A line shape: a matcher of the rest of the line after its first word, and what builds
the statement from the match's groups."""


def _pattern(*parts: str) -> Callable[[str], re.Match[str] | None]:
    """A whole-rest-of-line matcher: the parts separated by single spaces."""
    return re.compile(" ".join(parts) + r"\Z").match


def _converting(
    build: Callable[..., Statement], converters: list[Callable[[str], object] | None]
) -> Callable[..., Statement]:
    """`build` of the groups, each that needs it converted first (None: the group as it is).

    Most groups are names and texts, which go in as they are: only the
    others are touched.
    """
    if not any(converters):
        return build
    at = [(index, convert) for index, convert in enumerate(converters) if convert is not None]

    def converted(*groups: str | None) -> Statement:
        values: list[object] = list(groups)
        for index, convert in at:
            values[index] = convert(values[index])  # type: ignore[arg-type]
        return build(*values)

    return converted


def _shape(verb: Verb) -> _Shape:
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
        converters.append(_flag(flag))
    return _pattern(pattern), _converting(verb.event, converters)


def _flag(flag: str) -> Callable[[str], object]:
    """A flag's group (`` ill`` or None) to True or False."""
    return {None: False, f" {flag}": True}.__getitem__


def _expect(
    rule: RuleId | None,
    name: str,
    established: str | None,
    packed: str | None,
    pack: str | None,
    lone: str | None,
    health: str | None,
) -> Statement:
    if rule is not None:
        return ExpectRefusal(rule)
    if health is not None:
        return ExpectHealth(name, _amount(health))  # type: ignore[arg-type]
    if established is not None:
        return ExpectEstablished(name, established == "established")
    return ExpectStanding(name, _STANDINGS[packed or lone], pack)  # type: ignore[index]


def _set(setting: str, value: str) -> Statement | None:
    """A `set` line, or None (the grammar words the error) for a value out of range."""
    chosen, amount = _SETTINGS[setting], _amount(value)
    try:
        check_setting(chosen, amount, 1)  # type: ignore[arg-type]
    except LineError:
        return None
    return Set(chosen, amount)  # type: ignore[arg-type]


_SETTINGS = {s.value: s for s in Setting}
_SHAPES: dict[str, _Shape] = {
    **{verb.word: _shape(verb) for verb in VERBS},
    "title": (_pattern(_TEXT), Title),
    "set": (_pattern(f"({'|'.join(_SETTINGS)})", _NUMBER), _set),
    "day": (_pattern("([0-9]{1,15})"), _converting(Day, [int])),
    "expect": (
        _pattern(
            f"(?:({'|'.join(sorted(RULE_IDS, key=len, reverse=True))})|"
            + _NAME
            + r" (?:(established|alone)|(alpha|member|ally)(?: "
            + _NAME
            + r")?|(omega|unaffiliated|dead)|health "
            + _NUMBER
            + "))"
        ),
        _expect,
    ),
}


def scan(line: str) -> Statement | None:
    """The statement on an ordinary line, or None when the grammar must decide."""
    verb, _, rest = line.partition(" ")
    shape = _SHAPES.get(verb)
    if shape is None:
        return None
    match, build = shape
    found = match(rest)
    if found is None:
        return None
    return build(*found.groups())
