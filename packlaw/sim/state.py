"""The state of a batch of worlds: a struct of NumPy arrays, one row per being.

Every being of every replicate world is one row of the same columns, with a
``world`` column saying whose it is, so a batch of worlds is one array
program (no Python object per being). Packs are a second, much smaller table.

Rows are laid out world by world for the scenario's beings (row ``w * n0 + i``
is scenario being ``i`` of world ``w``), and beings created later (arrivals)
are appended after all of them. Within one world rows therefore run in
creation order, so "lowest index" (the oldest being) is simply the lowest row.

Capacity: the columns are allocated with room to spare (the expected number
of arrivals over the run plus a margin) and grow geometrically (x1.5) if a
run needs more, so appending a being is amortised O(1) and the hot loops
never reallocate.

Health is kept in whole thousandths (``int16``, 0..1000), as the rulebook
does, so a being at exactly 0 is dead in both, with no floating-point doubt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from packlaw.sim.scenario import Params, Scenario

# kind
HUMAN, WEREWOLF = 0, 1
KINDS = ("human", "werewolf")
# standing (kept after death: the standing held at death)
ALPHA, MEMBER, ALLY, OMEGA, UNAFFILIATED = 0, 1, 2, 3, 4
STANDINGS = ("alpha", "member", "ally", "omega", "unaffiliated")
# task
NO_TASK, RESEARCH, PATROL = 0, 1, 2

MILLI = 1000
NOBODY = -1


class Beings(NamedTuple):
    """The beings' columns (views of the first ``n`` rows when passed to kernels)."""

    world: np.ndarray  # int32
    kind: np.ndarray  # int8: HUMAN, WEREWOLF
    alive: np.ndarray  # bool
    health: np.ndarray  # int16, thousandths
    strength: np.ndarray  # float32, base strength
    research: np.ndarray  # float32
    autonomy: np.ndarray  # float32
    pride: np.ndarray  # float32
    ill_rate: np.ndarray  # float32, used while an alpha
    defiance: np.ndarray  # int16
    standing: np.ndarray  # int8: ALPHA .. UNAFFILIATED
    pack: np.ndarray  # int32, pack row or NOBODY (members, alphas, allies)
    hostile: np.ndarray  # bool, omegas only
    theta_research: np.ndarray  # float32
    theta_patrol: np.ndarray  # float32
    task: np.ndarray  # int8: NO_TASK, RESEARCH, PATROL (today's, until the next tasks phase)
    knowledge: np.ndarray  # float32, an ally's own
    lead: np.ndarray  # int32, an ally's target omega row or NOBODY
    wounded_as_ally: np.ndarray  # bool
    x: np.ndarray  # int16
    y: np.ndarray  # int16


BEING_DTYPES: dict[str, type] = {
    "world": np.int32,
    "kind": np.int8,
    "alive": np.bool_,
    "health": np.int16,
    "strength": np.float32,
    "research": np.float32,
    "autonomy": np.float32,
    "pride": np.float32,
    "ill_rate": np.float32,
    "defiance": np.int16,
    "standing": np.int8,
    "pack": np.int32,
    "hostile": np.bool_,
    "theta_research": np.float32,
    "theta_patrol": np.float32,
    "task": np.int8,
    "knowledge": np.float32,
    "lead": np.int32,
    "wounded_as_ally": np.bool_,
    "x": np.int16,
    "y": np.int16,
}
BYTES_PER_ROW = sum(np.dtype(t).itemsize for t in BEING_DTYPES.values())


class Packs(NamedTuple):
    """The packs' columns: one row per pack per world (``w * n_packs + j``)."""

    world: np.ndarray  # int32
    alpha: np.ndarray  # int32 row of its living alpha, or NOBODY once dissolved
    knowledge: np.ndarray  # float64
    s_research: np.ndarray  # float64, task stimulus
    s_patrol: np.ndarray  # float64, task stimulus


def initial_theta_research(research: np.ndarray) -> np.ndarray:
    """Response threshold for research at creation: ``10 * (1.5 - research)``."""
    return (10.0 * (1.5 - research)).astype(np.float32)


def initial_theta_patrol(strength: np.ndarray) -> np.ndarray:
    """Response threshold for patrol at creation: ``10 * (1.5 - min(strength, 1))``."""
    return (10.0 * (1.5 - np.minimum(strength, 1.0))).astype(np.float32)


@dataclass
class Template:
    """One world's starting beings, in scenario order (rows of a single world)."""

    named: dict[int, str]  # row within the world -> name; crowds are unnamed
    columns: dict[str, np.ndarray]
    pack_names: list[str]
    pack_alpha: np.ndarray  # row (within the world) of each pack's alpha

    @property
    def size(self) -> int:
        """Beings per world at the start."""
        return len(self.columns["kind"])


_TEMPLATE_COLUMNS = (
    "kind",
    "health",
    "strength",
    "research",
    "autonomy",
    "pride",
    "ill_rate",
    "standing",
    "pack",
    "hostile",
)


def template(scenario: Scenario) -> Template:
    """The starting beings of one world (positions are drawn per world later).

    Columns are filled in place (a scenario may name hundreds of thousands of
    beings), and a crowd is one being's traits repeated.
    """
    p = scenario.params
    n0 = scenario.beings_per_world
    columns: dict[str, np.ndarray] = {
        column: np.zeros(n0, BEING_DTYPES[column]) for column in _TEMPLATE_COLUMNS
    }
    named: dict[int, str] = {}
    pack_alpha: list[int] = []
    row = 0

    def add(
        name: str | None,
        kind: str,
        traits: object,
        standing: int,
        pack: int,
        hostile: bool = False,
        ill_rate: float | None = None,
        count: int = 1,
    ) -> None:
        nonlocal row
        is_wolf = kind == "werewolf"

        def trait(key: str, default: float) -> float:
            given = getattr(traits, key, None)
            return float(given) if given is not None else default

        if name is not None:
            named[row] = name
        rows = slice(row, row + count)
        columns["kind"][rows] = WEREWOLF if is_wolf else HUMAN
        columns["health"][rows] = MILLI
        columns["strength"][rows] = trait(
            "strength", p.werewolf_strength if is_wolf else p.human_strength
        )
        columns["research"][rows] = trait("research", p.default_research)
        columns["autonomy"][rows] = trait("autonomy", p.default_autonomy)
        columns["pride"][rows] = trait("pride", p.default_pride)
        columns["ill_rate"][rows] = ill_rate if ill_rate is not None else p.ill_rate
        columns["standing"][rows] = standing
        columns["pack"][rows] = pack
        columns["hostile"][rows] = hostile
        row += count

    for j, spec in enumerate(scenario.packs):
        pack_alpha.append(row)
        add(spec.alpha.name, "werewolf", spec.alpha, ALPHA, j, ill_rate=spec.alpha.ill_rate)
        for member in spec.members:
            add(member.name, member.kind, member, MEMBER, j)
        for ally in spec.allies:
            add(ally.name, ally.kind, ally, ALLY, j)
    for omega in scenario.omegas:
        add(omega.name, "werewolf", omega, OMEGA, NOBODY, hostile=omega.hostile)
    for crowd in scenario.crowds:
        standing = OMEGA if crowd.kind == "werewolf" else UNAFFILIATED
        add(None, crowd.kind, crowd, standing, NOBODY, hostile=crowd.hostile, count=crowd.count)
    return Template(
        named, columns, [s.name for s in scenario.packs], np.array(pack_alpha, np.int64)
    )


@dataclass
class State:
    """All worlds of a run: beings (struct of arrays, with spare capacity) and packs."""

    params: Params
    worlds: int
    n0: int  # beings per world at the start
    n_packs: int  # packs per world
    n: int  # rows in use
    columns: dict[str, np.ndarray]
    packs: Packs
    day: int = 0
    named: dict[int, str] = field(default_factory=dict)  # scenario row -> name
    pack_names: list[str] = field(default_factory=list)
    spare: dict[str, np.ndarray] = field(default_factory=dict)  # movement's next x, y

    def __post_init__(self) -> None:
        if not self.spare:
            self.spare = {axis: np.zeros_like(self.columns[axis]) for axis in ("x", "y")}

    def swap_positions(self) -> None:
        """Make the spare position columns (just written by movement) the current ones."""
        for axis in ("x", "y"):
            self.columns[axis], self.spare[axis] = self.spare[axis], self.columns[axis]

    @property
    def beings(self) -> Beings:
        """Views of the rows in use, ready for the kernels."""
        n = self.n
        return Beings(**{name: array[:n] for name, array in self.columns.items()})

    @property
    def capacity(self) -> int:
        """Rows allocated."""
        return len(self.columns["world"])

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more beings, growing all columns by x1.5 at least."""
        needed = self.n + extra
        if needed <= self.capacity:
            return
        capacity = max(needed, self.capacity + self.capacity // 2 + 16)
        for table in (self.columns, self.spare):
            for name, array in table.items():
                grown = np.zeros(capacity, array.dtype)
                grown[: self.n] = array[: self.n]
                table[name] = grown

    def append(self, count: int) -> slice:
        """Claim ``count`` new rows at the end (their columns are zero; fill them)."""
        self.reserve(count)
        rows = slice(self.n, self.n + count)
        self.n += count
        return rows

    def name_of(self, row: int) -> str | None:
        """The scenario name of a row, or None for crowds and arrivals."""
        if row < self.worlds * self.n0:
            return self.named.get(row % self.n0)
        return None


def expected_arrivals(params: Params, worlds: int, days: int) -> int:
    """Rows to reserve for arrivals: the expected count plus four standard deviations."""
    mean = params.omega_arrival_rate * worlds * days
    return int(mean + 4.0 * np.sqrt(mean) + 16)


def build_state(scenario: Scenario, worlds: int, rng: np.random.Generator, days: int = 0) -> State:
    """All ``worlds`` worlds of a scenario at day 0, each being on a uniform cell."""
    p = scenario.params
    t = template(scenario)
    n0, n = t.size, t.size * worlds
    capacity = n + expected_arrivals(p, worlds, days)
    columns: dict[str, np.ndarray] = {
        name: np.zeros(capacity, dtype) for name, dtype in BEING_DTYPES.items()
    }
    columns["world"][:n] = np.repeat(np.arange(worlds, dtype=np.int32), n0)
    for name, values in t.columns.items():
        columns[name][:n] = np.tile(values, worlds)
    n_packs = len(t.pack_names)
    pack = columns["pack"][:n]
    has_pack = pack >= 0
    # pack column holds the pack's row in the packs table: w * n_packs + j
    pack[has_pack] += columns["world"][:n][has_pack] * n_packs
    columns["alive"][:n] = True
    columns["theta_research"][:n] = initial_theta_research(columns["research"][:n])
    columns["theta_patrol"][:n] = initial_theta_patrol(columns["strength"][:n])
    columns["lead"][:n] = NOBODY
    columns["x"][:n] = rng.integers(0, p.width, n, dtype=np.int16)
    columns["y"][:n] = rng.integers(0, p.height, n, dtype=np.int16)
    pack_world = np.repeat(np.arange(worlds, dtype=np.int32), n_packs)
    pack_alpha = (np.arange(worlds, dtype=np.int64)[:, None] * n0 + t.pack_alpha[None, :]).ravel()
    packs = Packs(
        world=pack_world,
        alpha=pack_alpha.astype(np.int32),
        knowledge=np.zeros(worlds * n_packs),
        s_research=np.zeros(worlds * n_packs),
        s_patrol=np.zeros(worlds * n_packs),
    )
    return State(p, worlds, n0, n_packs, n, columns, packs, 0, t.named, t.pack_names)
