"""Recorded worlds and sweeps through the web API and pages, on SQLite and PostgreSQL.

A recorded world's answers are checked against the simulator's state copied
on each day while it ran (`web_support.Watcher`), never through the film;
a sweep's against the outputs the test gave its points, through the sweep's
own analysis only where that is what the answer is documented to be.
"""

from __future__ import annotations

import base64
import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from web_support import TOKEN, store_recorded_run, store_run, store_sweep

import packlaw.sim.recording
import packlaw.web.worlds
from packlaw.notation import parse_chronicle
from packlaw.rules import Day
from packlaw.sim.recording import RecordingError, decode_chunk, decode_day
from packlaw.sim.state import STANDINGS
from packlaw.store import Store
from packlaw.store.recordings import chronicle_name, load_recording
from packlaw.store.sweeps import SweepLedger, sweep_number
from packlaw.sweep.analysis import factors, profile, sobol
from packlaw.web import create_app
from packlaw.web.models import WorldDay

DAYS = 150  # three chunks of the film: 64, 64 and 22 days
WORLD = 1


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as store:
        yield store


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store, TOKEN), raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def recorded(store: Store) -> tuple[int, Any]:
    return store_recorded_run(store, DAYS, WORLD)


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    detail: str = response.json()["detail"]
    assert detail and "\n" not in detail
    return detail


# ----------------------------------------------------------- recorded worlds


def test_a_runs_recorded_worlds_are_listed_and_linked_from_its_page(
    client: TestClient, recorded: tuple[int, Any]
) -> None:
    run_id, _ = recorded
    (world,) = client.get(f"/api/runs/{run_id}").json()["recorded"]
    assert (world["world"], world["days"], world["chronicle"]) == (
        WORLD,
        DAYS,
        chronicle_name(run_id, WORLD),
    )
    assert client.get(f"/api/runs/{run_id}/worlds").json() == [world]
    assert f'href="/runs/{run_id}/worlds/{WORLD}"' in client.get(f"/runs/{run_id}").text


@pytest.mark.parametrize("day", [1, 2, 64, 65, 128, 129, DAYS])
def test_a_day_of_a_recorded_world_is_what_the_simulator_held_that_day(
    client: TestClient, store: Store, recorded: tuple[int, Any], day: int
) -> None:
    run_id, watcher = recorded
    answer = client.get(f"/api/runs/{run_id}/worlds/{WORLD}/days/{day}").json()
    WorldDay.model_validate(answer)
    expected = watcher.days[day - 1]
    columns = answer["beings"]
    beings = [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]
    assert [
        (b["x"], b["y"], STANDINGS.index(b["standing"]), b["health"], b["alive"]) for b in beings
    ] == [
        (x, y, standing, health / 1000, bool(alive))
        for x, y, standing, _, health, alive in expected
    ]
    # Packs by name: the state's pack index in the world, named as the scenario names them.
    film = client.get(f"/api/runs/{run_id}/worlds/{WORLD}").json()
    assert columns["pack"] == [
        film["pack_names"][pack] if pack >= 0 else None for *_, pack, _, _ in expected
    ]
    assert columns["name"] == film["names"][: len(expected)]
    living = [b for b in beings if b["alive"]]
    assert answer["counts"]["alive"] == len(living)
    for standing in STANDINGS:
        assert answer["counts"][standing] == sum(b["standing"] == standing for b in living)
    for pack in answer["packs"]:
        members = [b for b in living if b["pack"] == pack["name"]]
        assert sum(pack["standings"].values()) == len(members)
        assert pack["alpha"] in [b["name"] for b in members if b["standing"] == "alpha"] + [None]
    # The chronicle's line for the day: the last statement on or before it.
    chronicle = parse_chronicle(store.export(chronicle_name(run_id, WORLD)))
    days, current = [], 0
    for statement in chronicle.statements:
        current = statement.number if isinstance(statement, Day) else current
        days.append(current)
    before = bisect_right(days, day)
    assert answer["line"] == (chronicle.lines[before - 1] if before else 0)


def test_a_day_reads_only_the_chunk_that_holds_it(
    client: TestClient, recorded: tuple[int, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, _ = recorded
    loaded: list[int] = []
    decoded: list[int] = []
    load, decode = packlaw.web.worlds.load_recording, packlaw.sim.recording._deltas

    def counted_load(*args: Any) -> Any:
        recording = load(*args)
        loaded.append(len(recording.chunks))
        return recording

    def counted_decode(chunk: Any) -> Any:
        decoded.append(chunk.first_day)
        return decode(chunk)

    monkeypatch.setattr(packlaw.web.worlds, "load_recording", counted_load)
    monkeypatch.setattr(packlaw.sim.recording, "_deltas", counted_decode)
    for day, first in ((1, 1), (100, 65), (DAYS, 129)):
        loaded.clear()
        decoded.clear()
        assert client.get(f"/api/runs/{run_id}/worlds/{WORLD}/days/{day}").status_code == 200
        assert loaded == [1] and decoded == [first]


def test_one_day_of_a_chunk_decodes_as_that_day_of_the_whole_chunk(
    store: Store, recorded: tuple[int, Any]
) -> None:
    run_id, _ = recorded
    for chunk in load_recording(store, run_id, WORLD).chunks:
        whole = decode_chunk(chunk)
        for i in range(chunk.days):
            day = decode_day(chunk, chunk.first_day + i)
            for name, values in whole.items():
                assert np.array_equal(day[name], values[i]), (chunk.first_day + i, name)
    with pytest.raises(RecordingError, match="not in the film chunk"):
        decode_day(chunk, chunk.first_day + chunk.days)


def test_pages_of_frames_walk_the_whole_film_chunk_by_chunk(
    client: TestClient, recorded: tuple[int, Any]
) -> None:
    run_id, watcher = recorded
    film = client.get(f"/api/runs/{run_id}/worlds/{WORLD}").json()
    assert film["names"][:2] == ["Derek", "Isaac"]  # the scenario's beings first, in its order
    first: int | None = 1
    pages = []
    while first is not None:
        answer = client.get(
            f"/api/runs/{run_id}/worlds/{WORLD}/frames", params={"first": first}
        ).json()
        pages.append(answer)
        first = answer["next_first"]
    assert [p["first_day"] for p in pages] == [1, 65, 129]
    assert sum(p["days"] for p in pages) == DAYS
    for page in pages:
        n = page["beings"]
        columns = {
            name: np.frombuffer(
                base64.b64decode(c["data"]), np.dtype(c["dtype"]).newbyteorder("<")
            ).reshape(page["days"], n)
            for name, c in page["columns"].items()
        }
        for i in range(page["days"]):
            expected = watcher.days[page["first_day"] + i - 1]
            got = [
                tuple(
                    int(columns[name][i, b])
                    for name in ("x", "y", "standing", "pack", "health", "alive")
                )
                for b in range(len(expected))
            ]
            assert got == expected
        assert len(page["lines"]) == page["days"]
        assert page["lines"] == sorted(page["lines"])


@pytest.mark.parametrize(
    ("url", "status", "names"),
    [
        ("/api/runs/{run}/worlds/0/days/1", 404, "world(s) 1"),
        ("/api/runs/{run}/worlds/1/days/151", 404, "days 1 to 150"),
        ("/api/runs/999/worlds/1/days/1", 404, "recorded worlds are {run}"),
        ("/api/runs/999/worlds", 404, "recorded worlds are {run}"),
        ("/api/runs/{run}/worlds/1/frames?first=151", 404, "days 1 to 150"),
        ("/api/runs/{run}/worlds/1/days/0", 422, None),
        ("/api/runs/{run}/worlds/-1/days/1", 422, None),
        ("/api/runs/{run}/worlds/1/days/99999999999", 422, None),
        ("/api/runs/{run}/worlds/1/frames?limit=0", 422, None),
        ("/api/runs/{run}/worlds/1/frames?limit=100000", 422, None),
        ("/api/runs/{run}/worlds/9", 404, "world(s) 1"),
        ("/api/runs/{plain}/worlds/1/days/1", 404, "recorded no world"),
    ],
)
def test_unknown_worlds_and_days_are_404_naming_what_there_is(
    client: TestClient,
    store: Store,
    recorded: tuple[int, Any],
    url: str,
    status: int,
    names: str | None,
) -> None:
    run_id, _ = recorded
    plain = store_run(store)
    detail = problem(client.get(url.format(run=run_id, plain=plain)), status)
    if names is not None:
        assert names.format(run=run_id) in detail


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/runs/{run}/worlds/0", 404),
        ("/runs/{run}/worlds/1?day=151", 404),
        ("/runs/{run}/worlds/1?day=0", 422),
        ("/runs/999/worlds/1", 404),
    ],
)
def test_the_territory_page_of_an_unknown_world_or_day_is_an_error_page(
    client: TestClient, recorded: tuple[int, Any], url: str, status: int
) -> None:
    response = client.get(url.format(run=recorded[0]))
    assert response.status_code == status
    assert 'class="problem"' in response.text


def test_the_territory_page_reads_before_any_script_runs(
    client: TestClient, recorded: tuple[int, Any]
) -> None:
    run_id, watcher = recorded
    day = 70
    html = client.get(f"/runs/{run_id}/worlds/{WORLD}", params={"day": day}).text
    living = sum(alive for *_, alive in watcher.days[day - 1])
    assert f"Day {day}: {living} alive" in html
    assert f'value="{day}"' in html  # the scrubber stands at the day
    assert 'src="/static/world.js"' in html
    assert client.get(f"/runs/{run_id}/worlds/{WORLD}", params={"day": DAYS + 1}).status_code == 404


# -------------------------------------------------------------------- sweeps


def test_sweeps_are_listed_newest_first_on_the_api_and_the_home_page(
    client: TestClient, store: Store
) -> None:
    first, second = store_sweep(store), store_sweep(store, "sobol:8")
    assert [s["name"] for s in client.get("/api/sweeps").json()] == [second, first]
    home = client.get("/").text
    assert home.index(f'href="/sweeps/{second}"') < home.index(f'href="/sweeps/{first}"')
    # The sweeps' points are runs, shown on their sweep's page rather than among the runs.
    run_id = store_run(store)
    ledger = SweepLedger(store)
    point_runs = {p.run_id for s in ledger.sweeps() for p in ledger.points(s.id)}
    assert len(point_runs) == 6 + 8 * (2 + 2) and None not in point_runs  # grid, sobol:8
    assert f'href="/runs/{run_id}"' in client.get("/").text
    assert not any(f'href="/runs/{r}"' in client.get("/").text for r in point_runs)
    assert f"And {len(point_runs)} runs of sweeps' points" in client.get("/").text


def test_the_home_page_lists_the_runs_that_are_no_sweeps_points_a_page_at_a_time(
    client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import packlaw.web.home

    monkeypatch.setattr(packlaw.web.home, "RUNS_PAGE", 3)
    older = [store.start_run("paged", "", seed=n, worlds=1, days=1) for n in range(4)]
    store_sweep(store)  # its points are runs, newer than those above
    newer = [store.start_run("paged", "", seed=n, worlds=1, days=1) for n in range(3)]
    listed = re.compile(r'href="/runs/(\d+)"')
    seen, url, pages = [], "/", 0
    while url:
        html = client.get(url).text
        seen += [int(run) for run in listed.findall(html)]
        pages += 1
        following = re.search(r'href="(/\?before=\d+)" rel="next"', html)
        url = following.group(1) if following else ""
        assert ('href="/">Newest runs' in html) == (pages > 1)
    assert pages == 3
    assert seen == sorted(older + newer, reverse=True)  # each once, newest first, no points
    assert "And 6 runs of sweeps' points" in html


def test_a_sweeps_points_come_in_pages_and_its_profiles_are_its_analysis(
    client: TestClient, store: Store
) -> None:
    name = store_sweep(store)
    points: list[dict[str, Any]] = []
    after: int | None = -1
    while after is not None:
        answer = client.get(f"/api/sweeps/{name}", params={"after": after, "limit": 4}).json()
        points.extend(answer["point_list"])
        after = answer["next_after"]
    assert len(points) == 6 and answer["points"]["done"] == 6
    for point in points:  # the outputs the test gave each point
        assert point["outputs"]["rises"]["mean"] == pytest.approx(2 * point["values"]["wound"])
    # Against wound, "rises" is 2 x wound at each grid value; "flat" is 5 everywhere.
    by = {(p["parameter"], p["output"]): p for p in answer["profiles"]}
    rises = by[("wound", "rises")]["groups"]
    assert [g["value"] for g in rises] == [0.2, 0.5, 0.8]
    assert [g["mean"] for g in rises] == pytest.approx([0.4, 1.0, 1.6])
    assert [g["high"] - g["low"] for g in rises] == pytest.approx([2, 2, 2])
    assert [g["points"] for g in rises] == [2, 2, 2]
    assert {g["mean"] for g in by[("Stiles.autonomy", "flat")]["groups"]} == {5.0}
    assert answer["sobol"] == [] and answer["sobol_waiting"] is None  # a grid has none
    ledger = SweepLedger(store)
    info = ledger.sweep(sweep_number(name))  # type: ignore[arg-type]
    for factor in factors(info):
        for output in ("rises", "flat"):
            assert [g["mean"] for g in by[(factor.name, output)]["groups"]] == pytest.approx(
                [g.mean for g in profile(ledger.points(info.id), factor, output)]
            )


def test_a_sobol_sweep_gives_its_indices_on_the_api_and_the_page(
    client: TestClient, store: Store
) -> None:
    name = store_sweep(store, "sobol:64")
    answer = client.get(f"/api/sweeps/{name}").json()
    indices = {(s["output"], s["parameter"]): s for s in answer["sobol"]}
    # "rises" depends on wound alone.
    assert indices[("rises", "wound")]["ST"] == pytest.approx(1.0, abs=0.1)
    assert abs(indices[("rises", "Stiles.autonomy")]["ST"]) < 0.05
    ledger = SweepLedger(store)
    info = ledger.sweep(sweep_number(name))  # type: ignore[arg-type]
    expected = sobol(info, ledger.points(info.id))
    assert expected is not None
    assert indices[("rises", "wound")]["S1"] == pytest.approx(expected["rises"]["wound"]["S1"])
    html = client.get(f"/sweeps/{name}").text
    assert "<meter" in html and "Sobol indices" in html
    assert 'src="/static/sweep.js"' in html


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/sweeps/s999", 404),
        ("/api/sweeps/s99999999999", 422),
        ("/api/sweeps/s9999999999", 404),
        ("/api/sweeps/1", 422),
        ("/api/sweeps/{name}?limit=0", 422),
        ("/api/sweeps/{name}?after=-2", 422),
        ("/sweeps/s999", 404),
    ],
)
def test_bad_sweep_requests_are_4xx_naming_the_stored_sweeps(
    client: TestClient, store: Store, url: str, status: int
) -> None:
    name = store_sweep(store)
    response = client.get(url.format(name=name))
    assert response.status_code == status
    if url.startswith("/api/"):
        detail = problem(response, status)
        if status == 404:
            assert f"the stored sweeps are {name}" in detail
