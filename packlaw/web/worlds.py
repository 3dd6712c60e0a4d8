"""Recorded worlds: the API (`/api/runs/{id}/worlds/...`) and the territory page.

A run's recorded world is a film cut into chunks of days (`packlaw.sim.recording`)
and a chronicle, ``run-N-world-K``. A day's answer reads the one chunk that
holds the day, never the whole film; the territory view's script
(`static/world.js`) fetches pages of days that each match a chunk
(``/frames``) as typed columns, a few ahead of where it plays, and draws
them on a canvas; the pack graph beside it is the recorded chronicle's world
at the day's last line, drawn by the chronicle page's own graph code
(`static/packgraph.js`).
"""

from __future__ import annotations

import base64
from bisect import bisect_right
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from packlaw.report.film import (
    BACKGROUND,
    DRAW_RANK,
    INK,
    PACK_COLOURS,
    RING,
    STANDING_COLOURS,
    frame_counts,
)
from packlaw.sim.recording import CHUNK_DAYS, FILM_COLUMNS, Film, Recording, RecordingError
from packlaw.sim.state import STANDINGS
from packlaw.store import Store, UnknownChronicle, UnknownRun
from packlaw.store.recordings import (
    RecordingInfo,
    UnrecordedWorld,
    chronicle_name,
    load_recording,
    recordings,
)
from packlaw.store.schema import INTEGER_MAX
from packlaw.web.errors import WebError, not_found, problem_responses
from packlaw.web.models import (
    FilmColumn,
    FilmPack,
    RecordedWorld,
    WorldDay,
    WorldFilm,
    WorldFrames,
)
from packlaw.web.reading import ReadChronicles
from packlaw.web.site import page

MAX_ID = INTEGER_MAX
MAX_PAGE_DAYS = 4 * CHUNK_DAYS

api = APIRouter(prefix="/api/runs", tags=["recorded worlds"])
pages = APIRouter(tags=["pages"])

RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="The run's id.")]
WorldIndex = Annotated[int, Path(ge=0, le=MAX_ID, description="The recorded world's index.")]
DayNumber = Annotated[int, Path(ge=1, le=MAX_ID, description="The day, from 1.")]


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


# ------------------------------------------------------------------ reading


def recorded_worlds(store: Store, run_id: int) -> list[RecordedWorld]:
    """The worlds a run recorded, by index."""
    return [_recorded(info) for info in recordings(store, run_id)]


def _recorded(info: RecordingInfo) -> RecordedWorld:
    return RecordedWorld(
        run=info.run_id,
        world=info.world,
        days=info.days,
        beings=info.beings,
        film_bytes=info.film_bytes,
        chronicle=info.chronicle,
    )


def _load(store: Store, run_id: int, world: int, days: tuple[int, int] | None) -> Recording:
    """The recording with only the chunks of ``days``; 404s that say what is there instead."""
    try:
        return load_recording(store, run_id, world, days)
    except UnknownRun:
        raise _unknown_run(store, run_id) from None
    except UnrecordedWorld as error:
        raise not_found(str(error)) from None


def _unknown_run(store: Store, run_id: int) -> WebError:
    runs = sorted({info.run_id for info in recordings(store)})
    has = (
        f"the runs with recorded worlds are {_listed(runs)}"
        if runs
        else "no run has recorded worlds (`packlaw simulate --record K`)"
    )
    return not_found(f"no run {run_id} is stored: {has}")


def _listed(numbers: list[int], most: int = 20) -> str:
    shown = ", ".join(str(n) for n in numbers[:most])
    return shown + (f" and {len(numbers) - most} more" if len(numbers) > most else "")


def _check_day(recording: Recording, run_id: int, day: int) -> None:
    if not 1 <= day <= recording.days:
        raise not_found(
            f"run {run_id}'s world {recording.world} has days 1 to {recording.days}, not day {day}"
        )


def _film(recording: Recording, first: int, last: int) -> Film:
    try:
        return recording.film(first, last)
    except RecordingError as error:  # a chunk that does not decode
        raise not_found(f"run's world {recording.world}: {error}") from None


def chronicle_lines(
    reader: ReadChronicles, run_id: int, world: int, days: range
) -> tuple[str | None, list[int]]:
    """The recorded chronicle's name and its last line on or before each of ``days``.

    Line 0 is the world before the chronicle's first statement. A chronicle
    deleted since the run (`packlaw chronicle delete`) leaves the film alone:
    no name, lines 0.
    """
    name = chronicle_name(run_id, world)
    try:
        read = reader.get(name)
    except UnknownChronicle:
        return None, [0 for _ in days]
    lines = read.chronicle.lines
    found = []
    for day in days:
        before = bisect_right(read.days, day)
        found.append(lines[before - 1] if before else 0)
    return name, found


# --------------------------------------------------------------------- API


@api.get(
    "/{run_id}/worlds",
    response_model=list[RecordedWorld],
    responses=problem_responses(404, 422),
    summary="The worlds a run recorded",
)
def list_worlds(request: Request, run_id: RunId) -> list[RecordedWorld]:
    store = store_of(request)
    try:
        store.run(run_id)
    except UnknownRun:
        raise _unknown_run(store, run_id) from None
    return recorded_worlds(store, run_id)


@api.get(
    "/{run_id}/worlds/{world}",
    response_model=WorldFilm,
    responses=problem_responses(404, 422),
    summary="A recorded world's layout and beings (what the territory view needs once)",
)
def world_film(request: Request, run_id: RunId, world: WorldIndex) -> WorldFilm:
    store = store_of(request)
    recording = _load(store, run_id, world, (0, 0))  # no chunk: the layout alone
    (info,) = [r for r in recordings(store, run_id) if r.world == world]
    return WorldFilm(
        **_recorded(info).model_dump(),
        width=recording.width,
        height=recording.height,
        page_days=CHUNK_DAYS,
        standings=list(STANDINGS),
        names=recording.names,
        hostile=recording.hostile.tolist(),
        born=recording.born.tolist(),
        pack_names=recording.pack_names,
    )


@api.get(
    "/{run_id}/worlds/{world}/days/{day}",
    response_model=WorldDay,
    responses=problem_responses(404, 422),
    summary="A recorded world on one day: cells, standings, packs, health",
)
def world_day(request: Request, run_id: RunId, world: WorldIndex, day: DayNumber) -> Response:
    return Response(_day_json(request, run_id, world, day), media_type="application/json")


def _day_json(request: Request, run_id: int, world: int, day: int) -> bytes:
    # orjson writes the NumPy columns as they are: no list, no object a being.
    return orjson.dumps(
        day_of_world(request, run_id, world, day), option=orjson.OPT_SERIALIZE_NUMPY
    )


def day_of_world(request: Request, run_id: int, world: int, day: int) -> dict[str, Any]:
    """`WorldDay` as JSON values and NumPy columns, built from arrays: it must be fast.

    (A world of 10,000 beings: see ``benchmarks/bench_web.py``.)
    """
    store = store_of(request)
    recording = _load(store, run_id, world, (day, day))
    _check_day(recording, run_id, day)
    film = _film(recording, day, day)
    c = {name: values[0] for name, values in film.columns.items()}
    known = np.flatnonzero(film.born <= day)
    alive = c["alive"].astype(np.bool_)
    packs = np.array([*film.pack_names, None], dtype=object)  # -1 (no pack) is the last
    chronicle, (line,) = chronicle_lines(
        request.app.state.chronicles, run_id, world, range(day, day + 1)
    )
    return {
        "run": run_id,
        "world": world,
        "day": day,
        "days": recording.days,
        "width": recording.width,
        "height": recording.height,
        "chronicle": chronicle,
        "line": line,
        "counts": frame_counts(film, 0),
        "packs": [pack.model_dump() for pack in _packs(film, c, alive)],
        "beings": {
            "name": [film.names[i] for i in known.tolist()],
            "x": c["x"][known],
            "y": c["y"][known],
            "standing": np.asarray(STANDINGS, dtype=object)[c["standing"][known]].tolist(),
            "pack": packs[c["pack"][known]].tolist(),
            "health": c["health"][known] / 1000,
            "alive": alive[known],
            "hostile": film.hostile[known],
        },
    }


def _packs(film: Film, c: dict[str, np.ndarray], alive: np.ndarray) -> list[FilmPack]:
    packs = []
    for index, name in enumerate(film.pack_names):
        held = alive & (c["pack"] == index)
        if not held.any():
            continue
        standing = c["standing"][held]
        alphas = np.flatnonzero(held & (c["standing"] == STANDINGS.index("alpha")))
        packs.append(
            FilmPack(
                name=name,
                alpha=film.names[int(alphas[0])] if len(alphas) else None,
                standings={
                    s: int((standing == i).sum())
                    for i, s in enumerate(STANDINGS)
                    if (standing == i).any()
                },
            )
        )
    return packs


@api.get(
    "/{run_id}/worlds/{world}/frames",
    response_model=WorldFrames,
    responses=problem_responses(404, 422),
    summary="Days of a recorded world as typed columns, a page (a chunk of the film) at a time",
)
def world_frames(
    request: Request,
    run_id: RunId,
    world: WorldIndex,
    first: Annotated[int, Query(ge=1, le=MAX_ID, description="The page's first day.")] = 1,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_DAYS, description="Days a page (a chunk is 64).")
    ] = CHUNK_DAYS,
) -> WorldFrames:
    store = store_of(request)
    last = min(first + limit - 1, MAX_ID)
    recording = _load(store, run_id, world, (first, last))
    _check_day(recording, run_id, first)
    last = min(last, recording.days)
    film = _film(recording, first, last)
    beings = max((chunk.beings for chunk in recording.chunks), default=0)
    columns = {
        name: FilmColumn(
            dtype=dtype.name,  # type: ignore[arg-type]
            data=base64.b64encode(
                np.ascontiguousarray(
                    film.columns[name][:, :beings], dtype.newbyteorder("<")
                ).tobytes()
            ).decode("ascii"),
        )
        for name, dtype in FILM_COLUMNS.items()
    }
    _, lines = chronicle_lines(request.app.state.chronicles, run_id, world, range(first, last + 1))
    return WorldFrames(
        run=run_id,
        world=world,
        first_day=first,
        days=film.days,
        beings=beings,
        columns=columns,
        lines=lines,
        next_first=last + 1 if last < recording.days else None,
    )


# ------------------------------------------------------------------- pages


@pages.get(
    "/runs/{run_id}/worlds/{world}",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422),
    summary="The territory view of a recorded world, with its pack graph, day by day",
)
def world_page(
    request: Request,
    run_id: RunId,
    world: WorldIndex,
    day: Annotated[int, Query(ge=1, le=MAX_ID, description="The day to show first.")] = 1,
) -> Response:
    shown = WorldDay.model_validate_json(_day_json(request, run_id, world, day))  # the API's
    return page(
        request,
        "territory.html",
        title=f"Run {run_id}, world {world}",
        day=shown,
        # The film's colours and drawing order (`packlaw.report.film`): a film and the page agree.
        standing_colours=[STANDING_COLOURS[i] for i in range(len(STANDINGS))],
        standings=list(STANDINGS),
        draw_order=[STANDINGS[i] for i in np.argsort(DRAW_RANK)],
        pack_colours=list(PACK_COLOURS),
        colours={"background": BACKGROUND, "ink": INK, "follow": RING},
    )
