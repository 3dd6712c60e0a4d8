"""The examples in the docs and docstrings run as tests.

- Every ``>>>`` example in the READMEs and in every module's docstrings
  runs with doctest; a document or module that shows examples must have
  them found and run (a runner that finds none passes nothing).
- Every ``console`` block of the READMEs runs too, the way the
  eventsourcing library runs its README: each ``$ command`` is run by bash,
  in order, in one folder per document (with the project's ``chronicles``
  and ``scenarios`` in it), and what it prints, stdout and stderr as a
  terminal shows them, must be what the block shows after it. ``...`` in
  the shown output stands for any text (timings, elided rows), as in
  doctest.
"""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import packlaw

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DOCUMENTS = sorted(p.relative_to(ROOT) for p in (ROOT / "packlaw").rglob("README.md"))
DOCUMENTS = [Path("README.md"), *PACKAGE_DOCUMENTS]
MODULES = sorted(
    module.name for module in pkgutil.walk_packages(packlaw.__path__, prefix="packlaw.")
)

# Files the READMEs' console blocks use without making them, by document.
FILES = {
    Path("README.md"): {
        "hale.chronicle": (
            "day 1\nbeing Derek werewolf\nbeing Stiles human\nascend Derek Hale\n"
            "welcome Derek Stiles\n"
        ),
        "more.chronicle": (
            "day 96\nbeing Jackson human\nbeing Lydia human\nbeing Danny human\n"
            'note "new faces at school"\n'
        ),
        "bad.chronicle": "day 97\nleave Chris_Argent\n",
    },
}


def _has_examples(text: str) -> bool:
    return re.search(r"^\s*>>> ", text, re.MULTILINE) is not None


@pytest.mark.parametrize(
    "document",
    [d for d in DOCUMENTS if _has_examples((ROOT / d).read_text(encoding="utf-8"))],
    ids=str,
)
def test_the_examples_in_each_readme_run(document: Path) -> None:
    failures, tried = doctest.testfile(str(ROOT / document), module_relative=False)
    assert tried > 0, f"{document} shows examples, and none were found"
    assert failures == 0, f"{failures} of {tried} examples in {document} failed (see above)"


@pytest.mark.parametrize("module", MODULES)
def test_the_examples_in_each_docstring_run(module: str) -> None:
    imported = importlib.import_module(module)
    failures, tried = doctest.testmod(imported)
    assert failures == 0, f"{failures} of {tried} examples in {module} failed (see above)"
    source = Path(imported.__file__ or "").read_text(encoding="utf-8")
    assert tried > 0 or not _has_examples(source), f"{module} shows examples, none were run"


# ---------------------------------------------------------- console blocks


@dataclass(frozen=True)
class Step:
    """One ``$ command`` of a console block, where it is, and what it shows."""

    line: int
    command: str
    shown: str


def console_steps(text: str) -> list[list[Step]]:
    """The console blocks of a Markdown text, each as its steps."""
    blocks: list[list[Step]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() != "```console":
            index += 1
            continue
        steps: list[Step] = []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            if lines[index].startswith("$ "):
                steps.append(Step(index + 1, lines[index][2:], ""))
            elif steps:
                last = steps[-1]
                steps[-1] = Step(last.line, last.command, last.shown + lines[index] + "\n")
            index += 1
        blocks.append(steps)
    return blocks


CONSOLE_DOCUMENTS = [d for d in DOCUMENTS if console_steps((ROOT / d).read_text(encoding="utf-8"))]
_MARK = "@@packlaw-step-done@@"


def _run_steps(steps: list[Step], folder: Path) -> list[str]:
    """Run the steps in one bash, in ``folder``; what each printed (stdout and stderr)."""
    script = ["exec 2>&1"]
    for step in steps:
        # Keep the command's exit status for the next step (`echo $?`).
        script += [step.command, f"__status=$?; printf '\\n{_MARK}\\n'; (exit $__status)"]
    environment = {
        key: value for key, value in os.environ.items() if key not in ("PACKLAW_DB", "FORCE_COLOR")
    }
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment["COLUMNS"] = "100"
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    outputs = done.stdout.split(f"\n{_MARK}\n")
    return outputs[: len(steps)]


@pytest.mark.slow
@pytest.mark.parametrize("document", CONSOLE_DOCUMENTS, ids=str)
def test_the_console_blocks_in_each_readme_run(document: Path, tmp_path: Path) -> None:
    for name in ("chronicles", "scenarios"):
        (tmp_path / name).symlink_to(ROOT / name)
    for name, content in FILES.get(document, {}).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    checker = doctest.OutputChecker()
    wrong: list[str] = []
    for steps in console_steps((ROOT / document).read_text(encoding="utf-8")):
        for step, got in zip(steps, _run_steps(steps, tmp_path), strict=True):
            if not checker.check_output(step.shown, got, doctest.ELLIPSIS):
                wrong.append(
                    f"{document}:{step.line}: $ {step.command}\n"
                    f"--- shown\n{step.shown}--- printed\n{got}"
                )
    assert not wrong, "\n".join(wrong)
