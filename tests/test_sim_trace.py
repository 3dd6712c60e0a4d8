"""A traced world replays through the rulebook engine with no refusal, ending where the simulator did."""

from __future__ import annotations

from pathlib import Path

import pytest

from packlaw.notation import check_chronicle, format_chronicle, parse_chronicle
from packlaw.rules import World
from packlaw.sim import load_scenario, parse_scenario, simulate
from packlaw.sim.trace import WorldChronicle

# Everything happens often here: bites, joins, leaves, arrivals, leads, ill orders.
BUSY = """
name = "busy"
[params]
width = 12
height = 12
bite_rate = 0.3
join_rate = 0.3
leave_rate = 0.02
omega_arrival_rate = 0.3
return_rate = 0.05
lead_threshold = 3.0
order_rate = 0.5
ill_rate = 0.3
defiance_limit = 2
[[packs]]
name = "Hale"
alpha = { name = "Derek", strength = 1.2, research = 0.4 }
members = [
  { name = "Isaac", kind = "werewolf" },
  { name = "Stiles", kind = "human", research = 0.9, autonomy = 0.7, pride = 0.9 },
]
allies = [{ name = "Chris", kind = "human", strength = 0.5 }, { name = "Peter", kind = "werewolf" }]
[[packs]]
name = "Argent"
alpha = { name = "Kate" }
members = [{ name = "Gerard", kind = "human" }]
[[omegas]]
name = "Scott"
strength = 1.3
[[omegas]]
name = "Stranger"
hostile = true
[[crowds]]
kind = "human"
count = 30
[[crowds]]
kind = "werewolf"
count = 3
[[crowds]]
kind = "werewolf"
count = 2
hostile = true
"""


def traced(
    scenario_text: str | None, seed: int, world: int = 0, days: int = 365
) -> tuple[WorldChronicle, object]:
    scenario = load_scenario()[0] if scenario_text is None else parse_scenario(scenario_text)
    made: list[WorldChronicle] = []

    def chronicler(state: object) -> WorldChronicle:
        made.append(WorldChronicle(state, world))  # type: ignore[arg-type]
        return made[0]

    result = simulate(scenario, worlds=world + 1, days=days, seed=seed, chronicler=chronicler)
    return made[0], result.state


def replay_matches(chronicle: WorldChronicle, state: object) -> None:
    """The trace checks clean (no refusal, every expectation holds) and ends where the run did."""
    world = World()
    problems = check_chronicle(parse_chronicle(chronicle.text()), world)
    assert not problems, [str(p) for p in problems[:5]]
    for name, standing in chronicle.standings(state).items():  # type: ignore[arg-type]
        assert str(world.standing(name)) == standing, name
    for name, pack in chronicle.packs(state).items():  # type: ignore[arg-type]
        assert world.pack_of(name) == pack, name
    for name, health in chronicle.health(state).items():  # type: ignore[arg-type]
        assert world.health(name) == health, name


@pytest.mark.parametrize("seed", range(50))
def test_a_traced_beacon_hills_world_replays_with_no_refusal_and_the_same_standings(
    seed: int,
) -> None:
    replay_matches(*traced(None, seed, world=seed % 3))


@pytest.mark.parametrize("seed", range(12))
def test_a_traced_busy_world_replays_with_no_refusal_and_the_same_standings(seed: int) -> None:
    replay_matches(*traced(BUSY, seed, days=200))


def test_the_trace_is_canonical_and_tells_the_story_of_a_day() -> None:
    chronicle, _ = traced(BUSY, 3, days=120)
    text = chronicle.text()
    assert format_chronicle(parse_chronicle(text)) == text
    verbs = {line.split()[0] for line in text.splitlines()}
    assert {"set", "being", "ascend", "submit", "welcome", "ally", "order", "obey", "defy"} <= verbs
    assert {"attack", "heal", "check-in", "day"} <= verbs
    assert "set defiance-limit 2" in text.splitlines()


def test_tracing_changes_no_number() -> None:
    scenario = load_scenario()[0]
    plain = simulate(scenario, worlds=3, days=100, seed=9)
    _, state = traced(None, 9, world=2, days=100)
    assert (
        plain.state.columns["health"][: plain.state.n] == state.columns["health"][: state.n]
    ).all()  # type: ignore[attr-defined]


def test_the_command_line_writes_the_trace(tmp_path: Path) -> None:
    from packlaw.cli.main import main

    out = tmp_path / "world1.chronicle"
    status = main(
        [
            "simulate",
            "--worlds",
            "2",
            "--days",
            "30",
            "--json",
            "--db",
            f"sqlite:///{tmp_path / 'r.db'}",
            "--trace",
            "1",
            str(out),
        ]
    )
    assert status == 0
    assert out.read_text().startswith('title "beacon-hills, world 1"\nset defiance-limit 3\n')


def test_each_day_ends_with_the_health_and_standing_that_changed_that_day() -> None:
    chronicle, _ = traced(BUSY, 4, days=60)
    text = chronicle.text()
    assert "heal " in text and all(
        len(line.split()) == 2 for line in text.splitlines() if line.startswith("heal ")
    )  # no amount: the rulebook computes it
    assert " health " in text
    for day in text.split("\nday ")[1:]:
        lines = day.rstrip("\n").splitlines()[1:]
        expectations = [line.startswith("expect ") for line in lines]
        # the expectations close the day: none before the day's last event
        assert expectations == sorted(expectations)


def test_packlaw_check_fails_a_trace_whose_health_expectation_was_altered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from decimal import Decimal

    from packlaw.cli.main import main
    from packlaw.rules.events import format_amount

    lines = traced(BUSY, 5, days=120)[0].text().splitlines()
    clean = tmp_path / "clean.chronicle"
    clean.write_text("\n".join(lines) + "\n")
    assert main(["check", str(clean)]) == 0

    health = [
        i for i, line in enumerate(lines) if line.startswith("expect ") and " health " in line
    ]
    assert health
    i = health[len(health) // 2]
    _, name, _, value = lines[i].split()
    milli = int(Decimal(value) * 1000)
    lines[i] = f"expect {name} health {format_amount(milli - 1 if milli > 0 else 1)}"
    altered = tmp_path / "altered.chronicle"
    altered.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert main(["check", str(altered)]) == 1
    problems = capsys.readouterr().out.strip().splitlines()  # linter-style, on stdout
    assert len(problems) == 1 and problems[0].startswith(f"{altered}:{i + 1}: expect:")
