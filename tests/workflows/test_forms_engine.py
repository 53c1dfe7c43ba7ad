"""The pure form state machine (workflows.forms.engine) with answer parsing (parsing)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Literal

import pytest

from workflows.forms import engine
from workflows.forms.engine import (
    Ask,
    Cancelled,
    Completed,
    Confirm,
    FormState,
    Invalid,
    Unclear,
)
from workflows.forms.fields import CONFIRM_STEP, FieldKind, FieldSpec, FormSpec, Option
from workflows.forms.parsing import AnswerError, parse_answer

Lang = Literal["lv", "en"]


def one_field(f: FieldSpec, confirm: bool = True) -> FormSpec:
    return FormSpec(name="probe", fields=(f,), confirm=confirm)


def answer_one(f: FieldSpec, text: str, lang: Lang = "lv") -> str:
    """Answer the single field of a form and return the value the engine kept."""
    spec = one_field(f)
    state, first = engine.start(spec)
    assert isinstance(first, Ask) and first.field == f
    new_state, outcomes = engine.answer(spec, state, text, lang)
    assert outcomes == [Confirm(new_state.answers)], outcomes
    assert new_state.step == CONFIRM_STEP
    return new_state.answers[f.id]


def refusal(f: FieldSpec, text: str, lang: Lang = "lv") -> AnswerError:
    """Answer the single field wrongly: ``[Invalid, Ask]`` and an unchanged state."""
    spec = one_field(f)
    state, _ = engine.start(spec)
    new_state, outcomes = engine.answer(spec, state, text, lang)
    assert new_state == state
    assert len(outcomes) == 2
    invalid, ask = outcomes
    assert isinstance(invalid, Invalid) and invalid.field == f
    assert isinstance(ask, Ask) and ask.field == f
    return invalid.error


# --- numbers --------------------------------------------------------------------------------


NUMBER = FieldSpec(
    id="n", kind=FieldKind.NUMBER, minimum=Decimal(0), maximum=Decimal(10), decimals=2
)


@pytest.mark.parametrize(
    ("text", "lang", "stored"),
    [
        ("2,5", "lv", "2.5"),
        ("2.5", "lv", "2.5"),
        ("2.5", "en", "2.5"),
        ("0", "lv", "0"),
        ("10", "lv", "10"),
        ("9,99", "lv", "9.99"),
        ("1,50", "lv", "1.50"),
    ],
)
def test_number_field_stores_canonical_decimal_text(text: str, lang: Lang, stored: str) -> None:
    assert answer_one(NUMBER, text, lang) == stored


def test_number_field_refuses_values_outside_its_bounds() -> None:
    assert refusal(NUMBER, "12,5").code == "above_maximum"
    assert refusal(NUMBER, "10,01").code == "above_maximum"
    assert refusal(NUMBER, "-0,5").code == "below_minimum"


def test_number_field_refuses_too_many_decimals_and_text() -> None:
    assert refusal(NUMBER, "0,125").code == "too_many_decimals"
    assert refusal(NUMBER, "6O,5").code == "malformed"
    assert refusal(NUMBER, "   ").code == "empty"


def test_number_field_reads_the_decimal_separator_by_language() -> None:
    assert answer_one(NUMBER, "7,25", "lv") == "7.25"
    assert refusal(NUMBER, "7,25", "en").code == "comma_decimal_in_english"


# --- percent --------------------------------------------------------------------------------

PERCENT = FieldSpec(id="p", kind=FieldKind.PERCENT)


@pytest.mark.parametrize(
    ("text", "stored"),
    [("95", "95"), ("95%", "95"), ("88,5 %", "88.5"), ("0", "0"), ("100%", "100")],
)
def test_percent_field_accepts_a_percent_suffix(text: str, stored: str) -> None:
    assert answer_one(PERCENT, text) == stored


def test_percent_field_defaults_to_0_to_100() -> None:
    assert refusal(PERCENT, "100,1").code == "above_maximum"
    assert refusal(PERCENT, "-1%").code == "below_minimum"


def test_percent_field_keeps_plan_bounds_when_given() -> None:
    narrow = FieldSpec(id="p", kind=FieldKind.PERCENT, minimum=Decimal(50))
    assert refusal(narrow, "49,9").code == "below_minimum"
    assert answer_one(narrow, "100") == "100"  # upper bound still defaults to 100
    assert refusal(narrow, "101").code == "above_maximum"


def test_number_field_refuses_a_percent_sign() -> None:
    assert refusal(NUMBER, "5%").code == "percent_not_expected"


# --- integer --------------------------------------------------------------------------------

INTEGER = FieldSpec(id="i", kind=FieldKind.INTEGER, minimum=Decimal(0))


def test_integer_field_accepts_whole_numbers_and_grouping() -> None:
    assert answer_one(INTEGER, "42") == "42"
    assert answer_one(INTEGER, "12 500") == "12500"
    assert answer_one(INTEGER, "12,0") == "12"


def test_integer_field_refuses_fractions_and_negatives() -> None:
    assert refusal(INTEGER, "12,5").code == "not_integer"
    assert refusal(INTEGER, "-3").code == "below_minimum"
    assert refusal(INTEGER, "12%").code == "percent_not_expected"


# --- choice ---------------------------------------------------------------------------------

CHOICE = FieldSpec(
    id="owner",
    kind=FieldKind.CHOICE,
    options=(
        Option("anna-ozola", "Anna Ozola", translate=False),
        Option("peteris-liepa", "Pēteris Liepa", translate=False),
        Option("other", "Someone else"),  # a message id: its label is not typed literally
    ),
)


def test_choice_by_number() -> None:
    assert answer_one(CHOICE, "1") == "anna-ozola"
    assert answer_one(CHOICE, "2") == "peteris-liepa"
    assert answer_one(CHOICE, "3") == "other"


def test_choice_by_literal_label_ignores_case() -> None:
    assert answer_one(CHOICE, "Pēteris Liepa") == "peteris-liepa"
    assert answer_one(CHOICE, "  anna ozola ") == "anna-ozola"


def test_choice_by_value() -> None:
    assert answer_one(CHOICE, "peteris-liepa") == "peteris-liepa"


def test_choice_refuses_translated_labels_out_of_range_numbers_and_unknown_text() -> None:
    assert refusal(CHOICE, "Someone else").code == "choice_unknown"
    error = refusal(CHOICE, "4")
    assert error.code == "choice_unknown"
    assert error.params == {"count": "3"}
    assert refusal(CHOICE, "0").code == "choice_unknown"
    assert refusal(CHOICE, "Jānis").code == "choice_unknown"


# --- yes / no -------------------------------------------------------------------------------

YES_NO = FieldSpec(id="ok", kind=FieldKind.YES_NO)


@pytest.mark.parametrize("word", ["jā", "Jā", "ja", "j", "yes", "YES", "y"])
def test_yes_words_in_latvian_and_english(word: str) -> None:
    assert answer_one(YES_NO, word) == "yes"


@pytest.mark.parametrize("word", ["nē", "NĒ", "ne", "n", "no", "No"])
def test_no_words_in_latvian_and_english(word: str) -> None:
    assert answer_one(YES_NO, word) == "no"


def test_yes_no_refuses_anything_else() -> None:
    assert refusal(YES_NO, "varbūt").code == "yes_no_unknown"
    assert refusal(YES_NO, "1").code == "yes_no_unknown"


# --- text -----------------------------------------------------------------------------------

TEXT = FieldSpec(id="comment", kind=FieldKind.TEXT, max_length=10)


def test_text_is_stored_trimmed_up_to_max_length() -> None:
    assert answer_one(TEXT, "  Ūdens; °C ") == "Ūdens; °C"
    assert answer_one(TEXT, "  0123456789 ") == "0123456789"


def test_text_longer_than_max_length_is_refused() -> None:
    error = refusal(TEXT, "0123456789X")
    assert error.code == "too_long"
    assert error.params == {"max": "10"}


def test_required_text_does_not_accept_a_dash_as_skip() -> None:
    assert answer_one(TEXT, "-") == "-"


# --- date -----------------------------------------------------------------------------------

DATE = FieldSpec(id="due", kind=FieldKind.DATE, not_before=date(2026, 11, 4))


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("30.11.2026.", "2026-11-30"),
        ("30.11.2026", "2026-11-30"),
        ("4.1.2027.", "2027-01-04"),
        ("2026-11-30", "2026-11-30"),
        ("04.11.2026.", "2026-11-04"),  # not_before itself is accepted
    ],
)
def test_date_in_latvian_and_iso_form(text: str, stored: str) -> None:
    assert answer_one(DATE, text) == stored


def test_date_before_not_before_is_refused() -> None:
    error = refusal(DATE, "03.11.2026.")
    assert error.code == "date_too_early"
    assert error.params == {"date": "2026-11-04"}


@pytest.mark.parametrize("text", ["31.11.2026.", "2026-13-01", "30/11/2026", "rīt", "11.2026"])
def test_impossible_or_malformed_dates_are_refused(text: str) -> None:
    assert refusal(DATE, text).code == "date_invalid"


# --- optional fields ------------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["-", "—", "–"])
def test_optional_field_is_skipped_with_a_dash(dash: str) -> None:
    optional = FieldSpec(id="note", kind=FieldKind.TEXT, required=False)
    assert answer_one(optional, dash) == ""
    optional_number = FieldSpec(id="n", kind=FieldKind.NUMBER, required=False)
    assert answer_one(optional_number, dash) == ""


def test_optional_field_still_refuses_an_empty_answer() -> None:
    optional = FieldSpec(id="note", kind=FieldKind.TEXT, required=False)
    assert refusal(optional, "  ").code == "empty"


def test_parse_answer_gives_the_stored_value_or_raises() -> None:
    assert parse_answer(PERCENT, "88,5%", "lv") == "88.5"
    assert parse_answer(DATE, "30.11.2026.", "en") == "2026-11-30"
    with pytest.raises(AnswerError) as raised:
        parse_answer(PERCENT, "101", "lv")
    assert raised.value.code == "above_maximum"
    assert raised.value.params == {"maximum": "100"}


# --- a whole form ---------------------------------------------------------------------------


def _off_target(answers: Mapping[str, str]) -> bool:
    raw = answers.get("value")
    return raw is not None and raw != "" and Decimal(raw) < 90


FORM = FormSpec(
    name="measurement",
    fields=(
        FieldSpec(id="value", kind=FieldKind.PERCENT),
        FieldSpec(id="value.comment", kind=FieldKind.TEXT, ask_if=_off_target, subject="value"),
        FieldSpec(id="count", kind=FieldKind.INTEGER, minimum=Decimal(0)),
    ),
)


def test_start_asks_the_first_question_of_the_planned_ones() -> None:
    state, outcome = engine.start(FORM)
    assert state == FormState("value", {})
    assert outcome == Ask(FORM.fields[0], number=1, total=2)


def test_invalid_answer_returns_invalid_and_ask_and_keeps_previous_answers() -> None:
    state, _ = engine.start(FORM)
    state, _ = engine.answer(FORM, state, "95", "lv")
    assert state == FormState("count", {"value": "95"})
    kept, outcomes = engine.answer(FORM, state, "daudz", "lv")
    assert kept == state
    assert [type(o) for o in outcomes] == [Invalid, Ask]
    invalid, ask = outcomes
    assert isinstance(invalid, Invalid) and invalid.error.code == "malformed"
    assert ask == Ask(FORM.fields[2], number=2, total=2)
    done, outcomes = engine.answer(FORM, kept, "7", "lv")
    assert outcomes == [Confirm({"value": "95", "count": "7"})]
    assert done.step == CONFIRM_STEP


def test_conditional_field_is_asked_only_when_its_predicate_holds() -> None:
    state, _ = engine.start(FORM)
    on_target, outcomes = engine.answer(FORM, state, "95", "lv")
    assert outcomes == [Ask(FORM.fields[2], number=2, total=2)]
    assert "value.comment" not in on_target.answers

    off_target, outcomes = engine.answer(FORM, state, "80", "lv")
    assert off_target.step == "value.comment"
    # the follow-up shares the number of its question; the total does not grow
    assert outcomes == [Ask(FORM.fields[1], number=1, total=2)]
    _, outcomes = engine.answer(FORM, off_target, "Divi slimoja", "lv")
    assert outcomes == [Ask(FORM.fields[2], number=2, total=2)]


def test_stale_conditional_answer_is_dropped_when_the_enabling_answer_changes() -> None:
    # the person is back at the value step with a comment given for an earlier off-target value
    state = FormState("value", {"value": "80", "value.comment": "Slimoja", "count": "3"})
    changed, outcomes = engine.answer(FORM, state, "96", "lv")
    assert changed.answers == {"value": "96", "count": "3"}
    assert outcomes == [Ask(FORM.fields[2], number=2, total=2)]

    still_off, outcomes = engine.answer(FORM, state, "70", "lv")
    assert still_off.answers["value.comment"] == "Slimoja"
    assert outcomes == [Ask(FORM.fields[1], number=1, total=2)]


def test_whole_form_collects_each_answer_once() -> None:
    state, _ = engine.start(FORM)
    for text in ("80", "Divi slimoja", "12"):
        state, outcomes = engine.answer(FORM, state, text, "lv")
    assert outcomes == [Confirm({"value": "80", "value.comment": "Divi slimoja", "count": "12"})]
    _, outcomes = engine.answer(FORM, state, "1", "lv")
    assert outcomes == [Completed({"value": "80", "value.comment": "Divi slimoja", "count": "12"})]


def _at_confirm() -> FormState:
    return FormState(CONFIRM_STEP, {"value": "95", "count": "1"})


@pytest.mark.parametrize(
    "word", ["submit", "SUBMIT", "1", "jā", "Jā", "yes", "iesniegt", " Iesniegt "]
)
def test_confirmation_accepts_submit_words(word: str) -> None:
    state = _at_confirm()
    same, outcomes = engine.answer(FORM, state, word, "lv")
    assert outcomes == [Completed(state.answers)]
    assert same == state


@pytest.mark.parametrize("word", ["cancel", "Cancel", "atcelt", "Atcelt"])
def test_confirmation_accepts_cancel_words(word: str) -> None:
    _, outcomes = engine.answer(FORM, _at_confirm(), word, "lv")
    assert outcomes == [Cancelled()]


@pytest.mark.parametrize("word", ["3", "varbūt", "95", "nē", "no", "n"])
def test_confirmation_says_unclear_and_repeats_itself_on_anything_else(word: str) -> None:
    state = _at_confirm()
    same, outcomes = engine.answer(FORM, state, word, "lv")
    assert same == state
    assert outcomes == [Unclear(), Confirm(state.answers)]


def test_form_without_confirmation_completes_after_the_last_answer() -> None:
    only_field = FieldSpec(id="n", kind=FieldKind.INTEGER)
    spec = FormSpec(name="quick", fields=(only_field,), confirm=False)
    state, _ = engine.start(spec)
    _, outcomes = engine.answer(spec, state, "5", "lv")
    assert outcomes == [Completed({"n": "5"})]


def test_cancel_is_available_at_every_step_and_keeps_nothing() -> None:
    # /cancel and the Cancel button go to engine.cancel() whatever the step; the
    # conversation layer then marks the session cancelled (tests/workflows/test_round_flow.py)
    state, _ = engine.start(FORM)
    steps = []
    for text in ("80", "Divi slimoja", "12"):
        steps.append(state.step)
        assert engine.cancel() == Cancelled()
        state, _ = engine.answer(FORM, state, text, "lv")
    assert steps == ["value", "value.comment", "count"]
    assert state.step == CONFIRM_STEP
    _, outcomes = engine.answer(FORM, state, "cancel", "lv")
    assert outcomes == [Cancelled()]


def test_current_shows_the_same_step_again() -> None:
    assert engine.current(FORM, FormState("count", {"value": "95"})) == Ask(
        FORM.fields[2], number=2, total=2
    )
    assert engine.current(FORM, _at_confirm()) == Confirm(_at_confirm().answers)


def test_current_continues_with_what_applies_when_the_step_left_the_spec() -> None:
    stale = FormState("removed-field", {"value": "95", "removed-field": "x"})
    assert engine.current(FORM, stale) == Ask(FORM.fields[0], number=1, total=2)


def test_form_state_encodes_form_and_step_and_decodes_the_step() -> None:
    state = FormState("value.comment", {"value": "80"})
    encoded = state.encode(FORM)
    assert encoded == "measurement:value.comment"
    assert FormState.decode(encoded) == "value.comment"
    assert FormState.decode(FormState(CONFIRM_STEP).encode(FORM)) == CONFIRM_STEP
    restored = FormState(FormState.decode(encoded), dict(state.answers))
    assert restored == state
    assert engine.current(FORM, restored) == Ask(FORM.fields[1], number=1, total=2)


def test_is_choice_for_choice_and_yes_no_only() -> None:
    assert engine.is_choice(CHOICE) and engine.is_choice(YES_NO)
    assert not any(engine.is_choice(f) for f in (NUMBER, PERCENT, INTEGER, TEXT, DATE))


def test_back_returns_to_the_previous_applicable_question_keeping_answers() -> None:
    spec = FormSpec(
        name="pair",
        fields=(
            FieldSpec(id="a", kind=FieldKind.INTEGER),
            FieldSpec(
                id="note", kind=FieldKind.TEXT, ask_if=lambda answers: answers.get("a") == "0"
            ),
            FieldSpec(id="b", kind=FieldKind.INTEGER),
        ),
    )
    state, _ = engine.start(spec)
    assert engine.back(spec, state) == (state, None)  # nothing before the first question
    state, _ = engine.answer(spec, state, "5", "lv")
    state, _ = engine.answer(spec, state, "7", "lv")
    assert state.step == CONFIRM_STEP
    state, asked = engine.back(spec, state)
    assert asked is not None and asked.field.id == "b"
    state, asked = engine.back(spec, state)  # "note" does not apply to a = 5: skipped
    assert asked is not None and asked.field.id == "a"
    assert state.answers == {"a": "5", "b": "7"}
