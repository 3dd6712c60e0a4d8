"""``packlaw report`` and ``packlaw film``: the figures draw the stored numbers; films show the recorded world."""

from __future__ import annotations

import math
import re
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

import packlaw.report.kit
from packlaw.cli.main import main
from packlaw.report import film as films
from packlaw.report.runs import load_runs, run_charts
from packlaw.sim.state import STANDINGS
from packlaw.store import Store, resolve_url
from packlaw.store.recordings import load_recording

WORLDS, DAYS = 6, 40


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A stored `--compare` of the two bundled scenarios (runs 1 and 2), worlds 0 and 5 recorded."""
    folder = tmp_path_factory.mktemp("compared")
    db = f"sqlite:///{folder / 'runs.db'}"
    args = ["simulate", "beacon-hills", "--compare", "stiles-stays", "--record", "0,5"]
    args += ["--worlds", str(WORLDS), "--days", str(DAYS), "--seed", "2", "--json", "--db", db]
    assert main(args) == 0
    return db


def stored_daily(db: str, run_id: int) -> dict[str, dict[int, Any]]:
    with Store(resolve_url(db)) as store:
        table: dict[str, dict[int, Any]] = {}
        for row in store.daily(run_id):
            table.setdefault(row.metric, {})[row.day] = row
        return table


def charts_of(db: str, runs: list[int]) -> dict[str, Any]:
    with Store(resolve_url(db)) as store:
        return {chart.name: chart for chart in run_charts(load_runs(store, runs))}


def test_every_band_is_the_stored_daily_mean_and_5_to_95_percentiles(compared: str) -> None:
    charts = charts_of(compared, [1, 2])
    checked = set()
    for chart in charts.values():
        for series in chart.series:
            if series.low is None or chart.name == "named-beings":
                continue
            run_id = int(series.label.split(":")[0].removeprefix("run "))
            rows = stored_daily(compared, run_id)[series.name]
            assert series.x == [float(day) for day in range(1, DAYS + 1)]
            assert series.mean == [rows[day].mean for day in range(1, DAYS + 1)]
            assert series.low == [rows[day].p5 for day in range(1, DAYS + 1)]
            assert series.high == [rows[day].p95 for day in range(1, DAYS + 1)]
            checked.add(series.name)
    assert {
        "beings_member_werewolf",
        "beings_member_human",
        "beings_omega_hostile",
        "attacks",
        "attacks_alone",
        "packs_established",
        "pack_size_mean",
        "tasks_research",
        "tasks_patrol",
        "deaths",
    } <= checked


def test_the_share_of_attacks_alone_is_the_running_ratio_of_the_stored_means(compared: str) -> None:
    (share,) = [s for s in charts_of(compared, [1])["attacks"].series if s.name == "share_alone"]
    rows = stored_daily(compared, 1)
    attacks = alone = 0.0
    for day, value in zip(range(1, DAYS + 1), share.mean, strict=True):
        attacks += rows["attacks"][day].mean
        alone += rows["attacks_alone"][day].mean
        if attacks == 0:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(alone / attacks)


def test_named_beings_are_drawn_with_95_percent_intervals_of_the_stored_summary(
    compared: str,
) -> None:
    chart = charts_of(compared, [1, 2])["named-beings"]
    z = NormalDist().inv_cdf(0.975)
    with Store(resolve_url(compared)) as store:
        summaries = {run_id: store.run(run_id).summary for run_id in (1, 2)}
    names = list(summaries[1]["beings"])
    for series in chart.series:
        run_id = int(series.label.split(":")[0].removeprefix("run "))
        beings = summaries[run_id]["beings"]
        assert [names[int(x)] for x in series.x] == names
        for k, name in enumerate(names):
            if series.name.startswith("days_"):
                stats = beings[name]["days"][series.name.removeprefix("days_")]
            else:
                stats = beings[name][series.name]
            mean = stats["mean"]
            assert series.mean[k] == mean
            assert series.low is not None and series.high is not None
            if series.name == "alive":
                # Wilson's interval: the shares p whose normal test does not reject the mean.
                for bound in (series.low[k], series.high[k]):
                    if 0 < bound < 1:
                        gap = abs(mean - bound) / math.sqrt(bound * (1 - bound) / WORLDS)
                        assert gap == pytest.approx(z)
                assert series.low[k] <= mean <= series.high[k]
            else:
                half = z * stats["sd"] / math.sqrt(WORLDS)
                assert series.low[k] == pytest.approx(mean - half)
                assert series.high[k] == pytest.approx(mean + half)
    drawn = {s.name for s in chart.series}
    assert {"alive", "wounded", "wounded_alone", "days_member"} <= drawn


def test_runs_on_one_figure_differ_in_colour_and_line_style_with_a_legend_and_labelled_axes(
    compared: str,
) -> None:
    for chart in charts_of(compared, [1, 2]).values():
        assert chart.figure.get_suptitle()
        for ax in chart.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
            legend = ax.get_legend()
            assert legend is not None
            labels = [text.get_text() for text in legend.get_texts()]
            assert labels == ["run 1: beacon-hills", "run 2: stiles-stays"]
        if chart.name == "named-beings":
            continue
        lines = [line for line in chart.axes[0].get_lines() if line.get_linewidth() > 1]
        looks = {(to_hex(line.get_color()), line.get_linestyle()) for line in lines}
        assert len({colour for colour, _ in looks}) == 2
        assert len({style for _, style in looks}) == 2


def test_report_writes_png_svg_and_one_offline_page(
    compared: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    assert main(["report", "1", "2", "--out", str(out), "--db", compared]) == 0
    assert capsys.readouterr().err == ""  # no progress bar when not on a terminal
    names = {"beings", "attacks", "packs", "tasks", "deaths", "named-beings"}
    assert {p.name for p in out.iterdir()} == {
        "index.html",
        *(f"{n}.png" for n in names),
        *(f"{n}.svg" for n in names),
    }
    for name in names:
        with Image.open(out / f"{name}.png") as picture:
            assert picture.format == "PNG" and picture.width > 400
        assert (out / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    page = (out / "index.html").read_text()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)  # nothing fetched
    assert page.count('src="data:image/png;base64,') == len(names)
    for link in re.findall(r'href="([^"]+)"', page):
        assert (out / link).is_file()
    assert "run 1: beacon-hills" in page and "run 2: stiles-stays" in page


def test_a_report_that_fails_leaves_no_folder_behind(
    compared: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*args: Any) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(packlaw.report.kit, "_page", broken)
    out = tmp_path / "report"
    assert main(["report", "1", "--out", str(out), "--db", compared]) == 1
    assert capsys.readouterr().err == "packlaw: cannot write the output: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_a_new_report_replaces_an_earlier_one_whole(compared: str, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert main(["report", "1", "2", "--out", str(out), "--db", compared]) == 0
    assert main(["report", "1", "--out", str(out), "--db", compared]) == 0
    assert "run 2" not in (out / "index.html").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "1", "7"], "packlaw: there is no run 7: the stored runs are 1-2\n"),
        (["film", "9", "--world", "0"], "packlaw: there is no run 9: the stored runs are 1-2\n"),
        (
            ["film", "1", "--world", "3"],
            "packlaw: run 1 did not record world 3: it recorded world(s) 0, 5\n",
        ),
        (
            ["film", "1", "--world", "0", "--days", "30:50"],
            f"packlaw: --days 30:50: the world was recorded for days 1 to {DAYS}\n",
        ),
        (
            ["film", "1", "--world", "0", "--days", "x"],
            "packlaw: --days: 'x' is not A:B (days, e.g. 1:90)\n",
        ),
        (
            ["film", "1", "--world", "0", "--scale", "1"],
            "packlaw: --scale must be 2 to 32 pixels a cell, not 1\n",
        ),
    ],
)
def test_unknown_runs_and_unrecorded_worlds_are_one_sentence_listing_what_exists(
    compared: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    target = tmp_path / ("film.gif" if args[0] == "film" else "report")
    assert main([*args, "--out", str(target), "--db", compared]) == 2
    assert capsys.readouterr().err == message
    assert list(tmp_path.iterdir()) == []


def test_a_run_of_no_days_has_nothing_to_draw_or_film(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["simulate", "--worlds", "2", "--days", "0", "--record", "0", "--db", db]) == 0
    capsys.readouterr()
    assert main(["report", "1", "--out", str(tmp_path / "r"), "--db", db]) == 2
    assert capsys.readouterr().err == "packlaw: run 1 simulated no days: there is nothing to draw\n"
    assert main(["film", "1", "--world", "0", "--out", str(tmp_path / "f.gif"), "--db", db]) == 2
    assert capsys.readouterr().err == (
        "packlaw: run 1 simulated no days: world 0 has nothing to film\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.db"]


@pytest.mark.parametrize(
    ("command", "where", "message"),
    [
        ("report", "missing/report", "cannot write a report there: no folder"),
        ("report", "a-file", "cannot write a report there: it is a file, not a folder"),
        ("report", "not-a-report", "the folder holds files that are not a report"),
        ("film", "missing/film.gif", "cannot write the film there: no folder"),
        ("film", "film.avi", "a film is written as .gif or .mp4, not .avi"),
        ("film", "a-folder.gif", "cannot write the film there: it is a folder"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, where: str, message: str
) -> None:
    (tmp_path / "a-file").write_text("mine")
    (tmp_path / "not-a-report").mkdir()
    (tmp_path / "not-a-report" / "notes.txt").write_text("mine")
    (tmp_path / "a-folder.gif").mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    # Run 99 in a missing database: the output is refused before either is looked at.
    db = f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}"
    args = [command, "99", *(["--world", "0"] if command == "film" else [])]
    assert main([*args, "--out", str(tmp_path / where), "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"packlaw: {tmp_path / where}: ") and message in err
    assert err.count("\n") == 1
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


# ---------------------------------------------------------------- films


def test_a_gif_has_a_frame_a_day_of_the_frames_size(
    compared: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w.gif"
    args = ["film", "2", "--world", "5", "--days", "11:30", "--scale", "5"]
    assert main([*args, "--out", str(out), "--db", compared]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"wrote {out}: 20 frames, days 11 to 30\n"
    assert captured.err == ""  # no progress bar when not on a terminal
    header = films.HEADER_LINES * films.LINE_HEIGHT + 4
    with Image.open(out) as gif:
        assert gif.n_frames == 20
        # Beacon Hills is 40 x 40 cells; frames are padded to whole 16-pixel blocks.
        assert gif.size == (208, math.ceil((header + 200) / 16) * 16)
        assert gif.info["duration"] == films.FRAME_MS


def test_an_mp4_has_a_frame_a_day_of_the_frames_size(compared: str, tmp_path: Path) -> None:
    out = tmp_path / "w.mp4"
    args = ["film", "1", "--world", "0", "--scale", "4", "--out", str(out), "--db", compared]
    assert main(args) == 0
    frames = _mp4_frames(out)
    assert frames.shape[0] == DAYS
    header = films.HEADER_LINES * films.LINE_HEIGHT + 4
    assert frames.shape[1:] == (math.ceil((header + 160) / 16) * 16, 160, 3)


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_a_film_that_fails_half_way_leaves_no_file_and_keeps_an_earlier_one(
    compared: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
) -> None:
    out = tmp_path / f"w{suffix}"
    out.write_bytes(b"an earlier film")
    real = films.render_frames

    def fails_on_day_10(*args: Any, **kwargs: Any) -> Any:
        for n, frame in enumerate(real(*args, **kwargs), start=1):
            if n == 10:
                raise OSError(28, "No space left on device")
            yield frame

    monkeypatch.setattr(films, "render_frames", fails_on_day_10)
    assert main(["film", "1", "--world", "0", "--out", str(out), "--db", compared]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    assert out.read_bytes() == b"an earlier film"


def _mp4_frames(path: Path) -> np.ndarray:
    import imageio.v2 as imageio

    reader = imageio.get_reader(str(path), format="FFMPEG")
    try:
        return np.stack(list(reader.iter_data()))
    finally:
        reader.close()


def hex_of(pixel: np.ndarray) -> str:
    return "#" + bytes(int(v) for v in pixel).hex().upper()


def test_each_living_being_is_drawn_in_its_standings_colour_on_its_cell(compared: str) -> None:
    with Store(resolve_url(compared)) as store:
        film = load_recording(store, 1, 0).film()
    scale = 8
    frames = list(films.render_frames(film, scale, protect_radius=2))
    assert len(frames) == DAYS
    header = films.HEADER_LINES * films.LINE_HEIGHT + 4
    c = film.columns
    for d in (0, DAYS - 1):
        frame = films.to_rgb(frames[d])
        on_top: dict[tuple[int, int], int] = {}
        for i in np.flatnonzero(c["alive"][d]):
            cell = (int(c["y"][d, i]), int(c["x"][d, i]))
            rank = films.DRAW_RANK[c["standing"][d, i]]
            if cell not in on_top or rank >= films.DRAW_RANK[c["standing"][d, on_top[cell]]]:
                on_top[cell] = int(i)
        for (y, x), i in on_top.items():
            corner = frame[header + y * scale + 1, x * scale + 2]  # inside the edge, off the cross
            expected = films.STANDING_COLOURS[int(c["standing"][d, i])]
            assert hex_of(corner) == expected, (d, film.names[i])
        hostile = [i for i in np.flatnonzero(c["alive"][d]) if film.hostile[i]]
        for i in hostile:
            y, x = int(c["y"][d, i]), int(c["x"][d, i])
            if on_top[(y, x)] == i:
                centre = frame[header + y * scale + scale // 2, x * scale + scale // 2]
                assert hex_of(centre) == films.INK


def test_a_being_wounded_with_no_packmate_near_is_ringed_and_one_beside_its_pack_is_not() -> None:
    from packlaw.sim.recording import Film
    from packlaw.sim.state import ALLY, ALPHA, MEMBER

    def column(values: list[list[int]]) -> np.ndarray:
        return np.array(values)

    # Three beings of pack 0 over two days: an ally and a member far away, and the alpha.
    # On day 2 the ally (being 0) and the member (being 1) lose health; the member stands
    # beside its alpha (being 2) and is not alone, the ally is.
    film = Film(
        world=0,
        days=2,
        width=20,
        height=20,
        names=["Chris", "Isaac", "Derek"],
        hostile=np.zeros(3, bool),
        born=np.ones(3, np.int32),
        pack_names=["Hale"],
        columns={
            "x": column([[0, 10, 11], [0, 10, 11]]),
            "y": column([[0, 10, 10], [0, 10, 10]]),
            "standing": column([[ALLY, MEMBER, ALPHA], [ALLY, MEMBER, ALPHA]]),
            "pack": column([[0, 0, 0], [0, 0, 0]]),
            "health": column([[1000, 1000, 1000], [400, 400, 1000]]),
            "alive": column([[1, 1, 1], [1, 1, 1]]),
        },
    )
    marked = films.alone_wounds(film, protect_radius=2)
    assert marked.tolist() == [[False, False, False], [True, False, False]]
    # The member alone on the far side of the torus from its alpha is alone too.
    film.columns["x"][:, 1] = 19
    film.columns["x"][:, 2] = 5
    assert films.alone_wounds(film, protect_radius=2)[1].tolist() == [True, True, False]
    film.columns["x"][:, 2] = 1  # 19 and 1 are two cells apart round the torus
    assert films.alone_wounds(film, protect_radius=2)[1].tolist() == [True, False, False]


def test_the_frame_says_the_day_and_counts_the_living_by_standing(compared: str) -> None:
    with Store(resolve_url(compared)) as store:
        film = load_recording(store, 1, 0).film()
    counts = films.frame_counts(film, 10)
    alive = film.columns["alive"][10].astype(bool)
    assert counts["alive"] == alive.sum()
    assert sum(counts[s] for s in STANDINGS) == alive.sum()
    assert counts["hostile"] == (film.hostile & alive).sum()
