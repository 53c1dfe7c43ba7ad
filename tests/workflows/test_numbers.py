from decimal import Decimal

import pytest
from babel.numbers import parse_decimal

from workflows.numbers import (
    LOCALES,
    Lang,
    NumberInputError,
    check_decimals,
    format_decimal,
    parse_integer,
    parse_number,
)

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("12,5", "lv", "12.5"),
        ("12.5", "lv", "12.5"),
        ("0.125", "lv", "0.125"),
        ("0,125", "lv", "0.125"),
        ("1.2345", "lv", "1.2345"),
        ("1234.567", "lv", "1234.567"),
        ("1 234,5", "lv", "1234.5"),
        (f"1{NBSP}234,5", "lv", "1234.5"),
        (f"1{NNBSP}234{NBSP}567", "lv", "1234567"),
        ("12 500", "lv", "12500"),
        ("1 234.567", "lv", "1234.567"),
        ("-3,5", "lv", "-3.5"),
        ("−3,5", "lv", "-3.5"),
        ("+3,5", "lv", "3.5"),
        ("  7 ", "lv", "7"),
        (",5", "lv", "0.5"),
        ("12,50", "lv", "12.50"),
        ("0", "lv", "0"),
        ("-0,0", "lv", "0.0"),
        ("12.5", "en", "12.5"),
        ("1.234", "en", "1.234"),
        ("1,234.5", "en", "1234.5"),
        ("1,234,567", "en", "1234567"),
        ("-1,234,567.25", "en", "-1234567.25"),
        ("12 500", "en", "12500"),
        ("−3.5", "en", "-3.5"),
        (".5", "en", "0.5"),
        ("1234", "en", "1234"),
    ],
)
def test_parse_number(text: str, lang: Lang, expected: str) -> None:
    value = parse_number(text, lang)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    ("text", "lang", "code"),
    [
        ("1.234", "lv", "ambiguous"),
        ("12.500", "lv", "ambiguous"),
        ("-999.999", "lv", "ambiguous"),
        ("1,234", "en", "ambiguous"),
        ("-12,500", "en", "ambiguous"),
        ("12,5", "en", "comma_decimal_in_english"),
        ("0,125", "en", "comma_decimal_in_english"),
        (",5", "en", "comma_decimal_in_english"),
        ("1,2345", "en", "comma_decimal_in_english"),
        ("1.234,5", "lv", "malformed"),
        ("1,234.5", "lv", "malformed"),
        ("1.234.567", "lv", "malformed"),
        ("1,234,567", "lv", "malformed"),
        ("1.234,5", "en", "malformed"),
        ("1,23.4", "en", "malformed"),
        ("1,234.5.6", "en", "malformed"),
        ("1 234,567", "en", "malformed"),
        ("1 23", "lv", "malformed"),
        ("1 23", "en", "malformed"),
        ("1234 567", "lv", "malformed"),
        ("1  234", "lv", "malformed"),
        ("0 123", "lv", "malformed"),
        ("1 234,5 6", "lv", "malformed"),
        ("12,", "lv", "malformed"),
        ("12.", "en", "malformed"),
        ("1,234.", "en", "malformed"),
        ("abc", "lv", "malformed"),
        ("abc", "en", "malformed"),
        ("9O", "lv", "malformed"),
        ("6O,5", "lv", "malformed"),
        ("1e3", "lv", "malformed"),
        ("1e3", "en", "malformed"),
        ("1E-3", "en", "malformed"),
        ("NaN", "en", "malformed"),
        ("nan", "lv", "malformed"),
        ("inf", "en", "malformed"),
        ("-Infinity", "lv", "malformed"),
        ("--1", "lv", "malformed"),
        ("+-1", "en", "malformed"),
        ("- 1", "lv", "malformed"),
        ("1-", "lv", "malformed"),
        ("-", "lv", "malformed"),
        (",", "lv", "malformed"),
        ("0x1F", "en", "malformed"),
        ("１２", "lv", "malformed"),
        ("١٢", "en", "malformed"),
        ("1\t234", "lv", "malformed"),
        ("1_234", "en", "malformed"),
        ("1" * 65, "en", "malformed"),
        ("", "lv", "empty"),
        ("   ", "en", "empty"),
        (NBSP, "lv", "empty"),
        ("95%", "lv", "percent_not_expected"),
        ("abc%", "lv", "malformed"),
    ],
)
def test_parse_number_errors(text: str, lang: Lang, code: str) -> None:
    with pytest.raises(NumberInputError) as info:
        parse_number(text, lang)
    assert info.value.code == code
    assert all(isinstance(v, str) for v in info.value.params.values())


@pytest.mark.parametrize(
    ("text", "lang", "a", "b"),
    [
        ("1.234", "lv", f"1{NBSP}234", "1,234"),
        ("12.500", "lv", f"12{NBSP}500", "12,500"),
        ("1,234", "en", "1234", "1.234"),
        ("−1.234", "lv", f"-1{NBSP}234", "-1,234"),
    ],
)
def test_ambiguous_hints(text: str, lang: Lang, a: str, b: str) -> None:
    with pytest.raises(NumberInputError) as info:
        parse_number(text, lang)
    assert info.value.code == "ambiguous"
    assert info.value.params["a"] == a
    assert info.value.params["b"] == b
    assert info.value.params["text"] == text


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("95%", "lv", "95"),
        ("98,5%", "lv", "98.5"),
        ("85 %", "lv", "85"),
        (f"85{NBSP}%", "lv", "85"),
        ("99.9%", "en", "99.9"),
        ("-5%", "en", "-5"),
        ("95", "lv", "95"),
    ],
)
def test_percent_allowed(text: str, lang: Lang, expected: str) -> None:
    assert parse_number(text, lang, allow_percent=True) == Decimal(expected)


@pytest.mark.parametrize("text", ["%", "95%%", "%95", "9%5"])
def test_percent_malformed(text: str) -> None:
    with pytest.raises(NumberInputError) as info:
        parse_number(text, "lv", allow_percent=True)
    assert info.value.code == "malformed"


FUZZ = ["", " ", "-", "+", "−", "%", ",", ".", "0", "1", "12", "123", "1234", "a", "e", NBSP]


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_only_number_input_errors_escape(lang: Lang) -> None:
    for first in FUZZ:
        for second in FUZZ:
            for third in FUZZ:
                text = first + second + third
                for allow in (False, True):
                    try:
                        value = parse_number(text, lang, allow_percent=allow)
                    except NumberInputError:
                        continue
                    assert value.is_finite()


def test_parse_integer() -> None:
    assert parse_integer("12", "lv") == 12
    assert parse_integer("12 500", "lv") == 12500
    assert parse_integer("1,234,567", "en") == 1234567
    assert parse_integer("-3", "en") == -3
    assert parse_integer("12,0", "lv") == 12
    for text, lang, code in [
        ("12,5", "lv", "not_integer"),
        ("12.5", "en", "not_integer"),
        ("1.234", "lv", "ambiguous"),
        ("50%", "lv", "percent_not_expected"),
        ("x", "en", "malformed"),
    ]:
        with pytest.raises(NumberInputError) as info:
            parse_integer(text, lang)  # type: ignore[arg-type]
        assert info.value.code == code


@pytest.mark.parametrize(
    ("value", "decimals", "ok"),
    [
        ("12.5", 1, True),
        ("12.50", 1, True),
        ("12.55", 1, False),
        ("12", 0, True),
        ("12.0", 0, True),
        ("0.00", 0, True),
        ("0.001", 2, False),
        ("1E+3", 0, True),
        ("-4.125", 3, True),
        ("-4.125", 2, False),
    ],
)
def test_check_decimals(value: str, decimals: int, ok: bool) -> None:
    if ok:
        result = check_decimals(Decimal(value), decimals)
        assert result == Decimal(value)
        assert result.as_tuple().exponent == -decimals
    else:
        with pytest.raises(NumberInputError) as info:
            check_decimals(Decimal(value), decimals)
        assert info.value.code == "too_many_decimals"
        assert info.value.params == {"decimals": str(decimals)}


def test_check_decimals_rejects_negative_places() -> None:
    with pytest.raises(ValueError):
        check_decimals(Decimal(1), -1)


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        ("4.25", 1, "lv", "4,3"),
        ("4.25", 1, "en", "4.3"),
        ("4.35", 1, "lv", "4,4"),
        ("-4.25", 1, "lv", "-4,3"),
        ("1234.5", 2, "lv", f"1{NBSP}234,50"),
        ("1234.5", 2, "en", "1,234.50"),
        ("1234567.891", 3, "lv", f"1{NBSP}234{NBSP}567,891"),
        ("98.5", 0, "lv", "99"),
        ("2.5", 0, "en", "3"),
        ("1.6", 1, "lv", "1,6"),
        ("-0.04", 1, "lv", "0,0"),
        ("0", 2, "en", "0.00"),
        (
            "12345678901234567890123456789012.555",
            2,
            "en",
            "12,345,678,901,234,567,890,123,456,789,012.56",
        ),
    ],
)
def test_format_decimal(value: str, decimals: int, lang: Lang, expected: str) -> None:
    assert format_decimal(Decimal(value), decimals, lang) == expected


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_format_then_parse_round_trips(lang: Lang) -> None:
    for text in ["0", "1.5", "-12.25", "1234.5", "1234567.891", "999.999"]:
        value = Decimal(text)
        decimals = max(0, -int(value.as_tuple().exponent))
        assert parse_number(format_decimal(value, decimals, lang), lang) == value


def test_format_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        format_decimal(Decimal(1), -1, "lv")
    with pytest.raises(ValueError):
        format_decimal(Decimal("NaN"), 1, "lv")


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_issue16_parse_number_is_babels_strict_parse_decimal(lang: Lang) -> None:
    """The digits, sign and separator left after the checks convert as Babel's would."""
    texts = ["0", "7", "-0", "+12", "−3", "0012", "1 234", "12 500,5", ",5", ".5", "0.125"]
    texts += ["99,95", "99.95", "1,234.5", "1,234,567", "12.50", "-0,000", "123456789,12345678"]
    texts += [f"{n}{sep}{f}" for n in ("0", "1", "42", "999") for sep in ",." for f in "05"]
    checked = 0
    for text in texts:
        try:
            value = parse_number(text, lang)
        except NumberInputError:
            continue
        body = text.lstrip("+-−").replace(" ", "")
        body = body.replace(",", "") if lang == "en" else body.replace(".", ",")
        sign = "-" if text[:1] in "-−" else ""
        babel = parse_decimal(sign + body, locale=LOCALES[lang], strict=True)
        assert value == (abs(babel) if babel.is_zero() else babel)
        assert str(value) == str(abs(babel) if babel.is_zero() else babel)
        checked += 1
    assert checked >= 20
