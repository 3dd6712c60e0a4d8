"""Hypothesis strategies shared by the property tests: every event of the rulebook."""

from __future__ import annotations

from hypothesis import strategies as st

from packlaw.rules.events import (
    Ally,
    Ascend,
    Ask,
    Attack,
    Being,
    Bite,
    CheckIn,
    Death,
    Defy,
    Event,
    Heal,
    Kind,
    Leave,
    Note,
    Obey,
    Order,
    Origin,
    Protect,
    Request,
    Rescind,
    Research,
    Share,
    Submit,
    Welcome,
)


def any_event(
    names: st.SearchStrategy[str],
    texts: st.SearchStrategy[str],
    amounts: st.SearchStrategy[int | None],
) -> st.SearchStrategy[Event]:
    """Any event of the rulebook's table, naming from `names`, with `texts` and `amounts`."""
    return st.one_of(
        st.builds(Being, names, st.just(Kind.HUMAN)),
        st.builds(Being, names, st.just(Kind.WEREWOLF), st.none() | st.sampled_from(Origin)),
        st.builds(Ascend, names, names),
        st.builds(Bite, names, names),
        st.builds(Submit, names, names, st.booleans(), st.booleans()),
        st.builds(Welcome, names, names),
        st.builds(Leave, names),
        st.builds(Rescind, names),
        st.builds(Order, names, names, texts, st.booleans()),
        st.builds(Obey, names),
        st.builds(Defy, names),
        st.builds(Ally, names, names),
        st.builds(Request, names, names, texts),
        st.builds(Ask, names, names, texts),
        st.builds(Attack, names, names, amounts),
        st.builds(Protect, names, names),
        st.builds(CheckIn, names, names),
        st.builds(Heal, names, amounts),
        st.builds(Death, names),
        st.builds(Research, names, texts),
        st.builds(Share, names, texts),
        st.builds(Note, texts),
    )
