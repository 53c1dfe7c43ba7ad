"""This module contains the parsing of one typed answer into a field's stored value.

Stored values are strings: canonical decimal text for numbers, ``yes``/``no``, ISO dates
(``2026-11-30``), option values, or the text itself. Nothing is ever guessed: input that is
malformed or ambiguous raises :class:`AnswerError`, whose ``code`` the renderer turns into a
translated message.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Literal

from workflows.forms.fields import NOT_MEASURED, NUMERIC_KINDS, FieldKind, FieldSpec
from workflows.numbers import NumberInputError, check_decimals, parse_integer, parse_number

YES_WORDS = frozenset({"jā", "ja", "yes", "y", "j"})
NO_WORDS = frozenset({"nē", "ne", "no", "n"})
SKIP_WORDS = frozenset({"-", "—", "–"})
NOT_MEASURED_WORDS = frozenset(
    {NOT_MEASURED, "nav mērīts", "nav izmērīts", "nemērīts", "n/a", "not measured", "nm"}
)
"""What a measurer may type for "not measured" (casefolded, NFC)."""
PERCENT_BOUNDS = (Decimal(0), Decimal(100))
"""Default bounds of a percent field when the plan sets none."""

_DATE_DOTTED = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\.?$")
_DATE_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_ASCII_NUMBER = re.compile(r"[0-9]{1,4}")


class AnswerError(ValueError):
    """An answer that cannot be accepted.

    Attributes:
        code: Stable error code (``empty``, ``malformed``, ``ambiguous``, ``below_minimum`` …).
        params: Values for the message placeholders, as text.
    """

    def __init__(self, code: str, params: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = params or {}


def parse_answer(field: FieldSpec, text: str, lang: Literal["lv", "en"]) -> str:
    """Parse ``text`` typed for ``field`` in language ``lang``.

    Args:
        field: The field being answered.
        text: What the person typed.
        lang: The person's language; it decides the decimal separator (domain.md §5.1).

    Returns:
        The value to store (see the module docstring). An optional field answered with
        ``-`` gives ``""``; a value field that allows it answered "not measured" (or
        "nav mērīts") gives :data:`~workflows.forms.fields.NOT_MEASURED`.

    Raises:
        AnswerError: With a code the renderer translates; nothing is stored.
    """
    raw = text.strip()
    if not raw:
        raise AnswerError("empty")
    if not field.required and raw in SKIP_WORDS:
        return ""
    if field.not_measured and unicodedata.normalize("NFC", raw).casefold() in NOT_MEASURED_WORDS:
        return NOT_MEASURED
    if field.kind in NUMERIC_KINDS:
        return str(_parse_numeric(field, raw, lang))
    if field.kind is FieldKind.YES_NO:
        word = unicodedata.normalize("NFC", raw).casefold()
        if word in YES_WORDS:
            return "yes"
        if word in NO_WORDS:
            return "no"
        raise AnswerError("yes_no_unknown")
    if field.kind is FieldKind.CHOICE:
        return _parse_choice(field, raw)
    if field.kind is FieldKind.DATE:
        return _parse_date(field, raw).isoformat()
    return clean_text(raw, field.max_length)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))
"""Zero-width space, word joiner and BOM: removed from text answers."""
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional overrides and isolates: they can make a comment display as something else."""
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(_BIDI_CONTROLS)) + "]")
"""Category Cc (exactly U+0000–U+001F and U+007F–U+009F) and the bidi controls, as one search."""
_ALPHANUMERIC = re.compile(r"[^\W_]")
"""A letter or digit: visible and not a space (the common case of the visibility check)."""


def clean_text(raw: str, max_length: int) -> str:
    """Normalise a typed text (NFC) and refuse what cannot be shown or stored safely.

    Zero-width spaces are dropped; control characters (NUL, carriage return …) and bidi
    overrides are refused, since PostgreSQL cannot store NUL and the others can disguise a
    comment; a text with no visible character counts as empty.

    Raises:
        AnswerError: ``control_characters``, ``empty`` or ``too_long`` (param ``max``).
    """
    text = unicodedata.normalize("NFC", raw).translate(_INVISIBLE).strip()
    if _REFUSED.search(text):
        raise AnswerError("control_characters")
    if not _ALPHANUMERIC.search(text) and not any(
        not ch.isspace() and unicodedata.category(ch)[0] != "C" for ch in text
    ):
        raise AnswerError("empty")
    if len(text) > max_length:
        raise AnswerError("too_long", {"max": str(max_length)})
    return text


def _parse_numeric(field: FieldSpec, raw: str, lang: Literal["lv", "en"]) -> Decimal:
    try:
        if field.kind is FieldKind.INTEGER:
            value = Decimal(parse_integer(raw, lang))
        else:
            value = parse_number(
                raw,
                lang,
                allow_percent=field.kind is FieldKind.PERCENT,
                whole=field.decimals == 0,
            )
            if field.decimals is not None:
                check_decimals(value, field.decimals)
    except NumberInputError as exc:
        raise AnswerError(exc.code, dict(exc.params)) from None
    low, high = field.minimum, field.maximum
    if field.kind is FieldKind.PERCENT:
        low = PERCENT_BOUNDS[0] if low is None else low
        high = PERCENT_BOUNDS[1] if high is None else high
    if low is not None and value < low:
        raise AnswerError("below_minimum", {"minimum": str(low)})
    if high is not None and value > high:
        raise AnswerError("above_maximum", {"maximum": str(high)})
    return value


def _parse_choice(field: FieldSpec, raw: str) -> str:
    word = unicodedata.normalize("NFC", raw).casefold()
    for option in field.options:
        literal = not option.translate and word == option.label.casefold()
        alias = any(word == unicodedata.normalize("NFC", a).casefold() for a in option.aliases)
        if raw == option.value or literal or alias:
            return option.value
    if _ASCII_NUMBER.fullmatch(raw) and 1 <= int(raw) <= len(field.options):
        return field.options[int(raw) - 1].value
    raise AnswerError("choice_unknown", {"count": str(len(field.options))})


def parse_date(raw: str) -> date | None:
    """A date typed as ``dd.mm.yyyy`` (trailing dot optional) or ``yyyy-mm-dd``, else ``None``."""
    match = _DATE_DOTTED.match(raw.strip())
    parts: tuple[int, int, int] | None = None
    if match:
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif match := _DATE_ISO.match(raw.strip()):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def _parse_date(field: FieldSpec, raw: str) -> date:
    match = _DATE_DOTTED.match(raw)
    parts: tuple[int, int, int] | None = None
    if match:
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif match := _DATE_ISO.match(raw):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    if parts is None:
        raise AnswerError("date_invalid")
    try:
        value = date(*parts)
    except ValueError:
        raise AnswerError("date_invalid") from None
    if field.not_before is not None and value < field.not_before:
        raise AnswerError("date_too_early", {"date": field.not_before.isoformat()})
    if field.not_after is not None and value > field.not_after:
        raise AnswerError("date_too_late", {"date": field.not_after.isoformat()})
    return value
