"""Hypothesis strategies shared by the property tests: every event of the rulebook."""

from __future__ import annotations

from hypothesis import strategies as st

from packlaw.rules.events import VERBS, Arg, Event, Kind, Origin


def any_event(
    names: st.SearchStrategy[str],
    texts: st.SearchStrategy[str],
    amounts: st.SearchStrategy[int | None],
) -> st.SearchStrategy[Event]:
    """Any event of the rulebook's table, naming from `names`, with `texts` and `amounts`.

    Derived from the verbs' one description (`VERBS`), so a new verb is
    covered as soon as it is described.
    """
    by_arg: dict[Arg, st.SearchStrategy[object]] = {
        Arg.BEING: names,
        Arg.NEW: names,
        Arg.PACK: names,
        Arg.TEXT: texts,
        Arg.NUMBER: amounts,
        Arg.KIND: st.sampled_from(Kind),
        Arg.ORIGIN: st.sampled_from(Origin),
    }
    events = []
    for verb in VERBS:
        fields = {
            a.field: st.none() | by_arg[a.arg] if a.optional else by_arg[a.arg]
            for a in verb.arguments
        }
        fields.update({flag: st.booleans() for flag in verb.flags})
        events.append(st.builds(verb.event, **fields))
    return st.one_of(events)
