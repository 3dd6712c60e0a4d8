"""The chronicle notation: what it reads, what it refuses and where, and what it writes back."""

from __future__ import annotations

import doctest
import importlib

import pytest

from packlaw.notation import Chronicle, ChronicleSyntaxError, format_chronicle, parse_chronicle
from packlaw.notation.chronicle import Remark
from packlaw.rules.events import (
    Ally,
    Ascend,
    Ask,
    Attack,
    Being,
    Bite,
    CheckIn,
    Day,
    Death,
    Defy,
    ExpectEstablished,
    ExpectHealth,
    ExpectRefusal,
    ExpectStanding,
    Heal,
    Kind,
    Leave,
    Note,
    Obey,
    Order,
    Origin,
    Protect,
    Request,
    Rescind,
    Research,
    Set,
    Setting,
    Share,
    Standing,
    Submit,
    Title,
    Welcome,
)

SAFETY_NET = """\
# The Hale pack
title "Safety Net"
set defiance-limit 3

day 1
being Derek werewolf born
being Isaac werewolf bitten
being Stiles human
ascend Derek Hale
submit Isaac Derek
welcome Derek Isaac
expect Hale established
submit Stiles Derek
welcome Derek Stiles

day 40
order Derek Stiles "stay out of the woods"
defy Stiles
expect R3
order Isaac Stiles "come with me"        # refused: Isaac is no alpha
share Hale "the omega's den is by the old distillery"
"""


def one(line: str) -> object:
    """The single statement a one-line chronicle holds."""
    (statement,) = parse_chronicle(line).statements
    return statement


def syntax_error(text: str) -> ChronicleSyntaxError:
    with pytest.raises(ChronicleSyntaxError) as caught:
        parse_chronicle(text, filename="test.chronicle")
    return caught.value


# ------------------------------------------------------------ what it reads


@pytest.mark.parametrize(
    ("line", "statement"),
    [
        ("being Derek werewolf born", Being("Derek", Kind.WEREWOLF, Origin.BORN)),
        ("being Isaac werewolf bitten", Being("Isaac", Kind.WEREWOLF, Origin.BITTEN)),
        ("being Stiles human", Being("Stiles", Kind.HUMAN)),
        ("ascend Derek Hale", Ascend("Derek", "Hale")),
        ("bite Peter Scott", Bite("Peter", "Scott")),
        ("submit Isaac Derek", Submit("Isaac", "Derek")),
        ("submit Jackson Derek insincere", Submit("Jackson", "Derek", insincere=True)),
        ("submit Erica Derek coerced", Submit("Erica", "Derek", coerced=True)),
        ("submit Erica Derek insincere coerced", Submit("Erica", "Derek", True, True)),
        ("welcome Derek Isaac", Welcome("Derek", "Isaac")),
        ("leave Erica", Leave("Erica")),
        ("rescind Erica", Rescind("Erica")),
        ('order Derek Stiles "stay out"', Order("Derek", "Stiles", "stay out")),
        ('order Peter Scott "kill" ill', Order("Peter", "Scott", "kill", ill=True)),
        ("obey Isaac", Obey("Isaac")),
        ("defy Stiles", Defy("Stiles")),
        ("ally Derek Chris", Ally("Derek", "Chris")),
        ('request Derek Chris "watch the road"', Request("Derek", "Chris", "watch the road")),
        ('ask Stiles Derek "help"', Ask("Stiles", "Derek", "help")),
        ("attack Kanima Stiles", Attack("Kanima", "Stiles")),
        ("attack Kanima Stiles 0.6", Attack("Kanima", "Stiles", 600)),
        ("protect Derek Stiles", Protect("Derek", "Stiles")),
        ("check-in Derek Isaac", CheckIn("Derek", "Isaac")),
        ("heal Stiles", Heal("Stiles")),
        ("heal Stiles 0.125", Heal("Stiles", 125)),
        ("death Laura", Death("Laura")),
        ('research Stiles "kanima lore"', Research("Stiles", "kanima lore")),
        ('share Hale "the den"', Share("Hale", "the den")),
        ('note "nothing happens"', Note("nothing happens")),
        ('title "Safety Net"', Title("Safety Net")),
        ("set defiance-limit 3", Set(Setting.DEFIANCE_LIMIT, 3000)),
        ("set heal-human 0.02", Set(Setting.HEAL_HUMAN, 20)),
        ("day 40", Day(40)),
        ("expect R3", ExpectRefusal("R3")),
        ("expect Stiles ally Hale", ExpectStanding("Stiles", Standing.ALLY, "Hale")),
        ("expect Scott omega", ExpectStanding("Scott", Standing.OMEGA)),
        ("expect Hale established", ExpectEstablished("Hale", True)),
        ("expect Hale alone", ExpectEstablished("Hale", False)),
        ("expect Stiles health 0.3", ExpectHealth("Stiles", 300)),
        ("expect Kell health 0", ExpectHealth("Kell", 0)),
    ],
)
def test_every_verb_reads_as_its_value_and_writes_back_the_same_line(
    line: str, statement: object
) -> None:
    assert one(line) == statement
    assert str(statement) == line


def test_verbs_flags_and_keywords_are_case_insensitive_and_written_lower_case() -> None:
    text = 'BEING Derek WereWolf BORN\nSubmit Isaac Derek INSINCERE\nOrder Derek Isaac "x" ILL\n'
    text += "EXPECT Hale Established\nexpect Isaac MEMBER Hale\nexpect r3\nSET Heal-Human 0.5\n"
    assert format_chronicle(parse_chronicle(text)) == (
        'being Derek werewolf born\nsubmit Isaac Derek insincere\norder Derek Isaac "x" ill\n'
        "expect Hale established\nexpect Isaac member Hale\nexpect R3\nset heal-human 0.5\n"
    )


def test_names_are_case_sensitive() -> None:
    assert one("leave stiles") != one("leave Stiles")


@pytest.mark.parametrize("name", ["Chris_Argent", "O'Brien", "Hale-2", "x"])
def test_names_take_letters_digits_underscore_dash_and_apostrophe(name: str) -> None:
    assert one(f"leave {name}") == Leave(name)


def test_texts_escape_only_quote_and_backslash() -> None:
    statement = one(r'note "he said \"run\" \\ then # left"')
    assert statement == Note('he said "run" \\ then # left')
    assert str(statement) == r'note "he said \"run\" \\ then # left"'


def test_comments_blank_lines_and_spacing_are_ignored() -> None:
    text = "# a comment\n\n   leave\tStiles   # why\r\n  \n"
    chronicle = parse_chronicle(text)
    assert chronicle.statements == (Leave("Stiles"),)
    assert chronicle.lines == (3,)


def test_numbers_are_kept_in_thousandths_without_needless_zeros() -> None:
    assert one("attack A B 0.600") == Attack("A", "B", 600)
    assert str(one("attack A B 0.600")) == "attack A B 0.6"
    assert str(one("heal A 01")) == "heal A 1"


def test_events_before_the_first_day_line_are_on_day_zero_and_days_may_repeat() -> None:
    chronicle = parse_chronicle("leave A\nday 0\nday 2\nday 2\nleave A\n")
    assert [type(s).__name__ for s in chronicle] == ["Leave", "Day", "Day", "Day", "Leave"]


def test_a_chronicle_knows_its_title_and_the_line_of_each_statement() -> None:
    chronicle = parse_chronicle(SAFETY_NET, filename="safety.chronicle")
    assert chronicle.title == "Safety Net"
    assert chronicle.filename == "safety.chronicle"
    assert chronicle.lines[:3] == (2, 3, 5)
    assert len(chronicle) == len(chronicle.statements) == 18
    assert parse_chronicle("leave A").title is None


def test_a_chronicle_needs_one_line_number_per_statement() -> None:
    with pytest.raises(ValueError, match="one line number per statement"):
        Chronicle((Leave("A"),), (1, 2))
    assert Chronicle([Leave("A"), Leave("B")]).lines == (1, 2)


def test_a_byte_order_mark_is_skipped() -> None:
    assert parse_chronicle("\ufeffleave A").statements == (Leave("A"),)


# ------------------------------------------------------------- round trips


def test_canonical_text_reads_and_writes_back_byte_for_byte() -> None:
    canonical = format_chronicle(parse_chronicle(SAFETY_NET))
    assert format_chronicle(parse_chronicle(canonical)) == canonical
    # the example is canonical but for the spaces before its trailing comment
    assert canonical == SAFETY_NET.replace('"        #', '"  #')


def test_comments_keep_their_place_in_the_canonical_layout() -> None:
    text = "\n\n#   own line  \n#\nleave A#close\n\n\n\n  # indented\nleave B\n\n# the end\n\n\n"
    chronicle = parse_chronicle(text)
    assert chronicle.remarks == (
        Remark(0, "own line"),
        Remark(0, ""),
        Remark(0, "close", trailing=True),
        Remark(1, None),
        Remark(1, "indented"),
        Remark(2, None),
        Remark(2, "the end"),
    )
    assert format_chronicle(chronicle) == (
        "# own line\n#\nleave A  # close\n\n# indented\nleave B\n\n# the end\n"
    )


def test_a_hash_inside_a_text_is_no_comment() -> None:
    chronicle = parse_chronicle('note "# not a comment"  # a comment\n')
    assert chronicle.remarks == (Remark(0, "a comment", trailing=True),)
    assert format_chronicle(chronicle) == 'note "# not a comment"  # a comment\n'


def test_any_chronicle_written_and_read_again_gives_the_same_statements() -> None:
    chronicle = parse_chronicle(SAFETY_NET)
    again = parse_chronicle(format_chronicle(chronicle))
    assert again.statements == chronicle.statements
    assert again == chronicle.renumbered()


@pytest.mark.parametrize("text", ["two\nlines", "carriage\rreturn"])
def test_a_text_with_a_line_break_cannot_be_written(text: str) -> None:
    with pytest.raises(ValueError, match="line break"):
        format_chronicle(iter([Leave("A"), Note(text)]))


def test_an_empty_chronicle_is_empty_text() -> None:
    assert format_chronicle(parse_chronicle("\n\n")) == ""
    assert format_chronicle(parse_chronicle("# only a comment\n\n")) == "# only a comment\n"
    assert str(Chronicle(())) == ""


# ----------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("welcome Derek\n", 1, 14, "expected a being name after 'welcome Derek'"),
        (
            "day 1\nwelcome Derek 42",
            2,
            15,
            "expected a being name after 'welcome Derek', found '42'",
        ),
        ("welcom Derek Isaac", 1, 1, "unknown verb 'welcom' (did you mean 'welcome'?)"),
        ("beings Derek human", 1, 1, "unknown verb 'beings'"),
        ("being Derek wolf", 1, 13, "expected a kind (human or werewolf) after 'being Derek'"),
        ("being Dérek human", 1, 8, "unexpected character 'é': names are ASCII"),
        ("being Zoë human", 1, 9, "names are ASCII: an ASCII letter, then ASCII letters"),
        ("ally Ëric Derek", 1, 6, "unexpected character 'Ë': names are ASCII"),
        (
            "expect Tomas beta Ridge",
            1,
            14,
            "found 'beta': a beta is a werewolf `member` of a pack: write `member`",
        ),
        (
            "expect Tomas omega Ridge",
            1,
            20,
            "found 'Ridge': omega, unaffiliated and dead have no pack",
        ),
        ("defy Stiles,", 1, 12, "unexpected character ',' after 'defy Stiles'"),
        ("order Derek Stiles", 1, 19, "expected the order as a quoted text"),
        ('order Derek Stiles "go', 1, 20, 'unterminated text: the closing " is missing'),
        (r'order Derek Stiles "go\n"', 1, 23, "unknown escape '\\n' in a text"),
        (
            'welcome "Derek" Stiles',
            1,
            9,
            "expected an alpha's name after 'welcome', found a quoted text",
        ),
        ("attack A B 1.2345", 1, 12, "wound '1.2345' has more than three decimals"),
        ("attack A B 1.", 1, 12, "wound '1.' is not a number"),
        ("attack A B -1", 1, 12, "expected a wound (a number) or the end of the line"),
        ("heal A .5", 1, 8, "expected an amount (a number) or the end of the line"),
        ("heal A 3x", 1, 8, "amount '3x' is not a number"),
        ("day 1.5", 1, 5, "day '1.5' is not a whole number"),
        ("day 99999999999999999999", 1, 5, "is too large"),
        ("day 2\nday 1", 2, 5, "day 1 goes back: the chronicle is already at day 2 (line 1)"),
        ('leave A\ntitle "late"', 2, 1, "a title must come before the first event (line 1)"),
        ('title "a"\ntitle "b"', 2, 1, "a second title: the chronicle already has one (line 1)"),
        ("set defiance-limit 0", 1, 20, "defiance-limit must be a whole number of at least 1"),
        ("set defiance-limit 2.5", 1, 20, "defiance-limit must be a whole number"),
        ("set heal-human 1.5", 1, 16, "heal-human must be more than 0 and at most 1"),
        ("set mood 3", 1, 5, "expected a setting (defiance-limit, heal-werewolf or heal-human)"),
        ("submit A B insincere insincere", 1, 22, "'insincere' is given twice"),
        ("expect R16", 1, 8, "there is no rule R16: the rules are R0 to R15"),
        ("expect Stiles", 1, 14, "expected a standing (alpha, member, ally, omega"),
        (
            "expect Stiles dead Hale",
            1,
            20,
            "expected the end of the line after 'expect Stiles dead'",
        ),
        ("expect Kell health", 1, 19, "expected a health (a number from 0 to 1, in thousandths)"),
        ("expect Kell health 0.1234", 1, 20, "health '0.1234' has more than three decimals"),
        ('note "x" extra', 1, 10, "expected the end of the line after 'note \"x\"', found 'extra'"),
        ("leave A\x00", 1, 8, "control character U+0000 is not allowed"),
        ('note "red \x1b[31m"', 1, 11, "control character U+001B is not allowed"),
        ('note "a\x7f"', 1, 8, "control character U+007F"),
        ('note "a\x85"', 1, 8, "control character U+0085"),
        ("leave A # \u2028", 1, 11, "control character U+2028"),
        ('leave A\nnote "\u2029"', 2, 7, "control character U+2029"),
        ("leave\rA", 1, 6, "control character U+000D"),
        ("leave A\udcff", 1, 8, "invalid UTF-8 byte 0xff"),
        ("leave A # fine\n  welcome   Derek  # not fine", 2, 18, "after 'welcome   Derek'"),
    ],
)
def test_each_syntax_error_says_what_was_expected_and_where(
    text: str, line: int, column: int, message: str
) -> None:
    error = syntax_error(text)
    assert (error.line, error.column) == (line, column)
    assert message in error.message
    assert error.filename == "test.chronicle"
    assert str(error).startswith(f"test.chronicle:{line}:{column}: error: ")


def test_an_unknown_verb_lists_every_verb_and_suggests_the_nearest() -> None:
    from packlaw.rules.events import VERBS

    error = syntax_error("challenge Derek Peter")
    for verb in VERBS:
        assert verb.word in error.message
    assert "..." not in error.message
    assert "(did you mean 'welcome'?)" in syntax_error("welcom Derek Isaac").message


def test_an_error_quotes_at_most_a_line_of_context_however_long_the_line() -> None:
    error = syntax_error("welcome " + "D" * 1_000_000 + ' "x')
    assert (
        error.message
        == "expected a being name after 'welcome DDDDDDDDDDDDDDDDDDDDDDDDDDD...', found a quoted text"
    )
    error = syntax_error("note " + '"x" ' * 100_000)
    assert len(error.message) < 200


def test_a_syntax_error_is_a_value_error() -> None:
    assert issubclass(ChronicleSyntaxError, ValueError)


def test_every_syntax_error_of_a_file_is_reported_not_just_the_first() -> None:
    error = syntax_error("welcome Derek\nleave A\nday 3\nday 2\nobey\n")
    assert [(e.line, e.column) for e in error.errors] == [(1, 14), (4, 5), (5, 5)]
    assert (error.line, error.column) == (1, 14)
    assert str(error).splitlines() == [
        "test.chronicle:1:14: error: expected a being name after 'welcome Derek'",
        "test.chronicle:4:5: error: day 2 goes back: the chronicle is already at day 3 (line 3)",
        "test.chronicle:5:5: error: expected a being name after 'obey'",
    ]


def test_a_text_without_a_file_name_is_called_chronicle_in_messages() -> None:
    with pytest.raises(ChronicleSyntaxError, match=r"^<chronicle>:1:6: error: "):
        parse_chronicle("leave")


def test_the_same_bad_line_twice_is_reported_twice() -> None:
    error = syntax_error("obey\nobey\n")
    assert [e.line for e in error.errors] == [1, 2]


def test_reading_and_checking_leave_the_garbage_collector_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pausing it is the command line's choice (packlaw.cli.collector), not the library's.
    import gc

    from packlaw.notation import check_chronicle

    switched: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: switched.append("disable"))
    monkeypatch.setattr(gc, "enable", lambda: switched.append("enable"))
    chronicle = parse_chronicle("day 1\nbeing Derek werewolf\nascend Derek Hale\n")
    assert check_chronicle(chronicle) == []
    assert switched == []


def test_placement_is_judged_among_repeated_lines_and_after_the_first_event() -> None:
    # Only days, titles and the first event take part in placement; equal lines share one
    # statement, so each occurrence must still be judged at its own line.
    error = syntax_error('day 2\nleave A\nday 1\nday 2\nday 1\ntitle "t"\n')
    assert [(e.line, e.column, e.message) for e in error.errors] == [
        (3, 5, "day 1 goes back: the chronicle is already at day 2 (line 1)"),
        (5, 5, "day 1 goes back: the chronicle is already at day 2 (line 4)"),
        (6, 1, "a title must come before the first event (line 2)"),
    ]


# ----------------------------------------------------------------- docs


@pytest.mark.parametrize(
    "module",
    [
        "packlaw.notation",
        "packlaw.notation.chronicle",
        "packlaw.notation.grammar",
        "packlaw.notation.fastpath",
        "packlaw.notation.check",
        "packlaw.notation.replay",
        "packlaw.notation.reference",
    ],
)
def test_the_examples_in_the_notation_docstrings_run(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert failures == 0 and tried > 0
