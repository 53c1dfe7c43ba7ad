"""Issue 13 item 1: every example the bot shows is an input its parser accepts.

An English "Type a whole number, e.g. 2,000." answered with ``2,000`` was refused as
ambiguous; the kind is: an example, in either language and any numeric field type, must be
accepted as typed, and an English ``2,000`` for a value without decimal places is two
thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.render.context import RenderContext
from bot.render.errors import answer_error
from bot.render.hints import input_hint, number_example
from workflows.forms.fields import FieldKind, FieldSpec
from workflows.forms.parsing import AnswerError, parse_answer
from workflows.plan.loader import LoadedPlan
from workflows.rounds.measuring import measurement_spec

RIGA = ZoneInfo("Europe/Riga")
TARGETS = ("0.9", "12.5", "999", "1000", "2000", "12345.5", "99000", "1234567")
KINDS = [
    (FieldKind.INTEGER, None),
    (FieldKind.INTEGER, 0),
    (FieldKind.NUMBER, 0),
    (FieldKind.NUMBER, 1),
    (FieldKind.NUMBER, 2),
    (FieldKind.PERCENT, 1),
]


@dataclass
class _Plan:
    """Only what number_example reads: the indicator's target."""

    target: Decimal

    def indicator(self, _id: str) -> tuple[None, SimpleNamespace]:
        return None, SimpleNamespace(target=self.target)


@pytest.mark.parametrize("lang", ["lv", "en"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("kind", "decimals"), KINDS)
def test_the_example_of_every_numeric_field_is_accepted(
    lang: str, target: str, kind: FieldKind, decimals: int | None
) -> None:
    if kind is FieldKind.PERCENT and Decimal(target) > 100:
        pytest.skip("a percentage target is at most 100")
    field = FieldSpec(id="v", kind=kind, indicator_id="v", decimals=decimals)
    rc = RenderContext(translator(lang), _Plan(Decimal(target)), RIGA)  # type: ignore[arg-type]
    example = number_example(field, rc)
    assert example in input_hint(field, rc)
    shown = 0 if kind is FieldKind.INTEGER else decimals or 0
    expected = Decimal(target).quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_UP)
    assert Decimal(parse_answer(field, example, lang)) == expected


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_the_examples_of_the_bundled_plan_are_accepted(plan: LoadedPlan, ctx, lang: str) -> None:
    rc = RenderContext(translator(lang), plan, RIGA)
    spec = measurement_spec(ctx, tuple(i.id for _, i in _indicators(plan)))
    numeric = [
        f
        for f in spec.fields
        if f.kind in (FieldKind.INTEGER, FieldKind.NUMBER, FieldKind.PERCENT)
    ]
    assert len(numeric) >= 5
    for field in numeric:
        parse_answer(field, number_example(field, rc), lang)


def _indicators(plan: LoadedPlan):  # type: ignore[no-untyped-def]
    for activity in plan.activities:
        for indicator in activity.indicators:
            yield activity, indicator


def test_english_2_000_on_a_whole_number_is_two_thousand() -> None:
    visits = FieldSpec(id="visits", kind=FieldKind.INTEGER)
    assert parse_answer(visits, "2,000", "en") == "2000"
    assert parse_answer(visits, "1,234,567", "en") == "1234567"
    eur = FieldSpec(id="eur", kind=FieldKind.NUMBER, decimals=0)
    assert parse_answer(eur, "2,000", "en") == "2000"


def test_english_2_000_with_decimal_places_is_still_asked_again_with_an_accepted_example() -> None:
    field = FieldSpec(id="v", kind=FieldKind.NUMBER, indicator_id="v", decimals=1)
    with pytest.raises(AnswerError) as refused:
        parse_answer(field, "2,000", "en")
    rc = RenderContext(translator("en"), _Plan(Decimal(2000)), RIGA)  # type: ignore[arg-type]
    message = answer_error(refused.value, field, rc)
    assert "e.g. 2,000.0." in message
    assert parse_answer(field, "2,000.0", "en") == "2000.0"


def test_latvian_whole_number_keeps_refusing_a_point_that_could_be_either() -> None:
    visits = FieldSpec(id="visits", kind=FieldKind.INTEGER)
    with pytest.raises(AnswerError, match="ambiguous"):
        parse_answer(visits, "2.000", "lv")
    assert parse_answer(visits, "2\u00a0000", "lv") == "2000"
