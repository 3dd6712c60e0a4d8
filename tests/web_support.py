"""What the web app's tests share: the story in a store, a run, a live server, the story's facts.

The story's facts are found by replaying the stored chronicle through the
rulebook line by line (never by line numbers written here), so they hold
for any faithful telling of the story.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from packlaw.notation import parse_chronicle
from packlaw.rules import Event, Share, Standing, Violation, World
from packlaw.store import Store
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
