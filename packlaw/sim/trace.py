"""One simulated world written as a chronicle (``--trace WORLD FILE``).

The chronicle replays through the rulebook engine with no refusal and ends
with every being in the standing the simulator left it in. Each line is
``str()`` of a value of `packlaw.rules.events`. How the simulator's day maps
onto the rulebook's events:

- day 0: ``being`` for everyone, ``ascend`` for alphas, ``submit`` +
  ``welcome`` for members, ``ally`` for allies; ``set defiance-limit`` is the
  scenario's, so the engine pushes a member out on the same ``defy``;
- orders: ``order`` (``ill`` when ill), then ``obey`` or ``defy``;
- attacks: a repelled attack is written as the target wounding the omega
  (``attack TARGET OMEGA 0.3``), a hit as ``attack OMEGA TARGET 0.6``; all
  wounds carry their amount (the engine's default is 0.5). Repels come first
  and hits on alphas last, so that every line names living beings and an
  alpha dies after betas that fall the same day, as in the simulator; a hit
  on a being an earlier hit already killed is left out (the engine refuses
  to wound the dead), which changes nothing;
- deaths: health is kept in thousandths by both, so a being the simulator
  kills is already at 0, and dead, in the engine; successions are ``ascend``
  and dissolutions happen by themselves;
- hunts: a kill is ``death``, a failed hunt ``attack OMEGA HUNTER 0.6``;
- care: ``check-in`` for a cared-for member, ``ask`` + ``check-in`` for an
  ally who asked, then ``heal NAME`` with no amount for every injured living
  being, so that the rulebook computes each amount and its doubling itself
  (``set heal-werewolf`` / ``set heal-human`` give it the scenario's rates
  when they are not the rulebook's own);
- bites: ``bite`` then ``death``, or ``submit`` + ``welcome``, or nothing
  (the bitten stays an omega);
- joining: ``submit`` (``insincere`` when so) and ``welcome`` if sincere;
  allies coming back: ``submit`` + ``welcome``;
- leaving: ``leave``; arrivals: ``being NAME werewolf``;
- the end of each day: ``expect NAME STANDING [PACK]`` for every being whose
  standing changed that day (an arrival's included) and ``expect NAME health
  H`` for every living being whose health changed, so that ``packlaw check``
  fails wherever the simulator and the rulebook disagree.

Unnamed beings get names from their kind and order (``Human1``, ``Wolf1``,
``Arrival1``), never clashing with the scenario's names.
"""

from __future__ import annotations

import numpy as np

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
    ExpectHealth,
    ExpectStanding,
    Heal,
    Kind,
    Leave,
    Obey,
    Order,
    Set,
    Setting,
    Standing,
    Statement,
    Submit,
    Title,
    Welcome,
)
from packlaw.rules.world import Settings
from packlaw.sim import kernels as k
from packlaw.sim.state import ALLY, ALPHA, MEMBER, NOBODY, STANDINGS, WEREWOLF, State

ORDER_TEXT = "do as the pack needs"
DEAD = len(STANDINGS)  # a standing code beside the simulator's, for the dead
NEW = -1  # and for a being that did not exist yet
ASK_TEXT = "help"
# The rulebook's standing of each code (`DEAD` included), and whether it names a pack.
_STANDING = (*(Standing(word) for word in STANDINGS), Standing.DEAD)
_IN_PACK = tuple(code in (ALPHA, MEMBER, ALLY) for code in range(DEAD + 1))
_ILL = frozenset((k.OBEYED_ILL, k.DEFIED_ILL))
_DEFIED = frozenset((k.DEFIED, k.DEFIED_ILL))


class WorldChronicle:
    """Collects one world's events while the simulator runs (a `Chronicler`)."""

    def __init__(self, state: State, world: int, title: str | None = None) -> None:
        if not 0 <= world < state.worlds:
            raise ValueError(
                f"there is no world {world}: the run has worlds 0 to {state.worlds - 1}"
            )
        self.world = world
        self.statements: list[Statement] = []
        self.names: dict[int, str] = {}
        self._taken = set(state.named.values()) | set(state.pack_names)
        self._counters: dict[str, int] = {}
        self._dead: set[int] = set()
        self._health: dict[int, int] = {}
        if title:
            self.statements.append(Title(title))
        p, rulebook = state.params, Settings()
        self.statements.append(Set(Setting.DEFIANCE_LIMIT, p.defiance_limit * MILLI))
        for setting, rate, default in (
            (Setting.HEAL_WEREWOLF, p.heal_werewolf, rulebook.heal_werewolf),
            (Setting.HEAL_HUMAN, p.heal_human, rulebook.heal_human),
        ):
            if round(rate * MILLI) != default:
                self.statements.append(Set(setting, round(rate * MILLI)))
        self._start(state)
        self._rows = np.array(list(self.names), np.int64)  # the world's rows, as named
        self._alone = state.worlds == 1  # a world replayed alone: every row is this world's
        self._wound_amount = round(p.wound * MILLI)
        self._repel_amount = round(p.repel_wound * MILLI)
        self._morning = (np.zeros(0, np.int8), np.zeros(0, np.int16))
        self._evening: tuple[np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------ names

    def _fresh(self, stem: str) -> str:
        while True:
            self._counters[stem] = self._counters.get(stem, 0) + 1
            name = f"{stem}{self._counters[stem]}"
            if name not in self._taken:
                self._taken.add(name)
                return name

    def _name(self, row: int) -> str:
        return self.names[int(row)]

    def _pack_name(self, state: State, pack: int) -> str:
        return state.pack_names[pack % state.n_packs]

    def _alpha_of(self, state: State, row: int) -> str:
        return self._name(state.packs.alpha[state.columns["pack"][row]])

    def _mine(self, state: State, rows: np.ndarray, where: np.ndarray) -> list[int]:
        """Positions in ``rows`` of this world's beings for which ``where`` holds.

        In a world replayed alone (one world), every row is this world's.
        """
        if not self._alone:
            where = where & (state.columns["world"][rows] == self.world)
        return list(where.nonzero()[0].tolist())

    def _write(self, *statements: Statement) -> None:
        self.statements.extend(statements)

    def _wound(self, attacker: int, target: int, amount: int) -> None:
        if target in self._dead:
            return  # already dead in the rulebook: a second wound is refused there
        self._write(Attack(self._name(attacker), self._name(target), amount))
        self._health[target] = max(0, self._health[target] - amount)
        if self._health[target] == 0:
            self._dead.add(target)

    def _kill(self, row: int) -> None:
        if row not in self._dead:
            self._write(Death(self._name(row)))
            self._dead.add(row)
            self._health[row] = 0

    # ------------------------------------------------------------ day 0

    def _start(self, state: State) -> None:
        c = state.columns
        first = self.world * state.n0
        rows = range(first, first + state.n0)
        for i, row in enumerate(rows):
            name = state.named.get(i)
            if name is None:
                name = self._fresh("Wolf" if c["kind"][row] == WEREWOLF else "Human")
            self.names[row] = name
            self._health[row] = int(c["health"][row])
            kind = Kind.WEREWOLF if c["kind"][row] == WEREWOLF else Kind.HUMAN
            self._write(Being(name, kind))
        for row in rows:
            if c["standing"][row] == ALPHA:
                self._write(Ascend(self._name(row), self._pack_name(state, c["pack"][row])))
        for row in rows:
            standing = c["standing"][row]
            if standing == MEMBER:
                alpha = self._alpha_of(state, row)
                self._write(Submit(self._name(row), alpha), Welcome(alpha, self._name(row)))
            elif standing == ALLY:
                self._write(Ally(self._alpha_of(state, row), self._name(row)))

    # ------------------------------------------------------------ phases

    def phase(self, name: str, state: State, **happened: np.ndarray) -> None:
        """Write what a phase did in this world."""
        getattr(self, "_" + name)(state, **happened)

    def _now(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        """Each of the world's beings' standing now (`DEAD` for the dead), and health."""
        c, rows = state.columns, self._rows
        return np.where(c["alive"][rows], c["standing"][rows], DEAD), c["health"][rows]

    def _day(self, state: State) -> None:
        self._write(Day(state.day + 1))
        # Nothing happens between a day's end and the next day: its evening is this morning.
        evening = self._evening
        if evening is None or len(evening[0]) != len(self._rows):
            evening = self._now(state)
        self._morning = evening

    def _day_end(self, state: State) -> None:
        standing, health = self._evening = self._now(state)
        was_standing, was_health = self._morning
        arrived = len(standing) - len(was_standing)  # beings who arrived today have no morning
        if arrived:
            was_standing = np.concatenate([was_standing, np.full(arrived, NEW, np.int8)])
            was_health = np.concatenate([was_health, np.full(arrived, MILLI, np.int16)])
        moved = standing != was_standing
        changed = (moved | ((standing != DEAD) & (health != was_health))).nonzero()[0].tolist()
        if not changed:
            return
        rows, names, pack = self._rows, self.names, state.columns["pack"]
        for j in changed:
            row, code = int(rows[j]), int(standing[j])
            name = names[row]
            if moved[j]:
                at = int(pack[row]) if _IN_PACK[code] else NOBODY
                pack_name = None if at == NOBODY else self._pack_name(state, at)
                self._write(ExpectStanding(name, _STANDING[code], pack_name))
            if code != DEAD and health[j] != was_health[j]:
                self._write(ExpectHealth(name, int(health[j])))

    def _orders(
        self, state: State, members: np.ndarray, outcome: np.ndarray, alphas: np.ndarray
    ) -> None:
        if not len(members):
            return
        names, write = self.names, self._write
        for j in self._mine(state, members, outcome != k.NO_ORDER):
            name, happened = names[int(members[j])], int(outcome[j])
            write(Order(names[int(alphas[j])], name, ORDER_TEXT, ill=happened in _ILL))
            write(Defy(name) if happened in _DEFIED else Obey(name))

    def _attacks(
        self,
        state: State,
        omegas: np.ndarray,
        target: np.ndarray,
        hit: np.ndarray,
        defenders: np.ndarray,
        standing: np.ndarray,
    ) -> None:
        if not len(omegas):
            return
        mine = self._mine(state, omegas, target != NOBODY)
        if not mine:
            return
        wound, repel = self._wound_amount, self._repel_amount
        omegas_, target_, hit_ = omegas.tolist(), target.tolist(), hit.tolist()
        for j in mine:
            if not hit_[j]:
                self._wound(target_[j], omegas_[j], repel)
        on_alpha = (standing == ALPHA).tolist()
        for alphas in (False, True):  # hits on alphas last
            for j in mine:
                if hit_[j] and on_alpha[j] == alphas:
                    self._wound(omegas_[j], target_[j], wound)

    def _deaths(
        self, state: State, dead: np.ndarray, succession: np.ndarray, dissolved: np.ndarray
    ) -> None:
        if len(dead):
            for j in self._mine(state, dead, dead >= 0):
                self._kill(int(dead[j]))
        for pack, heir in succession:
            if state.packs.world[pack] == self.world:
                self._write(Ascend(self._name(heir), self._pack_name(state, pack)))

    def _hunts(
        self,
        state: State,
        hunting: np.ndarray,
        prey: np.ndarray,
        killed: np.ndarray,
        hurt: np.ndarray,
    ) -> None:
        if not len(hunting):
            return
        mine = prey != NOBODY
        if not self._alone:
            mine &= state.packs.world[hunting] == self.world
        for j in mine.nonzero()[0].tolist():
            if killed[j]:
                self._kill(int(prey[j]))
            else:
                self._wound(int(prey[j]), int(hurt[j]), self._wound_amount)

    def _care_and_healing(
        self,
        state: State,
        before: np.ndarray,
        cared: np.ndarray,
        health: np.ndarray,
        standing: np.ndarray,
        alpha: np.ndarray,
    ) -> None:
        rows = self._rows  # ascending: the first rows, then arrivals as they came
        for row in rows[before[rows] < MILLI].tolist():
            if row in self._dead:
                continue
            name = self.names[row]
            if cared[row]:
                alpha_name = self._name(alpha[row])
                if standing[row] == ALLY:
                    self._write(Ask(name, alpha_name, ASK_TEXT))
                self._write(CheckIn(alpha_name, name))
            self._write(Heal(name))
            self._health[row] = int(health[row])

    def _bites(
        self, state: State, alphas: np.ndarray, bitten: np.ndarray, outcome: np.ndarray
    ) -> None:
        if not len(alphas):
            return
        for j in self._mine(state, alphas, bitten != NOBODY):
            alpha, name = self._name(alphas[j]), self._name(bitten[j])
            self._write(Bite(alpha, name))
            if outcome[j] == k.BITE_KILLED:
                self._kill(int(bitten[j]))
            elif outcome[j] == k.BITE_WELCOMED:
                self._write(Submit(name, alpha), Welcome(alpha, name))

    def _joining(
        self,
        state: State,
        omegas: np.ndarray,
        submitted: np.ndarray,
        insincere: np.ndarray,
        allies: np.ndarray,
        back: np.ndarray,
        back_to: np.ndarray,
    ) -> None:
        if len(omegas):
            for j in self._mine(state, omegas, submitted != NOBODY):
                alpha, name = self._name(submitted[j]), self._name(omegas[j])
                self._write(Submit(name, alpha, insincere=bool(insincere[j])))
                if not insincere[j]:
                    self._write(Welcome(alpha, name))
        if len(allies):
            for j in self._mine(state, allies, back):
                alpha, name = self._name(back_to[j]), self._name(allies[j])
                self._write(Submit(name, alpha), Welcome(alpha, name))

    def _leaving(self, state: State, members: np.ndarray, left: np.ndarray) -> None:
        if len(members):
            for j in self._mine(state, members, left):
                self._write(Leave(self._name(members[j])))

    def _arrivals(self, state: State, rows: np.ndarray) -> None:
        for j in self._mine(state, rows, rows >= 0):
            row = int(rows[j])
            self.names[row] = self._fresh("Arrival")
            self._rows = np.append(self._rows, row)
            self._health[row] = int(state.columns["health"][row])
            self._write(Being(self.names[row], Kind.WEREWOLF))

    # ------------------------------------------------------------ results

    def text(self) -> str:
        """The chronicle, one canonical line per statement."""
        return "".join(f"{statement}\n" for statement in self.statements)

    def standings(self, state: State) -> dict[str, str]:
        """Each being's standing as the simulator has it now (``dead`` for the dead)."""
        c = state.columns
        return {
            name: STANDINGS[c["standing"][row]] if c["alive"][row] else "dead"
            for row, name in self.names.items()
        }

    def packs(self, state: State) -> dict[str, str | None]:
        """The pack each living being leads, belongs to or is allied with."""
        c = state.columns
        return {
            name: self._pack_name(state, c["pack"][row])
            if c["alive"][row] and c["pack"][row] != NOBODY
            else None
            for row, name in self.names.items()
        }

    def health(self, state: State) -> dict[str, int]:
        """Each being's health in thousandths."""
        return {name: int(state.columns["health"][row]) for row, name in self.names.items()}
