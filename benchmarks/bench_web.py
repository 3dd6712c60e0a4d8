"""Web app benchmark: the world-at-line answer, requests a second under load, recorded worlds.

Run: ``.venv/bin/python benchmarks/bench_web.py`` (``--quick`` for a smoke run;
``--only worlds`` for the recorded worlds alone).

The server is the real command, ``packlaw serve``, in its own process on a
free loopback port, over a fresh SQLite store holding the story and a
stored run (365 days of six metrics). Clients are ``httpx`` on the same
machine, so client and server share its two cores.

1. **World at a line**: ``GET /api/chronicles/safety-net/world?line=N&as=Stiles``
   for every line of the story, one request at a time, timed at the client
   (replay through the rulebook, R11 view, JSON, HTTP): the first time each
   line is asked, and again (the app keeps the last worlds asked); also
   `world_view` alone, in-process, never remembered. Medians and 95th
   percentiles.
2. **Under load**: 50 concurrent clients, each sending requests back to back
   for a fixed time (a mix of the world answer at random lines, a page of a
   run's daily figures, the chronicle list and the health check). Requests a
   second, latency percentiles, the server's CPU time a request (from
   ``/proc``: what a request costs however busy the machine is), and every
   error (a non-200 or a failed connection) counted: there must be none.
3. **A day of a recorded world**: ``GET /api/runs/N/worlds/0/days/D`` at
   random days of a 365-day world of 10,000 beings (Beacon Hills with a
   crowd of 9,950 on a 200 x 200 territory, stored by ``packlaw simulate
   --record 0``), one request at a time; the first request (which reads the
   recorded chronicle) apart. Medians and 95th percentiles.
4. **Scrubbing in Chromium**: the territory page of a 365-day Beacon Hills
   world and of the 10,000-being world, in Debian's Chromium (headless,
   Playwright), 1280x800. Once its pages of days are fetched, the day
   slider is moved one day an animation frame through the whole year
   (frames a second, as drawn), and the drawing alone is timed day by day.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from packlaw.notation import parse_chronicle
from packlaw.store import Store
from packlaw.web.reading import ReadChronicles, world_view

ROOT = Path(__file__).resolve().parent.parent
PACKLAW = str(Path(sys.executable).parent / "packlaw")
CHROMIUM = "/usr/bin/chromium"
STORY = ROOT / "chronicles" / "safety-net.chronicle"
CROWD, SIDE = 9950, 200  # the large world: Beacon Hills's named beings and this crowd
NAME = "safety-net"
METRICS = ("attacks", "hits", "deaths", "kills", "hunts", "beings_ally_human")


def prepare(url: str, days: int = 365) -> int:
    with Store(url) as store:
        store.import_chronicle(NAME, parse_chronicle(STORY.read_text(encoding="utf-8")).statements)
        run_id = store.start_run("beacon-hills", "worlds = 1000", seed=1, worlds=1000, days=days)
        rows = [
            (day, metric, 2.0 + day % 5, 0.5, 1.0, 2.0, 3.0 + day % 3)
            for day in range(1, days + 1)
            for metric in METRICS
        ]
        store.finish_run(run_id, {"totals": {}}, rows)
        return run_id


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "packlaw.cli.main", "serve", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PACKLAW_TOKEN": "bench-token"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def world_at_line(base: str, last_line: int, repeats: int) -> tuple[list[float], list[float]]:
    """Milliseconds per world answer over HTTP, every line: the first pass, then the others."""
    first: list[float] = []
    again: list[float] = []
    with httpx.Client(base_url=base) as client:
        client.get(f"/api/chronicles/{NAME}").raise_for_status()  # the chronicle is read once
        for repeat in range(repeats + 1):
            for line in range(1, last_line + 1):
                start = time.perf_counter()
                answer = client.get(f"/api/chronicles/{NAME}/world?line={line}&as=Stiles")
                (again if repeat else first).append((time.perf_counter() - start) * 1000)
                answer.raise_for_status()
    return first, again


def world_in_process(db: str, last_line: int, repeats: int) -> list[float]:
    with Store(db) as store:
        read = ReadChronicles(store).get(NAME)
        times: list[float] = []
        for _ in range(repeats):
            for line in range(1, last_line + 1):
                read.views.clear()  # computed, not remembered
                start = time.perf_counter()
                world_view(read, line, "Stiles").model_dump_json()
                times.append((time.perf_counter() - start) * 1000)
    return times


async def load(
    base: str, run_id: int, last_line: int, clients: int, seconds: float
) -> tuple[int, int, list[float]]:
    """(requests, errors, latencies in ms) from `clients` concurrent clients for `seconds`."""
    paths = [
        lambda: f"/api/chronicles/{NAME}/world?line={random.randint(1, last_line)}&as=Stiles",
        lambda: f"/api/chronicles/{NAME}/world?line={random.randint(1, last_line)}",
        lambda: f"/api/runs/{run_id}/daily?metric={random.choice(METRICS)}&limit=100",
        lambda: "/api/chronicles",
        lambda: "/healthz",
    ]
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                answer = await http.get(random.choice(paths)())
                if answer.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return len(latencies), errors, latencies


def record_worlds(db: str, folder: Path, days: int) -> tuple[int, int]:
    """Store two recorded runs with the real command: Beacon Hills, and its 10,000-being variant."""
    scenario = (ROOT / "scenarios" / "beacon-hills.toml").read_text(encoding="utf-8")
    large = (
        scenario.replace('name = "beacon-hills"', 'name = "beacon-hills-10k"')
        .replace("count = 40", f"count = {CROWD}")
        .replace("width = 40", f"width = {SIDE}")
        .replace("height = 40", f"height = {SIDE}")
    )
    (folder / "large.toml").write_text(large, encoding="utf-8")
    ids = []
    for path, worlds in (("beacon-hills", 20), (str(folder / "large.toml"), 1)):
        command = [PACKLAW, "simulate", path, "--worlds", str(worlds), "--days", str(days)]
        subprocess.run(
            [*command, "--record", "0", "--db", db], check=True, stdout=subprocess.DEVNULL
        )
        with Store(db) as store:
            ids.append(store.runs()[0].id)
    return ids[0], ids[1]


def world_days(
    base: str, pid: int, run_id: int, days: int, requests: int
) -> tuple[float, list[float], float]:
    """Milliseconds for the first day asked, then for ``requests`` random days, and the
    server's CPU milliseconds a request over those."""
    times: list[float] = []
    rng = random.Random(1)
    with httpx.Client(base_url=base, timeout=60) as client:
        for i in range(requests + 1):
            if i == 1:
                cpu = cpu_seconds(pid)
            day = 1 if i == 0 else rng.randint(1, days)
            start = time.perf_counter()
            answer = client.get(f"/api/runs/{run_id}/worlds/0/days/{day}")
            times.append((time.perf_counter() - start) * 1000)
            answer.raise_for_status()
            if i == 0:
                beings = len(answer.json()["beings"]["name"])
                print(f"  day 1 of run {run_id}: {beings:,} beings, {len(answer.content):,} bytes")
    return times[0], times[1:], (cpu_seconds(pid) - cpu) / requests * 1000


SCRUB = """async (days) => {
    const t = window.packlawTerritory, slider = document.getElementById('day-slider');
    const move = (day) => { slider.value = String(day); slider.dispatchEvent(new Event('input')); };
    // Draw alone: each day, synchronously.
    const draws = [];
    for (let day = 1; day <= days; day++) {
        const start = performance.now();
        move(day);
        draws.push(performance.now() - start);
    }
    // As drawn on screen: a day an animation frame.
    const drawn = t.stats.drawn;
    const start = performance.now();
    await new Promise((done) => {
        let day = 1;
        const step = () => { move(day); day += 1; if (day <= days) requestAnimationFrame(step); else done(); };
        requestAnimationFrame(step);
    });
    const seconds = (performance.now() - start) / 1000;
    return {draws, frames: t.stats.drawn - drawn, seconds, missing: t.stats.missing};
}"""


def scrub(base: str, run_id: int, days: int, repeats: int) -> None:
    """Frames a second and draw times while scrubbing a world's whole year in Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/runs/{run_id}/worlds/0?day=1")
        page.wait_for_function("() => document.getElementById('territory').dataset.drawnDay")
        size = page.evaluate(
            "() => [document.getElementById('map').width, document.getElementById('map').height]"
        )
        for first in range(1, days + 1, 64):  # fetch every page of days, as playing would
            page.evaluate(
                "(d) => { const s = document.getElementById('day-slider');"
                " s.value = String(d); s.dispatchEvent(new Event('input')); }",
                first,
            )
            page.wait_for_function(
                "(d) => document.getElementById('territory').dataset.drawnDay === String(d)",
                arg=first,
            )
        fps: list[float] = []
        draws: list[float] = []
        for _ in range(repeats):
            result = page.evaluate(SCRUB, days)
            assert result["frames"] == days, result
            fps.append(result["frames"] / result["seconds"])
            draws.extend(result["draws"])
        print(
            f"  run {run_id}, canvas {size[0]}x{size[1]}: {statistics.median(fps):.1f} frames/s "
            f"scrubbing a day a frame (median of {repeats}; the display's rate is the ceiling); "
            f"drawing a day {statistics.median(draws):.2f} ms median, p95 "
            f"{percentile(draws, 0.95):.2f} ms, so at most {1000 / statistics.median(draws):,.0f} "
            "days/s"
        )
        browser.close()


def recorded_worlds(folder: Path, quick: bool) -> None:
    days, requests, repeats = (365, 20, 1) if quick else (365, 60, 5)
    db = f"sqlite:///{folder / 'worlds.db'}"
    small, large = record_worlds(db, folder, days)
    server, base = start_server(db)
    try:
        print(f"a day of a recorded world, {requests} random days, one request at a time:")
        for run_id in (small, large):
            first, times, cpu = world_days(base, server.pid, run_id, days, requests)
            print(
                f"  run {run_id}: first request {first:.1f} ms; then median "
                f"{statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms; "
                f"server CPU {cpu:.1f} ms a request"
            )
        if Path(CHROMIUM).exists():
            print("scrubbing in Chromium:")
            for run_id in (small, large):
                scrub(base, run_id, days, repeats)
        else:
            print(f"scrubbing: skipped, no {CHROMIUM}")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--only", choices=("story", "worlds"), help="one part of the benchmark")
    args = parser.parse_args(argv)
    repeats, seconds, runs = (1, 2.0, 1) if args.quick else (5, 10.0, 3)

    if args.only != "story":
        with tempfile.TemporaryDirectory() as folder:
            recorded_worlds(Path(folder), args.quick)
    if args.only == "worlds":
        return 0
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'packlaw.db'}"
        run_id = prepare(db)
        with Store(db) as store:
            last_line = store.last_sequence(NAME)
        inproc = world_in_process(db, last_line, repeats)
        print(
            f"world_view alone, {last_line} lines x {repeats}: median {statistics.median(inproc):.2f} ms, "
            f"p95 {percentile(inproc, 0.95):.2f} ms, max {max(inproc):.2f} ms"
        )
        server, base = start_server(db)
        try:
            first, again = world_at_line(base, last_line, repeats)
            for label, times in (("first time", first), ("asked again", again)):
                print(
                    f"GET world?line=N&as=Stiles over HTTP, {label}, {len(times)} requests: "
                    f"median {statistics.median(times):.2f} ms, p95 {percentile(times, 0.95):.2f} ms, "
                    f"max {max(times):.2f} ms"
                )
            rates: list[float] = []
            costs: list[float] = []
            for i in range(runs):
                before = cpu_seconds(server.pid)
                count, errors, latencies = asyncio.run(
                    load(base, run_id, last_line, args.clients, seconds)
                )
                costs.append((cpu_seconds(server.pid) - before) / count * 1000)
                rates.append(count / seconds)
                print(
                    f"load run {i + 1}: {args.clients} clients, {seconds:.0f} s: {count} requests, "
                    f"{count / seconds:,.0f} requests/s, {errors} errors, latency median "
                    f"{statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
                    f"server CPU {costs[-1]:.2f} ms a request"
                )
                if errors:
                    print("errors under load", file=sys.stderr)
                    return 1
            print(
                f"requests/s, median of {runs}: {statistics.median(rates):,.0f}; server CPU a "
                f"request {statistics.median(costs):.2f} ms, so one core serves "
                f"{1000 / statistics.median(costs):,.0f} requests/s"
            )
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
