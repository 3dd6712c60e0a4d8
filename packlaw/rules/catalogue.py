"""The rule catalogue: every rule's id, title, text and where the story shows it.

The texts are the project's own words for the rules of the story's pack
system; refusals quote the id, never the story.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, TypeGuard, get_args

RuleId = Literal[
    "R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7",
    "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
]  # fmt: skip
"""A rule's id: the type checker refuses an id the rulebook does not have."""

RULE_IDS: tuple[RuleId, ...] = get_args(RuleId)


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the rulebook.

    >>> RULES["R4"].title
    'Membership needs submission'
    """

    id: RuleId
    title: str
    text: str
    story: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


_CATALOGUE = (
    Rule(
        "R0",
        "Only what is there can act",
        "Every being and pack an event names must exist, each name is introduced only once, "
        "the dead take no part, and only an order still outstanding can be obeyed or defied.",
        "common sense",
    ),
    Rule(
        "R1",
        "One alpha per pack, and only alphas turn",
        "A pack has exactly one alpha and an alpha leads exactly one pack. Only an alpha's "
        "bite makes a human a werewolf.",
        "the first of the eight facts about packs",
    ),
    Rule(
        "R2",
        "A pack needs a beta",
        "A pack counts as established only while it has a living alpha and at least one "
        "living werewolf beta; until then, or once its last beta is gone, its alpha stands alone.",
        "the second fact: after the fire, Laura's pack was Laura with Derek as her one beta",
    ),
    Rule(
        "R3",
        "The alpha leads",
        "Orders come only from a pack's alpha, and only to the members of that pack.",
        "the third fact",
    ),
    Rule(
        "R4",
        "Membership needs submission",
        "Joining a pack takes two acts: the being submits to the alpha, and that alpha "
        "welcomes them. No one else's act can make someone a member.",
        "the fourth fact, and the ending, where Stiles offers his throat and Derek takes him in",
    ),
    Rule(
        "R5",
        "Ill authority may be resisted",
        "A member may refuse an order given for ill and stays in the pack.",
        "the fifth fact: Scott resisting Peter",
    ),
    Rule(
        "R6",
        "Members may leave",
        "Any member may walk away at any time: a werewolf who does is an omega, a human "
        "is on their own again.",
        "the sixth fact: Erica and Boyd wanting out",
    ),
    Rule(
        "R7",
        "Submission is a standing choice",
        "A member belongs only while they accept the alpha. Defying fair orders over and over "
        "(up to the world's defiance limit) takes a member out by their own doing, and a "
        "submission made under coercion can be taken back whenever the member likes. The "
        "alpha can neither expel anyone nor force a submission that lasts.",
        "the seventh fact, and Derek's answer after the pack meeting that he cannot throw out "
        "someone who does not want to be in",
    ),
    Rule(
        "R8",
        "Strength in numbers",
        "Each beta makes the pack's alpha and werewolves stronger, with gains that level off; "
        "an omega alone keeps only its own strength, which can still be considerable.",
        "the eighth fact, and Scott as the strong omega",
    ),
    Rule(
        "R9",
        "Division of labour",
        "A pack achieves more when each member does the work they are best at.",
        "Stiles's thoughts on why Derek kept asking him to do the research",
    ),
    Rule(
        "R10",
        "Protection and care are for the pack",
        "The alpha defends the members and looks in on them after a fight. An ally is "
        "respected: asked rather than ordered, and helped when they ask for help.",
        "after the fight Derek looks in on the betas and not on Stiles; Stiles now has to ask",
    ),
    Rule(
        "R11",
        "Pack business is for the pack",
        "Some matters are shared with members only; allies and outsiders never see them.",
        "Stiles noticing there are pack matters he is no longer told",
    ),
    Rule(
        "R12",
        "A bite turns but does not bind",
        "Someone bitten becomes a werewolf, not a member: they still have to submit.",
        "Scott, bitten by Peter, never in his pack",
    ),
    Rule(
        "R13",
        "The alpha hears the heart",
        "An alpha hears an insincere submission in the heartbeat and will not welcome it.",
        "the ending, where a steady heartbeat convinces Derek",
    ),
    Rule(
        "R14",
        "Humans are breakable",
        "Humans heal slowly; werewolves heal fast.",
        "Stiles's torn leg and his long recovery",
    ),
    Rule(
        "R15",
        "One pack at a time",
        "A being belongs to at most one pack and must leave it before submitting to another; "
        "an alpha submits to no one.",
        "implied throughout the story",
    ),
)

RULES: dict[RuleId, Rule] = {rule.id: rule for rule in _CATALOGUE}


def is_rule_id(text: str) -> TypeGuard[RuleId]:
    """Whether `text` is the id of one of the rulebook's rules (``R0`` to ``R15``).

    >>> is_rule_id("R15"), is_rule_id("R16"), is_rule_id("r3")
    (True, False, False)
    """
    return text in RULES
