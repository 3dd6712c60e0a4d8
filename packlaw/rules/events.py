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
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar

from packlaw.rules.catalogue import RuleId

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_'\-]*\Z")
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
    """A change to a world; legal or refused by the rulebook.

    What each event's verb is, how it is written and which of its arguments
    name beings all come from its `Verb` in `VERBS`.
    """

    __slots__ = ()

    def names(self) -> tuple[str, ...]:
        """The existing beings this event names, in order (not packs, not a new being)."""
        return _NAMES[type(self)](self)

    def __str__(self) -> str:
        return _WRITERS[type(self)](self)


# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Being(Event):
    name: str
    kind: Kind
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class Ascend(Event):
    name: str
    pack: str


@dataclass(frozen=True, slots=True)
class Bite(Event):
    alpha: str
    name: str


@dataclass(frozen=True, slots=True)
class Submit(Event):
    name: str
    alpha: str
    insincere: bool = False
    coerced: bool = False


@dataclass(frozen=True, slots=True)
class Welcome(Event):
    alpha: str
    name: str


@dataclass(frozen=True, slots=True)
class Leave(Event):
    name: str


@dataclass(frozen=True, slots=True)
class Rescind(Event):
    name: str


@dataclass(frozen=True, slots=True)
class Order(Event):
    alpha: str
    name: str
    text: str
    ill: bool = False


@dataclass(frozen=True, slots=True)
class Obey(Event):
    name: str


@dataclass(frozen=True, slots=True)
class Defy(Event):
    name: str


@dataclass(frozen=True, slots=True)
class Ally(Event):
    alpha: str
    name: str


@dataclass(frozen=True, slots=True)
class Request(Event):
    alpha: str
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Ask(Event):
    name: str
    alpha: str
    text: str


@dataclass(frozen=True, slots=True)
class Attack(Event):
    """``wound`` in thousandths of health; ``None`` means the default 0.5."""

    attacker: str
    target: str
    wound: int | None = None


@dataclass(frozen=True, slots=True)
class Protect(Event):
    protector: str
    name: str


@dataclass(frozen=True, slots=True)
class CheckIn(Event):
    alpha: str
    name: str


@dataclass(frozen=True, slots=True)
class Heal(Event):
    """``amount`` in thousandths; ``None`` means one day of the kind's rate."""

    name: str
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class Death(Event):
    name: str


@dataclass(frozen=True, slots=True)
class Research(Event):
    name: str
    topic: str


@dataclass(frozen=True, slots=True)
class Share(Event):
    pack: str
    text: str


@dataclass(frozen=True, slots=True)
class Note(Event):
    text: str


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

    rule: RuleId

    def __str__(self) -> str:
        return f"expect {self.rule}"


# ------------------------------------------------------------ the verbs


class Arg(enum.Enum):
    """What an argument of a verb is: how it is read, written, and what it stands for."""

    BEING = "a being's name"  # an existing being, checked by R0
    NEW = "a new name"  # the being a `being` line introduces
    PACK = "a pack name"
    TEXT = "a quoted text"
    NUMBER = "a number"
    KIND = "human or werewolf"
    ORIGIN = "born or bitten"


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument of a verb: the event's field, what it is, its placeholder and role."""

    field: str
    arg: Arg
    placeholder: str  # as the docs write it: ALPHA, NAME, TEXT, WOUND
    role: str  # as an error message says what is expected: "an alpha's name"
    optional: bool = False

    @property
    def usage(self) -> str:
        return f"[{self.placeholder}]" if self.optional else self.placeholder


@dataclass(frozen=True, slots=True)
class Verb:
    """A verb described once: its word, event, arguments in order, flags, and what it does.

    Reading (the grammar and the fast reader), writing (each event's
    ``str``), error messages, the engine's dispatch, the test strategies and
    the verb table of ``docs/notation.md`` are all derived from these.
    """

    word: str
    event: type[Event]
    arguments: tuple[Argument, ...]
    does: str
    rules: tuple[RuleId, ...]
    example: str
    flags: tuple[str, ...] = ()  # trailing bare words, each a boolean field of the same name

    @property
    def usage(self) -> str:
        """``order ALPHA NAME TEXT [ill]``: the verb and its arguments in order."""
        parts = [self.word, *(a.usage for a in self.arguments), *(f"[{f}]" for f in self.flags)]
        return " ".join(parts)

    @property
    def ident(self) -> str:
        """The word as a Python identifier (``check_in``)."""
        return self.word.replace("-", "_")


def _a(field: str, arg: Arg, placeholder: str, role: str, optional: bool = False) -> Argument:
    return Argument(field, arg, placeholder, role, optional)


_ALPHA = _a("alpha", Arg.BEING, "ALPHA", "an alpha's name")
_NAME = _a("name", Arg.BEING, "NAME", "a being name")

VERBS: tuple[Verb, ...] = (
    Verb(
        "being",
        Being,
        (
            _a("name", Arg.NEW, "NAME", "a name for the new being"),
            _a("kind", Arg.KIND, "KIND", "a kind (human or werewolf)"),
            _a("origin", Arg.ORIGIN, "ORIGIN", "an origin (born or bitten)", optional=True),
        ),
        "a new living being, at health 1; a werewolf is born unless said bitten",
        ("R0",),
        "being Stiles human",
    ),
    Verb(
        "ascend",
        Ascend,
        (
            _a("name", Arg.BEING, "NAME", "a werewolf's name"),
            _a("pack", Arg.PACK, "PACK", "a pack name"),
        ),
        "NAME leads PACK: a new pack, or (succession) a waiting pack NAME is a beta of; "
        "an alliance of NAME's ends",
        ("R0", "R1", "R15"),
        "ascend Derek Hale",
    ),
    Verb(
        "bite",
        Bite,
        (_ALPHA, _NAME),
        "NAME, a human, becomes a bitten werewolf; a bite does not make a member (R12)",
        ("R0", "R1"),
        "bite Peter Scott",
    ),
    Verb(
        "submit",
        Submit,
        (_NAME, _ALPHA),
        "NAME offers to join ALPHA's pack; it waits for a welcome (R4). "
        "insincere: the alpha will hear it (R13); coerced: it may be rescinded (R7)",
        ("R0", "R4", "R15"),
        "submit Isaac Derek",
        flags=("insincere", "coerced"),
    ),
    Verb(
        "welcome",
        Welcome,
        (_ALPHA, _NAME),
        "NAME, who submitted to ALPHA, becomes a member of ALPHA's pack",
        ("R0", "R4", "R13"),
        "welcome Derek Isaac",
    ),
    Verb(
        "leave",
        Leave,
        (_NAME,),
        "NAME leaves its pack: a werewolf becomes an omega, a human unaffiliated",
        ("R0", "R6"),
        "leave Erica",
    ),
    Verb(
        "rescind",
        Rescind,
        (_NAME,),
        "NAME takes back a coerced submission, and leaves as with `leave`",
        ("R0", "R7"),
        "rescind Jackson",
    ),
    Verb(
        "order",
        Order,
        (_ALPHA, _NAME, _a("text", Arg.TEXT, "TEXT", "the order as a quoted text")),
        "ALPHA orders NAME, a member of ALPHA's pack; ill: an order NAME may defy freely (R5)",
        ("R0", "R3", "R10"),
        'order Derek Stiles "stay out of the woods"',
        flags=("ill",),
    ),
    Verb(
        "obey",
        Obey,
        (_NAME,),
        "NAME carries out its outstanding order; a fair one takes one off its defiance",
        ("R0",),
        "obey Isaac",
    ),
    Verb(
        "defy",
        Defy,
        (_NAME,),
        "NAME refuses its outstanding order; a fair one adds one to its defiance, and at the "
        "defiance limit NAME is out of the pack (R7)",
        ("R0",),
        "defy Stiles",
    ),
    Verb(
        "ally",
        Ally,
        (_ALPHA, _NAME),
        "NAME, in no pack, becomes an ally of ALPHA's pack: respected, asked, not ordered",
        ("R0", "R10", "R15"),
        "ally Derek Chris",
    ),
    Verb(
        "request",
        Request,
        (_ALPHA, _NAME, _a("text", Arg.TEXT, "TEXT", "the request as a quoted text")),
        "ALPHA asks NAME (an ally, say) for something, as one asks and does not order",
        ("R0", "R10"),
        'request Derek Chris "watch the road"',
    ),
    Verb(
        "ask",
        Ask,
        (_NAME, _ALPHA, _a("text", Arg.TEXT, "TEXT", "what is asked as a quoted text")),
        "NAME asks ALPHA for help; one check-in by ALPHA may answer it",
        ("R0", "R10"),
        'ask Chris Derek "help with the hunters"',
    ),
    Verb(
        "attack",
        Attack,
        (
            _a("attacker", Arg.BEING, "ATTACKER", "the attacker's name"),
            _a("target", Arg.BEING, "TARGET", "the target's name"),
            _a("wound", Arg.NUMBER, "WOUND", "a wound (a number)", optional=True),
        ),
        "TARGET's health falls by WOUND (0.5 if not given); at 0 TARGET dies",
        ("R0",),
        "attack Kanima Stiles 0.6",
    ),
    Verb(
        "protect",
        Protect,
        (_a("protector", Arg.BEING, "PROTECTOR", "the protector's name"), _NAME),
        "PROTECTOR stands between NAME and harm (recorded)",
        ("R0",),
        "protect Derek Isaac",
    ),
    Verb(
        "check-in",
        CheckIn,
        (_ALPHA, _NAME),
        "ALPHA looks after NAME, a member or one who asked: NAME's next day of healing counts double",
        ("R0", "R10"),
        "check-in Derek Isaac",
    ),
    Verb(
        "heal",
        Heal,
        (_NAME, _a("amount", Arg.NUMBER, "AMOUNT", "an amount (a number)", optional=True)),
        "NAME's health rises by AMOUNT, or by a day of its kind's rate (R14), "
        "doubled after a check-in; never above 1",
        ("R0",),
        "heal Stiles",
    ),
    Verb("death", Death, (_NAME,), "NAME dies", ("R0",), "death Laura"),
    Verb(
        "research",
        Research,
        (_NAME, _a("topic", Arg.TEXT, "TOPIC", "the topic as a quoted text")),
        "NAME looks into TOPIC (recorded; R9)",
        ("R0",),
        'research Stiles "kanima lore"',
    ),
    Verb(
        "share",
        Share,
        (
            _a("pack", Arg.PACK, "PACK", "a pack name"),
            _a("text", Arg.TEXT, "TEXT", "the pack business as a quoted text"),
        ),
        "pack business: seen by PACK's living alpha and members now, and nobody else (R11)",
        ("R0",),
        'share Hale "the den is by the old distillery"',
    ),
    Verb(
        "note",
        Note,
        (_a("text", Arg.TEXT, "TEXT", "the note as a quoted text"),),
        "narration; changes nothing",
        (),
        'note "the pack meets at the loft"',
    ),
)
VERBS_BY_WORD: dict[str, Verb] = {verb.word: verb for verb in VERBS}
VERBS_BY_EVENT: dict[type[Event], Verb] = {verb.event: verb for verb in VERBS}
EVENT_TYPES: tuple[type[Event], ...] = tuple(verb.event for verb in VERBS)
EVENTS_BY_VERB: dict[str, type[Event]] = {verb.word: verb.event for verb in VERBS}

_WRITE_ARGUMENT: dict[Arg, Callable[[Any], str]] = {
    Arg.BEING: str,
    Arg.NEW: str,
    Arg.PACK: str,
    Arg.TEXT: quote,
    Arg.NUMBER: format_amount,
    Arg.KIND: str,
    Arg.ORIGIN: str,
}


def _writer(verb: Verb) -> Callable[[Event], str]:
    """The canonical line of an event of this verb: the word, the arguments given, the flags set."""
    fields = [(a.field, _WRITE_ARGUMENT[a.arg]) for a in verb.arguments]
    word, flags = verb.word, verb.flags

    def write(event: Event) -> str:
        parts = [word]
        for name, write_one in fields:
            value = getattr(event, name)
            if value is not None:
                parts.append(write_one(value))
        parts.extend(flag for flag in flags if getattr(event, flag))
        return " ".join(parts)

    return write


def _namer(verb: Verb) -> Callable[[Event], tuple[str, ...]]:
    named = [a.field for a in verb.arguments if a.arg is Arg.BEING]
    if not named:
        return lambda event: ()
    if len(named) == 1:
        (one,) = named
        return lambda event: (getattr(event, one),)
    return attrgetter(*named)  # a tuple for two or more


_WRITERS: dict[type[Event], Callable[[Event], str]] = {v.event: _writer(v) for v in VERBS}
_NAMES: dict[type[Event], Callable[[Event], tuple[str, ...]]] = {v.event: _namer(v) for v in VERBS}
for _verb in VERBS:
    _verb.event.verb = _verb.word
