"""Scenarios: TOML files in the schema of `territory-model.md`, validated.

A scenario names the beings a world starts with (packs with their alpha,
members and allies; lone omegas; unnamed crowds), the model's parameters and
the run's defaults. Everything is checked before a run starts: an unknown key,
a value of the wrong type or out of range is refused with one message per
problem, each naming the file and the key::

    scenarios/x.toml: params.order_rate: must be between 0 and 1

>>> scenario = parse_scenario('name = "tiny"\\n[[crowds]]\\nkind = "human"\\ncount = 3\\n')
>>> scenario.params.order_rate, scenario.run.worlds, scenario.crowds[0].count
(0.1, 1000, 3)
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from packlaw.rules.events import NAME_PATTERN

BUNDLED = ("beacon-hills", "stiles-stays")
DEFAULT_SCENARIO = "beacon-hills"


class ScenarioError(ValueError):
    """A scenario that cannot be run; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ------------------------------------------------------------ value kinds


def _probability(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1")
    return value


def _positive(value: float) -> float:
    if not value > 0:
        raise ValueError("must be greater than 0")
    return value


def _not_negative(value: float) -> float:
    if not value >= 0:
        raise ValueError("must be 0 or more")
    return value


def _whole_not_negative(value: int) -> int:
    if value < 0:
        raise ValueError("must be a whole number 0 or more")
    return value


def _side(value: int) -> int:
    # Positions are kept as 16-bit integers.
    if not 3 <= value <= 32_767:
        raise ValueError("must be a whole number between 3 and 32767")
    return value


def _thousandths(value: float) -> float:
    # The rulebook keeps health in thousandths, and so does the simulator.
    if value <= 0:
        raise ValueError("must be greater than 0")
    if value > 1:
        raise ValueError("must be at most 1 (health runs from 0 to 1)")
    if Decimal(repr(value)).as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValueError("must have at most three decimals (health is kept in thousandths)")
    return value


def _defiance_limit(value: int) -> int:
    if not 0 <= value <= 32_767:
        raise ValueError("must be a whole number between 0 and 32767")
    return value


def _count(value: int) -> int:
    if not 0 <= value <= 100_000_000:
        raise ValueError("must be a whole number between 0 and 100000000")
    return value


def _name(value: str) -> str:
    if not NAME_PATTERN.match(value):
        raise ValueError("must be a name: an ASCII letter, then letters, digits, '_', '-' or \"'\"")
    return value


Probability = Annotated[float, AfterValidator(_probability)]
Positive = Annotated[float, AfterValidator(_positive)]
NotNegative = Annotated[float, AfterValidator(_not_negative)]
Whole = Annotated[int, AfterValidator(_whole_not_negative)]
Side = Annotated[int, AfterValidator(_side)]
HealthAmount = Annotated[float, AfterValidator(_thousandths)]
DefianceLimit = Annotated[int, AfterValidator(_defiance_limit)]
Count = Annotated[int, AfterValidator(_count)]
Name = Annotated[str, AfterValidator(_name)]
Kind = Literal["human", "werewolf"]


class _Strict(BaseModel):
    # strict: TOML already gives typed values; "0.5" in quotes is a mistake.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Params(_Strict):
    """Every parameter of the territory model, by its name there, with its default."""

    # space
    width: Side = 40
    height: Side = 40
    # default traits
    werewolf_strength: Positive = 1.0
    human_strength: Positive = 0.25
    default_research: Probability = 0.3
    default_autonomy: Probability = 0.1
    default_pride: Probability = 0.5
    ill_rate: Probability = 0.1
    # effective strength (R8)
    bonus: NotNegative = 1.0
    half: Positive = 4.0
    # tasks (R9)
    delta: NotNegative = 0.6
    alpha_s: NotNegative = 2.0
    xi: NotNegative = 1.0
    phi: NotNegative = 0.2
    theta_min: NotNegative = 1.0
    theta_max: NotNegative = 20.0
    # orders (R3, R5, R7)
    order_rate: Probability = 0.1
    resist_ill: Probability = 0.9
    defiance_limit: DefianceLimit = 3
    # movement
    cohesion: Whole = 2
    # attacks (R10)
    protect_radius: Whole = 2
    patrol_radius: Whole = 4
    wound: HealthAmount = 0.6
    repel_wound: HealthAmount = 0.3
    # research and hunts (R9)
    lead_threshold: NotNegative = 8.0
    # care and healing (R10, R14)
    heal_werewolf: HealthAmount = 0.25
    heal_human: HealthAmount = 0.02
    # bites (R1, R12)
    bite_rate: Probability = 0.005
    consent: Probability = 0.5
    bite_lethality: Probability = 0.1
    bitten_strength: Positive = 1.0
    submit_after_bite: Probability = 0.7
    # joining (R4, R13)
    join_rate: Probability = 0.02
    insincerity: Probability = 0.1
    return_rate: Probability = 0.001
    wounded_return_rate: Probability = 0.05
    # leaving (R6)
    leave_rate: Probability = 0.001
    # arrivals
    omega_arrival_rate: Probability = 0.01
    arrival_strength: Positive = 1.0

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> Params:
        if self.theta_min > self.theta_max:
            raise ValueError("theta_min: must be at most theta_max")
        return self


class RunDefaults(_Strict):
    """The command line's defaults for this scenario."""

    days: Count = 365
    worlds: Annotated[int, AfterValidator(_positive)] = 1000
    seed: Whole = 1


class Traits(_Strict):
    """Traits a scenario may give a being; the rest take the defaults."""

    strength: Positive | None = None
    research: Probability | None = None
    autonomy: Probability | None = None
    pride: Probability | None = None


class AlphaSpec(Traits):
    """A pack's alpha: always a werewolf; may carry its own ``ill_rate``."""

    name: Name
    ill_rate: Probability | None = None


class BeingSpec(Traits):
    """A named member or ally of a pack."""

    name: Name
    kind: Kind


class PackSpec(_Strict):
    """A pack: its alpha, members and allies."""

    name: Name
    alpha: AlphaSpec
    members: list[BeingSpec] = Field(default_factory=list)
    allies: list[BeingSpec] = Field(default_factory=list)


class OmegaSpec(Traits):
    """A named werewolf in no pack."""

    name: Name
    hostile: bool = False


class CrowdSpec(Traits):
    """``count`` unnamed beings of one kind (werewolves are omegas)."""

    kind: Kind
    count: Count
    hostile: bool = False

    @model_validator(mode="after")
    def _only_werewolves_are_hostile(self) -> CrowdSpec:
        if self.hostile and self.kind != "werewolf":
            raise ValueError("hostile: only a crowd of werewolves can be hostile")
        return self


class Scenario(_Strict):
    """A whole scenario file."""

    name: Name = "scenario"
    description: str = ""
    run: RunDefaults = Field(default_factory=RunDefaults)
    params: Params = Field(default_factory=Params)
    packs: list[PackSpec] = Field(default_factory=list)
    omegas: list[OmegaSpec] = Field(default_factory=list)
    crowds: list[CrowdSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_are_unique(self) -> Scenario:
        # Beings and packs share one set of names (rulebook).
        seen: set[str] = set()
        for name in self.named():
            if name in seen:
                raise ValueError(f"names: {name!r} is given twice (beings and packs share names)")
            seen.add(name)
        return self

    def named(self) -> list[str]:
        """Every name the scenario gives, packs included, in file order."""
        names: list[str] = []
        for pack in self.packs:
            names += [pack.name, pack.alpha.name]
            names += [being.name for being in pack.members + pack.allies]
        names += [omega.name for omega in self.omegas]
        return names

    @property
    def beings_per_world(self) -> int:
        """How many beings each world starts with."""
        named = sum(1 + len(p.members) + len(p.allies) for p in self.packs) + len(self.omegas)
        return named + sum(crowd.count for crowd in self.crowds)


# ---------------------------------------------------------------- loading


def _where(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


_TYPE_WORDS = {
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_parsing": "must be a whole number",
    "bool_type": "must be true or false",
    "string_type": "must be a text in quotes",
    "list_type": "must be a list",
    "model_type": "must be a table",
    "dict_type": "must be a table",
    "model_attributes_type": "must be a table",
    "literal_error": "must be one of",
    "missing": "is required",
    "extra_forbidden": "unknown key (not in the territory model's scenario schema)",
}


def _problem(error: Any) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    message = str(error["msg"])
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
        # Model-level checks name their own key first ("theta_min: ...").
        head, sep, rest = message.partition(": ")
        if sep and " " not in head:
            loc, message = (*loc, head), rest
    elif kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        message = f"must be one of {expected}"
    elif kind in _TYPE_WORDS:
        message = _TYPE_WORDS[kind]
    return f"{_where(loc) or '(top level)'}: {message}"


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """A scenario from TOML text; `ScenarioError` lists every problem, each naming ``source``."""
    text = text.removeprefix("\ufeff")  # a byte-order mark is accepted and ignored
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([f"{source}: not valid TOML: {error}"]) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        seen: list[str] = []
        for item in error.errors():
            line = f"{source}: {_problem(item)}"
            if line not in seen:
                seen.append(line)
        raise ScenarioError(seen) from None


def bundled_path(name: str) -> Path:
    """The file of a scenario shipped with packlaw (``beacon-hills``, ``stiles-stays``)."""
    return Path(str(resources.files("packlaw") / "scenarios" / f"{name}.toml"))


def load_scenario(where: str | Path | None = None) -> tuple[Scenario, str, str]:
    """Read and validate a scenario: ``(scenario, text, source)``.

    ``where`` is a file, the name of a bundled scenario, or ``None`` for the
    default (Beacon Hills).
    """
    if where is None:
        path = bundled_path(DEFAULT_SCENARIO)
    else:
        path = Path(where)
        if not path.exists() and str(where) in BUNDLED:
            path = bundled_path(str(where))
    source = str(where) if where is not None else f"{DEFAULT_SCENARIO} (bundled)"
    try:
        text = path.read_text(encoding="utf-8-sig")  # "-sig": a byte-order mark is dropped
    except FileNotFoundError:
        raise ScenarioError(
            [
                f"{source}: no such scenario file, nor a bundled scenario "
                f"(the bundled ones: {', '.join(BUNDLED)})"
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([f"{source}: cannot be read: {error}"]) from None
    scenario = parse_scenario(text, source)
    if "name" not in tomllib.loads(text):
        scenario = scenario.model_copy(update={"name": path.stem})
    return scenario, text, source
