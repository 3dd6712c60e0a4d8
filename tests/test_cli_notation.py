"""The notation's commands: check, replay, format and rules, their output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from packlaw.cli.main import main

CLEAN = """\
# a clean chronicle
title "Hale"
day 1
being Derek werewolf
being Isaac werewolf bitten
being Stiles human
ascend Derek Hale
submit Isaac Derek
welcome Derek Isaac
share Hale "the den"
day 2
submit Stiles Derek
welcome Derek Stiles
share Hale "the hunters"
expect Hale established
expect R3
order Isaac Stiles "come"
"""


PACK_OF_TWO = """\
being Derek werewolf
being Isaac werewolf
ascend Derek Hale
submit Isaac Derek
welcome Derek Isaac
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    path = tmp_path / "clean.chronicle"
    path.write_text(CLEAN)
    return path


# ------------------------------------------------------------------ check


def test_check_a_clean_chronicle_prints_nothing_and_exits_0(
    capsys: pytest.CaptureFixture[str], clean: Path
) -> None:
    assert run(capsys, "check", str(clean)) == (0, "", "")


def test_check_a_syntax_error_prints_file_line_col_error_and_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.chronicle"
    path.write_text("day 1\nwelcome Derek\nday 0\n")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 2
    assert out.splitlines() == [
        f"{path}:2:14: error: expected a being name after 'welcome Derek'",
        f"{path}:3:5: error: day 0 goes back: the chronicle is already at day 1 (line 1)",
    ]


def test_check_an_illegal_event_prints_file_line_rule_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "illegal.chronicle"
    path.write_text(CLEAN.replace("expect R3\n", ""))
    code, out, _ = run(capsys, "check", str(path))
    assert (code, out) == (1, f"{path}:16: R3: Isaac cannot order Stiles: Isaac is no alpha\n")


def test_check_a_failed_expectation_prints_file_line_expect_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "expect.chronicle"
    path.write_text(CLEAN + "expect Stiles omega\n")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert out == (
        f"{path}:18: expect: expected Stiles to be an omega, but Stiles is a member of Hale\n"
    )


def test_check_searches_directories_and_reports_the_worst_exit_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, clean: Path
) -> None:
    nested = tmp_path / "more" / "deeper"
    nested.mkdir(parents=True)
    (nested / "broken.chronicle").write_text("leave\n")
    (nested / "ignored.txt").write_text("leave\n")
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert out == f"{nested / 'broken.chronicle'}:1:6: error: expected a being name after 'leave'\n"


def test_check_an_unreadable_file_is_said_on_stderr_exits_2_and_the_rest_is_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, clean: Path
) -> None:
    bad = tmp_path / "illegal.chronicle"
    bad.write_text("leave Nobody\n")
    missing = tmp_path / "missing.chronicle"
    code, out, err = run(capsys, "check", str(missing), str(bad))
    assert code == 2
    assert err == f"packlaw: cannot read {missing}: No such file or directory\n"
    assert out.startswith(f"{bad}:1: R0: ")


def test_check_points_at_bytes_that_are_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "latin1.chronicle"
    path.write_bytes("being D\xe9rek human\n".encode("latin-1"))
    assert run(capsys, "check", str(path)) == (
        2,
        f"{path}:1:8: error: invalid UTF-8 byte 0xe9: the file is not UTF-8 text\n",
        "",
    )


def test_check_a_directory_without_chronicles_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "check", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"packlaw: no .chronicle files under {tmp_path}\n"


def test_check_the_bundled_chronicles_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parent.parent / "chronicles"
    assert run(capsys, "check", str(root)) == (0, "", "")


# ----------------------------------------------------------------- replay


def test_replay_shows_packs_and_everyone_else_as_plain_text_when_piped(
    capsys: pytest.CaptureFixture[str], clean: Path
) -> None:
    code, out, _ = run(capsys, "replay", str(clean))
    assert code == 0
    assert out.splitlines() == [
        f"{clean} at the end (day 2)",
        "pack Hale: alpha Derek; betas Isaac; human members Stiles; allies -; established; "
        "strength 2.450",
        "omegas: -",
        "unaffiliated: -",
        "dead: -",
        "health below 1: -",
    ]


def test_replay_shows_the_health_of_every_being_below_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "hurt.chronicle"
    path.write_text(
        "being Derek werewolf\nbeing Kell human\nbeing Stiles human\n"
        "attack Derek Kell 0.7\nattack Derek Stiles 1\n"
    )
    code, out, _ = run(capsys, "replay", str(path))
    assert code == 0
    assert out.splitlines()[-1] == "health below 1: Kell 0.3, Stiles 0"
    code, out, _ = run(capsys, "replay", str(path), "--json")
    assert json.loads(out)["health"] == {"Kell": 0.3, "Stiles": 0.0}


def test_replay_reports_each_refused_event_on_stderr_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.chronicle"
    path.write_text(PACK_OF_TWO + 'leave Ghost\nexpect R3\norder Isaac Derek "sit"\nleave Derek\n')
    code, out, err = run(capsys, "replay", str(path))
    assert code == 1
    assert "pack Hale: alpha Derek; betas Isaac;" in out  # the world as it is
    assert err.splitlines() == [
        f"{path}:6: R0: Ghost cannot leave: Ghost is no such being",
        f"{path}:9: R6: Derek cannot leave: only members leave, and Derek leads Hale",
    ]


def test_replay_shows_at_most_20_refused_events_then_a_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "many.chronicle"
    path.write_text("leave Ghost\n" * 25)
    code, _, err = run(capsys, "replay", str(path), "--json")
    lines = err.splitlines()
    assert code == 1 and len(lines) == 21
    assert lines[-1] == "... and 5 more (see `packlaw check`)"


def test_replay_at_a_line_past_the_end_says_how_long_the_chronicle_is(
    capsys: pytest.CaptureFixture[str], clean: Path
) -> None:
    code, out, err = run(capsys, "replay", str(clean), "--line", "99999")
    assert (code, out) == (2, "")
    assert err == "packlaw: line 99999 is past the end (the chronicle has 17 lines)\n"
    assert run(capsys, "replay", str(clean), "--line", "17")[0] == 0


def test_replay_reads_stdin_at_a_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PACK_OF_TWO.encode())))
    code, out, _ = run(capsys, "replay", "-", "--line", "3")
    assert code == 0 and "unaffiliated: -" in out and "omegas: Isaac" in out


def test_replay_at_a_line_or_a_day(capsys: pytest.CaptureFixture[str], clean: Path) -> None:
    _, out, _ = run(capsys, "replay", str(clean), "--line", "7")
    assert "pack Hale: alpha Derek; betas -; human members -; allies -; alone;" in out
    assert "unaffiliated: Stiles" in out and "omegas: Isaac" in out
    _, out, _ = run(capsys, "replay", str(clean), "--day", "1")
    assert "betas Isaac; human members -;" in out and "unaffiliated: Stiles" in out


def test_replay_as_a_being_shows_only_the_pack_business_it_saw(
    capsys: pytest.CaptureFixture[str], clean: Path
) -> None:
    code, out, _ = run(capsys, "replay", str(clean), "--as", "Stiles")
    assert code == 0
    assert "Stiles is a member of Hale" in out
    assert 'line 14: share Hale "the hunters"' in out
    assert "the den" not in out


def test_replay_json_is_one_object_for_scripts(
    capsys: pytest.CaptureFixture[str], clean: Path
) -> None:
    code, out, _ = run(capsys, "replay", str(clean), "--as", "Stiles", "--json", "--day", "2")
    document = json.loads(out)
    assert code == 0
    assert document["day"] == 2
    assert document["packs"][0]["name"] == "Hale"
    assert document["packs"][0]["established"] is True
    assert document["as"]["standing"] == "member"
    assert document["as"]["pack_business"] == [{"line": 14, "pack": "Hale", "text": "the hunters"}]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--line", "3", "--day", "1"], "packlaw: give --line or --day, not both\n"),
        (["--as", "Scott"], "packlaw: {file}: no being named Scott\n"),
    ],
)
def test_replay_refuses_bad_options_in_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], clean: Path, arguments: list[str], message: str
) -> None:
    assert run(capsys, "replay", str(clean), *arguments) == (2, "", message.format(file=clean))


def test_replay_of_a_file_with_a_syntax_error_exits_2_naming_the_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.chronicle"
    path.write_text("obey\nobey\n")
    code, out, err = run(capsys, "replay", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"packlaw: {path}:1:5: error: expected a being name after 'obey' "
        f"(and 1 more; see `packlaw check {path}`)\n"
    )


def test_usage_mistakes_get_a_usage_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], clean: Path
) -> None:
    code, _, err = run(capsys, "replay", str(clean), "--line", "0")
    assert code == 2 and "Traceback" not in err and "--line" in err


# ----------------------------------------------------------------- format


def test_format_rewrites_files_in_place_in_canonical_form_keeping_comments(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "messy.chronicle"
    path.write_text("DAY 1   #the first day\n\n\nbeing   Derek  WEREWOLF\n   # end  \n\n")
    code, out, err = run(capsys, "format", str(path))
    assert (code, err) == (0, "")
    assert path.read_text() == "day 1  # the first day\n\nbeing Derek werewolf\n# end\n"
    assert out == f"reformatted {path}\n1 file reformatted, 0 files left unchanged\n"


MESSY = "DAY 1\nbeing   Derek  WEREWOLF\n"
TIDY = "day 1\nbeing Derek werewolf\n"


def test_format_writes_through_a_symlink_and_keeps_the_link(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    real = tmp_path / "real.chronicle"
    real.write_text(MESSY)
    link = tmp_path / "link.chronicle"
    link.symlink_to(real)
    assert run(capsys, "format", str(link))[0] == 0
    assert link.is_symlink() and real.read_text() == TIDY


def test_format_keeps_the_mode_and_the_owner(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import os

    path = tmp_path / "a.chronicle"
    path.write_text(MESSY)
    path.chmod(0o640)
    owner = (os.getuid() + 4242, os.getgid() + 4242) if os.geteuid() == 0 else None
    if owner is not None:  # as root, give the file away so that keeping its owner shows
        os.chown(path, *owner)
    before = path.stat()
    assert run(capsys, "format", str(path))[0] == 0
    after = path.stat()
    assert path.read_text() == TIDY
    assert after.st_mode == before.st_mode
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert [p.name for p in tmp_path.iterdir()] == ["a.chronicle"]  # no temporary file left


def test_format_keeps_hard_links_as_one_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "a.chronicle"
    path.write_text(MESSY)
    twin = tmp_path / "twin.chronicle"
    twin.hardlink_to(path)
    inode = path.stat().st_ino
    assert run(capsys, "format", str(path))[0] == 0
    assert path.stat().st_ino == twin.stat().st_ino == inode
    assert twin.read_text() == TIDY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.chronicle", "twin.chronicle"]


def test_format_never_reports_a_file_it_could_not_write(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    path = tmp_path / "a.chronicle"
    path.write_text(MESSY)

    def full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, out, err = run(capsys, "format", str(path))
    assert code == 2
    assert err == f"packlaw: cannot write {path}: No space left on device\n"
    assert "reformatted " + str(path) not in out
    assert out == "0 files reformatted, 0 files left unchanged, 1 file could not be written\n"
    assert path.read_text() == MESSY  # the old text, whole
    assert [p.name for p in tmp_path.iterdir()] == ["a.chronicle"]


def test_format_check_changes_nothing_and_exits_1_when_a_file_would_change(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, clean: Path
) -> None:
    messy = tmp_path / "messy.chronicle"
    messy.write_text(MESSY)
    code, out, _ = run(capsys, "format", "--check", str(tmp_path))
    assert code == 1
    assert out == (f"would reformat {messy}\n1 file would be reformatted, 1 file left unchanged\n")
    assert messy.read_text() == MESSY
    assert run(capsys, "format", "--check", str(clean))[0] == 0  # comments and all


def test_format_leaves_a_file_with_a_syntax_error_untouched_and_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.chronicle"
    path.write_text("DAY 1\nwelcome Derek\n")
    code, out, _ = run(capsys, "format", str(path))
    assert (code, out) == (2, f"{path}:2:14: error: expected a being name after 'welcome Derek'\n")
    assert path.read_text() == "DAY 1\nwelcome Derek\n"


def test_format_dash_reads_stdin_and_writes_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Leave  X # bye\n")))
    assert run(capsys, "format", "-") == (0, "leave X  # bye\n", "")


@pytest.mark.parametrize(("text", "status"), [(b"Leave  X\n", 1), (b"leave X  # bye\n", 0)])
def test_format_check_dash_exits_1_when_stdin_is_not_canonical(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: bytes, status: int
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    code, out, _ = run(capsys, "format", "--check", "-")
    assert code == status
    assert out == ("would reformat -\n" if status else "")


# ------------------------------------------------------------------ rules


def test_rules_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert out.startswith("R0  Only what is there can act\n")
    assert "\nR15  " in out


def test_rules_json_gives_every_rule_with_its_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--json")
    rules = json.loads(out)
    assert code == 0
    assert [rule["id"] for rule in rules] == [f"R{n}" for n in range(16)]
    assert set(rules[0]) == {"id", "title", "text", "story"}


def test_on_a_terminal_replay_and_rules_draw_tables(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clean: Path
) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = run(capsys, "replay", str(clean), "--as", "Stiles")
    assert code == 0
    assert "Hale" in out and "Derek" in out and "the hunters" in out and "the den" not in out
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "R15" in out


def test_check_starts_without_loading_the_store() -> None:
    # Commands that never open a database must not pay for SQLAlchemy at start-up.
    import subprocess
    import sys

    chronicle = Path(__file__).resolve().parent.parent / "chronicles" / "rules"
    code = (
        "import sys; from packlaw.cli.main import main; "
        f"status = main(['check', {str(chronicle)!r}]); "
        "sys.exit(10 + status if 'sqlalchemy' in sys.modules else status)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_and_replay_pause_the_collector_while_reading_and_checking_then_restore_it(
    capsys: pytest.CaptureFixture[str], clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library leaves the collector alone; the commands that read a chronicle pause it.
    import gc

    import packlaw.notation as notation

    seen: list[tuple[str, bool]] = []
    parse, check, replay = notation.parse_chronicle, notation.check_chronicle, notation.replay

    def watched_parse(*args: object, **kwargs: object) -> object:
        seen.append(("parse", gc.isenabled()))
        return parse(*args, **kwargs)  # type: ignore[arg-type]

    def watched_check(*args: object, **kwargs: object) -> object:
        seen.append(("check", gc.isenabled()))
        return check(*args, **kwargs)  # type: ignore[arg-type]

    def watched_replay(*args: object, **kwargs: object) -> object:
        seen.append(("replay", gc.isenabled()))
        return replay(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notation, "parse_chronicle", watched_parse)
    monkeypatch.setattr(notation, "check_chronicle", watched_check)
    monkeypatch.setattr(notation, "replay", watched_replay)
    assert gc.isenabled()
    assert run(capsys, "check", str(clean))[0] == 0
    assert run(capsys, "replay", str(clean))[0] == 0
    # replay keeps it paused until the chronicle is dropped, or the collector walks it
    assert seen == [("parse", False), ("check", False), ("parse", False), ("replay", False)]
    assert gc.isenabled()
