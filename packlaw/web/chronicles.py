"""Chronicles: the API (`/api/chronicles/...`) and its page twin (`/chronicles/{name}`).

The page shows what the API answers, drawn on the server first (readable
before any script runs); `static/chronicle.js` then redraws the pack graph
from the API as the slider moves.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from packlaw.notation import Chronicle, ChronicleSyntaxError, parse_chronicle, view_as
from packlaw.store import (
    ExpectationFailed,
    MisplacedStatement,
    RefusedEvent,
    StoreError,
    UnwritableStatement,
)
from packlaw.store.schema import INTEGER_MAX
from packlaw.web.auth import require_token
from packlaw.web.errors import WebError, not_found, problem_responses, unprocessable
from packlaw.web.models import (
    TEXT,
    Appended,
    ChronicleDetail,
    ChronicleLine,
    ChronicleSummary,
    Comment,
    Lines,
    Problem,
    Refusal,
    WorldView,
)
from packlaw.web.reading import ReadChronicle, ReadChronicles, world_view
from packlaw.web.site import page

MAX_LINE = INTEGER_MAX
PAGE = 1000  # statements a page, by default
MAX_PAGE = 5000
TIMELINE = 150  # statements shown either side of the page's line

api = APIRouter(prefix="/api/chronicles", tags=["chronicles"])
pages = APIRouter(tags=["pages"])

Name = Annotated[
    str, Path(min_length=1, max_length=200, pattern=TEXT, description="The chronicle's name.")
]
AtLine = Annotated[
    int | None,
    Query(ge=0, le=MAX_LINE, description="The world after this line (default: the last)."),
]
ViewedAs = Annotated[
    str | None,
    Query(
        alias="as",
        max_length=200,
        pattern=TEXT,
        description="Only what this being may see: pack business it did not see is left out (R11); "
        "empty for everyone.",
    ),
]


def chronicles_of(request: Request) -> ReadChronicles:
    reader: ReadChronicles = request.app.state.chronicles
    return reader


Reader = Annotated[ReadChronicles, Depends(chronicles_of)]


# --------------------------------------------------------------------- API


@api.get("", response_model=list[ChronicleSummary], summary="Every stored chronicle, newest first")
def list_chronicles(reader: Reader) -> list[ChronicleSummary]:
    infos = sorted(reader.store.chronicles(), key=lambda c: (c.created_at, c.name), reverse=True)
    return [ChronicleSummary.model_validate(c, from_attributes=True) for c in infos]


@api.get(
    "/{name}",
    response_model=ChronicleDetail,
    responses=problem_responses(404, 422),
    summary="A chronicle's statements with their lines, days and refusals, and its comments",
)
def chronicle_detail(
    reader: Reader,
    name: Name,
    viewed_as: ViewedAs = None,
    after: Annotated[int, Query(ge=0, le=MAX_LINE, description="Statements after this line.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Statements a page.")] = PAGE,
) -> ChronicleDetail:
    read = reader.get(name)
    viewed_as = _check_being(read, viewed_as)
    events = _lines(read, viewed_as, after, MAX_LINE, limit + 1)
    more, events = len(events) > limit, events[:limit]
    last_shown = events[-1].line if events else read.last_line
    return ChronicleDetail(
        name=read.name,
        title=read.title,
        statements=len(read.chronicle),
        last_day=read.days[-1] if read.days else 0,
        created_at=read.created_at,
        last_line=read.last_line,
        beings=list(read.beings),
        viewed_as=viewed_as,
        events=events,
        comments=[Comment(line=n, text=t) for n, t in read.comments if after < n <= last_shown],
        next_after=last_shown if more else None,
    )


@api.get(
    "/{name}/world",
    response_model=WorldView,
    responses=problem_responses(404, 422),
    summary="The world after a line, as everyone or as one being may see it (R11)",
)
def chronicle_world(
    reader: Reader, name: Name, line: AtLine = None, viewed_as: ViewedAs = None
) -> WorldView:
    read = reader.get(name)
    viewed_as = _check_being(read, viewed_as)
    return world_view(read, _check_line(read, line), viewed_as)


@api.post(
    "/{name}/events",
    response_model=Appended,
    responses=problem_responses(401, 404, 409, 422),
    dependencies=[Depends(require_token)],
    summary="Append notation lines, checked by the rulebook, all or nothing",
)
def append_events(reader: Reader, name: Name, body: Lines) -> Appended:
    for number, text in enumerate(body.lines, 1):
        wrong = _unsendable(text)
        if wrong:
            raise unprocessable(f"line {number} holds {wrong}", field="body.lines", line=number)
    try:
        chronicle = parse_chronicle("\n".join(body.lines), filename=name)
    except ChronicleSyntaxError as error:
        raise unprocessable(
            f"line {error.line}, column {error.column}: {error.message}",
            field="body.lines",
            line=error.line,
            column=error.column,
        ) from None
    if not chronicle.statements:
        raise unprocessable(
            "the lines hold no statement, only blanks or comments", field="body.lines"
        )
    try:
        last = reader.store.append(
            name, chronicle.statements, expected_last_sequence=body.expected_last_sequence
        )
    except RefusedEvent as refusal:
        line = _sent_line(chronicle, refusal)
        raise WebError(
            422,
            Problem(
                detail=f"line {line}: `{refusal.event}` is refused: {refusal}",
                field="body.lines",
                rules=refusal.rules,
                line=line,
            ),
        ) from None
    except (ExpectationFailed, MisplacedStatement, UnwritableStatement) as error:
        line = _sent_line(chronicle, error)
        raise unprocessable(f"line {line}: {error}", field="body.lines", line=line) from None
    return Appended(chronicle=name, appended=len(chronicle.statements), last_sequence=last)


def _unsendable(text: str) -> str | None:
    """What a sent line may not hold that the store would not itself refuse in a sentence.

    Joined, a line break would make two lines; a lone surrogate (JSON can
    send one, ``"\\ud800"``) is no character UTF-8 or a database can hold.
    The store refuses the rest (NUL and other control characters) itself.
    """
    if "\n" in text or "\r" in text:
        return "a line break; send one line per item"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "a lone surrogate, which is no character UTF-8 can hold"
    return None


def _sent_line(chronicle: Chronicle, error: StoreError | RefusedEvent) -> int | None:
    """The sent line of the statement the store refused (its ``index`` in the batch)."""
    index = error.index
    return chronicle.lines[index] if index is not None and index < len(chronicle) else None


def _check_being(read: ReadChronicle, name: str | None) -> str | None:
    """The being to view as (None for everyone); 404 if the chronicle has no such being."""
    if not name:
        return None
    if name not in read.beings:
        raise not_found(f"chronicle {read.name} has no being named {name}")
    return name


def _check_line(read: ReadChronicle, line: int | None) -> int:
    if line is None:
        return read.last_line
    if line > read.last_line:
        raise unprocessable(
            f"line {line} is past the end of chronicle {read.name}, which has {read.last_line} lines",
            field="query.line",
        )
    return line


def _lines(
    read: ReadChronicle, viewed_as: str | None, after: int, upto: int, limit: int
) -> list[ChronicleLine]:
    """Up to ``limit`` statements on lines after ``after`` up to ``upto`` (as a being saw them)."""
    chronicle = read.chronicle
    shown = chronicle if viewed_as is None else view_as(chronicle, viewed_as, line=upto)
    first = bisect_right(shown.lines, after)
    return [
        ChronicleLine(
            line=number,
            day=read.day_of[number],
            kind=read.kind(statement),
            text=str(statement),
            refused=[
                Refusal(rule=v.rule, message=v.message) for v in read.refusals.get(number, ())
            ],
        )
        for number, statement in islice(
            zip(shown.lines[first:], shown.statements[first:], strict=True), limit
        )
        if number <= upto
    ]


# ------------------------------------------------------------------- pages


@pages.get(
    "/chronicles/{name}",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422),
    summary="The chronicle page: timeline, slider, pack graph, view as",
)
def chronicle_page(
    request: Request, reader: Reader, name: Name, line: AtLine = None, viewed_as: ViewedAs = None
) -> Response:
    world = chronicle_world(reader, name, line, viewed_as)  # the page is a view of the API
    read, at = reader.get(name), world.line
    start = max(0, at - TIMELINE)
    timeline = _lines(read, world.viewed_as, start, at + TIMELINE, 2 * TIMELINE)
    return page(
        request,
        "chronicle.html",
        title=read.title or read.name,
        read=read,
        world=world,
        timeline=timeline,
        earlier=start if start > 0 else None,
        later=at + TIMELINE if at + TIMELINE < read.last_line else None,
        comments=dict(read.comments),
    )


@pages.get(
    "/chronicles/{name}/world",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422),
    summary="The chronicle page's world tables alone, for its script to swap in",
)
def chronicle_world_tables(
    request: Request, reader: Reader, name: Name, line: AtLine = None, viewed_as: ViewedAs = None
) -> Response:
    world = chronicle_world(reader, name, line, viewed_as)
    return page(request, "world.html", world=world)
