"""Store benchmark: checked appends to SQLite, batched and one event at a time.

Run: ``.venv/bin/python benchmarks/bench_store.py`` (``--quick`` for a smoke
run). Each figure is the median of several repeats, each on a fresh database
file in a temporary folder. Every append is a real one: checked against the
rulebook on top of the stored chronicle (the store keeps the chronicle's
tail in memory, so a batch costs its own events, not the history), written
in one transaction, with SQLite in WAL mode and ``synchronous=FULL``.

Set ``PACKLAW_BENCH_PG_URL`` to a PostgreSQL database URL to measure it too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from packlaw.rules.events import (
    Ascend,
    Being,
    Day,
    Event,
    Heal,
    Kind,
    Note,
    Protect,
    Research,
    Share,
    Statement,
    Submit,
    Welcome,
)
from packlaw.store import Store

PROLOGUE: list[Statement] = [
    Day(1),
    Being("Derek", Kind.WEREWOLF),
    Being("Isaac", Kind.WEREWOLF),
    Ascend("Derek", "Hale"),
    Submit("Isaac", "Derek"),
    Welcome("Derek", "Isaac"),
]


def events() -> Iterator[Event]:
    """An endless, legal, varied stream of events for the Hale pack."""
    i = 0
    while True:
        name = f"Villager{i}"
        yield Being(name, Kind.HUMAN)
        yield Protect("Isaac", name)
        yield Research(name, "the old distillery")
        yield Share("Hale", f"business {i}")
        yield Heal("Derek")
        yield Note(f"day's end {i}")
        i += 1


def fresh_store(url: str | None, folder: Path, n: int) -> Store:
    store = Store(url or f"sqlite:///{folder / f'bench{n}.db'}")
    store.import_chronicle(f"bench{n}", PROLOGUE)
    return store


def batched(url: str | None, folder: Path, n: int, total: int, size: int) -> float:
    """Events a second, appending ``total`` events in batches of ``size``."""
    stream = events()
    batches = [[next(stream) for _ in range(size)] for _ in range(total // size)]
    with fresh_store(url, folder, n) as store:
        start = time.perf_counter()
        for batch in batches:
            store.append(f"bench{n}", batch)
        return total / (time.perf_counter() - start)


def single(url: str | None, folder: Path, n: int, count: int) -> float:
    """Transactions a second, appending one event per transaction."""
    stream = events()
    batch = [next(stream) for _ in range(count)]
    with fresh_store(url, folder, n) as store:
        start = time.perf_counter()
        for event in batch:
            store.append(f"bench{n}", [event])
        return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    total = 20_000 if args.quick else 200_000
    singles = 100 if args.quick else 1_000

    targets: list[tuple[str, str | None]] = [("SQLite", None)]
    if os.environ.get("PACKLAW_BENCH_PG_URL"):
        targets.append(("PostgreSQL", os.environ["PACKLAW_BENCH_PG_URL"]))

    counter = iter(range(1_000_000))
    with tempfile.TemporaryDirectory(prefix="packlaw-bench-") as tmp:
        folder = Path(tmp)
        for label, url in targets:
            for size in (1_000, 100, 10_000):
                rates = [batched(url, folder, next(counter), total, size) for _ in range(repeats)]
                print(
                    f"{label}: {total:,} events in batches of {size:,}: "
                    f"median {statistics.median(rates):,.0f} events/s "
                    f"(runs: {', '.join(f'{r:,.0f}' for r in rates)})"
                )
            rates = [single(url, folder, next(counter), singles) for _ in range(repeats)]
            print(
                f"{label}: {singles:,} one-event transactions: "
                f"median {statistics.median(rates):,.0f} transactions/s "
                f"(runs: {', '.join(f'{r:,.0f}' for r in rates)})"
            )


if __name__ == "__main__":
    main()
