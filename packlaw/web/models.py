"""The API's answers, as Pydantic models: each one is a schema in the OpenAPI document.

Every JSON answer the app gives, errors included, is one of these, so the
schema that Schemathesis checks the app against is the whole truth.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from packlaw.rules import PackSummary, RuleId
from packlaw.store.schema import INTEGER_MAX

TEXT = r"^[^\x00]*$"
"""A name or text sent in a request: anything but NUL, which no database text may hold."""

# ------------------------------------------------------------------ errors


class Problem(BaseModel):
    """What went wrong, in one sentence, and where when it is known."""

    detail: str = Field(description="One sentence a person can act on.")
    field: str | None = Field(
        default=None, description="The parameter at fault, e.g. `query.line`."
    )
    rules: list[RuleId] = Field(default_factory=list, description="The broken rules' ids (R0–R15).")
    line: int | None = Field(
        default=None, description="The line at fault, 1-based, in what was sent."
    )
    column: int | None = Field(default=None, description="The column at fault, 1-based.")


class Health(BaseModel):
    status: Literal["ok"]
    version: str


# -------------------------------------------------------------- chronicles


class ChronicleSummary(BaseModel):
    name: str
    title: str | None
    statements: int
    last_day: int
    created_at: dt.datetime


class Refusal(BaseModel):
    rule: RuleId
    message: str


class ChronicleLine(BaseModel):
    """One statement of a stored chronicle, on its line of the canonical text."""

    line: int
    day: int
    kind: Literal["event", "directive", "expectation"]
    text: str = Field(description="The statement in canonical notation.")
    refused: list[Refusal] = Field(
        default_factory=list,
        description="Why the rulebook refused this event (announced by an `expect Rn`); empty if applied.",
    )


class Comment(BaseModel):
    line: int
    text: str


class ChronicleDetail(ChronicleSummary):
    """A chronicle's statements, a page of them at a time (`after` and `limit`)."""

    last_line: int
    beings: list[str] = Field(description="Every being the chronicle introduces, in order.")
    viewed_as: str | None = Field(
        description="With `as`, the pack business that being did not see is left out (R11)."
    )
    events: list[ChronicleLine]
    comments: list[Comment]
    next_after: int | None = Field(description="The `after` of the next page, or null at the end.")


class BeingView(BaseModel):
    name: str
    standing: Literal["alpha", "member", "ally", "omega", "unaffiliated", "dead"]
    pack: str | None
    health: float = Field(description="0 (dead) to 1 (whole).")
    strength: float = Field(description="Effective strength (R8).")


class Business(BaseModel):
    """A `share`: business told to a pack, which only its alpha and members see (R11)."""

    line: int
    day: int
    pack: str
    text: str


class WorldView(BaseModel):
    """The world after a line of a chronicle, as everyone or as one being may see it."""

    chronicle: str
    line: int
    last_line: int
    day: int
    viewed_as: str | None
    packs: list[PackSummary] = Field(description="The rulebook's own summary of each pack.")
    beings: list[BeingView]
    omegas: list[str]
    unaffiliated: list[str]
    dead: list[str]
    pack_business: list[Business] = Field(
        description="The `share`s up to the line: all of them, or with `as` those that being saw."
    )


class Lines(BaseModel):
    """Notation lines to append to a chronicle, checked by the rulebook, all or nothing."""

    lines: list[str] = Field(min_length=1, max_length=10_000)
    expected_last_sequence: int | None = Field(
        default=None,
        ge=0,
        le=INTEGER_MAX,
        description="The last sequence you read; if another append landed since, 409 and nothing is written.",
    )


class Appended(BaseModel):
    chronicle: str
    appended: int
    last_sequence: int


# -------------------------------------------------------------------- runs


class RunSummary(BaseModel):
    id: int
    scenario: str
    seed: int
    worlds: int
    days: int
    status: Literal["running", "done", "failed", "interrupted"]
    started_at: dt.datetime
    finished_at: dt.datetime | None


class Figure(BaseModel):
    """A figure over a run's worlds."""

    mean: float | None = None
    sd: float | None = None
    p5: float | None = None
    p50: float | None = None
    p95: float | None = None


class BeingOutcome(BaseModel):
    """What became of a named being, over the run's worlds (from the run's summary)."""

    name: str
    alive: Figure
    wounded: Figure
    wounded_alone: Figure
    days: dict[str, Figure] = Field(description="Days spent in each standing.")


class RecordedWorld(BaseModel):
    """A world a run recorded day by day: its film and its chronicle."""

    run: int
    world: int
    days: int
    beings: int = Field(description="Beings the film holds (every being the world ever had).")
    film_bytes: int
    chronicle: str | None = Field(description="The recorded chronicle's name, `run-N-world-K`.")


class RunDetail(RunSummary):
    scenario_text: str
    metrics: list[str] = Field(description="The daily metrics stored for the run.")
    beings: list[BeingOutcome]
    recorded: list[RecordedWorld] = Field(description="The worlds the run recorded day by day.")
    summary: dict[str, Any] | None


class DailyRow(BaseModel):
    day: int
    mean: float | None
    sd: float | None
    p5: float | None
    p50: float | None
    p95: float | None


class DailyPage(BaseModel):
    """One metric of a run, day by day: a page of days at a time (`after` and `limit`)."""

    run: int
    metric: str
    rows: list[DailyRow]
    next_after: int | None = Field(description="The `after` of the next page, or null at the end.")


# ---------------------------------------------------------- recorded worlds


class FilmBeings(BaseModel):
    """The beings of a recorded world on one day, as columns: entry i of each is being i.

    (Columns, not one object a being: a world of 10,000 beings is answered
    in a few milliseconds, and compresses well.)
    """

    name: list[str]
    x: list[int] = Field(description="Each being's cell, column.")
    y: list[int] = Field(description="Each being's cell, row.")
    standing: list[str] = Field(description="alpha, member, ally, omega or unaffiliated.")
    pack: list[str | None]
    health: list[float] = Field(description="0 (dead) to 1 (whole).")
    alive: list[bool]
    hostile: list[bool]


class FilmPack(BaseModel):
    """A pack of a recorded world on one day: its living alpha and beings by standing."""

    name: str
    alpha: str | None
    standings: dict[str, int] = Field(description="Its living beings, by standing.")


class WorldDay(BaseModel):
    """A recorded world on one day, from the one chunk of its film that holds the day."""

    run: int
    world: int
    day: int
    days: int
    width: int
    height: int
    chronicle: str | None
    line: int | None = Field(
        description="The recorded chronicle's last line on or before this day (0: none yet); "
        "`/api/chronicles/{chronicle}/world?line=` gives its packs."
    )
    counts: dict[str, int] = Field(
        description="The living by standing, the hostile among them, and all the living."
    )
    packs: list[FilmPack]
    beings: FilmBeings = Field(description="Every being the world has had by this day.")


class FilmColumn(BaseModel):
    """One column of a film, ``days x beings`` in day-major order, little-endian, base64."""

    dtype: Literal["int8", "uint8", "int16"]
    data: str


class WorldFrames(BaseModel):
    """Days of a recorded world as typed columns, for the territory view to scrub.

    A page is read from the film's chunks that hold its days, no others;
    ``next_first`` is the first day of the next page, or null at the end.
    """

    run: int
    world: int
    first_day: int
    days: int
    beings: int = Field(description="Beings in each day's row (those known by the last day).")
    columns: dict[str, FilmColumn] = Field(
        description="x, y, standing (index into `standings`), pack (index into `pack_names`, "
        "-1 for none), health (thousandths), alive (0 or 1)."
    )
    lines: list[int] = Field(description="Each day's recorded chronicle line (0: none yet).")
    next_first: int | None


class WorldFilm(RecordedWorld):
    """What the territory view needs once: the world's layout and its beings."""

    width: int
    height: int
    page_days: int = Field(description="Days in a page of `/frames` that reads one chunk.")
    standings: list[str]
    names: list[str] = Field(description="The beings, in film order.")
    hostile: list[bool]
    born: list[int] = Field(description="The first day each being is in the film.")
    pack_names: list[str]


# -------------------------------------------------------------------- sweeps


class SweepSummary(BaseModel):
    name: str = Field(description="`s` and the sweep's number.")
    scenario: str
    worlds: int
    days: int
    seed: int
    sample: str = Field(description="grid, lhs:N or sobol:N.")
    vary: dict[str, str] = Field(description="Each varied parameter and its spec.")
    points: dict[str, int] = Field(description="Points in each status.")
    created_at: dt.datetime
    updated_at: dt.datetime


class SweepPoint(BaseModel):
    position: int
    values: dict[str, float]
    seed: int
    status: Literal["pending", "running", "done", "failed"]
    run_id: int | None
    outputs: dict[str, Any] | None = Field(
        description="Each output's mean over the point's worlds, with its 5–95% band."
    )
    error: str | None = Field(description="The last line of a failed point's error.")


class ProfileGroup(BaseModel):
    """The done points where a parameter is at one value (a grid) or in one bin (sampled)."""

    value: float
    points: int
    mean: float | None
    low: float | None
    high: float | None


class Profile(BaseModel):
    """One output against one varied parameter: means over worlds with their 5–95% band."""

    parameter: str
    output: str
    binned: bool = Field(description="True when the values are bin centres of a sampled range.")
    groups: list[ProfileGroup]


class SobolIndex(BaseModel):
    output: str
    parameter: str
    S1: float | None
    S1_conf: float | None
    ST: float | None
    ST_conf: float | None


class SweepDetail(SweepSummary):
    """A sweep's points (a page at a time: `after` and `limit`) and what they say together."""

    outputs: list[str]
    profiles: list[Profile] = Field(description="Each output against each varied parameter.")
    sobol: list[SobolIndex] = Field(
        description="First-order and total indices, once a Sobol design is done; else empty."
    )
    sobol_waiting: str | None = Field(description="Why there are no indices yet, if that is so.")
    point_list: list[SweepPoint]
    next_after: int | None = Field(description="The `after` of the next page, or null at the end.")
