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


def comments() -> st.SearchStrategy[str]:
    """A comment's text: anything but line breaks and control characters."""
    return st.text(
        st.characters(
            blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029", codec="utf-8"
        ),
        max_size=15,
    )


@st.composite
def with_remarks(draw: st.DrawFn, lines: list[str]) -> tuple[str, list[str]]:
    """The statement lines as a chronicle's text with comments and blank lines anywhere,
    and the comments' texts in order (as a reader should find them: spaces around trimmed)."""
    out: list[str] = []
    found: list[str] = []

    def comment() -> str:
        text = draw(comments())
        found.append(text.strip(" \t"))
        return "#" + text

    for line in lines:
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                out.append(draw(st.sampled_from(["", " ", "\t"])) + comment())
            else:
                out.append(draw(st.sampled_from(["", " "])))
        if draw(st.booleans()):
            out.append(line + draw(st.sampled_from([" ", "  ", "\t"])) + comment())
        else:
            out.append(line)
    for _ in range(draw(st.integers(0, 2))):
        out.append(comment() if draw(st.booleans()) else "")
    return "\n".join(out), found
