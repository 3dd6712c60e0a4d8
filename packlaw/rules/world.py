"""A pack world: beings, packs, and the rulebook that every event must pass.

Like python-chess's ``Board``, a ``World`` answers whether a move is legal
before anything happens, and refuses an illegal one whole:

>>> from packlaw.rules.events import Ascend, Being, Kind, Submit, Welcome
>>> world = World()
>>> for event in (Being("Derek", Kind.WEREWOLF), Being("Stiles", Kind.HUMAN), Ascend("Derek", "Hale")):
...     world.apply(event)
>>> for reason in world.explain(Welcome("Derek", "Stiles")):
...     print(reason)
R4: Stiles cannot be welcomed by Derek: Stiles has not submitted to Derek
>>> world.apply(Submit("Stiles", "Derek")); world.apply(Welcome("Derek", "Stiles"))
>>> world.standing("Stiles"), world.pack_of("Stiles"), world.is_established("Hale")
(Standing.MEMBER, 'Hale', False)

Standing is derived from a few facts per being (alive, the pack it leads,
the pack it belongs to, the pack it is allied with) and never stored twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from packlaw.rules.catalogue import RuleId
from packlaw.rules.events import (
    MILLI,
    VERBS,
    VERBS_BY_EVENT,
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
    Event,
    Heal,
    Kind,
    Leave,
    Obey,
    Order,
    Origin,
    Protect,
    Request,
    Rescind,
    Research,
    Set,
    Setting,
    Share,
    Standing,
    Statement,
    Submit,
    Welcome,
    format_amount,
)

DEFAULT_WOUND = 500  # thousandths of health, when `attack` names none
BASE_STRENGTH = {Kind.WEREWOLF: 1.0, Kind.HUMAN: 0.25}
STRENGTH_BONUS = 1.0  # R8: gains from betas level off...
STRENGTH_HALF = 4  # ...around four betas


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: its id and a sentence about this world.

    >>> str(Violation("R6", "Stiles cannot leave: Stiles is not a member of any pack"))
    'R6: Stiles cannot leave: Stiles is not a member of any pack'
    """

    rule: RuleId
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


class RuleViolation(ValueError):
    """An event the rulebook refuses, with every reason why."""

    def __init__(self, event: Event, violations: list[Violation]) -> None:
        self.event = event
        self.violations = violations
        super().__init__("; ".join(str(v) for v in violations))

    @property
    def rules(self) -> list[RuleId]:
        return [v.rule for v in self.violations]


class SettingOutOfRange(ValueError):
    """A `set` with a value its setting cannot take (the rulebook's ranges), and which."""

    def __init__(self, statement: Set, message: str) -> None:
        self.statement = statement
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Settings:
    """World settings from `set`; heal rates in thousandths per day."""

    defiance_limit: int = 3
    heal_werewolf: int = 250
    heal_human: int = 20


@dataclass(slots=True)
class _Being:
    name: str
    kind: Kind
    origin: Origin | None
    alive: bool = True
    health: int = MILLI
    leads: str | None = None  # the pack this alpha leads
    pack: str | None = None  # the pack this being is a member of
    ally_of: str | None = None
    coerced: bool = False  # membership came from a coerced submission
    pending: tuple[str, bool, bool] | None = None  # (alpha, insincere, coerced)
    order: tuple[str, bool] | None = None  # (alpha, ill)
    defiance: int = 0
    asked: set[str] = field(default_factory=set)  # alphas with an open ask
    cared: bool = False


@dataclass(slots=True)
class _Pack:
    name: str
    alpha: str | None
    members: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    allies: dict[str, None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PackSummary:
    name: str
    alpha: str | None
    betas: list[str]
    human_members: list[str]
    allies: list[str]
    established: bool
    strength: float


@dataclass(frozen=True, slots=True)
class WorldSummary:
    """What `packlaw replay` shows: packs, omegas, the unaffiliated, the dead."""

    day: int
    packs: list[PackSummary]
    omegas: list[str]
    unaffiliated: list[str]
    dead: list[str]
    health: dict[str, int] = field(default_factory=dict)
    """Every being below full health (1), in thousandths; the dead are at 0."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "packs": [
                {
                    "name": p.name,
                    "alpha": p.alpha,
                    "betas": p.betas,
                    "human_members": p.human_members,
                    "allies": p.allies,
                    "established": p.established,
                    "strength": round(p.strength, 6),
                }
                for p in self.packs
            ],
            "omegas": self.omegas,
            "unaffiliated": self.unaffiliated,
            "dead": self.dead,
            "health": {name: milli / MILLI for name, milli in self.health.items()},
        }


class World:
    """The state of a pack world, changed only by legal events."""

    def __init__(self) -> None:
        self.day = 0
        self.settings = Settings()
        self._beings: dict[str, _Being] = {}
        self._packs: dict[str, _Pack] = {}
        self._history: list[Statement] = []

    def __eq__(self, other: object) -> bool:
        """Two worlds are equal when every fact in them is (history included)."""
        if not isinstance(other, World):
            return NotImplemented
        return (
            self.day == other.day
            and self.settings == other.settings
            and self._beings == other._beings
            and self._packs == other._packs
            and self._history == other._history
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def copy(self) -> World:
        """An independent world with the same history (replayed, not shared)."""
        twin = World()
        twin.extend(self._history)
        return twin

    # ------------------------------------------------------------ asking

    def explain(self, event: Event) -> list[Violation]:
        """Every rule the event would break here, each with its reason; empty if legal."""
        return _STEPS[type(event)][0](self, event)

    def is_legal(self, event: Event) -> bool:
        """Whether the rulebook allows the event now."""
        return not _STEPS[type(event)][0](self, event)

    def standing(self, name: str) -> Standing | None:
        """The being's standing (the first that applies), or None for no such being."""
        being = self._beings.get(name)
        return None if being is None else _standing(being)

    def pack_of(self, name: str) -> str | None:
        """The pack a being leads, belongs to or is allied with."""
        being = self._beings.get(name)
        if being is None or not being.alive:
            return None
        return being.leads or being.pack or being.ally_of

    def has_being(self, name: str) -> bool:
        return name in self._beings

    def has_pack(self, name: str) -> bool:
        return name in self._packs

    def health(self, name: str) -> int:
        """The being's health in thousandths."""
        return self._beings[name].health

    def defiance(self, name: str) -> int:
        return self._beings[name].defiance

    def is_established(self, pack: str) -> bool:
        """R2: a living alpha and at least one living werewolf beta."""
        p = self._packs.get(pack)
        return p is not None and p.alpha is not None and self._betas(p) > 0

    def audience(self, pack: str) -> frozenset[str]:
        """R11: who sees business shared with the pack now (its living alpha and members)."""
        p = self._packs.get(pack)
        if p is None:
            return frozenset()
        seers = set(p.members)
        if p.alpha is not None:
            seers.add(p.alpha)
        return frozenset(seers)

    def strength(self, name: str) -> float:
        """R8: a being's effective strength."""
        being = self._beings[name]
        base = BASE_STRENGTH[being.kind]
        home = being.leads or being.pack
        if being.kind is not Kind.WEREWOLF or home is None:
            return base
        betas = self._betas(self._packs[home]) - (1 if being.pack is not None else 0)
        return base * (1 + STRENGTH_BONUS * betas / (betas + STRENGTH_HALF))

    def pack_strength(self, pack: str) -> float:
        """R8: the sum of the effective strengths of the alpha and members."""
        p = self._packs[pack]
        total = sum(self.strength(m) for m in p.members)
        return total + (self.strength(p.alpha) if p.alpha is not None else 0.0)

    def summary(self) -> WorldSummary:
        """Packs (alpha, betas, human members, allies, established, strength) and the rest."""
        packs = []
        for p in self._packs.values():
            betas = [m for m in p.members if self._beings[m].kind is Kind.WEREWOLF]
            humans = [m for m in p.members if self._beings[m].kind is Kind.HUMAN]
            packs.append(
                PackSummary(
                    name=p.name,
                    alpha=p.alpha,
                    betas=betas,
                    human_members=humans,
                    allies=list(p.allies),
                    established=self.is_established(p.name),
                    strength=self.pack_strength(p.name),
                )
            )
        by_standing: dict[Standing, list[str]] = {s: [] for s in Standing}
        for being in self._beings.values():
            by_standing[_standing(being)].append(being.name)
        return WorldSummary(
            day=self.day,
            packs=packs,
            omegas=by_standing[Standing.OMEGA],
            unaffiliated=by_standing[Standing.UNAFFILIATED],
            dead=by_standing[Standing.DEAD],
            health={b.name: b.health for b in self._beings.values() if b.health < MILLI},
        )

    @property
    def history(self) -> tuple[Statement, ...]:
        """The statements applied so far, in order."""
        return tuple(self._history)

    # ------------------------------------------------------------ acting

    def apply(self, statement: Statement) -> None:
        """Apply an event (or a `set` or `day` directive).

        Raises `RuleViolation` with every broken rule for an illegal event,
        and `ValueError` for a day that goes back or a setting out of range;
        either way the world stays exactly as it was.
        """
        steps = _STEPS.get(type(statement))
        if steps is not None:
            explain, effect = steps
            violations = explain(self, statement)
            if violations:
                raise RuleViolation(statement, violations)  # type: ignore[arg-type]
            if effect is not None:
                effect(self, statement)
        elif isinstance(statement, Day):
            if statement.number < self.day:
                raise ValueError(f"day {statement.number} goes back from day {self.day}")
            self.day = statement.number
        elif isinstance(statement, Set):
            self.settings = _changed(self.settings, statement)
        else:
            raise TypeError(f"a world applies events, `set` and `day`, not {statement!r}")
        self._history.append(statement)

    def pop(self) -> Statement:
        """Undo the last applied statement and return it.

        The world is rebuilt from its history, so undo costs a replay but
        applying costs no bookkeeping at all.
        """
        if not self._history:
            raise IndexError("pop from a world with no history")
        history = self._history
        last = history.pop()
        self.__init__()  # type: ignore[misc]
        for statement in history:
            self.apply(statement)
        return last

    def extend(self, statements: Iterable[Statement]) -> None:
        """Apply statements in order, stopping at the first refusal."""
        for statement in statements:
            self.apply(statement)

    # ---------------------------------------------------- the conditions

    def _living(self, name: str, problems: list[Violation], e: Event) -> _Being | None:
        """R0 for one name of event `e`: it must be a being, and alive."""
        being = self._beings.get(name)
        if being is None:
            what = "a pack, not a being" if name in self._packs else "no such being"
            problems.append(Violation("R0", f"{_doing(e)}: {name} is {what}"))
            return None
        if not being.alive:
            problems.append(Violation("R0", f"{_doing(e)}: {name} is dead"))
            return None
        return being

    def _explain_names(self, event: Event) -> list[Violation]:
        beings = self._beings
        problems: list[Violation] = []
        for name in event.names():
            being = beings.get(name)
            if being is None or not being.alive:
                self._living(name, problems, event)
        return problems

    def _order_hint(self, e: Event) -> str:
        """When the alpha's place holds one who leads no pack and the other place an alpha:
        the arguments are likely the wrong way round, so say the verb's order."""
        other = self._beings.get(getattr(e, "name", ""))
        if other is None or other.leads is None:
            return ""
        return (
            f" ({other.name} leads {other.leads}; the order is `{VERBS_BY_EVENT[type(e)].usage}`)"
        )

    def _explain_note(self, event: Event) -> list[Violation]:
        return []

    def _explain_being(self, e: Being) -> list[Violation]:
        problems = []
        if e.name in self._beings or e.name in self._packs:
            problems.append(
                Violation("R0", f"{e.name} cannot be introduced: the name {e.name} is taken")
            )
        if e.origin is not None and e.kind is not Kind.WEREWOLF:
            problems.append(
                Violation("R0", f"{e.name} cannot be {e.origin}: only werewolves have an origin")
            )
        return problems

    def _explain_ascend(self, e: Ascend) -> list[Violation]:
        problems: list[Violation] = []
        being = self._living(e.name, problems, e)
        pack = self._packs.get(e.pack)
        if e.pack in self._beings:
            problems.append(Violation("R0", f"{_doing(e)}: {e.pack} is a being, not a pack"))
        if pack is not None and pack.alpha is not None:  # the pack's own condition, judged always
            problems.append(
                Violation("R1", f"{_doing(e)}: {e.pack} already has {pack.alpha} as alpha")
            )
        if being is None:
            return problems
        if being.kind is not Kind.WEREWOLF:
            problems.append(
                Violation("R1", f"{_doing(e)}: {e.name} is human, and only werewolves lead")
            )
        if being.leads is not None:
            problems.append(
                Violation(
                    "R1", f"{_doing(e)}: {e.name} already leads {being.leads}, and leads one pack"
                )
            )
        if pack is None:
            if being.pack is not None:
                problems.append(
                    Violation(
                        "R15",
                        f"{_doing(e)}: {e.name} is a member of {being.pack} and must leave it first",
                    )
                )
        elif pack.alpha is None and being.pack != e.pack:
            if being.pack is not None:
                problems.append(
                    Violation("R15", f"{_doing(e)}: {e.name} is a member of {being.pack}")
                )
            problems.append(
                Violation("R1", f"{_doing(e)}: only a beta of {e.pack} can succeed its dead alpha")
            )
        return problems

    def _explain_bite(self, e: Bite) -> list[Violation]:
        problems: list[Violation] = []
        alpha = self._living(e.alpha, problems, e)
        being = self._living(e.name, problems, e)
        if alpha is not None and alpha.leads is None:
            problems.append(
                Violation(
                    "R1",
                    f"{_doing(e)}: {e.alpha} is no alpha, and only an alpha's bite turns"
                    + self._order_hint(e),
                )
            )
        if being is not None and being.kind is not Kind.HUMAN:
            problems.append(Violation("R1", f"{_doing(e)}: {e.name} is already a werewolf"))
        return problems

    def _explain_submit(self, e: Submit) -> list[Violation]:
        problems: list[Violation] = []
        being = self._living(e.name, problems, e)
        alpha = self._living(e.alpha, problems, e)
        if alpha is not None and alpha.leads is None:
            problems.append(
                Violation("R4", f"{_doing(e)}: {e.alpha} leads no pack" + self._order_hint(e))
            )
        if being is not None:
            if being.leads is not None:
                problems.append(
                    Violation(
                        "R15",
                        f"{_doing(e)}: {e.name} leads {being.leads}, and an alpha submits to no one",
                    )
                )
            elif being.pack is not None:
                where = (
                    f"already a member of {being.pack}"
                    if alpha is not None and being.pack == alpha.leads
                    else f"a member of {being.pack} and must leave it first"
                )
                problems.append(Violation("R15", f"{_doing(e)}: {e.name} is {where}"))
        return problems

    def _explain_welcome(self, e: Welcome) -> list[Violation]:
        problems: list[Violation] = []
        being = self._living(e.name, problems, e)
        self._living(e.alpha, problems, e)
        if problems or being is None:
            return problems
        pending = being.pending
        if pending is None or pending[0] != e.alpha:
            problems.append(
                Violation("R4", f"{_doing(e)}: {e.name} has not submitted to {e.alpha}")
            )
        elif pending[1]:
            problems.append(
                Violation(
                    "R13", f"{_doing(e)}: {e.alpha} hears that {e.name}'s submission is insincere"
                )
            )
        return problems

    def _explain_leave(self, e: Leave) -> list[Violation]:
        problems: list[Violation] = []
        being = self._living(e.name, problems, e)
        if being is not None and being.pack is None:
            why = f"{e.name} leads {being.leads}" if being.leads else f"{e.name} is in no pack"
            problems.append(Violation("R6", f"{_doing(e)}: only members leave, and {why}"))
        return problems

    def _explain_rescind(self, e: Rescind) -> list[Violation]:
        problems: list[Violation] = []
        being = self._living(e.name, problems, e)
        if being is not None:
            if being.pack is None:
                problems.append(Violation("R7", f"{_doing(e)}: {e.name} is in no pack"))
            elif not being.coerced:
                problems.append(
                    Violation(
                        "R7",
                        f"{_doing(e)}: {e.name} submitted to {being.pack} freely, so leaves instead",
                    )
                )
        return problems

    def _explain_order(self, e: Order) -> list[Violation]:
        problems: list[Violation] = []
        alpha = self._living(e.alpha, problems, e)
        being = self._living(e.name, problems, e)
        if alpha is None or being is None:
            return problems
        if alpha.leads is None:
            problems.append(
                Violation("R3", f"{_doing(e)}: {e.alpha} is no alpha" + self._order_hint(e))
            )
        elif being.pack != alpha.leads:
            problems.append(
                Violation("R3", f"{_doing(e)}: {e.name} is not a member of {alpha.leads}")
            )
            if being.ally_of == alpha.leads:
                problems.append(
                    Violation(
                        "R10",
                        f"{_doing(e)}: {e.name} is an ally of {alpha.leads}, to be asked, not ordered",
                    )
                )
        return problems

    def _explain_obey(self, e: Obey | Defy) -> list[Violation]:
        problems: list[Violation] = []
        being = self._living(e.name, problems, e)
        if being is not None and being.order is None:
            problems.append(Violation("R0", f"{_doing(e)}: {e.name} has no outstanding order"))
        return problems

    _explain_defy = _explain_obey

    def _explain_ally(self, e: Ally) -> list[Violation]:
        problems: list[Violation] = []
        alpha = self._living(e.alpha, problems, e)
        being = self._living(e.name, problems, e)
        if alpha is not None and alpha.leads is None:
            problems.append(
                Violation("R10", f"{_doing(e)}: {e.alpha} leads no pack" + self._order_hint(e))
            )
        if being is not None:
            home = being.leads or being.pack
            if home is not None:
                problems.append(Violation("R15", f"{_doing(e)}: {e.name} is in {home}"))
            elif being.ally_of is not None and alpha is not None and being.ally_of != alpha.leads:
                # judged only with a living alpha: the condition is about the alpha's pack too
                problems.append(
                    Violation("R15", f"{_doing(e)}: {e.name} is already an ally of {being.ally_of}")
                )
        return problems

    def _explain_request(self, e: Request) -> list[Violation]:
        problems: list[Violation] = []
        alpha = self._living(e.alpha, problems, e)
        self._living(e.name, problems, e)
        if alpha is not None and alpha.leads is None:
            problems.append(
                Violation("R10", f"{_doing(e)}: {e.alpha} leads no pack" + self._order_hint(e))
            )
        return problems

    def _explain_ask(self, e: Ask) -> list[Violation]:
        problems: list[Violation] = []
        self._living(e.name, problems, e)
        alpha = self._living(e.alpha, problems, e)
        if alpha is not None and alpha.leads is None:
            problems.append(
                Violation("R10", f"{_doing(e)}: {e.alpha} leads no pack" + self._order_hint(e))
            )
        return problems

    def _explain_check_in(self, e: CheckIn) -> list[Violation]:
        problems: list[Violation] = []
        alpha = self._living(e.alpha, problems, e)
        being = self._living(e.name, problems, e)
        if alpha is None or being is None:
            return problems
        if alpha.leads is None:
            problems.append(
                Violation("R10", f"{_doing(e)}: {e.alpha} leads no pack" + self._order_hint(e))
            )
        elif being.pack != alpha.leads and e.alpha not in being.asked:
            problems.append(
                Violation(
                    "R10",
                    f"{_doing(e)}: {e.name} is not a member of {alpha.leads} and has not asked for help",
                )
            )
        return problems

    def _explain_share(self, e: Share) -> list[Violation]:
        if e.pack in self._packs:
            return []
        what = "a being, not a pack" if e.pack in self._beings else "no such pack"
        return [Violation("R0", f"nothing can be shared with {e.pack}: {e.pack} is {what}")]

    # ------------------------------------------------------- the effects

    def _being(self, e: Being) -> None:
        self._beings[e.name] = _Being(e.name, e.kind, e.origin)

    def _ascend(self, e: Ascend) -> None:
        being = self._beings[e.name]
        pack = self._packs.get(e.pack)
        if pack is None:
            pack = self._packs[e.pack] = _Pack(e.pack, e.name)
        else:  # succession: a beta of the waiting pack
            del pack.members[e.name]
            pack.alpha = e.name
        if being.ally_of is not None:
            del self._packs[being.ally_of].allies[e.name]
        being.leads, being.pack, being.ally_of = e.pack, None, None
        being.pending = None
        _reset(being)

    def _bite(self, e: Bite) -> None:
        being = self._beings[e.name]
        being.kind, being.origin = Kind.WEREWOLF, Origin.BITTEN

    def _submit(self, e: Submit) -> None:
        self._beings[e.name].pending = (e.alpha, e.insincere, e.coerced)

    def _welcome(self, e: Welcome) -> None:
        being = self._beings[e.name]
        assert being.pending is not None
        pack = self._beings[e.alpha].leads
        assert pack is not None
        if being.ally_of is not None:
            del self._packs[being.ally_of].allies[e.name]
            being.ally_of = None
        self._packs[pack].members[e.name] = None
        being.pack, being.coerced, being.pending = pack, being.pending[2], None
        _reset(being)

    def _leave(self, e: Leave | Rescind) -> None:
        self._out(self._beings[e.name], ally=False)

    _rescind = _leave

    def _order(self, e: Order) -> None:
        self._beings[e.name].order = (e.alpha, e.ill)

    def _obey(self, e: Obey) -> None:
        being = self._beings[e.name]
        assert being.order is not None
        _, ill = being.order
        being.order = None
        if not ill:
            being.defiance = max(0, being.defiance - 1)

    def _defy(self, e: Defy) -> None:
        being = self._beings[e.name]
        assert being.order is not None
        _, ill = being.order
        being.order = None
        if ill:  # R5: resisting ill authority costs nothing
            return
        being.defiance += 1
        if being.defiance >= self.settings.defiance_limit and being.pack is not None:
            self._out(being, ally=True)  # R7: out by the member's own conduct

    def _ally(self, e: Ally) -> None:
        pack = self._beings[e.alpha].leads
        assert pack is not None
        self._packs[pack].allies[e.name] = None
        self._beings[e.name].ally_of = pack

    def _ask(self, e: Ask) -> None:
        self._beings[e.name].asked.add(e.alpha)

    def _attack(self, e: Attack) -> None:
        target = self._beings[e.target]
        target.health = max(0, target.health - (DEFAULT_WOUND if e.wound is None else e.wound))
        if target.health == 0:
            self._die(target)

    def _check_in(self, e: CheckIn) -> None:
        being = self._beings[e.name]
        being.cared = True
        being.asked.discard(e.alpha)

    def _heal(self, e: Heal) -> None:
        being = self._beings[e.name]
        if e.amount is not None:
            amount = e.amount
        else:
            rate = (
                self.settings.heal_werewolf
                if being.kind is Kind.WEREWOLF
                else self.settings.heal_human
            )
            amount = rate * 2 if being.cared else rate
            being.cared = False
        being.health = min(MILLI, being.health + amount)

    def _death(self, e: Death) -> None:
        being = self._beings[e.name]
        being.health = 0
        self._die(being)

    # ------------------------------------------------- shared mechanisms

    def _betas(self, pack: _Pack) -> int:
        beings = self._beings
        return sum(1 for m in pack.members if beings[m].kind is Kind.WEREWOLF)

    def _out(self, being: _Being, *, ally: bool) -> None:
        """A member leaves its pack: as an ally of it (R7) or on its own (R6)."""
        assert being.pack is not None
        pack = self._packs[being.pack]
        del pack.members[being.name]
        being.pack, being.coerced = None, False
        if ally and being.kind is Kind.HUMAN:
            pack.allies[being.name] = None
            being.ally_of = pack.name
        _reset(being)
        self._dissolve_if_abandoned(pack)

    def _die(self, being: _Being) -> None:
        being.alive = False
        being.pending, being.order, being.cared = None, None, False
        being.asked.clear()
        if being.pack is not None:
            pack = self._packs[being.pack]
            del pack.members[being.name]
            being.pack = None
            self._dissolve_if_abandoned(pack)
        if being.ally_of is not None:
            del self._packs[being.ally_of].allies[being.name]
            being.ally_of = None
        if being.leads is not None:
            pack = self._packs[being.leads]
            pack.alpha = None
            self._lapse(being.name)
            self._dissolve_if_abandoned(pack)

    def _lapse(self, alpha: str) -> None:
        """A dead alpha's orders, the submissions and asks to it, all lapse."""
        for other in self._beings.values():
            if other.order is not None and other.order[0] == alpha:
                other.order = None
            if other.pending is not None and other.pending[0] == alpha:
                other.pending = None
            other.asked.discard(alpha)

    def _dissolve_if_abandoned(self, pack: _Pack) -> None:
        """A pack with no living alpha and no living werewolf beta dissolves."""
        if pack.alpha is not None or self._betas(pack) > 0:
            return
        for name in (*pack.members, *pack.allies):
            being = self._beings[name]
            being.pack, being.ally_of, being.coerced = None, None, False
            _reset(being)
        pack.members.clear()
        pack.allies.clear()


def _standing(being: _Being) -> Standing:
    if not being.alive:
        return Standing.DEAD
    if being.leads is not None:
        return Standing.ALPHA
    if being.pack is not None:
        return Standing.MEMBER
    if being.ally_of is not None:
        return Standing.ALLY
    return Standing.OMEGA if being.kind is Kind.WEREWOLF else Standing.UNAFFILIATED


def _reset(being: _Being) -> None:
    """Every change of standing clears defiance and any outstanding order."""
    being.defiance = 0
    being.order = None


# Derived from the verbs: `_explain_WORD` judges an event (by default, that every being
# it names is alive: R0), `_WORD` applies it (None when there is none: the event is
# only recorded, as a quarter of a chronicle's events are). One table of plain functions
# of (world, event): bound methods, built per world, would tie each world to itself in a
# cycle that only the cyclic collector frees.
_STEPS: dict[type, tuple[Callable[[World, Any], list[Violation]], Callable[..., None] | None]] = {
    verb.event: (
        getattr(World, f"_explain_{verb.ident}", World._explain_names),
        getattr(World, f"_{verb.ident}", None),
    )
    for verb in VERBS
}


_DOING: dict[type, Callable[[Any], str]] = {
    Ascend: lambda e: f"{e.name} cannot lead {e.pack}",
    Bite: lambda e: f"{e.name} cannot be turned by {e.alpha}",
    Submit: lambda e: f"{e.name} cannot submit to {e.alpha}",
    Welcome: lambda e: f"{e.name} cannot be welcomed by {e.alpha}",
    Leave: lambda e: f"{e.name} cannot leave",
    Rescind: lambda e: f"{e.name} cannot rescind a submission",
    Order: lambda e: f"{e.alpha} cannot order {e.name}",
    Obey: lambda e: f"{e.name} cannot obey",
    Defy: lambda e: f"{e.name} cannot defy",
    Ally: lambda e: f"{e.name} cannot become an ally of {e.alpha}",
    Request: lambda e: f"{e.alpha} cannot make a request of {e.name}",
    Ask: lambda e: f"{e.name} cannot ask {e.alpha} for help",
    Attack: lambda e: f"{e.attacker} cannot attack {e.target}",
    Protect: lambda e: f"{e.protector} cannot protect {e.name}",
    CheckIn: lambda e: f"{e.alpha} cannot check in on {e.name}",
    Heal: lambda e: f"{e.name} cannot heal",
    Death: lambda e: f"{e.name} cannot die",
    Research: lambda e: f"{e.name} cannot do research",
}


def _doing(event: Event) -> str:
    """The start of a refusal's sentence: who cannot do what.

    Composed only for a refusal: most events are legal, and the sentence
    would cost more than judging them.
    """
    return _DOING[type(event)](event)


def _changed(settings: Settings, statement: Set) -> Settings:
    value = statement.value
    if statement.setting is Setting.DEFIANCE_LIMIT:
        if value % MILLI or value < MILLI:
            raise SettingOutOfRange(
                statement,
                f"defiance-limit must be a whole number of at least 1, not {format_amount(value)}",
            )
        return Settings(value // MILLI, settings.heal_werewolf, settings.heal_human)
    if not 0 < value <= MILLI:
        raise SettingOutOfRange(
            statement, f"{statement.setting} must be more than 0 and at most 1 a day"
        )
    if statement.setting is Setting.HEAL_WEREWOLF:
        return Settings(settings.defiance_limit, value, settings.heal_human)
    return Settings(settings.defiance_limit, settings.heal_werewolf, value)
