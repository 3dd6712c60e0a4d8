"""The reference reader: the Lark grammar in ``chronicle.lark``, and every syntax error's words.

`parse_line` reads one line with Lark's LALR parser and an embedded
transformer that builds the statement values of `packlaw.rules.events`
directly, with no parse tree in between. It either returns a statement (or
``None`` for a blank or comment-only line) or raises `LineError` with the
1-based column and a message that says what was expected there.

>>> parse_line('order Derek Stiles "stay out of the woods" ILL')
Order(alpha='Derek', name='Stiles', text='stay out of the woods', ill=True)
>>> try:
...     parse_line("welcome Derek")
... except LineError as error:
...     print(error.column, error.message)
14 expected a being name after 'welcome Derek'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.exceptions import LarkError

from packlaw.rules.catalogue import is_rule_id
from packlaw.rules.events import (
    AMOUNT_PATTERN,
    EVENTS_BY_VERB,
    MILLI,
    VERBS,
    Arg,
    Day,
    Event,
    ExpectEstablished,
    ExpectHealth,
    ExpectRefusal,
    ExpectStanding,
    Kind,
    Origin,
    Set,
    Setting,
    Standing,
    Statement,
    Title,
    Verb,
    parse_amount,
)

DIRECTIVES = ("title", "set", "day", "expect")
WORDS = (*EVENTS_BY_VERB, *DIRECTIVES)  # every word a line can start with
NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_'-")
MAX_DIGITS = 15  # a whole part longer than this is no amount, day or limit anyone means
_ESCAPE = re.compile(r'\\(["\\])')


class LineError(Exception):
    """A syntax error within one line: the 1-based column and what is wrong.

    `parse_chronicle` turns it into a `ChronicleSyntaxError` with the file and line.
    """

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


def unquote(token: str) -> str:
    """The text inside a quoted TEXT token, escapes undone.

    >>> unquote(r'"say \\"hi\\" \\\\ bye"')
    'say "hi" \\\\ bye'
    """
    inner = token[1:-1]
    return _ESCAPE.sub(r"\1", inner) if "\\" in inner else inner


def amount(token: Token, what: str) -> int:
    """A NUMBER token as thousandths, or a `LineError` that says why it is no number."""
    match = AMOUNT_PATTERN.match(token)
    if match is None:
        whole, point, frac = token.partition(".")
        if whole.isdigit() and whole.isascii() and frac.isdigit() and frac.isascii():
            why = "has more than three decimals"
        elif point and not frac:
            why = "is not a number: a digit must follow the point"
        else:
            why = "is not a number"
        raise LineError(token.column or 1, f"{what} '{token}' {why}")
    if len(match.group(1)) > MAX_DIGITS:
        raise LineError(token.column or 1, f"{what} '{token}' is too large")
    return parse_amount(token)


class ChronicleTransformer(Transformer[Token, Any]):
    """Builds statement values as Lark reduces each rule (embedded in the parser).

    Names become plain ``str``; flags and keywords are matched case-insensitively.
    """

    # the two start symbols
    def line(self, items: list[Any]) -> Statement | None:
        return items[0]

    def chronicle(self, items: list[Any]) -> list[Statement]:
        return [item for item in items if item is not None]

    # directives
    def title(self, items: list[Any]) -> Title:
        return Title(unquote(items[0]))

    def set(self, items: list[Any]) -> Set:
        setting_token, value_token = items
        setting = Setting(setting_token.lower())
        value = amount(value_token, "value")
        check_setting(setting, value, value_token.column)
        return Set(setting, value)

    def day(self, items: list[Any]) -> Day:
        token = items[0]
        number = amount(token, "day")
        if number % MILLI:
            raise LineError(token.column, f"day '{token}' is not a whole number")
        return Day(number // MILLI)

    # expectations
    def expect_refusal(self, items: list[Any]) -> ExpectRefusal:
        token = items[0]
        rule = "R" + token[1:]  # keywords are case-insensitive: `expect r3` is `expect R3`
        if token[0] in "Rr" and is_rule_id(rule):
            return ExpectRefusal(rule)
        if token[0] in "Rr" and token[1:].isdigit():
            raise LineError(token.column, f"there is no rule {token}: the rules are R0 to R15")
        raise LineError(
            token.end_column,
            f"expected {_STANDING_WORDS} after 'expect {token}'",
        )

    def expect_standing(self, items: list[Any]) -> ExpectStanding:
        name, standing, *pack = items
        return ExpectStanding(
            str(name),
            Standing(standing.lower()),
            None if not pack or pack[0] is None else str(pack[0]),
        )

    def expect_established(self, items: list[Any]) -> ExpectEstablished:
        return ExpectEstablished(str(items[0]), items[1].lower() == "established")

    def expect_health(self, items: list[Any]) -> ExpectHealth:
        name, _, number = items
        return ExpectHealth(str(name), amount(number, "health"))


_TOKEN_OF = {
    Arg.BEING: "NAME",
    Arg.NEW: "NAME",
    Arg.PACK: "NAME",
    Arg.TEXT: "TEXT",
    Arg.NUMBER: "NUMBER",
    Arg.KIND: "KIND",
    Arg.ORIGIN: "ORIGIN",
}
_KEYWORD = "/{word}(?![A-Za-z0-9_'\\-])/i"


def _terminal(word: str) -> str:
    return word.upper().replace("-", "_")


def event_rules() -> str:
    """The grammar's event rules and their terminals, derived from `VERBS`."""
    rules = ["?event: " + " | ".join(verb.ident for verb in VERBS)]
    terminals: dict[str, str] = {}
    for verb in VERBS:
        keyword = "_" + _terminal(verb.word)
        terminals[keyword] = _KEYWORD.format(word=verb.word)
        parts = [keyword]
        for argument in verb.arguments:
            token = _TOKEN_OF[argument.arg]
            parts.append(f"[{token}]" if argument.optional else token)
        flags = [_terminal(flag) for flag in verb.flags]
        for flag, word in zip(flags, verb.flags, strict=True):
            terminals[flag] = _KEYWORD.format(word=word)
        if len(flags) == 1:
            parts.append(f"[{flags[0]}]")
        elif flags:  # in any order, each at most once (the transformer refuses a repeat)
            parts.append("(" + " | ".join(flags) + ")*")
        rules.append(f"{verb.ident}: " + " ".join(parts))
    rules.extend(f"{name}: {pattern}" for name, pattern in terminals.items())
    return "\n".join(rules)


def _event_builder(verb: Verb) -> Callable[[ChronicleTransformer, list[Any]], Event]:
    """The transformer's method for one verb: its tokens turned into the event."""
    arguments = verb.arguments
    count = len(arguments)
    cls, flags = verb.event, verb.flags

    def build(self: ChronicleTransformer, items: list[Any]) -> Event:
        values: list[object] = []
        for argument, token in zip(arguments, items[:count], strict=True):
            kind = argument.arg
            if token is None:
                values.append(None)
            elif kind is Arg.TEXT:
                values.append(unquote(token))
            elif kind is Arg.NUMBER:
                values.append(amount(token, argument.placeholder.lower()))
            elif kind is Arg.KIND:
                values.append(Kind(token.lower()))
            elif kind is Arg.ORIGIN:
                values.append(Origin(token.lower()))
            else:
                values.append(str(token))
        seen: set[str] = set()
        for flag in items[count:]:
            if flag is None:
                continue
            word = flag.lower()
            if word in seen:
                raise LineError(flag.column, f"'{word}' is given twice")
            seen.add(word)
        values.extend(flag in seen for flag in flags)
        return cls(*values)

    build.__name__ = verb.ident
    return build


for _verb in VERBS:
    setattr(ChronicleTransformer, _verb.ident, _event_builder(_verb))


def check_setting(setting: Setting, value: int, column: int) -> None:
    """The range each world setting accepts (the same as `World.apply` enforces)."""
    if setting is Setting.DEFIANCE_LIMIT:
        if value % MILLI or value < MILLI:
            raise LineError(column, "defiance-limit must be a whole number of at least 1")
    elif not 0 < value <= MILLI:
        raise LineError(column, f"{setting} must be more than 0 and at most 1 (health a day)")


@cache
def reference_parser() -> Lark:
    """The LALR parser for ``chronicle.lark``, built once (start symbols `line` and `chronicle`)."""
    grammar = resources.files("packlaw.notation").joinpath("chronicle.lark").read_text("utf-8")
    grammar = grammar.replace("\n%events\n", "\n" + event_rules() + "\n", 1)
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        start=["line", "chronicle"],
        transformer=ChronicleTransformer(),
        maybe_placeholders=True,
        cache=False,
    )


def parse_line(text: str) -> Statement | None:
    """One line (without its line break) read by the grammar: a statement, or None if blank.

    Raises `LineError` for anything the notation does not allow.
    """
    try:
        return reference_parser().parse(text, start="line")  # type: ignore[return-value]
    except UnexpectedInput as error:
        column, message = describe(text, error)
        raise LineError(column, message) from None
    except LarkError as error:  # pragma: no cover - every input error is UnexpectedInput
        raise LineError(1, f"cannot read this line ({error})") from None


def parse_document(text: str) -> list[Statement]:
    """A whole page read by the grammar's `chronicle` start symbol, in one go.

    This is the grammar on its own, without the checks that need context
    (day order, the title's place); tests compare it with `parse_chronicle`.
    Raises `LarkError` or `LineError` on bad text.
    """
    return reference_parser().parse(text, start="chronicle")  # type: ignore[return-value]


# ---------------------------------------------------------------- wording

_STANDING_WORDS = (
    "a standing (alpha, member, ally, omega, unaffiliated, dead), 'established', 'alone', 'health'"
)
_LONE = ("omega", "unaffiliated", "dead")
# Words a writer may reach for that are no standing, and what to write instead.
_STANDING_HINTS = {
    "beta": "a beta is a werewolf `member` of a pack: write `member`",
    "betas": "a beta is a werewolf `member` of a pack: write `member`",
    "human": "a human member is a `member` of a pack",
    "leader": "a pack's leader is its `alpha`",
    "allied": "write `ally`",
}
_ASCII_NAMES = (
    "names are ASCII: an ASCII letter, then ASCII letters, digits, _ - or ' "
    "(so that any keyboard can type them and every tool compares and sorts them the same)"
)
_ROLES: dict[str, tuple[str, ...]] = {
    **{verb.word: tuple(a.role for a in verb.arguments) for verb in VERBS},
    "title": ("the title as a quoted text",),
    "set": ("", "a value (a number)"),
    "day": ("the day number",),
    "expect": ("a being name, a pack name or a rule id (R0 to R15)", "", "a pack name"),
}
_EXPECT_HEALTH_ROLES = ("", "", "a health (a number from 0 to 1, in thousandths)")
_TERMINALS = {
    "KIND": "a kind (human or werewolf)",
    "ORIGIN": "an origin (born or bitten)",
    **{_terminal(flag): f"'{flag}'" for verb in VERBS for flag in verb.flags},
    "SETTING": "a setting (defiance-limit, heal-werewolf or heal-human)",
    "PACK_STANDING": _STANDING_WORDS,
    "LONE_STANDING": _STANDING_WORDS,
    "ESTABLISHED": _STANDING_WORDS,
    "ALONE": _STANDING_WORDS,
    "HEALTH": _STANDING_WORDS,
    "NAME": "a name",
    "TEXT": "a quoted text",
    "NUMBER": "a number",
    "$END": "the end of the line",
    "_NL": "the end of the line",
}
_VERB_WORDS = f"a verb ({', '.join(EVENTS_BY_VERB)}) or a directive ({', '.join(DIRECTIVES)})"
# Lark orders its expected sets arbitrarily; this is the order we list them in.
_ORDER = {
    name: i
    for i, name in enumerate(
        [
            "NAME",
            "TEXT",
            "NUMBER",
            "KIND",
            "ORIGIN",
            "SETTING",
            "PACK_STANDING",
            "INSINCERE",
            "COERCED",
            "ILL",
            "$END",
            "_NL",
        ]
    )
}
# A token of the line as far as it was read: a text, a comment, or a bare word.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"?|#.*|[^\s"#]+')


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKENS.findall(text) if not t.startswith("#")]


def content_end(text: str) -> int:
    """Where the line's statement ends: before any comment and trailing blanks."""
    end = 0
    for match in _TOKENS.finditer(text):
        if match.group().startswith("#"):
            break
        end = match.end()
    return end


def describe(text: str, error: UnexpectedInput) -> tuple[int, str]:
    """The column and message for Lark's error in `text`: what was expected, after what."""
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        column = content_end(text) + 1
        found = ""
    else:
        column = error.column if isinstance(error.column, int) and error.column > 0 else 1
        found = _found(text, column)
    expected: set[str] = set()
    if isinstance(error, UnexpectedToken):
        expected = set(error.expected)
    elif isinstance(error, UnexpectedCharacters):
        expected = set(error.allowed or ())
    char = text[column - 1] if found and column <= len(text) else ""

    if char == '"' and "TEXT" in expected:
        return _text_problem(text, column)
    prefix = text[: column - 1].strip(" \t")
    shown = _shorten(prefix)
    if char and not char.isascii() and char.isprintable():
        return column, f"unexpected character {char!r}: {_ASCII_NAMES}"
    if char and not char.isprintable():
        after = f" after '{shown}'" if prefix else ""
        return column, f"unexpected character {char!r}{after}"
    tokens = _tokens(prefix)
    if not tokens:
        if found.startswith("'"):
            word = found.strip("'").lower()
            close = difflib.get_close_matches(word, WORDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            return column, f"unknown verb {found}{hint}: expected {_VERB_WORDS}"
        return column, f"expected {_VERB_WORDS}"
    glued = column > 1 and text[column - 2] not in " \t"
    if char and glued and char not in NAME_CHARS and char not in '"#':
        # a stray character glued to a word, such as `Dérek` or `Stiles,`
        return column, f"unexpected character {char!r} after '{shown}'"
    verb = tokens[0].lower()
    index = len(tokens) - 1  # the argument that was expected
    roles = _ROLES.get(verb, ())
    if verb == "expect" and len(tokens) > 2 and tokens[2].lower() == "health":
        roles = _EXPECT_HEALTH_ROLES
    words: list[str] = []
    for terminal in sorted(expected, key=lambda t: _ORDER.get(t, 99)):
        if terminal in ("NAME", "TEXT", "NUMBER") and index < len(roles) and roles[index]:
            word = roles[index]
        else:
            word = _TERMINALS.get(terminal, _VERB_WORDS if terminal.startswith("_") else terminal)
        if word not in words:
            words.append(word)
    message = f"expected {_join(words)} after '{shown}'"
    if found:
        message += f", found {found}"
    if verb == "expect":
        message += _expect_hint(tokens, found.strip("'").lower())
    return column, message


def _expect_hint(tokens: list[str], found: str) -> str:
    """Why an `expect` line is wrong, when the words alone do not say it."""
    if len(tokens) == 2 and found in _STANDING_HINTS:
        return f": {_STANDING_HINTS[found]}"
    if len(tokens) == 3 and tokens[2].lower() in _LONE and found:
        return ": omega, unaffiliated and dead have no pack"
    return ""


_LONG_WORD = re.compile(r"\S{31,}")
MAX_SHOWN = 80  # a message quotes at most a line's worth of what came before the error


def _shorten(prefix: str) -> str:
    """The line before an error as a message quotes it: long words and long lines cut.

    >>> _shorten("welcome " + "D" * 100)
    'welcome DDDDDDDDDDDDDDDDDDDDDDDDDDD...'
    """
    prefix = _LONG_WORD.sub(lambda m: m.group()[:27] + "...", prefix)
    if len(prefix) <= MAX_SHOWN:
        return prefix
    return prefix[:20] + " ... " + prefix[-(MAX_SHOWN - 25) :]


def _found(text: str, column: int) -> str:
    """The offending token at `column`, for a message: a word, a text or a character."""
    rest = text[column - 1 :]
    if not rest:
        return ""
    if rest[0] == '"':
        return "a quoted text"
    match = re.match(r"[^\s\"#]+", rest)
    if match is None:
        return repr(rest[0])
    word = match.group()
    return f"'{word[:30]}...'" if len(word) > 30 else f"'{word}'"


def _text_problem(text: str, column: int) -> tuple[int, str]:
    """Where and why a quoted text starting at `column` is not one: unclosed, or a bad escape."""
    i = column  # index just after the opening quote
    while i < len(text):
        char = text[i]
        if char == '"':
            break
        if char == "\\":
            following = text[i + 1 : i + 2]
            if following not in ('"', "\\"):
                shown = repr(following)[1:-1] if following else ""
                return (
                    i + 1,
                    f"unknown escape '\\{shown}' in a text: only \\\" and \\\\ are escapes",
                )
            i += 2
            continue
        if char in "\r\n":
            break
        i += 1
    return column, 'unterminated text: the closing " is missing'


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]
