"""The examples in the store's docstrings run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["packlaw.store", "packlaw.store.engine", "packlaw.store.replay", "packlaw.store.store"]


@pytest.mark.parametrize("module", MODULES)
def test_the_examples_in_the_store_docstrings_run(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert failures == 0 and tried > 0
