"""The fast reader: ordinary lines turned into statements with `str` methods, no parser.

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
    Ally,
    Ascend,
    Ask,
    Attack,
    Being,
    Bite,
    CheckIn,
    Day,
    Death,
    Defy,
    ExpectEstablished,
    ExpectRefusal,
    ExpectStanding,
    Heal,
    Kind,
    Leave,
    Note,
    Obey,
    Order,
    Origin,
    Protect,
    Request,
    Rescind,
    Research,
    Share,
    Standing,
    Statement,
    Submit,
    Title,
    Welcome,
)

_is_name = re.compile(r"[A-Za-z][A-Za-z0-9_'\-]*\Z").match
_number = re.compile(r"([0-9]{1,15})(?:\.([0-9]{1,3}))?\Z").match
_KINDS = {"human": Kind.HUMAN, "werewolf": Kind.WEREWOLF}
_ORIGINS = {"born": Origin.BORN, "bitten": Origin.BITTEN}
_STANDINGS = {s.value: s for s in Standing}
_LONE = frozenset({Standing.OMEGA, Standing.UNAFFILIATED, Standing.DEAD})
_RULES = frozenset(f"R{n}" for n in range(16))


def _text(quoted: str) -> str | None:
    """The inside of ``"..."`` when it needs no unescaping, else None."""
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        return None
    inner = quoted[1:-1]
    if '"' in inner or "\\" in inner or "\r" in inner:
        return None
    return inner


def _amount(token: str) -> int | None:
    match = _number(token)
    if match is None:
        return None
    whole, frac = match.groups()
    return int(whole) * MILLI + (int(frac.ljust(3, "0")) if frac else 0)


def _one(cls: Callable[[str], Statement]) -> Callable[[str], Statement | None]:
    def read(rest: str) -> Statement | None:
        return cls(rest) if _is_name(rest) else None

    return read


def _two(cls: Callable[[str, str], Statement]) -> Callable[[str], Statement | None]:
    def read(rest: str) -> Statement | None:
        first, _, second = rest.partition(" ")
        if _is_name(first) and _is_name(second):
            return cls(first, second)
        return None

    return read


def _two_and_text(cls: Callable[[str, str, str], Statement]) -> Callable[[str], Statement | None]:
    def read(rest: str) -> Statement | None:
        parts = rest.split(" ", 2)
        if len(parts) != 3 or not _is_name(parts[0]) or not _is_name(parts[1]):
            return None
        text = _text(parts[2])
        return None if text is None else cls(parts[0], parts[1], text)

    return read


def _one_and_text(cls: Callable[[str, str], Statement]) -> Callable[[str], Statement | None]:
    def read(rest: str) -> Statement | None:
        name, _, quoted = rest.partition(" ")
        if not _is_name(name):
            return None
        text = _text(quoted)
        return None if text is None else cls(name, text)

    return read


def _only_text(cls: Callable[[str], Statement]) -> Callable[[str], Statement | None]:
    def read(rest: str) -> Statement | None:
        text = _text(rest)
        return None if text is None else cls(text)

    return read


def _being(rest: str) -> Statement | None:
    parts = rest.split(" ")
    if not 2 <= len(parts) <= 3 or not _is_name(parts[0]):
        return None
    kind = _KINDS.get(parts[1])
    if kind is None:
        return None
    if len(parts) == 2:
        return Being(parts[0], kind)
    origin = _ORIGINS.get(parts[2])
    return None if origin is None else Being(parts[0], kind, origin)


def _submit(rest: str) -> Statement | None:
    parts = rest.split(" ")
    if not _is_name(parts[0]) or len(parts) < 2 or not _is_name(parts[1]):
        return None
    flags = parts[2:]
    if (
        len(flags) > 2
        or len(set(flags)) != len(flags)
        or not set(flags) <= {"insincere", "coerced"}
    ):
        return None
    return Submit(parts[0], parts[1], "insincere" in flags, "coerced" in flags)


def _order(rest: str) -> Statement | None:
    parts = rest.split(" ", 2)
    if len(parts) != 3 or not _is_name(parts[0]) or not _is_name(parts[1]):
        return None
    quoted, ill = parts[2], False
    if quoted.endswith('" ill'):
        quoted, ill = quoted[:-4], True
    text = _text(quoted)
    return None if text is None else Order(parts[0], parts[1], text, ill)


def _attack(rest: str) -> Statement | None:
    parts = rest.split(" ")
    if not 2 <= len(parts) <= 3 or not _is_name(parts[0]) or not _is_name(parts[1]):
        return None
    if len(parts) == 2:
        return Attack(parts[0], parts[1])
    wound = _amount(parts[2])
    return None if wound is None else Attack(parts[0], parts[1], wound)


def _heal(rest: str) -> Statement | None:
    name, space, how_much = rest.partition(" ")
    if not _is_name(name):
        return None
    if not space:
        return Heal(name)
    value = _amount(how_much)
    return None if value is None else Heal(name, value)


def _day(rest: str) -> Statement | None:
    if rest.isascii() and rest.isdigit() and len(rest) <= 15:
        return Day(int(rest))
    return None


def _expect(rest: str) -> Statement | None:
    parts = rest.split(" ")
    if not _is_name(parts[0]):
        return None
    if len(parts) == 1:
        return ExpectRefusal(parts[0]) if parts[0] in _RULES else None
    word = parts[1]
    if len(parts) == 2 and word in ("established", "alone"):
        return ExpectEstablished(parts[0], word == "established")
    standing = _STANDINGS.get(word)
    if standing is None or len(parts) > 3:
        return None
    if len(parts) == 2:
        return ExpectStanding(parts[0], standing)
    if standing in _LONE or not _is_name(parts[2]):
        return None
    return ExpectStanding(parts[0], standing, parts[2])


_READERS: dict[str, Callable[[str], Statement | None]] = {
    "being": _being,
    "ascend": _two(Ascend),
    "bite": _two(Bite),
    "submit": _submit,
    "welcome": _two(Welcome),
    "leave": _one(Leave),
    "rescind": _one(Rescind),
    "order": _order,
    "obey": _one(Obey),
    "defy": _one(Defy),
    "ally": _two(Ally),
    "request": _two_and_text(Request),
    "ask": _two_and_text(Ask),
    "attack": _attack,
    "protect": _two(Protect),
    "check-in": _two(CheckIn),
    "heal": _heal,
    "death": _one(Death),
    "research": _one_and_text(Research),
    "share": _one_and_text(Share),
    "note": _only_text(Note),
    "title": _only_text(Title),
    "day": _day,
    "expect": _expect,
}


def scan(line: str) -> Statement | None:
    """The statement on an ordinary line, or None when the grammar must decide."""
    verb, _, rest = line.partition(" ")
    reader = _READERS.get(verb)
    return None if reader is None else reader(rest)
