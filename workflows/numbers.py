"""This module contains parsing and formatting of numbers typed by people (domain.md §5.1).

The parser never guesses: a text it accepts has exactly one sensible reading in the user's
language; anything else raises :class:`NumberInputError` (``code`` and message ``params``).

Accepted input, after trimming surrounding whitespace:

* an optional sign ``+``, ``-`` or ``−`` (U+2212), directly followed by the digits;
* ASCII digits; the integer part may be grouped by single spaces (space, NBSP U+00A0 or
  narrow NBSP U+202F) in proper groups of three (``12 500``, ``1 234 567``), in both languages;
* at most one decimal separator, optionally with no digit before it (``,5`` is 0.5);
* an optional trailing ``%`` (spaces before it allowed) when ``allow_percent`` is true. The
  value is returned in percentage points: ``95%`` gives ``Decimal("95")``.

Latvian (``lv``): the decimal separator is a comma (CLDR); a point is also accepted as the
decimal separator (domain.md §5.1 point 4) unless it could be a thousands separator: a single
point followed by exactly three digits after a non-zero integer part of 1–3 ungrouped digits
(``1.234``, ``12.500``) is ``ambiguous``. ``0.125`` and ``1.2345`` are not. A text with both
``,`` and ``.``, or with more than one of either (``1.234,5``, ``1,234.5``, ``1.234.567``), is
``malformed``: Latvian never uses both, and guessing which one was meant could misread it.

English (``en``): the decimal separator is a point. Commas are thousands separators only in
proper groups (first group 1–3 digits not starting with 0, then groups of exactly three) and
only when a decimal point follows or there are two or more commas (``1,234.5``,
``1,234,567``). A single comma followed by exactly three digits (``1,234``) is ``ambiguous``
(a Latvian might mean 1.234) — except for a whole number (``whole=True``: an integer field, or
one that takes no decimal places), where ``2,000`` can only be two thousand: nobody writes
the decimal ``2,000`` for a value that has no decimal places, and the prompt's own example
is grouped that way. Any other lone comma (``12,5``, ``0,125``) gives
``comma_decimal_in_english``. Other comma use (``1,23.4``, ``1.234,5``, commas mixed with space
grouping) is ``malformed``.

Error codes: ``empty``, ``malformed``, ``ambiguous`` (params ``a``: the thousands reading,
``b``: the decimal reading), ``comma_decimal_in_english``, ``percent_not_expected``,
``too_many_decimals`` (param ``decimals``) and ``not_integer``. Every error also has the param
``text`` (the trimmed input). Structural errors are reported before ``percent_not_expected``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from babel import Locale
from babel import numbers as babel_numbers

from workflows.language import Lang as Lang  # re-exported: 'from workflows.numbers import Lang'

LOCALES: dict[str, Locale] = {"lv": Locale.parse("lv_LV"), "en": Locale.parse("en_GB")}
"""The Babel locale used for each interface language (parsed once: Babel parses a locale
name at every call, a third of the time of parsing a number)."""

MAX_LENGTH = 64
"""Longest accepted input, in characters after trimming; longer texts are ``malformed``."""

MAX_INTEGER_DIGITS = 15
"""Most digits before the decimal separator (``too_large`` beyond). Storage keeps 16 integer
and 8 fraction digits exactly (``NUMERIC(24, 8)``); no indicator of a control plan needs more."""
MAX_FRACTION_DIGITS = 8
"""Most digits after the decimal separator (``too_many_decimals`` beyond), for the same reason."""

_SPACES = " \u00a0\u202f"
_SIGNS = {"+": "", "-": "-", "\u2212": "-"}
_BODY = re.compile(r"[0-9 \u00a0\u202f,.]+")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:[ \u00a0\u202f][0-9]{3})+")
_COMMA_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_DIGITS = re.compile(r"[0-9]*")


class NumberInputError(ValueError):
    """A typed number was rejected.

    Attributes:
        code: The reason (see the module docstring for the list).
        params: Placeholder values for the user-facing message, all strings.
    """

    def __init__(self, code: str, params: dict[str, str] | None = None) -> None:
        self.code = code
        self.params: dict[str, str] = dict(params or {})
        super().__init__(f"{code}: {self.params}")


def _format(value: Decimal, decimals: int, lang: Lang, *, group: bool = True) -> str:
    pattern = ("#,##0" if group else "0") + ("." + "0" * decimals if decimals > 0 else "")
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + decimals + 3)
        return babel_numbers.format_decimal(value, format=pattern, locale=LOCALES[lang])


def _ambiguous(sign: str, integer: str, fraction: str, lang: Lang, text: str) -> NumberInputError:
    # The thousands reading is grouped only in Latvian, whose NBSP grouping cannot itself be
    # misread; the English "1,234" would repeat the ambiguity, so it is shown as "1234".
    thousands = _format(Decimal(sign + integer + fraction), 0, lang, group=lang == "lv")
    decimal = _format(Decimal(f"{sign}{integer}.{fraction}"), len(fraction), lang)
    return NumberInputError("ambiguous", {"a": thousands, "b": decimal, "text": text})


def _integer_part(integer: str, text: str) -> str:
    """Return ``integer`` without space grouping, checking the groups of three."""
    if any(space in integer for space in _SPACES):
        if not _GROUPED.fullmatch(integer):
            raise NumberInputError("malformed", {"text": text})
        integer = "".join(ch for ch in integer if ch not in _SPACES)
    return integer


def _split(
    sign: str, body: str, lang: Lang, text: str, *, whole: bool = False
) -> tuple[str, str | None]:
    """Return the integer digits and the fraction digits (``None`` without a separator)."""
    commas, points = body.count(","), body.count(".")
    if lang == "en" and commas:
        integer, point, fraction = body.partition(".")
        if "," in fraction or any(space in body for space in _SPACES):
            raise NumberInputError("malformed", {"text": text})
        if _COMMA_GROUPED.fullmatch(integer):
            if commas == 1 and not point and not whole:
                head, tail = integer.split(",")
                raise _ambiguous(sign, head, tail, lang, text)
            return integer.replace(",", ""), fraction if point else None
        if commas == 1 and not point:
            raise NumberInputError("comma_decimal_in_english", {"text": text})
        raise NumberInputError("malformed", {"text": text})
    if commas + points > 1:
        raise NumberInputError("malformed", {"text": text})
    separator = "," if commas else "."
    integer, found, fraction = body.partition(separator)
    integer = _integer_part(integer, text)
    if not found:
        return integer, None
    # lv: the point in "1.234" may be a thousands separator; with "0.125" it cannot be.
    short = 1 <= len(integer) <= 3 and len(fraction) == 3 and _DIGITS.fullmatch(fraction)
    if lang == "lv" and separator == "." and short and integer.strip("0"):
        raise _ambiguous(sign, integer, fraction, lang, text)
    return integer, fraction


def parse_number(
    text: str, lang: Lang, *, allow_percent: bool = False, whole: bool = False
) -> Decimal:
    """Parse a number typed by a person in ``lang``, never silently misreading it.

    The rules and error codes are in the module docstring (domain.md §5.1). After
    normalisation the text is sign, ASCII digits and at most one decimal separator; it is
    converted exactly as ``babel.numbers.parse_decimal(..., strict=True)`` with the locale
    from :data:`LOCALES` would (tests/workflows/test_numbers.py compares the two).

    Args:
        text: The raw text as typed.
        lang: The user's interface language, ``"lv"`` or ``"en"``.
        allow_percent: Whether a trailing ``%`` is accepted (it is then dropped; the result
            is in percentage points).
        whole: Whether the field takes no decimal places: an English ``2,000`` is then two
            thousand, not ambiguous.

    Returns:
        The exact value as a finite ``Decimal``; typed trailing zeros are kept
        (``12,50`` → ``Decimal("12.50")``).

    Raises:
        NumberInputError: ``empty``, ``malformed``, ``ambiguous``,
            ``comma_decimal_in_english``, ``too_large`` (more than
            :data:`MAX_INTEGER_DIGITS` integer digits), ``too_many_decimals`` (more than
            :data:`MAX_FRACTION_DIGITS`) or ``percent_not_expected``.
    """
    trimmed = text.strip() if isinstance(text, str) else ""
    if not trimmed:
        raise NumberInputError("empty", {"text": trimmed})
    params = {"text": trimmed}
    if len(trimmed) > MAX_LENGTH:
        raise NumberInputError("malformed", params)
    body, percent = trimmed, trimmed.endswith("%")
    if percent:
        body = body[:-1].rstrip()
    sign = ""
    if body[:1] in _SIGNS:
        sign, body = _SIGNS[body[0]], body[1:]
    if not _BODY.fullmatch(body) or not any(ch.isdigit() for ch in body):
        raise NumberInputError("malformed", params)
    if body[0] in _SPACES or body[-1] in _SPACES:
        raise NumberInputError("malformed", params)
    integer, fraction = _split(sign, body, lang, trimmed, whole=whole)
    if fraction is not None and not (fraction and _DIGITS.fullmatch(fraction)):
        raise NumberInputError("malformed", params)
    if len((integer or "").lstrip("0")) > MAX_INTEGER_DIGITS:
        raise NumberInputError("too_large", {**params, "digits": str(MAX_INTEGER_DIGITS)})
    if fraction is not None and len(fraction) > MAX_FRACTION_DIGITS:
        raise NumberInputError("too_many_decimals", {"decimals": str(MAX_FRACTION_DIGITS)})
    if percent and not allow_percent:
        raise NumberInputError("percent_not_expected", params)
    # Babel's strict parse_decimal of sign, digits, CLDR's decimal symbol and digits (no
    # group symbol is left after the checks above, so its strict checks cannot apply) is
    # Decimal of the text with that symbol made a point; done here, it is ~30 µs cheaper.
    normalised = sign + (integer or "0") + ("" if fraction is None else "." + fraction)
    try:
        value = Decimal(normalised)
    except InvalidOperation:  # pragma: no cover - the character checks rule this out
        raise NumberInputError("malformed", params) from None
    if not value.is_finite():  # pragma: no cover - the character check rules this out
        raise NumberInputError("malformed", params)
    return abs(value) if value.is_zero() else value  # "-0" gives 0


def check_decimals(value: Decimal, decimals: int) -> Decimal:
    """Check that ``value`` has at most ``decimals`` significant decimal places.

    Trailing zeros do not count: ``12,50`` passes with ``decimals=1``, ``12,55`` does not.

    Args:
        value: A finite value, typically from :func:`parse_number`.
        decimals: The number of decimal places allowed, 0 or more.

    Returns:
        ``value`` quantised to exactly ``decimals`` places (exact, no rounding happens).

    Raises:
        NumberInputError: ``too_many_decimals`` with param ``decimals``, or ``malformed``
            for a non-finite value.
        ValueError: If ``decimals`` is negative.
    """
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, got {decimals}")
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise NumberInputError("malformed", {"text": str(value)})
    coefficient = "".join(map(str, digits))
    places = 0 if value.is_zero() else -exponent
    while places > 0 and coefficient.endswith("0"):
        coefficient, places = coefficient[:-1], places - 1
    if places > decimals:
        raise NumberInputError("too_many_decimals", {"decimals": str(decimals)})
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + decimals + 3)
        return value.quantize(Decimal(1).scaleb(-decimals))


def parse_integer(text: str, lang: Lang) -> int:
    """Parse a whole number typed by a person in ``lang`` (rules of :func:`parse_number`).

    A decimal text whose fraction is all zeros (``12,0``) is accepted. ``%`` is not. An
    English ``2,000`` is two thousand (see ``whole`` in :func:`parse_number`).

    Args:
        text: The raw text as typed.
        lang: The user's interface language, ``"lv"`` or ``"en"``.

    Returns:
        The integer value.

    Raises:
        NumberInputError: Any :func:`parse_number` code, or ``not_integer`` (``12,5``).
    """
    value = parse_number(text, lang, whole=True)
    if value != value.to_integral_value():
        raise NumberInputError("not_integer", {"text": text.strip()})
    return int(value)


def format_decimal(value: Decimal, decimals: int, lang: Lang) -> str:
    """Format ``value`` with exactly ``decimals`` places in ``lang`` via Babel.

    The value is first rounded half-up (``4.25`` → ``4,3`` with one place), because Babel
    rounds half-even (domain.md §5.1 point 3). A value that rounds to zero is shown without a
    minus sign. Grouping follows CLDR: lv ``1 234,50`` (NBSP U+00A0), en ``1,234.50``.

    Args:
        value: A finite value.
        decimals: The number of decimal places shown, 0 or more.
        lang: The output language, ``"lv"`` or ``"en"``.

    Returns:
        The formatted number, without a percent sign or unit.

    Raises:
        ValueError: If ``decimals`` is negative or ``value`` is not finite.
    """
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, got {decimals}")
    if not value.is_finite():
        raise ValueError(f"cannot format {value}")
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + decimals + 3)
        rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if rounded.is_zero():
            rounded = abs(rounded)
    return _format(rounded, decimals, lang)
