"""This module puts PyYAML's and pydantic's English plan problems in the reader's language.

``plan check`` reports a YAML syntax error with PyYAML's own words (``mapping values are not
allowed here``) and some validation errors with the English text of a validator. The common
ones are translated here; the original stays in parentheses, since it is what a search
engine or a colleague knows. Texts not in the tables are shown as they are.
"""

from __future__ import annotations

import re
from typing import Final

from bot.i18n import N_, Translator

YAML_PROBLEMS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (
            r"mapping values are not allowed",
            N_("a colon is not allowed here (put a text that holds “: ” in quotes)"),
        ),
        (r"could not find expected ':'", N_("the colon “:” after a key is missing")),
        (r"while scanning a simple key", N_("while reading a key")),
        (r"while scanning for the next token", N_("while reading the next value")),
        (r"while parsing a block mapping", N_("in a block of keys")),
        (r"while parsing a block collection", N_("in a list")),
        (r"while parsing a block node", N_("in a value")),
        (r"while parsing a flow (?:sequence|mapping)", N_("in a [ ] list or a { } mapping")),
        (r"while (?:scanning|parsing) a (?:quoted|plain) scalar", N_("in a text")),
        (r"while scanning an? (?:alias|anchor)", N_("in an alias or anchor")),
        (
            r"expected <block end>, but found",
            N_("the indentation does not match the lines above"),
        ),
        (r"did not find expected key", N_("a key was expected here (check the indentation)")),
        (r"did not find expected '-' indicator", N_("a list item “- ” was expected here")),
        (
            r"expected the node content|did not find expected node content",
            N_("a value is missing here"),
        ),
        (
            r"found character .*that cannot start any token",
            N_(
                "a value cannot start with this character (a tab used for indentation, or @ "
                "or ` at the start of a text): indent with spaces, or put the text in quotes"
            ),
        ),
        (r"found unexpected end of stream", N_("the file ends before the closing quote")),
        (r"found undefined alias", N_("the alias names an anchor that is not defined")),
        (
            r"found unknown escape character",
            N_("unknown escape after a backslash; use single quotes or write \\\\"),
        ),
        (
            r"(?:did not find )?expected ',' or '[\]}]'",
            N_("a comma or a closing bracket is missing"),
        ),
        (
            r"unacceptable character|control characters are not allowed",
            N_("the file holds a control character YAML does not allow"),
        ),
        (r"found duplicate anchor", N_("the anchor is defined twice")),
    )
)
"""PyYAML's problem and context texts (one of them per part of ``context; problem``)."""

VALIDATOR_TEXTS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (
            r"ladder steps must be in increasing offset order, each once",
            N_("the ladder's steps must be in increasing order of offset, each once"),
        ),
        (
            r"ladder step at offset (?P<offset>-?\d+) comes before the (?P<frequency>\w+) "
            r"period ends",
            N_(
                "the ladder step at offset {offset} would come before the {frequency} period "
                "ends; raise due_working_day or the offset"
            ),
        ),
        (
            r"(?P<frequency>\w+) summary_working_day is before due_working_day",
            N_("{frequency}: summary_working_day must not be before due_working_day"),
        ),
        (
            r"send_time falls inside quiet_hours",
            N_("send_time falls inside quiet_hours; expected: a time outside them"),
        ),
        (r"Input should be a valid time", N_('expected a time in quotes, e.g. "09:00"')),
        (r"Input should be a valid date", N_("expected a date such as 2026-11-30")),
        (r"Input should be a valid (?:decimal|number)", N_("expected a number such as 4.5")),
        (r"Input should be a valid integer", N_("expected a whole number")),
        (r"Input should be a valid string", N_("expected a text")),
    )
)
"""English texts of the plan's validators and pydantic's common ones."""


def _translated(text: str, table: tuple[tuple[re.Pattern[str], str], ...], t: Translator) -> str:
    for pattern, msgid in table:
        if match := pattern.search(text):
            return t.gettext(msgid, **match.groupdict())
    return ""


def yaml_problem(problem: str, t: Translator) -> str:
    """PyYAML's ``context; problem`` in the reader's language, the original in parentheses."""
    originals = problem.split("; ")
    parts = [_translated(part, YAML_PROBLEMS, t) for part in originals]
    if not any(parts):
        return problem
    shown = "; ".join(p or o for p, o in zip(parts, originals, strict=True))
    return f"{shown} ({problem})"


def validator_text(detail: str, t: Translator) -> str:
    """A validator's English text in the reader's language, the original in parentheses."""
    translated = _translated(detail, VALIDATOR_TEXTS, t)
    return f"{translated} ({detail})" if translated else detail
