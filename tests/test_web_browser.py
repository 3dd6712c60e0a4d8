"""The pages in a real headless Chromium (Debian's), driven by Playwright, against a live server.

Skipped with the reason when Chromium is missing, except under ``CI=true``,
where a missing browser is a failure (``.ci/run`` installs it). Screenshots
of every page, at 1280x800 and at phone size, go to ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import (
    ARTIFACTS,
    STORY_NAME,
    live_server,
    store_recorded_run,
    store_run,
    store_story,
    store_sweep,
    story_facts,
)

from packlaw.notation import parse_chronicle
from packlaw.report.film import STANDING_COLOURS
from packlaw.store import Store

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCRIPT_TITLE = '<script>window.pwned = "title"</script>'
SCRIPT_SHARE = '<img src=x onerror="window.pwned = 1">'
WORLD, WORLD_DAYS = 1, 365


def _chromium() -> str:
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if found:
        return found
    reason = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason}; CI=true: the browser tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A live server over a store with the story, a chronicle full of markup, and a run."""
    folder = tmp_path_factory.mktemp("browser")
    with Store(f"sqlite:///{folder / 'packlaw.db'}") as store:
        store_story(store)
        text = (
            f'title "{SCRIPT_TITLE.replace(chr(34), chr(92) + chr(34))}"\n'
            "being Derek werewolf\nbeing Isaac werewolf\nascend Derek Hale\n"
            f'share Hale "{SCRIPT_SHARE.replace(chr(34), chr(92) + chr(34))}"\n'
        )
        store.import_chronicle("markup", parse_chronicle(text).statements)
        long = "being Derek werewolf\n" + "".join(f'note "entry {i}"\n' for i in range(1, 400))
        store.import_chronicle("long", parse_chronicle(long).statements)
        run_id = store_run(store, days=60)
        facts = story_facts(store)
        recorded, watcher = store_recorded_run(store, days=WORLD_DAYS, world=WORLD, worlds=40)
        sweep = store_sweep(store, "sobol:16")
        with live_server(store) as url:
            yield {
                "url": url,
                "run": run_id,
                "facts": facts,
                "recorded": recorded,
                "watcher": watcher,
                "sweep": sweep,
            }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.problems.append(f"error: {error}"))
    page.on(
        "console",
        lambda message: page.problems.append(message.text) if message.type == "error" else None,
    )
    yield page
    problems = page.problems
    context.close()
    assert problems == [], problems  # no script error, no CSP violation, no failed load


def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def drawn(page: Any, line: int, viewed_as: str = "") -> None:
    """Wait until the chronicle page's graph shows ``line`` (as ``viewed_as``)."""
    page.wait_for_function(
        "([line, as]) => { const r = document.getElementById('chronicle');"
        " return r.dataset.drawnLine === String(line) && r.dataset.drawnAs === as; }",
        arg=[line, viewed_as],
    )


def stiles(page: Any, pack: str) -> dict[str, Any]:
    """How the graph draws Stiles: his node's class and his edges to the pack."""
    result: dict[str, Any] = page.evaluate(
        """(pack) => {
            const g = window.packlawGraph, node = g.$id('being:Stiles');
            return {
                classes: node.classes(),
                edges: node.connectedEdges().filter(e => e.target().id() === 'pack:' + pack)
                          .map(e => e.classes()).flat(),
                row: document.querySelector('tr[data-being="Stiles"] .standing').textContent,
            };
        }""",
        pack,
    )
    return result


def test_moving_the_slider_shows_stiles_go_from_ally_to_member(
    page: Any, site: dict[str, Any]
) -> None:
    facts = site["facts"]
    page.goto(f"{site['url']}/chronicles/{STORY_NAME}?line={facts.ally_line}")
    drawn(page, facts.ally_line)
    before = stiles(page, facts.pack)
    assert "ally" in before["classes"] and before["edges"] == ["ally"]
    assert before["row"] == "ally"
    # Refused events carry their rule ids, as the rulebook gives them.
    refused = page.locator(".timeline li.refused")
    assert refused.count() > 0
    for i in range(refused.count()):
        item = refused.nth(i)
        line = int(item.get_attribute("data-line"))
        badges = item.locator(".badge").all_inner_texts()
        assert badges == [f"refused {v.rule}" for v in facts.refusals[line]]
    shoot(page, "chronicle-ally")

    page.locator("#line-slider").fill(str(facts.member_line))
    drawn(page, facts.member_line)
    after = stiles(page, facts.pack)
    assert "human" in after["classes"] and after["edges"] == ["member"]
    assert after["row"] == "member"
    assert page.url.endswith(f"?line={facts.member_line}")
    shoot(page, "chronicle-member")

    # From the keyboard: the slider steps back one line.
    page.locator("#line-slider").focus()
    page.keyboard.press("ArrowLeft")
    drawn(page, facts.member_line - 1)
    assert page.locator("#line-number").input_value() == str(facts.member_line - 1)


def test_viewing_as_stiles_hides_the_pack_business_he_did_not_see(
    page: Any, site: dict[str, Any]
) -> None:
    facts = site["facts"]
    page.goto(f"{site['url']}/chronicles/{STORY_NAME}")
    drawn(page, facts.last_line)
    business = page.locator("#business")
    assert facts.hidden_from_stiles in business.inner_text()
    assert facts.hidden_from_stiles in page.locator(".timeline").inner_text()

    page.locator("#view-as").select_option("Stiles")
    page.wait_for_url("**as=Stiles")
    drawn(page, facts.last_line, "Stiles")
    assert facts.hidden_from_stiles not in business.inner_text()
    assert facts.hidden_from_stiles not in page.locator(".timeline").inner_text()
    for text in facts.seen_by_stiles:
        assert text in business.inner_text()
    shoot(page, "chronicle-as-stiles")

    # From the keyboard: the picker keeps the focus across the page it loads.
    assert page.evaluate("() => document.activeElement.id") == "view-as"
    page.keyboard.press("Home")  # everyone, the first option
    page.wait_for_url(f"**/chronicles/{STORY_NAME}?line={facts.last_line}")
    drawn(page, facts.last_line)
    assert facts.hidden_from_stiles in business.inner_text()


def band_drawings(page: Any, count: int) -> list[dict[str, Any]]:
    """Each chart's series, bands and the pixels of its band's colour, once all ``count`` are drawn."""
    page.wait_for_function(
        "(n) => document.querySelectorAll('figure.chart[data-drawn=true]').length === n",
        arg=count,
    )
    drawings: list[dict[str, Any]] = page.evaluate(
        """() => Object.entries(window.packlawCharts).map(([key, plot]) => {
            const canvas = plot.ctx.canvas;
            const pixels = plot.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let band = 0;  // pixels of the band's colour, see-through as the band is
            for (let i = 0; i < pixels.length; i += 4) {
                const near = (v, w) => Math.abs(v - w) <= 10;  // alpha rounds the colour
                if (near(pixels[i], 33) && near(pixels[i + 1], 102) && near(pixels[i + 2], 172)
                    && pixels[i + 3] > 20 && pixels[i + 3] < 120) band++;
            }
            return {key, band, bands: plot.bands.length, xs: plot.data[0].length,
                    series: plot.series.map(s => s.label)};
        })"""
    )
    return drawings


def test_a_run_draws_each_metric_with_its_band(page: Any, site: dict[str, Any]) -> None:
    page.goto(f"{site['url']}/runs/{site['run']}")
    charts = page.locator("figure.chart")
    count = charts.count()
    assert count >= 2
    drawings = band_drawings(page, count)
    assert len(drawings) == count
    for chart in drawings:
        assert chart["series"] == ["day", "5%", "95%", "mean"]
        assert chart["bands"] == 1 and chart["xs"] == 60
        assert chart["band"] > 1000, chart  # the 5–95% band is drawn, not just declared
    # Hovering reads the values out in the legend.
    plot = page.locator("figure.chart .u-over").first
    box = plot.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    legend = page.locator("figure.chart").first.locator(".u-legend").inner_text()
    assert "mean" in legend and "--" not in legend.split("mean")[1][:8]
    shoot(page, "run")

    # From the keyboard: arrows move the reading day by day, + zooms in, 0 zooms out.
    first = page.locator("figure.chart").first
    metric = first.get_attribute("data-metric")
    first.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("(m) => window.packlawCharts[m].cursor.idx", metric) == 3
    span = "(m) => { const x = window.packlawCharts[m].scales.x; return x.max - x.min; }"
    whole = page.evaluate(span, metric)
    page.keyboard.press("+")
    assert page.evaluate(span, metric) == pytest.approx(whole / 2)
    page.keyboard.press("0")
    assert page.evaluate(span, metric) == pytest.approx(whole)


def test_the_timeline_follows_the_slider_past_what_is_drawn(
    page: Any, site: dict[str, Any]
) -> None:
    page.goto(f"{site['url']}/chronicles/long?line=1")
    drawn(page, 1)
    assert page.locator('.timeline li[data-line="390"]').count() == 0
    page.locator("#line-slider").fill("390")
    page.wait_for_url("**/chronicles/long?line=390")
    drawn(page, 390)
    assert page.locator(".timeline li.current").get_attribute("data-line") == "390"
    assert page.locator(".timeline li").last.get_attribute("data-line") == "400"


def test_a_chronicle_full_of_markup_is_shown_not_run(page: Any, site: dict[str, Any]) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{site['url']}/chronicles/markup")
    drawn(page, 5)
    assert page.locator("h1").inner_text() == SCRIPT_TITLE
    assert SCRIPT_SHARE in page.locator("#business").inner_text()
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("main script").count() == 0 and page.locator("main img").count() == 0
    assert dialogs == []
    shoot(page, "chronicle-markup")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_fits_the_screen_and_is_saved(
    browser: Any, site: dict[str, Any], viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    size = "desktop" if viewport is DESKTOP else "phone"
    pages = {
        "home": "/",
        "chronicle": f"/chronicles/{STORY_NAME}?line={site['facts'].ally_line}",
        "run": f"/runs/{site['recorded']}",  # a simulated run, with a recorded world
        "world": f"/runs/{site['recorded']}/worlds/{WORLD}?day=200",
        "sweep": f"/sweeps/{site['sweep']}",
        "not-found": "/runs/999999",
    }
    try:
        for name, path in pages.items():
            response = page.goto(site["url"] + path)
            assert response.status == (404 if name == "not-found" else 200)
            page.wait_for_load_state("networkidle")
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= viewport["width"], f"{name} is {wide}px wide at {size}"
            # The first Tab reaches the skip link: the page is usable from the keyboard.
            page.keyboard.press("Tab")
            assert page.evaluate("() => document.activeElement.className") == "skip"
            page.evaluate("() => document.activeElement.blur()")
            page.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"), full_page=True)
    finally:
        context.close()


# ------------------------------------------------------------ recorded worlds


def day_drawn(page: Any, day: int) -> None:
    page.wait_for_function(
        "(day) => document.getElementById('territory').dataset.drawnDay === String(day)", arg=day
    )


def canvas_pixels(page: Any) -> str:
    return str(page.evaluate("() => document.getElementById('map').toDataURL()"))


def test_scrubbing_a_recorded_world_changes_the_day_and_the_beings(
    page: Any, site: dict[str, Any]
) -> None:
    run_id, watcher = site["recorded"], site["watcher"]
    film = page.request.get(f"{site['url']}/api/runs/{run_id}/worlds/{WORLD}").json()
    page.goto(f"{site['url']}/runs/{run_id}/worlds/{WORLD}?day=1")
    day_drawn(page, 1)
    first = canvas_pixels(page)

    def living(day: int) -> int:
        return sum(alive for *_, alive in watcher.days[day - 1])

    assert page.locator("#where").inner_text().startswith(f"Day 1: {living(1)} alive")
    page.locator("#day-slider").fill("200")
    day_drawn(page, 200)
    assert page.locator("#where").inner_text().startswith(f"Day 200: {living(200)} alive")
    assert canvas_pixels(page) != first  # the beings moved
    page.wait_for_url("**?day=200")

    # Each being is drawn in its standing's colour (the film's), at its cell.
    today = watcher.days[199]
    cells = [(x, y) for x, y, *_, alive in today if alive]
    alone = [b for b in today if b[5] and cells.count((b[0], b[1])) == 1]
    colours = page.evaluate(
        """([width, beings]) => {
            const canvas = document.getElementById('map'), ctx = canvas.getContext('2d');
            const cell = canvas.width / width;
            return beings.map(([x, y]) => Array.from(
                ctx.getImageData((x + 0.5) * cell, (y + 0.5) * cell, 1, 1).data.slice(0, 3)));
        }""",
        [film["width"], [[x, y] for x, y, *_ in alone]],
    )
    assert len(alone) > 10
    for (*_, standing, _pack, _health, _alive), rgb in zip(alone, colours, strict=True):
        hex_colour = STANDING_COLOURS[standing]
        assert rgb == [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]

    # The pack graph beside it is the recorded chronicle's at the day's last line.
    day = page.request.get(f"{site['url']}/api/runs/{run_id}/worlds/{WORLD}/days/200").json()
    page.wait_for_function(
        "(line) => document.getElementById('territory').dataset.graphLine === String(line)",
        arg=day["line"],
    )
    world = page.request.get(
        f"{site['url']}/api/chronicles/{day['chronicle']}/world?line={day['line']}"
    ).json()
    packs = page.evaluate("() => window.packlawGraph.nodes('.pack').map(n => n.id())")
    assert sorted(packs) == sorted(f"pack:{p['name']}" for p in world["packs"])

    # A hover names the beings in the cell under the pointer, with standing, pack and health.
    x, y, standing, pack, health, alive = watcher.days[199][0]
    assert alive, "the first of the scenario's beings lives on day 200 in this run"
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    size = page.evaluate(
        "() => [document.getElementById('map').width, document.getElementById('map').height]"
    )
    cell = box["width"] / film["width"]
    assert size[0] / film["width"] == size[1] / film["height"]
    page.mouse.move(box["x"] + (x + 0.5) * cell, box["y"] + (y + 0.5) * cell)
    hover = page.locator("#hover")
    hover.wait_for(state="visible")
    expected = f"{film['names'][0]}: {film['standings'][standing]}"
    if pack >= 0:
        expected += f" of {film['pack_names'][pack]}"
    assert f"{expected}, health {health / 1000:.2f}" in hover.inner_text()
    shoot(page, "world")

    # From the keyboard: step, play and pause, home.
    page.locator("#step").click()
    day_drawn(page, 201)
    page.locator("#map").focus()
    page.keyboard.press("ArrowLeft")
    day_drawn(page, 200)
    page.keyboard.press("End")
    day_drawn(page, WORLD_DAYS)
    page.keyboard.press("Home")
    day_drawn(page, 1)
    page.keyboard.press(" ")  # play
    page.wait_for_function(
        "() => Number(document.getElementById('territory').dataset.drawnDay) > 5"
    )
    page.keyboard.press(" ")  # pause
    stopped = page.evaluate("() => window.packlawTerritory.state.day")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.packlawTerritory.state.day") == stopped
    assert page.locator("#day-number").input_value() == str(stopped)

    # Following a being reads it out for the day, as the hover does.
    page.locator("#find").fill(film["names"][0])
    page.locator("#find").press("Enter")
    page.wait_for_function(
        "(name) => document.getElementById('followed').textContent.includes(name + ':')",
        arg=film["names"][0],
    )
    assert page.locator("#followed").inner_text().startswith(f"Day {stopped}. ")


def test_a_sweep_draws_each_output_against_each_parameter_with_bands(
    page: Any, site: dict[str, Any]
) -> None:
    page.goto(f"{site['url']}/sweeps/{site['sweep']}")
    charts = page.locator("figure.chart")
    count = charts.count()
    sweep = page.request.get(f"{site['url']}/api/sweeps/{site['sweep']}").json()
    assert count == len(sweep["vary"]) * len(sweep["outputs"]) == 4
    drawings = band_drawings(page, count)
    assert len(drawings) == count
    for chart in drawings:
        parameter = chart["key"].split("\u0000")[0]
        assert chart["series"] == [parameter, "5%", "95%", "mean"]
        assert chart["bands"] == 1 and chart["xs"] >= 2
        assert chart["band"] > 500, chart  # the 5-95% band is drawn, not just declared
    sobol = page.locator(".sobol-table tbody tr")
    assert sobol.count() == len(sweep["sobol"]) == 4
    assert page.locator(".sobol-table meter").count() > 0
    shoot(page, "sweep")
