"""A stored chronicle read once for the web: its lines, days, refusals and comments.

The store keeps a chronicle's canonical text; the app reads it back with the
notation's own parser and asks the rulebook's own `World` everything else,
so the pages can never disagree with `packlaw replay`. A read chronicle is
kept while the stored one is unchanged (the same last sequence: a stored
chronicle only grows), and so are the last worlds asked of it, so moving a
slider back and forth costs one small query and, the first time, one replay.

>>> from packlaw.store import ChronicleInfo, Store
>>> from packlaw.notation import parse_chronicle
>>> store = Store("sqlite://")
>>> text = '''title "Two"
... day 1
... being Derek werewolf
... ascend Derek Hale
... expect R1
... ascend Derek Argent
... '''
>>> _ = store.import_chronicle("two", parse_chronicle(text).statements)
>>> read = ReadChronicles(store).get("two")
>>> read.last_line, read.days, read.refusals[6][0].rule
(6, (0, 1, 1, 1, 1, 1), 'R1')
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from packlaw.notation import Chronicle, parse_chronicle, replay, view_as
from packlaw.notation.grammar import content_end
from packlaw.rules import (
    EVENT_TYPES,
    Being,
    Day,
    Expectation,
    RuleViolation,
    Set,
    Share,
    Statement,
    Violation,
    World,
)
from packlaw.rules.events import MILLI
from packlaw.store import ChronicleInfo, Store
from packlaw.web.models import BeingView, Business, WorldView

_EVENT_TYPES = frozenset(EVENT_TYPES)
_CACHED = 8  # chronicles kept read
_VIEWS = 512  # worlds kept for each


@dataclass(frozen=True, slots=True)
class ReadChronicle:
    """A chronicle as the store exports it, with what each of its lines means."""

    name: str
    title: str | None
    created_at: dt.datetime
    chronicle: Chronicle
    days: tuple[int, ...]  # the day of each statement
    day_of: dict[int, int]  # line -> the day of its statement
    refusals: dict[int, list[Violation]]  # line -> why the rulebook refused its event
    beings: tuple[str, ...]  # every being introduced, in order
    comments: tuple[tuple[int, str], ...]  # (line, text without the '#')
    last_line: int
    views: dict[tuple[int, str | None], WorldView] = field(default_factory=dict, compare=False)

    def kind(self, statement: Statement) -> Literal["event", "directive", "expectation"]:
        if type(statement) in _EVENT_TYPES:
            return "event"
        return "expectation" if isinstance(statement, Expectation) else "directive"


def read_chronicle(info: ChronicleInfo, text: str) -> ReadChronicle:
    """Parse a stored chronicle's text and walk it once through the rulebook."""
    chronicle = parse_chronicle(text, filename=info.name)
    world = World()
    days: list[int] = []
    refusals: dict[int, list[Violation]] = {}
    beings: dict[str, None] = {}
    for line, statement in zip(chronicle.lines, chronicle.statements, strict=True):
        kind = type(statement)
        if kind in _EVENT_TYPES or kind is Day or kind is Set:
            try:
                world.apply(statement)
            except RuleViolation as refusal:  # an event its `expect Rn` announced
                refusals[line] = refusal.violations
        if kind is Being:
            assert isinstance(statement, Being)
            beings[statement.name] = None
        days.append(world.day)
    lines = text.split("\n")
    comments = tuple(
        (number, rest.strip()[1:].strip())
        for number, raw in enumerate(lines, 1)
        if (rest := raw[content_end(raw) :]).strip().startswith("#")
    )
    return ReadChronicle(
        name=info.name,
        title=info.title,
        created_at=info.created_at,
        chronicle=chronicle,
        days=tuple(days),
        day_of=dict(zip(chronicle.lines, days, strict=True)),
        refusals=refusals,
        beings=tuple(beings),
        comments=comments,
        last_line=len(lines) - 1 if text.endswith("\n") else len(lines),
    )


class ReadChronicles:
    """The chronicles of a store, read on first use and kept while unchanged (thread-safe)."""

    def __init__(
        self, store: Store, read: Callable[[ChronicleInfo, str], ReadChronicle] = read_chronicle
    ) -> None:
        self.store = store
        self._read = read
        self._kept: OrderedDict[str, tuple[int, ReadChronicle]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> ReadChronicle:
        """The chronicle as stored now; `UnknownChronicle` if there is none."""
        version = self.store.last_sequence(name)
        with self._lock:
            kept = self._kept.get(name)
            if kept is not None and kept[0] == version:
                self._kept.move_to_end(name)
                return kept[1]
        read = self._read(self.store.chronicle(name), self.store.export(name))
        with self._lock:
            self._kept[name] = (version, read)
            self._kept.move_to_end(name)
            while len(self._kept) > _CACHED:
                self._kept.popitem(last=False)
        return read


def world_view(read: ReadChronicle, line: int, viewed_as: str | None) -> WorldView:
    """The world after ``line`` (R11: with ``viewed_as``, only the business that being saw).

    Standings, packs, established and strength come from the rulebook's own
    `World` and its summary; the business seen from `view_as`. The answer is
    kept with the read chronicle (the last few hundred asked).
    """
    kept = read.views.get((line, viewed_as))
    if kept is None:
        kept = _world_view(read, line, viewed_as)
        if len(read.views) >= _VIEWS:
            read.views.clear()
        read.views[(line, viewed_as)] = kept
    return kept


def _world_view(read: ReadChronicle, line: int, viewed_as: str | None) -> WorldView:
    chronicle = read.chronicle
    world = replay(chronicle, line=line)
    summary = world.summary()
    shown = chronicle if viewed_as is None else view_as(chronicle, viewed_as, line=line)
    business = [
        Business(line=number, day=read.day_of[number], pack=s.pack, text=s.text)
        for number, s in zip(shown.lines, shown.statements, strict=True)
        if number <= line and isinstance(s, Share)
    ]
    beings = []
    for name in read.beings:
        standing = world.standing(name)
        if standing is None:
            continue  # not introduced yet at this line
        beings.append(
            BeingView(
                name=name,
                standing=standing.value,
                pack=world.pack_of(name),
                health=world.health(name) / MILLI,
                strength=round(world.strength(name), 6),
            )
        )
    return WorldView(
        chronicle=read.name,
        line=line,
        last_line=read.last_line,
        day=world.day,
        viewed_as=viewed_as,
        packs=summary.packs,
        beings=beings,
        omegas=summary.omegas,
        unaffiliated=summary.unaffiliated,
        dead=summary.dead,
        pack_business=business,
    )
