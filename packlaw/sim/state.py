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

from collections import namedtuple
from dataclasses import dataclass, field
from typing import Annotated, Any, NamedTuple, get_type_hints

import numpy as np
from numba import njit

from packlaw.sim.grid import bucket_side
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
    """The beings' columns, each declared once here with its type (views of the rows in use)."""

    world: Annotated[np.ndarray, np.int32]
    kind: Annotated[np.ndarray, np.int8]  # HUMAN, WEREWOLF
    alive: Annotated[np.ndarray, np.bool_]
    health: Annotated[np.ndarray, np.int16]  # thousandths
    strength: Annotated[np.ndarray, np.float32]  # base strength
    research: Annotated[np.ndarray, np.float32]
    autonomy: Annotated[np.ndarray, np.float32]
    pride: Annotated[np.ndarray, np.float32]
    ill_rate: Annotated[np.ndarray, np.float32]  # used while an alpha
    defiance: Annotated[np.ndarray, np.int16]
    standing: Annotated[np.ndarray, np.int8]  # ALPHA .. UNAFFILIATED
    pack: Annotated[np.ndarray, np.int32]  # pack row or NOBODY (members, alphas, allies)
    hostile: Annotated[np.ndarray, np.bool_]  # omegas only
    theta_research: Annotated[np.ndarray, np.float32]
    theta_patrol: Annotated[np.ndarray, np.float32]
    task: Annotated[np.ndarray, np.int8]  # NO_TASK, RESEARCH, PATROL (today's)
    knowledge: Annotated[np.ndarray, np.float32]  # an ally's own
    lead: Annotated[np.ndarray, np.int32]  # an ally's target omega row, or NOBODY
    wounded_as_ally: Annotated[np.ndarray, np.bool_]
    x: Annotated[np.ndarray, np.int16]
    y: Annotated[np.ndarray, np.int16]


BEING_DTYPES: dict[str, np.dtype[Any]] = {
    name: np.dtype(hint.__metadata__[0])
    for name, hint in get_type_hints(Beings, include_extras=True).items()
}
"""Each column's type, from `Beings`."""
BYTES_PER_ROW = sum(dtype.itemsize for dtype in BEING_DTYPES.values())


class Packs(NamedTuple):
    """The packs' columns: one row per pack per world (``w * n_packs + j``)."""

    world: np.ndarray  # int32
    alpha: np.ndarray  # int32 row of its living alpha, or NOBODY once dissolved
    knowledge: np.ndarray  # float64
    s_research: np.ndarray  # float64, task stimulus
    s_patrol: np.ndarray  # float64, task stimulus


@njit(cache=True)
def initial_theta_research(research):
    """Response threshold for research at creation: ``10 * (1.5 - research)``."""
    return 10.0 * (1.5 - research)


@njit(cache=True)
def initial_theta_patrol(strength):
    """Response threshold for patrol at creation (and after a bite): ``10 * (1.5 - min(strength, 1))``."""
    return 10.0 * (1.5 - min(strength, 1.0))


HEALTH_AMOUNTS = ("wound", "repel_wound", "heal_werewolf", "heal_human")
"""Parameters that are amounts of health: the kernels take them in whole thousandths."""


def kernel_params(params: Params) -> tuple[Any, ...]:
    """Every parameter of the model as a named tuple of plain numbers, for the kernels."""
    values: dict[str, Any] = {}
    for name, value in params.model_dump().items():
        if name in HEALTH_AMOUNTS:
            values[name] = round(value * MILLI)
        elif isinstance(type(params).model_fields[name].default, int):
            values[name] = int(value)
        else:
            values[name] = float(value)
    return _KernelParams(**values)


_KernelParams = namedtuple("_KernelParams", list(Params.model_fields))  # type: ignore[misc]


@dataclass
class Template:
    """One world's starting beings, in scenario order (rows of a single world)."""

    named: dict[int, str]  # row within the world -> name; crowds are unnamed
    pack_names: list[str]
    pack_alpha: np.ndarray  # row (within the world) of each pack's alpha
    crowds: list[slice] = field(default_factory=list)  # each crowd's rows within the world


def new_beings(
    columns: dict[str, np.ndarray],
    rows: slice,
    params: Params,
    kind: int,
    standing: int,
    pack: int = NOBODY,
    hostile: bool = False,
    traits: object = None,
    ill_rate: float | None = None,
) -> None:
    """Fill every column of the new beings in ``rows`` as at their creation.

    Traits a scenario gives (``traits``' attributes) win over the defaults;
    thresholds follow them; ``world``, ``x`` and ``y`` are the caller's.
    """
    p = params

    def trait(key: str, default: float) -> float:
        given = getattr(traits, key, None)
        return float(given) if given is not None else default

    strength = trait("strength", p.werewolf_strength if kind == WEREWOLF else p.human_strength)
    research = trait("research", p.default_research)
    values = {
        "kind": kind,
        "alive": True,
        "health": MILLI,
        "strength": strength,
        "research": research,
        "autonomy": trait("autonomy", p.default_autonomy),
        "pride": trait("pride", p.default_pride),
        "ill_rate": ill_rate if ill_rate is not None else p.ill_rate,
        "standing": standing,
        "pack": pack,
        "hostile": hostile,
        "theta_research": initial_theta_research(research),
        "theta_patrol": initial_theta_patrol(strength),
        "lead": NOBODY,
    }
    for name, column in columns.items():
        column[rows] = values.get(name, 0)


def template(scenario: Scenario, columns: dict[str, np.ndarray]) -> Template:
    """Fill the first rows of ``columns`` with the starting beings of one world.

    Positions are drawn per world later. Columns are filled in place (a
    scenario may name hundreds of thousands of beings), and a crowd is one
    being's traits repeated.
    """
    p = scenario.params
    named: dict[int, str] = {}
    pack_alpha: list[int] = []
    row = 0

    def add(
        name: str | None, kind: str, traits: object, standing: int, pack: int, **more: Any
    ) -> None:
        nonlocal row
        count = more.pop("count", 1)
        if name is not None:
            named[row] = name
        code = WEREWOLF if kind == "werewolf" else HUMAN
        new_beings(columns, slice(row, row + count), p, code, standing, pack, traits=traits, **more)
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
    crowds = []
    for crowd in scenario.crowds:
        standing = OMEGA if crowd.kind == "werewolf" else UNAFFILIATED
        crowds.append(slice(row, row + crowd.count))
        add(None, crowd.kind, crowd, standing, NOBODY, hostile=crowd.hostile, count=crowd.count)
    pack_alpha_rows = np.array(pack_alpha, np.int64)
    return Template(named, [s.name for s in scenario.packs], pack_alpha_rows, crowds)


@dataclass
class State:
    """All worlds of a run: beings (struct of arrays, with spare capacity) and packs.

    ``seed`` keys the run's draws (`kernels.uniform`); ``day`` is the number
    of days simulated so far.
    """

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
    seed: int = 0
    spare: tuple[np.ndarray, np.ndarray] = field(default=(np.empty(0), np.empty(0)))
    _beings: Beings | None = field(default=None, repr=False)
    p: Any = field(init=False, repr=False)  # the parameters as the kernels take them

    def __post_init__(self) -> None:
        self.spare = (np.zeros_like(self.columns["x"]), np.zeros_like(self.columns["y"]))
        self.p = kernel_params(self.params)

    @property
    def beings(self) -> Beings:
        """Views of the rows in use, ready for the kernels (kept until rows are added)."""
        if self._beings is None or len(self._beings.world) != self.n:
            n = self.n
            self._beings = Beings(**{name: array[:n] for name, array in self.columns.items()})
        return self._beings

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
        for name, array in self.columns.items():
            grown = np.zeros(capacity, array.dtype)
            grown[: self.n] = array[: self.n]
            self.columns[name] = grown
        self.spare = (np.zeros_like(self.columns["x"]), np.zeros_like(self.columns["y"]))
        self._beings = None

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


BUCKET_ORDER_FROM = 50_000
"""Worlds of this many beings or more have each crowd's rows in the order of the spatial index."""


def in_bucket_order(x: np.ndarray, y: np.ndarray, width: int, side: int) -> np.ndarray:
    """The order that sorts cells by the spatial index's bucket (`grid.build_grid`), stably.

    A crowd's beings are alike but for their cells, so giving them their
    cells in this order puts neighbours on nearby rows: the phases that
    look around a being (the index's build, attacks, movement) then read
    memory in runs instead of at random, which at a million beings is most
    of their time. Smaller worlds fit in the cache and keep their order.
    """
    columns = -(-width // side)
    key = (y // np.int16(side)).astype(np.int32)
    key *= columns
    key += x // np.int16(side)
    return np.argsort(key, kind="stable")


def build_state(scenario: Scenario, worlds: int, seed: int, days: int = 0) -> State:
    """All ``worlds`` worlds of a scenario at day 0, each being on a uniform cell."""
    p = scenario.params
    n0 = scenario.beings_per_world
    n = n0 * worlds
    capacity = n + expected_arrivals(p, worlds, days)
    columns = {name: np.zeros(capacity, dtype) for name, dtype in BEING_DTYPES.items()}
    t = template(scenario, columns)  # world 0, then a copy of it for each other world
    for column in columns.values():
        column[n0:n].reshape(worlds - 1, n0)[:] = column[:n0]
    columns["world"][:n].reshape(worlds, n0)[:] = np.arange(worlds, dtype=np.int32)[:, None]
    n_packs = len(t.pack_names)
    # pack column holds the pack's row in the packs table: w * n_packs + j
    for w in range(1, worlds):
        pack = columns["pack"][w * n0 : (w + 1) * n0]
        pack[pack >= 0] += w * n_packs
    rng = np.random.default_rng(seed)
    columns["x"][:n] = rng.integers(0, p.width, n, dtype=np.int16)
    columns["y"][:n] = rng.integers(0, p.height, n, dtype=np.int16)
    if n0 >= BUCKET_ORDER_FROM:
        side = bucket_side(p.width, p.height, n0)
        for w in range(worlds):
            for crowd in t.crowds:
                rows = slice(w * n0 + crowd.start, w * n0 + crowd.stop)
                order = in_bucket_order(columns["x"][rows], columns["y"][rows], p.width, side)
                columns["x"][rows] = columns["x"][rows][order]
                columns["y"][rows] = columns["y"][rows][order]
    pack_world = np.repeat(np.arange(worlds, dtype=np.int32), n_packs)
    pack_alpha = (np.arange(worlds, dtype=np.int64)[:, None] * n0 + t.pack_alpha[None, :]).ravel()
    packs = Packs(
        world=pack_world,
        alpha=pack_alpha.astype(np.int32),
        knowledge=np.zeros(worlds * n_packs),
        s_research=np.zeros(worlds * n_packs),
        s_patrol=np.zeros(worlds * n_packs),
    )
    return State(p, worlds, n0, n_packs, n, columns, packs, 0, t.named, t.pack_names, seed)
