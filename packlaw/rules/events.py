"""Every statement of a chronicle as an immutable value.

Events change a world (the rulebook's event table); directives (`title`,
`set`, `day`) set the scene; expectations (`expect ...`) check it. Each
value's ``str()`` is its canonical notation line, so ``format_chronicle`` is
just the lines joined, and parsing that line gives back an equal value.

Amounts of health (wounds, heals, heal rates) are kept as whole numbers of
thousandths, as the rulebook asks, so that ``0.6`` is ``600`` and a being at
exactly 0 is dead with no floating-point surprises.

>>> str(Attack("Stranger", "Stiles", 600))
'attack Stranger Stiles 0.6'
>>> Being("Derek", Kind.WEREWOLF, Origin.BORN)  # repr round-trips too
Being(name='Derek', kind=Kind.WEREWOLF, origin=Origin.BORN)
>>> str(Order("Derek", "Stiles", 'stay out of the "woods"', ill=True))
'order Derek Stiles "stay out of the \\\\"woods\\\\"" ill'
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import ClassVar

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_'\-]*\Z")
RULE_PATTERN = re.compile(r"R(?:1[0-5]|[0-9])\Z")
AMOUNT_PATTERN = re.compile(r"([0-9]+)(?:\.([0-9]{1,3}))?\Z")
MILLI = 1000


class _Word(enum.StrEnum):
    """A keyword of the notation; its ``repr`` is Python that rebuilds it."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class Kind(_Word):
    HUMAN = "human"
    WEREWOLF = "werewolf"


class Origin(_Word):
    BORN = "born"
    BITTEN = "bitten"


class Standing(_Word):
    """A being's standing, in the rulebook's order of precedence."""

    DEAD = "dead"
    ALPHA = "alpha"
    MEMBER = "member"
    ALLY = "ally"
    OMEGA = "omega"
    UNAFFILIATED = "unaffiliated"


class Setting(_Word):
    DEFIANCE_LIMIT = "defiance-limit"
    HEAL_WEREWOLF = "heal-werewolf"
    HEAL_HUMAN = "heal-human"


def format_amount(milli: int) -> str:
    """Thousandths written as the notation's number: no needless zeros.

    >>> format_amount(600), format_amount(1000), format_amount(125), format_amount(0)
    ('0.6', '1', '0.125', '0')
    """
    whole, frac = divmod(milli, MILLI)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:03d}".rstrip("0")


def parse_amount(text: str) -> int:
    """The notation's number (at most three decimals) as thousandths.

    >>> parse_amount("0.6"), parse_amount("1"), parse_amount("0.125")
    (600, 1000, 125)
    """
    match = AMOUNT_PATTERN.match(text)
    if match is None:  # ASCII digits only (str.isdigit takes '١' too), a digit after any point
        raise ValueError(f"not a number with at most three decimals: {text!r}")
    whole, frac = match.groups()
    return int(whole) * MILLI + (int(frac.ljust(3, "0")) if frac else 0)


def quote(text: str) -> str:
    """A text as the notation writes it: double quotes, ``\\"`` and ``\\\\``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Statement:
    """A line of a chronicle: an event, a directive or an expectation."""

    __slots__ = ()
    verb: ClassVar[str]


class Event(Statement):
    """A change to a world; legal or refused by the rulebook."""

    __slots__ = ()

    def names(self) -> tuple[str, ...]:
        """The beings (and packs) this event names, in order."""
        raise NotImplementedError


# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Being(Event):
    verb: ClassVar[str] = "being"
    name: str
    kind: Kind
    origin: Origin | None = None

    def names(self) -> tuple[str, ...]:
        return ()

    def __str__(self) -> str:
        if self.origin is None:
            return f"being {self.name} {self.kind}"
        return f"being {self.name} {self.kind} {self.origin}"


@dataclass(frozen=True, slots=True)
class Ascend(Event):
    verb: ClassVar[str] = "ascend"
    name: str
    pack: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def __str__(self) -> str:
        return f"ascend {self.name} {self.pack}"


@dataclass(frozen=True, slots=True)
class Bite(Event):
    verb: ClassVar[str] = "bite"
    alpha: str
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.alpha, self.name)

    def __str__(self) -> str:
        return f"bite {self.alpha} {self.name}"


@dataclass(frozen=True, slots=True)
class Submit(Event):
    verb: ClassVar[str] = "submit"
    name: str
    alpha: str
    insincere: bool = False
    coerced: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.name, self.alpha)

    def __str__(self) -> str:
        line = f"submit {self.name} {self.alpha}"
        if self.insincere:
            line += " insincere"
        if self.coerced:
            line += " coerced"
        return line


@dataclass(frozen=True, slots=True)
class Welcome(Event):
    verb: ClassVar[str] = "welcome"
    alpha: str
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.alpha, self.name)

    def __str__(self) -> str:
        return f"welcome {self.alpha} {self.name}"


@dataclass(frozen=True, slots=True)
class Leave(Event):
    verb: ClassVar[str] = "leave"
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def __str__(self) -> str:
        return f"leave {self.name}"


@dataclass(frozen=True, slots=True)
class Rescind(Event):
    verb: ClassVar[str] = "rescind"
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def __str__(self) -> str:
        return f"rescind {self.name}"


@dataclass(frozen=True, slots=True)
class Order(Event):
    verb: ClassVar[str] = "order"
    alpha: str
    name: str
    text: str
    ill: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.alpha, self.name)

    def __str__(self) -> str:
        line = f"order {self.alpha} {self.name} {quote(self.text)}"
        return line + " ill" if self.ill else line


@dataclass(frozen=True, slots=True)
class Obey(Event):
    verb: ClassVar[str] = "obey"
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def __str__(self) -> str:
        return f"obey {self.name}"


@dataclass(frozen=True, slots=True)
class Defy(Event):
    verb: ClassVar[str] = "defy"
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def __str__(self) -> str:
        return f"defy {self.name}"


@dataclass(frozen=True, slots=True)
class Ally(Event):
    verb: ClassVar[str] = "ally"
    alpha: str
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.alpha, self.name)

    def __str__(self) -> str:
        return f"ally {self.alpha} {self.name}"


@dataclass(frozen=True, slots=True)
class Request(Event):
    verb: ClassVar[str] = "request"
    alpha: str
    name: str
    text: str

    def names(self) -> tuple[str, ...]:
        return (self.alpha, self.name)

    def __str__(self) -> str:
        return f"request {self.alpha} {self.name} {quote(self.text)}"


@dataclass(frozen=True, slots=True)
class Ask(Event):
    verb: ClassVar[str] = "ask"
    name: str
    alpha: str
    text: str

    def names(self) -> tuple[str, ...]:
        return (self.name, self.alpha)

    def __str__(self) -> str:
        return f"ask {self.name} {self.alpha} {quote(self.text)}"


@dataclass(frozen=True, slots=True)
class Attack(Event):
    """``wound`` in thousandths of health; ``None`` means the default 0.5."""

    verb: ClassVar[str] = "attack"
    attacker: str
    target: str
    wound: int | None = None

    def names(self) -> tuple[str, ...]:
        return (self.attacker, self.target)

    def __str__(self) -> str:
        line = f"attack {self.attacker} {self.target}"
        return line if self.wound is None else f"{line} {format_amount(self.wound)}"


@dataclass(frozen=True, slots=True)
class Protect(Event):
    verb: ClassVar[str] = "protect"
    protector: str
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.protector, self.name)

    def __str__(self) -> str:
        return f"protect {self.protector} {self.name}"


@dataclass(frozen=True, slots=True)
class CheckIn(Event):
    verb: ClassVar[str] = "check-in"
    alpha: str
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.alpha, self.name)

    def __str__(self) -> str:
        return f"check-in {self.alpha} {self.name}"


@dataclass(frozen=True, slots=True)
class Heal(Event):
    """``amount`` in thousandths; ``None`` means one day of the kind's rate."""

    verb: ClassVar[str] = "heal"
    name: str
    amount: int | None = None

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def __str__(self) -> str:
        return (
            f"heal {self.name}"
            if self.amount is None
            else f"heal {self.name} {format_amount(self.amount)}"
        )


@dataclass(frozen=True, slots=True)
class Death(Event):
    verb: ClassVar[str] = "death"
    name: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def __str__(self) -> str:
        return f"death {self.name}"


@dataclass(frozen=True, slots=True)
class Research(Event):
    verb: ClassVar[str] = "research"
    name: str
    topic: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def __str__(self) -> str:
        return f"research {self.name} {quote(self.topic)}"


@dataclass(frozen=True, slots=True)
class Share(Event):
    verb: ClassVar[str] = "share"
    pack: str
    text: str

    def names(self) -> tuple[str, ...]:
        return ()

    def __str__(self) -> str:
        return f"share {self.pack} {quote(self.text)}"


@dataclass(frozen=True, slots=True)
class Note(Event):
    verb: ClassVar[str] = "note"
    text: str

    def names(self) -> tuple[str, ...]:
        return ()

    def __str__(self) -> str:
        return f"note {quote(self.text)}"


# ------------------------------------------------------------ directives


@dataclass(frozen=True, slots=True)
class Title(Statement):
    verb: ClassVar[str] = "title"
    text: str

    def __str__(self) -> str:
        return f"title {quote(self.text)}"


@dataclass(frozen=True, slots=True)
class Set(Statement):
    """A world setting; ``value`` in thousandths (``defiance-limit 3`` is 3000)."""

    verb: ClassVar[str] = "set"
    setting: Setting
    value: int

    def __str__(self) -> str:
        return f"set {self.setting} {format_amount(self.value)}"


@dataclass(frozen=True, slots=True)
class Day(Statement):
    verb: ClassVar[str] = "day"
    number: int

    def __str__(self) -> str:
        return f"day {self.number}"


# ---------------------------------------------------------- expectations


class Expectation(Statement):
    __slots__ = ()
    verb: ClassVar[str] = "expect"


@dataclass(frozen=True, slots=True)
class ExpectStanding(Expectation):
    name: str
    standing: Standing
    pack: str | None = None

    def __str__(self) -> str:
        line = f"expect {self.name} {self.standing}"
        return line if self.pack is None else f"{line} {self.pack}"


@dataclass(frozen=True, slots=True)
class ExpectEstablished(Expectation):
    """``expect PACK established`` (``established=True``) or ``expect PACK alone``."""

    pack: str
    established: bool

    def __str__(self) -> str:
        return f"expect {self.pack} {'established' if self.established else 'alone'}"


@dataclass(frozen=True, slots=True)
class ExpectHealth(Expectation):
    """``expect NAME health NUMBER``: the being's health is exactly ``health`` thousandths."""

    name: str
    health: int

    def __str__(self) -> str:
        return f"expect {self.name} health {format_amount(self.health)}"


@dataclass(frozen=True, slots=True)
class ExpectRefusal(Expectation):
    """``expect Rn``: the next event is refused, with ``rule`` among the reasons."""

    rule: str

    def __str__(self) -> str:
        return f"expect {self.rule}"


EVENT_TYPES: tuple[type[Event], ...] = (
    Being,
    Ascend,
    Bite,
    Submit,
    Welcome,
    Leave,
    Rescind,
    Order,
    Obey,
    Defy,
    Ally,
    Request,
    Ask,
    Attack,
    Protect,
    CheckIn,
    Heal,
    Death,
    Research,
    Share,
    Note,
)
EVENTS_BY_VERB: dict[str, type[Event]] = {cls.verb: cls for cls in EVENT_TYPES}
