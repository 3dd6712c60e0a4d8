"""The examples in the docs and docstrings run as tests."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DOCUMENTS = sorted(p.relative_to(ROOT) for p in (ROOT / "packlaw").rglob("README.md"))
DOCUMENTS = [Path("README.md"), *PACKAGE_DOCUMENTS]
MODULES = ["packlaw.rules.events", "packlaw.rules.world", "packlaw.rules.catalogue"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=str)
def test_the_examples_in_each_readme_run(document: Path) -> None:
    failures, _ = doctest.testfile(str(ROOT / document), module_relative=False)
    assert failures == 0


@pytest.mark.parametrize("module", MODULES)
def test_the_examples_in_each_docstring_run(module: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
