"""Commands of the notation part: `check`, `replay`, `format` and `rules`.

``packlaw check`` prints its problems on stdout, linter-style, because they
are its output; every other mistake of the user's is one line on stderr
(`UserError`). Exit status: 0 clean, 1 a broken rule or failed expectation
(or, for ``format --check``, a file that would change), 2 bad input.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from packlaw.cli.collector import collector_paused
from packlaw.cli.errors import EXIT_BAD_INPUT, EXIT_DOMAIN, EXIT_OK, UserError, warn
from packlaw.cli.options import JsonOption
from packlaw.cli.output import JSON, Block, Table, counted, emit, visible

if TYPE_CHECKING:  # the notation loads when a command runs, not at start-up
    from packlaw.notation import Chronicle, Problem
    from packlaw.rules import Share, Standing, WorldSummary

SUFFIX = ".chronicle"
MAX_REFUSALS_SHOWN = 20


def register(app: typer.Typer) -> None:
    """Add this part's commands to the app."""
    app.command("check")(check)
    app.command("replay")(replay)
    app.command("format")(format_)
    app.command("rules")(rules)


# ------------------------------------------------------------------ files


def _chronicle_files(paths: list[Path]) -> Iterator[Path]:
    """Each path as given, or every ``*.chronicle`` under it (sorted) when it is a directory."""
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file())
            if not found:
                raise UserError(f"no {SUFFIX} files under {path}", EXIT_BAD_INPUT)
            yield from found
        else:
            yield path


def _read_text(path: Path) -> str:
    """A chronicle file's text; bytes that are not UTF-8 are kept so the parser can point at them."""
    if str(path) == "-":
        return sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise UserError(f"cannot read {path}: {reason}", EXIT_BAD_INPUT) from None
    return data.decode("utf-8", "surrogateescape")


def read_chronicle(path: Path, done: str = "") -> Chronicle:
    """The chronicle in `path` ('-' for stdin): the one way the command line reads a chronicle.

    An unreadable file or a syntax error is bad input, said in one line
    (the first error, and how many more); `done` adds what did not happen
    ("nothing was stored").
    """
    return _read_chronicle(path, done)[0]


@collector_paused()
def _read_chronicle(path: Path, done: str = "") -> tuple[Chronicle, int]:
    """`read_chronicle`, and how many lines the text has (a last one without a break counts)."""
    from packlaw.notation import ChronicleSyntaxError, parse_chronicle

    text = _read_text(path)
    length = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    try:
        return parse_chronicle(text, filename=str(path)), length
    except ChronicleSyntaxError as error:
        first = error.errors[0]
        more = len(error.errors) - 1
        tail = f" (and {more} more; see `packlaw check {path}`)" if more else ""
        after = f"; {done}" if done else ""
        raise UserError(
            f"{first.where()} error: {first.message}{tail}{after}", EXIT_BAD_INPUT
        ) from None


# ------------------------------------------------------------------ check


@collector_paused()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Chronicle files, or directories to search for *.chronicle files.",
            show_default=False,
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Check chronicles: syntax, every event against the rulebook, every expectation.

    Prints one line per problem on stdout (FILE:LINE:COL: error: ... for
    syntax, FILE:LINE: Rn: ... for a broken rule, FILE:LINE: expect: ...
    for a failed expectation), or with --json one list of them (file, line,
    column for syntax, kind, message). Exit 0 when all are clean, 1 for a
    broken rule or expectation, 2 for a syntax error or an unreadable file.
    """
    from packlaw.notation import ChronicleSyntaxError, check_chronicle, parse_chronicle

    status = EXIT_OK
    out = sys.stdout
    found: list[JSON] = []  # with --json, every problem, printed at the end
    for path in _chronicle_files(files):
        try:
            text = _read_text(path)
        except UserError as error:
            out.flush()
            warn(error.message)
            status = EXIT_BAD_INPUT
            continue
        try:
            chronicle = parse_chronicle(text, filename=str(path))
        except ChronicleSyntaxError as error:
            status = EXIT_BAD_INPUT
            if as_json:
                found += [
                    {
                        "file": str(path),
                        "line": e.line,
                        "column": e.column,
                        "kind": "syntax",
                        "message": e.message,
                    }
                    for e in error.errors
                ]
            else:
                out.writelines(f"{visible(str(e))}\n" for e in error.errors)
            continue
        del text
        problems = check_chronicle(chronicle)
        del chronicle  # freed now, with the collector paused: left alive, it would be walked
        if problems:
            status = max(status, EXIT_DOMAIN)
            if as_json:
                found += [
                    {"file": str(path), "line": p.line, "kind": p.kind, "message": p.message}
                    for p in problems
                ]
            else:
                out.write("".join(f"{visible(str(problem))}\n" for problem in problems))
    if as_json:
        emit([], document=found, as_json=True)
    out.flush()
    raise typer.Exit(status)


# ----------------------------------------------------------------- replay


@collector_paused()  # the whole command: the chronicle is freed before the collector restarts
def replay(
    file: Annotated[Path, typer.Argument(help="The chronicle to replay.", show_default=False)],
    line: Annotated[
        int | None,
        typer.Option("--line", min=1, help="The world after every statement on lines up to N."),
    ] = None,
    day: Annotated[
        int | None,
        typer.Option("--day", min=0, help="The world after every event of days up to N."),
    ] = None,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as", metavar="NAME", help="Only what NAME could know: withhold pack business (R11)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The world at a point of a chronicle: packs, alphas, betas, allies, omegas, strength, health.

    Refused events are skipped: the world is shown as it is, and each
    refused event is one line on stderr (FILE:LINE: Rn: ..., the first 20),
    with exit status 1. With --as, also the pack business that being saw
    (R11).
    """
    from packlaw.notation import pack_business, view_as
    from packlaw.notation import replay as replay_world
    from packlaw.rules import Being

    if line is not None and day is not None:
        raise UserError("give --line or --day, not both", EXIT_BAD_INPUT)
    chronicle, length = _read_chronicle(file)
    if line is not None and line > length:
        raise UserError(
            f"line {line} is past the end (the chronicle has {counted(length, 'line')})",
            EXIT_BAD_INPUT,
        )
    problems: list[Problem] = []
    world = replay_world(chronicle, line=line, day=day, problems=problems)
    refused = [p for p in problems if p.kind != "expect"]
    seen: list[tuple[int, Share]] | None = None
    if as_ is not None:
        if not any(isinstance(s, Being) and s.name == as_ for s in chronicle):
            raise UserError(f"{file}: no being named {as_}", EXIT_BAD_INPUT)
        seen = pack_business(view_as(chronicle, as_, line=line, day=day))

    summary = world.summary()
    at = f"line {line}" if line is not None else f"day {day}" if day is not None else "the end"
    heading = f"{file} at {at}" + ("" if day is not None else f" (day {world.day})")
    blocks = _world_blocks(heading, summary)
    as_document: JSON = None
    if as_ is not None and seen is not None:
        standing = world.standing(as_)
        blocks += [
            f"{as_} is {_standing_phrase(standing, world.pack_of(as_))}",
            Table(
                f"pack business {as_} saw: {len(seen)}",
                ["line", "statement"],
                [[str(n), str(share)] for n, share in seen],
                numeric={0},
                as_text="  line {0}: {1}",
            ),
        ]
        as_document = {
            "name": as_,
            "standing": None if standing is None else str(standing),
            "pack": world.pack_of(as_),
            "pack_business": [
                {"line": n, "pack": share.pack, "text": share.text} for n, share in seen
            ],
        }

    def document() -> JSON:
        found: dict[str, JSON] = {"file": str(file), "line": line, **summary.to_dict()}
        if as_document is not None:
            found["as"] = as_document
        return found

    emit(blocks, document=document, as_json=as_json)
    _report_refused(refused)


def _report_refused(refused: list[Problem]) -> None:
    """One line on stderr per refused event (the first 20, then a count); exit 1 if any."""
    if not refused:
        return
    sys.stdout.flush()
    lines = [visible(str(problem)) for problem in refused[:MAX_REFUSALS_SHOWN]]
    if len(refused) > MAX_REFUSALS_SHOWN:
        rest = len(refused) - MAX_REFUSALS_SHOWN
        lines.append(f"... and {rest} more (see `packlaw check`)")
    print("\n".join(lines), file=sys.stderr)
    raise typer.Exit(EXIT_DOMAIN)


def _health(health: dict[str, int]) -> str:
    from packlaw.rules.events import format_amount

    return ", ".join(f"{name} {format_amount(milli)}" for name, milli in health.items()) or "-"


_ARTICLE = {"alpha": "the alpha", "member": "a member", "ally": "an ally", "omega": "an omega"}


def _standing_phrase(standing: Standing | None, pack: str | None) -> str:
    """`a member of Hale`, `an omega`, `dead`: a standing as a sentence says it."""
    if standing is None:
        return "not yet in the world"
    phrase = _ARTICLE.get(str(standing), str(standing))
    return f"{phrase} of {pack}" if pack else phrase


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else "-"


def _world_blocks(heading: str, summary: WorldSummary) -> list[Block]:
    """The world `replay` shows: its packs (a line each when piped), then everyone else."""
    packs = Table(
        heading,
        ["pack", "alpha", "betas", "human members", "allies", "established", "strength"],
        [
            [
                p.name,
                p.alpha or "-",
                _names(p.betas),
                _names(p.human_members),
                _names(p.allies),
                "established" if p.established else "alone",
                f"{p.strength:.3f}",
            ]
            for p in summary.packs
        ],
        numeric={6},
        as_text="pack {0}: alpha {1}; betas {2}; human members {3}; allies {4}; {5}; strength {6}",
    )
    return [
        packs,
        *([] if summary.packs else ["no packs"]),
        f"omegas: {_names(summary.omegas)}",
        f"unaffiliated: {_names(summary.unaffiliated)}",
        f"dead: {_names(summary.dead)}",
        f"health below 1: {_health(summary.health)}",
    ]


# ----------------------------------------------------------------- format


@collector_paused()
def format_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Chronicle files or directories ('-' reads stdin and writes stdout).",
            show_default=False,
        ),
    ],
    check_only: Annotated[
        bool,
        typer.Option(
            "--check", help="Change nothing: list the files that would change, exit 1 if any."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Rewrite chronicles in canonical form, in place (like black or ruff format).

    Canonical form is every statement in order, one a line, one space
    between tokens, verbs and flags in lower case, numbers without needless
    zeros; comments stay where they are (`# text` on a line of its own, or
    two spaces after a statement) and a run of blank lines becomes one. A
    file with a syntax error is left untouched (exit 2). A file is written
    whole or not at all, through symlinks, keeping its mode, owner and hard
    links. With --json, one object lists the files by what happened to them.
    """
    from packlaw.notation import ChronicleSyntaxError, format_chronicle, parse_chronicle

    piped = [str(path) for path in files] == ["-"]
    if as_json and piped and not check_only:
        raise UserError("format - writes the chronicle itself: --json goes with --check only")
    status = EXIT_OK
    done: dict[str, list[JSON]] = {"changed": [], "unchanged": [], "failed": [], "errors": []}

    def say(line: str) -> None:
        if not as_json:
            print(visible(line))

    for path in _chronicle_files(files):
        try:
            text = _read_text(path)
        except UserError as error:
            warn(error.message)
            status = EXIT_BAD_INPUT
            continue
        try:
            canonical = format_chronicle(parse_chronicle(text, filename=str(path)))
        except ChronicleSyntaxError as error:
            for e in error.errors:
                say(str(e))
                done["errors"].append(
                    {"file": str(path), "line": e.line, "column": e.column, "message": e.message}
                )
            status = EXIT_BAD_INPUT
            continue
        if canonical == text:
            done["unchanged"].append(str(path))
            if str(path) == "-" and not check_only:
                sys.stdout.write(canonical)
            continue
        if check_only:
            done["changed"].append(str(path))
            say(f"would reformat {path}")
            status = max(status, EXIT_DOMAIN)
            continue
        if str(path) == "-":
            sys.stdout.write(canonical)
            continue
        try:
            write_in_place(path, canonical)
        except OSError as error:
            done["failed"].append(str(path))
            warn(f"cannot write {path}: {error.strerror or error}")
            status = EXIT_BAD_INPUT
            continue
        done["changed"].append(str(path))
        say(f"reformatted {path}")
    changed, unchanged, failed = (len(done[key]) for key in ("changed", "unchanged", "failed"))
    if as_json:
        verb = "would_reformat" if check_only else "reformatted"
        emit([], document={verb: done.pop("changed"), **done}, as_json=True)
    elif (changed or unchanged or failed) and not piped:
        verb = "would be reformatted" if check_only else "reformatted"
        counts = [
            f"{counted(changed, 'file')} {verb}",
            f"{counted(unchanged, 'file')} left unchanged",
        ]
        if failed:
            counts.append(f"{counted(failed, 'file')} could not be written")
        print(", ".join(counts))
    raise typer.Exit(status)


def write_in_place(path: Path, text: str) -> None:
    """Give the file at `path` the new `text`, whole or not at all, keeping what makes it that file.

    A symlink is followed, and the file it points to is written. The new
    text goes to a temporary file in the same folder first, flushed to disk
    (fsync). Then:

    - a file with one link is replaced by it in one step (``os.replace``),
      after the temporary file takes the original's mode and owner: a crash
      leaves the old text or the new, never half of either;
    - a file with hard links, or one whose owner we cannot give away, keeps
      its inode: the new text is copied over it and flushed, and only then
      is the temporary file removed. Were the copy cut short by a crash,
      the complete new text would still be in the temporary file next to it
      (``.NAME.*.tmp``), so nothing is lost.
    """
    target = path.resolve()
    info = target.stat()
    data = text.encode("utf-8", "surrogateescape")
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    copying = False
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, info.st_mode & 0o7777)
        keep_inode = info.st_nlink > 1
        if not keep_inode and (info.st_uid, info.st_gid) != _owner(temporary):
            try:
                os.chown(temporary, info.st_uid, info.st_gid)
            except PermissionError:
                keep_inode = True  # only the original file can keep its owner
        if keep_inode:
            with open(target, "r+b") as original:
                copying = True
                original.write(data)
                original.truncate()
                original.flush()
                os.fsync(original.fileno())
            os.unlink(temporary)
        else:
            os.replace(temporary, target)
        _sync_folder(target.parent)
    except BaseException:
        if not copying:
            Path(temporary).unlink(missing_ok=True)
        raise


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk, where the system allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# ------------------------------------------------------------------ rules


def rules(as_json: JsonOption = False) -> None:
    """The rule catalogue: R0 to R15, each with its title, text and where the story shows it."""
    from packlaw.rules import RULES

    table = Table(
        "",
        ["id", "rule", "text", "story"],
        [[rule.id, rule.title, rule.text, rule.story] for rule in RULES.values()],
        ruled=True,
        as_text="{0}  {1}\n    {2}\n    story: {3}",
    )
    emit([table], document=lambda: [rule.to_dict() for rule in RULES.values()], as_json=as_json)
