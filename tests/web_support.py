"""What the web app's tests share: the story in a store, a run, a live server, the story's facts.

The story's facts are found by replaying the stored chronicle through the
rulebook line by line (never by line numbers written here), so they hold
for any faithful telling of the story.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from packlaw.notation import parse_chronicle
from packlaw.rules import Event, Share, Standing, Violation, World
from packlaw.sim import load_scenario, simulate
from packlaw.sim.recording import Recorder, Recording
from packlaw.sim.state import State
from packlaw.store import Store
from packlaw.store.recordings import save_recordings
from packlaw.store.store import Daily
from packlaw.store.sweeps import NewPoint, SweepLedger
from packlaw.sweep.design import design, point_id, point_seed
from packlaw.sweep.experiment import build_experiment
from packlaw.web import create_app

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "chronicles" / "safety-net.chronicle"
ARTIFACTS = ROOT / "tests" / "artifacts"
TOKEN = "a-test-token-that-is-long-enough-0123456789"
STORY_NAME = "safety-net"


def store_story(store: Store, name: str = STORY_NAME) -> None:
    store.import_chronicle(name, parse_chronicle(STORY.read_text(encoding="utf-8")).statements)


def store_run(store: Store, days: int = 30) -> int:
    """A finished run with daily figures whose 5–95% band is wide, and two named beings."""
    run_id = store.start_run("beacon-hills", "worlds = 50", seed=7, worlds=50, days=days)
    rows = []
    for day in range(1, days + 1):
        for metric, level in (("attacks", 3.0), ("deaths", 1.0), ("beings_ally_human", 2.0)):
            mean = level + (day % 7) / 7
            rows.append((day, metric, mean, 0.5, mean - 1.5, mean, mean + 1.5))
    figure = {"mean": 0.5, "sd": 0.1, "p5": 0.0, "p50": 0.5, "p95": 1.0}
    summary = {
        "totals": {"attacks": figure, "deaths": figure},
        "beings": {
            name: {
                "alive": figure,
                "wounded": figure,
                "wounded_alone": figure,
                "days": {"member": figure, "ally": figure},
            }
            for name in ("Stiles", "Derek")
        },
    }
    store.finish_run(run_id, summary, rows)
    return run_id


class Watcher:
    """One world's beings each day, copied straight from the simulator's state.

    What a recorded world's answers must give back, found without the film:
    ``days[d - 1]`` is ``(x, y, standing, pack, health, alive)`` of each of
    the world's beings on day ``d``, in the order the world made them.
    """

    def __init__(self, world: int) -> None:
        self.world = world
        self.days: list[list[tuple[int, ...]]] = []

    def observe(self, day: int, state: State) -> None:
        b = state.beings
        self.days.append(
            [
                (
                    int(b.x[row]),
                    int(b.y[row]),
                    int(b.standing[row]),
                    int(b.pack[row]) % state.n_packs if b.pack[row] >= 0 else -1,
                    int(b.health[row]),
                    int(b.alive[row]),
                )
                for row in range(state.n)
                if b.world[row] == self.world
            ]
        )


@dataclass(frozen=True)
class Recorded:
    """A simulated Beacon Hills run that recorded one world, ready to store."""

    scenario: str
    text: str
    days: int
    recordings: list[Recording]
    summary: dict[str, Any]
    daily: list[Daily]
    watcher: Watcher


@functools.cache
def recorded_simulation(days: int = 150, world: int = 1, worlds: int = 3) -> Recorded:
    """``worlds`` worlds of Beacon Hills for ``days`` days, ``world`` recorded (simulated once)."""
    scenario, text, _ = load_scenario()
    recorder, watcher = Recorder(scenario, [world]), Watcher(world)
    # The watcher copies the world's rows from the whole run; the recorder's film
    # comes from the world replayed alone after it: two independent sources.
    result = simulate(
        scenario,
        worlds=worlds,
        days=days,
        seed=5,
        observe=watcher.observe,
        watch=recorder.watches(),
    )
    return Recorded(
        scenario.name, text, days, recorder.recordings(), result.summary(),
        list(result.daily_rows()), watcher,
    )  # fmt: skip


def store_recorded_run(
    store: Store, days: int = 150, world: int = 1, worlds: int = 3
) -> tuple[int, Watcher]:
    """The run of `recorded_simulation` stored as `packlaw simulate --record` stores it."""
    run = recorded_simulation(days, world, worlds)
    run_id = store.start_run(run.scenario, run.text, seed=5, worlds=worlds, days=days)
    save_recordings(store, run_id, run.recordings)
    store.finish_run(run_id, run.summary, run.daily)
    return run_id, run.watcher


def store_sweep(store: Store, sample: str = "grid") -> str:
    """A finished sweep over two parameters whose outputs are made from the points' own values.

    ``rises`` is 2 x wound with a band of +-1; ``flat`` is 5 whatever the values.
    """
    vary = (
        {"wound": "0.2,0.5,0.8", "Stiles.autonomy": "0,1"}
        if sample == "grid"
        else {"wound": "0.2:0.8", "Stiles.autonomy": "0:1"}
    )
    experiment = build_experiment("beacon-hills", vary, sample, worlds=2, days=1, seed=3)
    rows = design(experiment.factors, experiment.sample, experiment.seed)
    ledger = SweepLedger(store)
    key = f"web-{sample}"
    sweep = ledger.open(key, "beacon-hills", experiment.scenario_text, worlds=2, days=1,
                        seed=3, experiment=experiment.document())  # fmt: skip
    ledger.add_points(sweep, [NewPoint(point_id(key, r), r, point_seed(3, r)) for r in rows])
    info = ledger.sweep(sweep)
    for point in ledger.points(sweep):
        wound = point.values["wound"]
        outputs = {
            "rises": {"mean": 2 * wound, "low": 2 * wound - 1, "high": 2 * wound + 1},
            "flat": {"mean": 5.0, "low": 4.0, "high": 6.0},
        }
        ledger.finish(info, point, {}, [], outputs)
    return info.name


@dataclass(frozen=True)
class StoryFacts:
    """Lines of the stored story where Stiles is an ally of Derek's pack, then, in the end, its member.

    (He never truly accepts Derek as his alpha until the story's last scene:
    his first submission is insincere and refused, so he starts as an ally.)
    """

    pack: str
    member_line: int
    ally_line: int
    last_line: int
    shares: list[str]  # every share's text, in order
    seen_by_stiles: list[str]  # the texts of those Stiles saw (R11)
    hidden_from_stiles: str  # one share that Stiles did not see
    refusals: dict[int, list[Violation]]  # line -> why the rulebook refused its event


def story_facts(store: Store, name: str = STORY_NAME) -> StoryFacts:
    """Scan the stored story's world line by line with the rulebook alone."""
    chronicle = parse_chronicle(store.export(name))
    world = World()
    member_line = ally_line = 0
    pack = ""
    shares: list[str] = []
    seen: list[str] = []
    refusals: dict[int, list[Violation]] = {}
    for line, statement in zip(chronicle.lines, chronicle.statements, strict=True):
        if isinstance(statement, Share):
            shares.append(statement.text)
            if "Stiles" in world.audience(statement.pack):
                seen.append(statement.text)
        if isinstance(statement, Event):
            violations = world.explain(statement)
            if violations:
                refusals[line] = violations
        with suppress(ValueError, TypeError):  # announced refusals and expectations change nothing
            world.apply(statement)
        derek_pack = world.pack_of("Derek") if world.standing("Derek") is Standing.ALPHA else None
        if derek_pack is None or world.pack_of("Stiles") != derek_pack:
            continue
        standing = world.standing("Stiles")
        if standing is Standing.ALLY and not ally_line:
            ally_line, pack = line, derek_pack
        elif standing is Standing.MEMBER and ally_line and not member_line:
            member_line = line
    assert member_line and ally_line, "the story must show Stiles an ally, then a member"
    hidden = [text for text in shares if text not in seen]
    assert hidden, "the story must have pack business that Stiles did not see"
    return StoryFacts(
        pack, member_line, ally_line, chronicle.lines[-1], shares, seen, hidden[0], refusals
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(store: Store, token: str = TOKEN) -> Iterator[str]:
    """The app on a real Uvicorn server on loopback, in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(store, token), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
