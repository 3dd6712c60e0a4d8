"""The verb reference (docs/notation.md): its verb table is the notation's, its example checks."""

from __future__ import annotations

import re
from pathlib import Path

from packlaw.notation import check_chronicle, format_chronicle, parse_chronicle
from packlaw.notation.reference import BEGIN, END, verb_table, with_table
from packlaw.rules.events import VERBS, Arg

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "notation.md"


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_the_verb_table_on_the_page_is_the_one_the_verbs_describe() -> None:
    text = page()
    table = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    assert table == verb_table()
    assert with_table(text) == text  # regenerating changes nothing


def test_the_table_has_one_row_per_verb_each_read_back_by_the_notation() -> None:
    rows = [line for line in verb_table().splitlines()[2:]]
    assert len(rows) == len(VERBS)
    for row, verb in zip(rows, VERBS, strict=True):
        usage, _, _, refused, example = (cell.strip() for cell in row.strip("|").split(" | "))
        assert usage == f"`{verb.usage}`"
        (event,) = parse_chronicle(example.strip("`")).statements
        assert type(event) is verb.event  # the example is of this verb, and reads
        for argument in verb.arguments:
            assert argument.placeholder in usage
        assert refused == (", ".join(verb.rules) or "never")


def test_every_verb_can_refuse_for_r0_but_note() -> None:
    # the page says: every event naming a missing or dead being is refused under R0
    for verb in VERBS:
        names_someone = any(a.arg in (Arg.BEING, Arg.NEW, Arg.PACK) for a in verb.arguments)
        assert ("R0" in verb.rules) == names_someone, verb.word


def test_the_chronicle_written_from_the_page_reads_checks_clean_and_is_canonical() -> None:
    (text,) = re.findall(r"```chronicle\n(.*?)```", page(), flags=re.DOTALL)
    chronicle = parse_chronicle(text, filename="docs/notation.md")
    assert check_chronicle(chronicle) == []
    assert format_chronicle(chronicle) == text
    used = {type(s) for s in chronicle.statements}
    assert len(used & {verb.event for verb in VERBS}) >= 12  # it uses the verbs, not just a few


def test_every_expectation_form_on_the_page_reads() -> None:
    text = page()
    section = text[text.index("## Expectations") : text.index("## Checking")]
    examples = re.findall(r"\| `(expect [^`]*)` \|\n", section)
    assert len(examples) == 6
    for example in examples:
        assert len(parse_chronicle(example).statements) == 1
