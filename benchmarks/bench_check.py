"""Chronicle check benchmark: `packlaw check` end to end on a generated million-event chronicle.

Run: ``.venv/bin/python benchmarks/bench_check.py`` (``--events N`` for
another size, ``--repeats N``, ``--quick`` for a smoke run). It writes a
legal chronicle with a realistic mix of verbs into a temporary folder, then
times the real command (``python -m packlaw.cli.main check FILE``: start-up,
reading, parsing, every event through the rulebook, expectations) in a fresh
process each time, and prints the median events per second. It also times
the parts in-process (parse alone, check alone) so a slowdown can be placed.

The chronicle: forty packs, each an alpha with betas, human members and an
ally, plus omegas and unaffiliated humans; each day the packs give and
answer orders, check in, fight and heal, research, share pack business, ask
and request, and now and then beings are born, bitten, submit, join, leave
and die. One statement in a few hundred is an expectation, including
``expect Rn`` before a refused event. Texts carry the day, so most text
lines are unique, as in a hand-written chronicle.

``--against FOLDER`` alternates runs of this code with the ``packlaw``
package in FOLDER (``git archive REV packlaw | tar -x -C FOLDER``), so that
both see the same load on a shared machine.

``--memory`` instead runs ``packlaw check`` on hostile inputs under 10 MB
(a text of 6 MB of escaped quotes, 300,000 bad lines, a 5 MB line) and
prints the peak resident memory of each run (target: at most 300 MB).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PHRASES = (
    "patrol the east ridge",
    "guard the loft",
    "track the kanima",
    "stay out of the woods",
    "watch the school",
    "meet at the depot",
    "follow the hunters",
    "check the vault",
    "keep the full moon quiet",
    "find the omega",
)
TOPICS = ("kanima lore", "mountain ash", "wolfsbane", "the nemeton", "hunter codes", "emissaries")


class PackWorld:
    """Just enough bookkeeping to write only legal events."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[str] = []
        self.events = 0
        self.serial = 0
        self.packs: dict[str, dict[str, list[str]]] = {}
        self.alpha: dict[str, str] = {}
        self.kind: dict[str, str] = {}
        self.health: dict[str, int] = {}
        self.omegas: list[str] = []
        self.loners: list[str] = []  # unaffiliated humans

    def emit(self, line: str, event: bool = True) -> None:
        self.lines.append(line)
        self.events += event

    def new_being(self, kind: str) -> str:
        self.serial += 1
        name = f"{'Wolf' if kind == 'werewolf' else 'Human'}{self.serial}"
        origin = " bitten" if kind == "werewolf" and self.serial % 3 == 0 else ""
        self.emit(f"being {name} {kind}{origin}")
        self.kind[name] = kind
        self.health[name] = 1000
        return name

    def join(self, pack: str, name: str) -> None:
        alpha = self.alpha[pack]
        self.emit(f"submit {name} {alpha}")
        self.emit(f"welcome {alpha} {name}")
        self.packs[pack]["members"].append(name)

    def found(self, index: int) -> None:
        pack = f"Pack{index}"
        alpha = self.new_being("werewolf")
        self.emit(f"ascend {alpha} {pack}")
        self.alpha[pack] = alpha
        self.packs[pack] = {"members": [], "allies": []}
        for _ in range(4):
            self.join(pack, self.new_being("werewolf"))
        for _ in range(2):
            self.join(pack, self.new_being("human"))
        ally = self.new_being("human")
        self.emit(f"ally {alpha} {ally}")
        self.packs[pack]["allies"].append(ally)
        self.emit(f"expect {pack} established", event=False)

    def wound_and_heal(self, pack: str, day: int) -> None:
        rng = self.rng
        members = self.packs[pack]["members"]
        target = rng.choice(members)
        attacker = rng.choice(self.omegas) if self.omegas else self.alpha[pack]
        self.emit(f"attack {attacker} {target} 0.{rng.randint(1, 4)}")
        self.emit(f"protect {self.alpha[pack]} {target}")
        self.emit(f"check-in {self.alpha[pack]} {target}")
        self.emit(f"heal {target} 0.5")

    def day(self, day: int) -> None:
        rng = self.rng
        self.emit(f"day {day}", event=False)
        for pack in rng.sample(sorted(self.packs), 12):
            alpha, members = self.alpha[pack], self.packs[pack]["members"]
            allies = self.packs[pack]["allies"]
            member = rng.choice(members)
            phrase = rng.choice(PHRASES)
            if rng.random() < 0.15:
                self.emit(f'order {alpha} {member} "{phrase}" ill')
                self.emit(f"defy {member}")
            else:
                self.emit(f'order {alpha} {member} "{phrase}"')
                self.emit(f"obey {member}")
            self.emit(f"check-in {alpha} {rng.choice(members)}")
            self.wound_and_heal(pack, day)
            humans = [m for m in members if self.kind[m] == "human"]
            if humans:
                self.emit(f'research {rng.choice(humans)} "{rng.choice(TOPICS)}, day {day}"')
            self.emit(f'share {pack} "{phrase} at dusk on day {day}"')
            if allies:
                ally = rng.choice(allies)
                self.emit(f'request {alpha} {ally} "{phrase}"')
                self.emit(f'ask {ally} {alpha} "backup on day {day}"')
                self.emit(f"check-in {alpha} {ally}")
            self.churn(pack, day)
        self.emit(f'note "the moon rises on day {day}"')
        if day % 7 == 0:  # an expectation and a refusal it announces
            pack = rng.choice(sorted(self.packs))
            beta = next(m for m in self.packs[pack]["members"] if self.kind[m] == "werewolf")
            self.emit(f"expect {beta} member {pack}", event=False)
            self.emit("expect R3", event=False)
            self.emit(f'order {beta} {self.alpha[pack]} "bow"')

    def churn(self, pack: str, day: int) -> None:
        """Now and then: a newcomer joins, a member leaves, a human is bitten, an omega dies."""
        rng = self.rng
        alpha, members = self.alpha[pack], self.packs[pack]["members"]
        roll = rng.random()
        if roll < 0.08:
            self.join(pack, self.new_being(rng.choice(("werewolf", "human"))))
        elif roll < 0.14 and len(members) > 5:
            leaver = rng.choice(members)
            werewolves = sum(1 for m in members if self.kind[m] == "werewolf")
            if self.kind[leaver] == "werewolf" and werewolves <= 3:
                return  # every pack keeps some betas, so it stays established
            members.remove(leaver)
            self.emit(f"leave {leaver}")
            if self.kind[leaver] == "werewolf":
                self.omegas.append(leaver)
            else:
                self.loners.append(leaver)
        elif roll < 0.16:
            humans = [m for m in members if self.kind[m] == "human"]
            if humans:
                self.emit(f"bite {alpha} {humans[0]}")
                self.kind[humans[0]] = "werewolf"
        elif roll < 0.17 and len(self.omegas) > 3:
            self.emit(f"death {self.omegas.pop(0)}")
        elif roll < 0.19 and self.loners:
            self.join(pack, self.loners.pop(0))


def generate(events: int, seed: int = 1) -> tuple[str, int]:
    """A legal chronicle of about `events` events, and its exact event count."""
    world = PackWorld(random.Random(seed))
    world.emit('title "Forty packs"', event=False)
    world.emit("set defiance-limit 5", event=False)
    world.emit("day 0", event=False)
    for index in range(40):
        world.found(index)
    for _ in range(3):
        world.omegas.append(world.new_being("werewolf"))
    day = 1
    while world.events < events:
        world.day(day)
        day += 1
    return "\n".join(world.lines) + "\n", world.events


ROOT = Path(__file__).resolve().parent.parent


def packlaw_from(code: str, scratch: Path) -> tuple[dict[str, str], Path]:
    """The environment and working folder in which ``python -m`` imports ``packlaw`` from `code`.

    ``python -m`` puts its working folder first on the path, before
    PYTHONPATH: run from a checkout, it would import that checkout's
    package whatever PYTHONPATH says. So the command runs in `scratch`, and
    this checks where ``packlaw`` is imported from before timing anything.
    """
    env = dict(os.environ, PYTHONPATH=code)
    where = subprocess.run(
        [sys.executable, "-c", "import packlaw; print(packlaw.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=scratch,
    ).stdout.strip()
    if not Path(where).resolve().is_relative_to(Path(code).resolve()):
        raise SystemExit(f"packlaw is imported from {where}, not from {code}")
    return env, scratch


def time_command(path: Path, repeats: int, code: str | None = None) -> list[tuple[float, float]]:
    """Wall-clock and CPU seconds for `packlaw check FILE` in a fresh process, once per repeat.

    The CPU time (user and system, of the child) is what the command itself
    cost: on a shared machine it moves far less than the wall clock. With
    `code`, a folder holding another ``packlaw`` package, that one runs
    (by default, this checkout's).
    """
    times = []
    command = [sys.executable, "-m", "packlaw.cli.main", "check", str(path)]
    env, cwd = packlaw_from(code or str(ROOT), path.parent)
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, env=env, cwd=cwd
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        times.append((wall, cpu))
        if done.returncode != 0:
            raise SystemExit(f"packlaw check failed ({done.returncode}):\n{done.stdout[:2000]}")
    return times


def summary(runs: list[tuple[float, float]], events: int) -> str:
    """Medians (and best) of wall-clock and CPU time, and events a second by each."""
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return (
        f"wall median {wall:.2f} s ({events / wall:,.0f} events/s), best {min(walls):.2f} s;"
        f" CPU median {cpu:.2f} s ({events / cpu:,.0f} events/s), best {min(cpus):.2f} s;"
        f" runs {', '.join(f'{w:.2f}/{c:.2f}' for w, c in runs)} (wall/CPU)"
    )


def time_parts(text: str, repeats: int) -> tuple[float, float]:
    """Median CPU seconds for parsing alone and for checking a parsed chronicle, in-process.

    The collector is paused as `packlaw check` pauses it.
    """
    from packlaw.cli.collector import collector_paused
    from packlaw.notation import check_chronicle, parse_chronicle

    parse_times, check_times = [], []
    for _ in range(repeats):
        with collector_paused():
            start = time.process_time()
            chronicle = parse_chronicle(text)
            parse_times.append(time.process_time() - start)
            start = time.process_time()
            problems = check_chronicle(chronicle)
            check_times.append(time.process_time() - start)
        assert not problems, problems[:3]
        del chronicle
    return statistics.median(parse_times), statistics.median(check_times)


HOSTILE = {
    "6 MB of escaped quotes in one text": lambda: 'note "' + '\\"' * 3_000_000 + '"\n',
    "300,000 bad lines": lambda: "".join(f"welcome Derek{i} x y z\n" for i in range(300_000)),
    "one 5 MB line with an error at its end": lambda: "welcome " + "D" * 5_000_000 + ' "x\n',
}
PEAK = """
import resource, sys
from packlaw.cli.main import main
status = main(["check", sys.argv[1]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, status, file=sys.stderr)
"""


def measure_memory() -> None:
    """Peak memory of `packlaw check` on hostile inputs under 10 MB (target: at most 300 MB)."""
    with tempfile.TemporaryDirectory() as folder:
        for what, make in HOSTILE.items():
            path = Path(folder) / "hostile.chronicle"
            path.write_text(make(), encoding="utf-8")
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=False
            )
            took = time.perf_counter() - start
            peak_kib, status = done.stderr.split()[-2:]
            longest = max((len(line) for line in done.stdout.splitlines()), default=0)
            print(
                f"{what} ({path.stat().st_size / 1e6:.1f} MB): peak {int(peak_kib) / 1024:.0f} MB,"
                f" {took:.1f} s, exit {status}, longest message line {longest:,} characters"
            )


def compare(folder: str, events: int, repeats: int) -> None:
    """This code and the one in `folder`, one run each in turn, so that both see the same load."""
    text, count = generate(events)
    times: dict[str, list[tuple[float, float]]] = {folder: [], "this": []}
    loads = []
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "forty-packs.chronicle"
        path.write_text(text, encoding="utf-8")
        for _ in range(repeats):
            times[folder] += time_command(path, 1, folder)
            times["this"] += time_command(path, 1)
            loads.append(os.getloadavg()[0])
    for name, runs in times.items():
        print(f"{name}: {summary(runs, count)}")
    print(f"  load average {min(loads):.1f} to {max(loads):.1f}, cores: {os.cpu_count()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="100,000 events, 2 repeats")
    parser.add_argument(
        "--memory", action="store_true", help="peak memory on hostile inputs instead"
    )
    parser.add_argument(
        "--against",
        metavar="FOLDER",
        help="alternate runs with the packlaw package in FOLDER (an older version, say)",
    )
    options = parser.parse_args()
    if options.memory:
        measure_memory()
        return
    if options.against:
        compare(options.against, options.events, options.repeats)
        return
    if options.quick:
        options.events, options.repeats = 100_000, 2

    start = time.perf_counter()
    text, events = generate(options.events)
    lines = text.count("\n")
    print(
        f"generated {events:,} events ({lines:,} lines, {len(text) / 1e6:.1f} MB)"
        f" in {time.perf_counter() - start:.1f} s"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "forty-packs.chronicle"
        path.write_text(text, encoding="utf-8")
        times = time_command(path, options.repeats)
    median = statistics.median(wall for wall, _ in times)
    parse, check = time_parts(text, max(1, options.repeats // 2))
    print(f"packlaw check, end to end, {options.repeats} runs: {summary(times, events)}")
    print(f"  {events / median:,.0f} events/s by the wall clock (target >= 300,000)")
    print(
        f"  in-process, CPU: parse {parse:.2f} s ({events / parse:,.0f} events/s),"
        f" check {check:.2f} s ({events / check:,.0f} events/s)"
    )
    print(
        f"  load average {os.getloadavg()[0]:.1f}, cores: {os.cpu_count()},"
        f" python {sys.version.split()[0]}"
    )


if __name__ == "__main__":
    main()
