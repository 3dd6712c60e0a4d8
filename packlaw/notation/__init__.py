"""The chronicle notation: read, write, check and replay pack histories as text.

A chronicle is to packlaw what PGN is to chess; ``docs/notation.md`` is the writer's reference.

>>> chronicle = parse_chronicle("being Derek werewolf\\nascend Derek Hale\\nexpect Hale alone\\n")
>>> check_chronicle(chronicle)
[]
>>> print(format_chronicle(chronicle), end="")
being Derek werewolf
ascend Derek Hale
expect Hale alone
"""

from packlaw.notation.check import Problem, check_chronicle
from packlaw.notation.chronicle import (
    Chronicle,
    ChronicleSyntaxError,
    format_chronicle,
    parse_chronicle,
)
from packlaw.notation.replay import pack_business, replay, view_as

__all__ = [
    "Chronicle",
    "ChronicleSyntaxError",
    "Problem",
    "check_chronicle",
    "format_chronicle",
    "pack_business",
    "parse_chronicle",
    "replay",
    "view_as",
]
