"""The API's answers, as Pydantic models: each one is a schema in the OpenAPI document.

Every JSON answer the app gives, errors included, is one of these, so the
schema that Schemathesis checks the app against is the whole truth.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from packlaw.rules import PackSummary

TEXT = r"^[^\x00]*$"
"""A name or text sent in a request: anything but NUL, which no database text may hold."""

# ------------------------------------------------------------------ errors


class Problem(BaseModel):
    """What went wrong, in one sentence, and where when it is known."""

    detail: str = Field(description="One sentence a person can act on.")
    field: str | None = Field(
        default=None, description="The parameter at fault, e.g. `query.line`."
    )
    rules: list[str] = Field(default_factory=list, description="The broken rules' ids (R0–R15).")
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
    rule: str
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
        le=2**31 - 1,
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


class RunDetail(RunSummary):
    scenario_text: str
    metrics: list[str] = Field(description="The daily metrics stored for the run.")
    beings: list[BeingOutcome]
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
