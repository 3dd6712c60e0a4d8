"""An experiment: a scenario, what to vary and how, checked before any point runs.

What to vary is a model parameter (``wound``) or a named being's trait
(``Stiles.autonomy``), each with a SPEC: a list (``0,0.25,1``), a range
with a step for a grid (``0:1:0.1``, both ends included), or a range to
sample (``0:1``). The same fields come from the command line or from a TOML
experiment file::

    scenario = "beacon-hills"     # a file (next to this one) or a bundled name
    sample = "sobol:64"           # grid | lhs:N | sobol:N
    worlds = 200
    days = 365
    seed = 1
    [vary]
    "Stiles.autonomy" = "0:1"
    wound = "0.3:0.9"

Every value is checked against the scenario schema's own rules for its
field (a probability between 0 and 1, health in thousandths, a whole
number), so a bad range is refused by name before anything runs.

>>> from packlaw.sim import parse_scenario
>>> scenario = parse_scenario('[[omegas]]\\nname = "Scott"\\n')
>>> factor = resolve_factor("Scott.autonomy", "0:1:0.5", scenario, "--vary")
>>> factor.values
(0.0, 0.5, 1.0)
>>> resolve_factor("Scott.autonomy", "0:2", scenario, "--vary")
Traceback (most recent call last):
...
packlaw.sweep.experiment.ExperimentError: --vary Scott.autonomy=0:2: 2 must be between 0 and 1
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from packlaw.sim.scenario import (
    AlphaSpec,
    BeingSpec,
    HealthAmount,
    Params,
    Scenario,
    ScenarioError,
    _problem,
    load_scenario,
)

_NOT_TRAITS = ("name", "kind", "hostile")


class ExperimentError(ValueError):
    """An experiment that cannot run; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Factor:
    """One varied quantity: where it lives in the scenario and the values it takes.

    ``path`` is ``("params", NAME)`` or ``(BEING, TRAIT)``. A grid factor
    has ``values``; a sampled one has ``low`` and ``high``.
    """

    name: str
    path: tuple[str, str]
    spec: str
    values: tuple[float, ...] | None
    low: float
    high: float
    whole: bool
    thousandths: bool

    def snap(self, value: float) -> float:
        """A sampled value as the field keeps it: whole numbers, health in thousandths."""
        if self.whole:
            return round(value)
        if self.thousandths:
            return round(value, 3)
        return float(value)


class ExperimentFile(BaseModel):
    """An experiment file's fields (TOML), validated like a scenario."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    scenario: str
    vary: dict[str, str | float | int | list[float | int]] = Field(min_length=1)
    sample: str = "grid"
    worlds: Annotated[int, Field(ge=1)] | None = None
    days: Annotated[int, Field(ge=1)] | None = None
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None


@dataclass(frozen=True)
class Experiment:
    """A checked experiment: its scenario, factors, design and run settings."""

    scenario: Scenario
    scenario_text: str
    source: str
    factors: tuple[Factor, ...]
    sample: str
    worlds: int
    days: int
    seed: int

    @property
    def names(self) -> list[str]:
        """The varied names, in the order given."""
        return [factor.name for factor in self.factors]

    def document(self) -> dict[str, Any]:
        """What the ledger keeps to rebuild the design: the factors and the sample."""
        return {
            "source": self.source,
            "sample": self.sample,
            "factors": [
                {
                    "name": f.name,
                    "spec": f.spec,
                    "values": None if f.values is None else list(f.values),
                    "low": f.low,
                    "high": f.high,
                    "whole": f.whole,
                    "thousandths": f.thousandths,
                    "path": list(f.path),
                }
                for f in self.factors
            ],
        }


def factors_from_document(document: dict[str, Any]) -> tuple[Factor, ...]:
    """The factors an `Experiment.document` kept, as they were."""
    return tuple(
        Factor(
            name=f["name"],
            path=(f["path"][0], f["path"][1]),
            spec=f["spec"],
            values=None if f["values"] is None else tuple(f["values"]),
            low=f["low"],
            high=f["high"],
            whole=f["whole"],
            thousandths=f["thousandths"],
        )
        for f in document["factors"]
    )


MAX_POINTS = 1_000_000
"""The most points one sweep's ledger holds (each point is a ledger row and a stored run)."""


# ----------------------------------------------------------------- specs


def _numbers(text: str, where: str) -> list[float]:
    out = []
    for part in text.split(","):
        try:
            if not part.isascii():  # float() would take other scripts' digits
                raise ValueError
            out.append(float(part.strip()))
        except ValueError:
            raise ExperimentError(
                [
                    f"{where}: {part.strip()!r} is not a number (give a list like 0,0.5,1 "
                    "or a range like 0:1:0.1)"
                ]
            ) from None
    return _finite(out, where)


def _finite(values: list[float], where: str) -> list[float]:
    for value in values:
        if not math.isfinite(value):
            raise ExperimentError([f"{where}: {value} is not a finite number"])
    return values


def parse_spec(
    spec: str | float | list[float], where: str
) -> tuple[list[float] | None, float, float]:
    """``(values or None, low, high)`` of a SPEC; an empty or reversed range is refused.

    >>> parse_spec("0:1:0.25", "x")
    ([0.0, 0.25, 0.5, 0.75, 1.0], 0.0, 1.0)
    >>> parse_spec("0:1", "x")
    (None, 0.0, 1.0)
    """
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        values = _finite([float(spec)], where)
        return values, values[0], values[0]
    if isinstance(spec, list):
        if not spec:
            raise ExperimentError([f"{where}: the list of values is empty"])
        values = _finite([float(v) for v in spec], where)
        return values, min(values), max(values)
    text = str(spec).strip()
    if not text:
        raise ExperimentError([f"{where}: no values given"])
    if ":" not in text:
        values = _numbers(text, where)
        return values, min(values), max(values)
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ExperimentError([f"{where}: a range is low:high or low:high:step"])
    numbers = _numbers(",".join(parts), where)
    low, high = numbers[0], numbers[1]
    if high < low:
        raise ExperimentError([f"{where}: the range is reversed ({_n(low)} is above {_n(high)})"])
    if len(numbers) == 2:
        if high == low:
            raise ExperimentError([f"{where}: the range is empty ({_n(low)} to {_n(high)})"])
        return None, low, high
    step = numbers[2]
    if step <= 0:
        raise ExperimentError([f"{where}: the step must be greater than 0"])
    steps = (high - low) / step  # inf when the span itself is past what a float holds
    if not steps < MAX_POINTS:
        raise ExperimentError(
            [
                f"{where}: the range has more values than a sweep's ledger holds "
                f"({MAX_POINTS:,}); take a larger step"
            ]
        )
    count = int(steps + 1e-9) + 1
    values = [round(low + k * step, 12) for k in range(count)]
    return values, low, high


def _n(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------- factors


def _being_spec(scenario: Scenario, name: str) -> BaseModel | None:
    for pack in scenario.packs:
        beings: list[AlphaSpec | BeingSpec] = [pack.alpha, *pack.members, *pack.allies]
        for being in beings:
            if being.name == name:
                return being
    for omega in scenario.omegas:
        if omega.name == name:
            return omega
    return None


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _field(name: str, scenario: Scenario, where: str) -> tuple[tuple[str, str], FieldInfo]:
    """Where NAME lives in the scenario, and the schema field that checks its values."""
    if "." not in name:
        fields = Params.model_fields
        if name not in fields:
            raise ExperimentError(
                [
                    f"{where}: {name} is not a parameter of the territory model{_suggest(name, list(fields))}"
                ]
            )
        return ("params", name), fields[name]
    being, _, trait = name.partition(".")
    spec = _being_spec(scenario, being)
    if spec is None:
        named = [n for n in scenario.named() if _being_spec(scenario, n) is not None]
        raise ExperimentError(
            [f"{where}: no being named {being} in scenario {scenario.name}{_suggest(being, named)}"]
        )
    traits = [f for f in type(spec).model_fields if f not in _NOT_TRAITS]
    if trait not in traits:
        raise ExperimentError(
            [f"{where}: {trait} is not a trait of {being} (its traits: {', '.join(traits)})"]
        )
    return (being, trait), type(spec).model_fields[trait]


def _whole(field: FieldInfo) -> bool:
    return field.annotation is int


def _thousandths(field: FieldInfo) -> bool:
    health_checks = getattr(HealthAmount, "__metadata__", ())
    return any(m in field.metadata for m in health_checks)


def resolve_factor(
    name: str, spec: str | float | list[float], scenario: Scenario, where: str
) -> Factor:
    """A checked factor: NAME found in ``scenario``, every given value (or both ends) legal."""
    shown = f"{where} {name}={spec}" if where == "--vary" else f"{where}.{name}"
    path, field = _field(name, scenario, shown)
    values, low, high = parse_spec(spec, shown)
    whole, thousandths = _whole(field), _thousandths(field)
    kind: Any = field.annotation
    if field.metadata:
        kind = Annotated[(kind, *field.metadata)]  # the field's own checks, as the schema runs them
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    for value in values if values is not None else [low, high]:
        typed: float = value
        if whole:
            if value != int(value):
                raise ExperimentError([f"{shown}: {_n(value)} must be a whole number"])
            typed = int(value)
        try:
            adapter.validate_python(typed, strict=True)
        except ValidationError as error:
            reason = _problem(error.errors()[0]).partition(": ")[2]
            raise ExperimentError([f"{shown}: {_n(value)} {reason}"]) from None
    return Factor(
        name=name,
        path=path,
        spec=str(spec),
        values=None if values is None else tuple(int(v) if whole else v for v in values),
        low=low,
        high=high,
        whole=whole,
        thousandths=thousandths,
    )


def apply_values(
    scenario: dict[str, Any], factors: list[tuple[str, str]], values: list[float]
) -> Scenario:
    """The scenario (as ``model_dump()`` gives it) with each factor set to its value, checked."""
    data: dict[str, Any] = {
        **scenario,
        "params": dict(scenario["params"]),
        "packs": [
            {
                **pack,
                "alpha": dict(pack["alpha"]),
                "members": [dict(b) for b in pack["members"]],
                "allies": [dict(b) for b in pack["allies"]],
            }
            for pack in scenario["packs"]
        ],
        "omegas": [dict(o) for o in scenario["omegas"]],
    }
    beings = {
        b["name"]: b for p in data["packs"] for b in (p["alpha"], *p["members"], *p["allies"])
    }
    beings.update({o["name"]: o for o in data["omegas"]})
    for (where, key), value in zip(factors, values, strict=True):
        (data["params"] if where == "params" else beings[where])[key] = value
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problems = [_problem(item) for item in error.errors()]
        raise ScenarioError(problems) from None


# ------------------------------------------------------------ experiments


def sample_kind(sample: str, where: str) -> tuple[str, int]:
    """``("grid", 0)``, ``("lhs", N)`` or ``("sobol", N)`` from a --sample value."""
    kind, _, size = sample.strip().partition(":")
    if kind == "grid" and not size:
        return "grid", 0
    if kind in ("lhs", "sobol"):
        try:
            n = int(size)
        except ValueError:
            n = 0
        if n >= 1:
            return kind, n
        raise ExperimentError([f"{where}: {kind} needs a sample size, like {kind}:64"])
    raise ExperimentError([f"{where}: {sample!r} is not a sample; use grid, lhs:N or sobol:N"])


def build_experiment(
    scenario_where: str | Path,
    vary: dict[str, str | float | list[float]],
    sample: str = "grid",
    worlds: int | None = None,
    days: int | None = None,
    seed: int | None = None,
    where: str = "--vary",
    sample_where: str = "--sample",
) -> Experiment:
    """Check an experiment: the scenario loads, every factor is known and legal, the sample is."""
    try:
        scenario, text, source = load_scenario(scenario_where)
    except ScenarioError as error:
        raise ExperimentError(error.problems) from None
    if not vary:
        raise ExperimentError([f"{where}: nothing to vary; give --vary NAME=SPEC"])
    factors = tuple(resolve_factor(name, spec, scenario, where) for name, spec in vary.items())
    kind, _ = sample_kind(sample, sample_where)
    for factor in factors:
        shown = (
            f"{where} {factor.name}={factor.spec}"
            if where == "--vary"
            else f"{where}.{factor.name}"
        )
        if kind == "grid" and factor.values is None:
            raise ExperimentError(
                [f"{shown}: a grid needs a list or a range with a step (low:high:step)"]
            )
        if kind != "grid" and factor.values is not None and factor.spec.count(":") != 2:
            raise ExperimentError([f"{shown}: {kind} samples a range low:high, not a list"])
        if kind != "grid" and factor.low == factor.high:
            raise ExperimentError([f"{shown}: the range is empty"])
    return Experiment(
        scenario=scenario,
        scenario_text=text,
        source=source,
        factors=factors,
        sample=sample.strip(),
        worlds=scenario.run.worlds if worlds is None else worlds,
        days=scenario.run.days if days is None else days,
        seed=scenario.run.seed if seed is None else seed,
    )


def is_experiment_file(path: str) -> bool:
    """Whether ``path`` is a TOML file with a ``[vary]`` table (else it is a scenario)."""
    file = Path(path)
    if file.suffix != ".toml" or not file.is_file():
        return False
    try:
        return "vary" in tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def read_experiment_file(path: str | Path) -> ExperimentFile:
    """An experiment file, validated; each problem names the file and the key."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ExperimentError([f"{file}: cannot be read: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ExperimentError([f"{file}: not valid TOML: {error}"]) from None
    try:
        experiment = ExperimentFile.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            line = f"{file}: {_problem(item)}"
            line = line.replace(
                "not in the territory model's scenario schema", "not an experiment field"
            )
            if line not in problems:
                problems.append(line)
        raise ExperimentError(problems) from None
    beside = file.parent / experiment.scenario
    if beside.is_file():
        experiment = experiment.model_copy(update={"scenario": str(beside)})
    return experiment
