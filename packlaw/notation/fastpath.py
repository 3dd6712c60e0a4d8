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
    ExpectHealth,
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

_NAME = r"([A-Za-z][A-Za-z0-9_'\-]*)"
_TEXT = r'"([^"\\\r]*)"'  # a text with no escapes (and no line break): its inside as is
_NUMBER = r"([0-9]{1,15}(?:\.[0-9]{1,3})?)"
_KINDS = {"human": Kind.HUMAN, "werewolf": Kind.WEREWOLF}
_ORIGINS = {"born": Origin.BORN, "bitten": Origin.BITTEN, None: None}
_STANDINGS = {s.value: s for s in Standing}
_amounts: dict[str, int] = {}  # few distinct numbers recur in a chronicle


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


def _plain(cls: Callable[..., Statement], *parts: str) -> Callable[[str], Statement | None]:
    """A reader for a statement whose arguments are names and texts taken as they are."""
    match = _pattern(*parts)

    def read(rest: str) -> Statement | None:
        found = match(rest)
        return None if found is None else cls(*found.groups())

    return read


_being_match = _pattern(_NAME, "(human|werewolf)(?: (born|bitten))?")
_submit_match = _pattern(_NAME, _NAME + "( insincere)?( coerced)?")
_order_match = _pattern(_NAME, _NAME, _TEXT + "( ill)?")
_attack_match = _pattern(_NAME, _NAME + f"(?: {_NUMBER})?")
_heal_match = _pattern(_NAME + f"(?: {_NUMBER})?")
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


def _being(rest: str) -> Statement | None:
    found = _being_match(rest)
    if found is None:
        return None
    name, kind, origin = found.groups()
    return Being(name, _KINDS[kind], _ORIGINS[origin])


def _submit(rest: str) -> Statement | None:
    found = _submit_match(rest)
    if found is None:
        return None
    name, alpha, insincere, coerced = found.groups()
    return Submit(name, alpha, insincere is not None, coerced is not None)


def _order(rest: str) -> Statement | None:
    found = _order_match(rest)
    if found is None:
        return None
    alpha, name, text, ill = found.groups()
    return Order(alpha, name, text, ill is not None)


def _attack(rest: str) -> Statement | None:
    found = _attack_match(rest)
    if found is None:
        return None
    attacker, target, wound = found.groups()
    return Attack(attacker, target, _amount(wound))


def _heal(rest: str) -> Statement | None:
    found = _heal_match(rest)
    if found is None:
        return None
    name, how_much = found.groups()
    return Heal(name, _amount(how_much))


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


_READERS: dict[str, Callable[[str], Statement | None]] = {
    "being": _being,
    "ascend": _plain(Ascend, _NAME, _NAME),
    "bite": _plain(Bite, _NAME, _NAME),
    "submit": _submit,
    "welcome": _plain(Welcome, _NAME, _NAME),
    "leave": _plain(Leave, _NAME),
    "rescind": _plain(Rescind, _NAME),
    "order": _order,
    "obey": _plain(Obey, _NAME),
    "defy": _plain(Defy, _NAME),
    "ally": _plain(Ally, _NAME, _NAME),
    "request": _plain(Request, _NAME, _NAME, _TEXT),
    "ask": _plain(Ask, _NAME, _NAME, _TEXT),
    "attack": _attack,
    "protect": _plain(Protect, _NAME, _NAME),
    "check-in": _plain(CheckIn, _NAME, _NAME),
    "heal": _heal,
    "death": _plain(Death, _NAME),
    "research": _plain(Research, _NAME, _TEXT),
    "share": _plain(Share, _NAME, _TEXT),
    "note": _plain(Note, _TEXT),
    "title": _plain(Title, _TEXT),
    "day": _day,
    "expect": _expect,
}


def scan(line: str) -> Statement | None:
    """The statement on an ordinary line, or None when the grammar must decide."""
    verb, _, rest = line.partition(" ")
    reader = _READERS.get(verb)
    return None if reader is None else reader(rest)
