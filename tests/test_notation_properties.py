"""Property tests of the notation: fuzzed text, random chronicles, fast reader against grammar."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import any_event

from packlaw.notation import ChronicleSyntaxError, format_chronicle, parse_chronicle
from packlaw.notation.fastpath import scan
from packlaw.notation.grammar import LineError, parse_document, parse_line
from packlaw.rules.events import (
    Day,
    ExpectEstablished,
    ExpectHealth,
    ExpectRefusal,
    ExpectStanding,
    Set,
    Setting,
    Standing,
    Statement,
    Title,
)

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_'\-]{0,6}", fullmatch=True)
texts = st.text(st.characters(blacklist_characters="\r\n", codec="utf-8"), max_size=12)
amounts = st.integers(min_value=0, max_value=10**7)
optional_amounts = st.none() | amounts
standings_with_pack = st.sampled_from([Standing.ALPHA, Standing.MEMBER, Standing.ALLY])

events = any_event(names, texts, optional_amounts)
settings_values = st.one_of(
    st.builds(Set, st.just(Setting.DEFIANCE_LIMIT), st.integers(1, 1000).map(lambda n: n * 1000)),
    st.builds(
        Set, st.sampled_from([Setting.HEAL_HUMAN, Setting.HEAL_WEREWOLF]), st.integers(1, 1000)
    ),
)
expectations = st.one_of(
    st.builds(ExpectRefusal, st.integers(0, 15).map(lambda n: f"R{n}")),
    st.builds(ExpectStanding, names, standings_with_pack, st.none() | names),
    st.builds(
        ExpectStanding,
        names,
        st.sampled_from([Standing.OMEGA, Standing.UNAFFILIATED, Standing.DEAD]),
    ),
    st.builds(ExpectEstablished, names, st.booleans()),
    st.builds(ExpectHealth, names, st.integers(0, 1000)),
)
line_statements = st.one_of(
    events, settings_values, expectations, st.builds(Day, st.integers(0, 10**6))
)


@st.composite
def chronicles(draw: st.DrawFn) -> list[Statement]:
    """A statement list the notation can hold: days never go back, a title first if any."""
    statements: list[Statement] = []
    if draw(st.booleans()):
        statements.append(Title(draw(texts)))
    day = 0
    for statement in draw(st.lists(st.one_of(events, settings_values, expectations), max_size=25)):
        if draw(st.integers(0, 5)) == 0:
            day += draw(st.integers(0, 3))
            statements.append(Day(day))
        statements.append(statement)
    return statements


# Text built from the notation's own pieces finds far more interesting mistakes
# than uniformly random characters do.
pieces = st.sampled_from(
    [
        "being", "ascend", "submit", "welcome", "order", "defy", "attack", "heal", "check-in",
        "share", "note", "title", "set", "day", "expect", "human", "werewolf", "born", "ill",
        "insincere", "coerced", "defiance-limit", "heal-human", "established", "alone",
        "member", "dead", "R3", "R16", "Derek", "Stiles", "O'Brien", "0", "1", "0.5", "1.2345",
        "007", "-1", '"', '\\"', "\\\\", "\\", "#", " ", "  ", "\t", "\n", "\r\n", "\r", "é",
        "\x00", "\ufeff", "\udcff", ".", "'", "-", "_", "BEING", "Day", "x" * 20, "9" * 30,
    ]
)  # fmt: skip
notation_like = st.lists(pieces, max_size=30).map("".join)
any_text = st.one_of(notation_like, st.text(max_size=80))


@given(any_text)
@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_statements_or_a_syntax_error_with_a_position(text: str) -> None:
    try:
        chronicle = parse_chronicle(text, filename="fuzz.chronicle")
    except ChronicleSyntaxError as error:
        lines = text.removeprefix("\ufeff").split("\n")
        assert error.errors and error.errors[0] is not None
        for each in error.errors:
            assert 1 <= each.line <= len(lines)
            assert 1 <= each.column <= len(lines[each.line - 1]) + 1
            assert each.message and "\n" not in each.message
            assert str(each).startswith(f"fuzz.chronicle:{each.line}:{each.column}: error: ")
        return
    again = parse_chronicle(format_chronicle(chronicle))
    assert again.statements == chronicle.statements


@given(chronicles())
@settings(max_examples=400)
def test_random_chronicles_written_canonically_read_back_the_same(
    statements: list[Statement],
) -> None:
    assert all(statements)  # the reader relies on statement values being true
    text = format_chronicle(statements)
    chronicle = parse_chronicle(text)
    assert list(chronicle.statements) == statements
    assert format_chronicle(chronicle) == text


@given(chronicles())
@settings(max_examples=200)
def test_the_grammar_alone_reads_a_whole_canonical_page_the_same(
    statements: list[Statement],
) -> None:
    assert parse_document(format_chronicle(statements)) == statements


@given(line_statements)
@settings(max_examples=1500)
def test_the_fast_reader_and_the_grammar_read_every_canonical_line_the_same(
    statement: Statement,
) -> None:
    line = str(statement)
    assert parse_line(line) == statement
    fast = scan(line)
    if fast is not None:
        assert fast == statement
    else:  # only escapes and `set` (rare lines) are left to the grammar
        assert "\\" in line or isinstance(statement, Set), line


@given(st.one_of(line_statements.map(str), notation_like))
@settings(max_examples=3000)
def test_the_fast_reader_agrees_with_the_grammar_on_every_line_it_accepts(line: str) -> None:
    fast = scan(line)
    if fast is None:
        return
    try:
        reference = parse_line(line)
    except LineError as error:
        raise AssertionError(f"fast reader took {line!r}, grammar refuses: {error}") from None
    assert fast == reference


@given(line_statements, st.sampled_from(["  ", "\t", " # note", "\r"]))
def test_the_fast_reader_leaves_odd_spacing_to_the_grammar(
    statement: Statement, suffix: str
) -> None:
    line = str(statement) + suffix
    assert parse_chronicle(line).statements == (statement,)
