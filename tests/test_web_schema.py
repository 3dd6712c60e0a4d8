"""Schemathesis against the app's own OpenAPI schema: no 5xx, and every answer as documented.

Every operation (the JSON API and the pages) is called with generated
parameters, valid and invalid, over a store holding the story and a run,
with Schemathesis's checks: no server error, status codes, content types,
headers and bodies as documented, invalid input refused, auth not ignored.
(One test walks the operations with each one's Hypothesis strategy:
Schemathesis's pytest fixture loader does not run under pytest 9.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from web_support import TOKEN, store_run, store_story

from packlaw.store import Store
from packlaw.web import create_app

EXAMPLES = 40  # generated cases an operation


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder: Path = tmp_path_factory.mktemp("schema")
    with Store(f"sqlite:///{folder / 'packlaw.db'}") as store:
        store_story(store)
        store_run(store)
        yield create_app(store, TOKEN)


def test_every_operation_answers_as_its_schema_says(web_app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9  # the API and the pages are all in the schema
    for operation in operations:

        @given(case=operation.as_strategy())
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
