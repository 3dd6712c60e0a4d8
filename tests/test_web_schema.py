"""Schemathesis against the app's own OpenAPI schema: no 5xx, and every answer as documented.

Every operation (the JSON API and the pages) is called with generated
parameters, valid and invalid, over a store holding the story, a run, a run
with a recorded world and a Sobol sweep (SQLite, then PostgreSQL, whose text columns refuse more than SQLite's),
with Schemathesis's checks: no server error, status codes, content types,
headers and bodies as documented, invalid input refused, auth not ignored.
Each operation is fuzzed twice: once as generated, and once with its path
aimed at the stored chronicle, run, recorded world and day, and sweep, so
that the other parameters (lines, beings, pages, metrics, days, bodies) reach
real data rather than a 404.
(The test walks the operations with each one's Hypothesis strategy:
Schemathesis's pytest fixture loader does not run under pytest 9.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from web_support import STORY_NAME, TOKEN, store_recorded_run, store_run, store_story, store_sweep

from packlaw.store import Store
from packlaw.web import create_app

EXAMPLES = 40  # generated cases an operation, each way


@pytest.fixture
def web_app(db_url: str) -> Iterator[tuple[FastAPI, dict[str, Any]]]:
    with Store(db_url) as store:
        store_story(store)
        store_run(store)
        run_id, _ = store_recorded_run(store, days=100, world=1)
        stored = {"name": STORY_NAME, "run_id": run_id, "world": 1, "day": 70}
        yield create_app(store, TOKEN), {**stored, "sweep": store_sweep(store, "sobol:8")}


def test_every_operation_answers_as_its_schema_says(
    web_app: tuple[FastAPI, dict[str, Any]],
) -> None:
    app, stored = web_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16  # the API and the pages are all in the schema

    def on_stored_things(case: schemathesis.Case) -> schemathesis.Case:
        for key in case.path_parameters or {}:
            case.path_parameters[key] = stored.get(key, case.path_parameters[key])
        return case

    for operation in operations:
        fuzz(operation.as_strategy())
        if "{" in operation.path:
            fuzz(operation.as_strategy().map(on_stored_things))


def fuzz(cases: Any) -> None:
    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {TOKEN}"},
            # Valid JSON may still be refused with 422 by the rulebook (an illegal
            # event, a line past the end): that refusal is the contract, not a fault.
            excluded_checks=[positive_data_acceptance],
        )

    check()
