"""This module contains the rendering of form questions, refusals and endings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from bot import tokens
from bot.formatting import fmt_date, fmt_indicator_value, fmt_option, fmt_period, fmt_thresholds
from bot.i18n import N_
from bot.messages import Choice, Message
from bot.render.context import RenderContext
from bot.render.errors import answer_error
from bot.render.hints import input_hint
from workflows.forms.engine import Ask, Confirm, is_choice
from workflows.forms.fields import CONFIRM_STEP, NOT_MEASURED, FieldKind, FieldSpec, Option
from workflows.notices import (
    AnswerRefused,
    FormCancelled,
    FormExpired,
    FormHeader,
    FormPrompt,
    NothingToCancel,
)
from workflows.rounds import corrections
from workflows.rounds.evaluation import Thresholds, evaluate

PROMPTS = {
    "comment_off_target": N_("The value is off target. Add a short comment: what explains it?"),
    "decision_action": N_("Describe the improvement action to take."),
    "decision_owner": N_("Who will carry out the action? Choose a person."),
    "decision_due": N_("By what date must the action be done?"),
    "decision_reason": N_("Why is no improvement action needed? Give a short reason."),
    "not_measured_reason": N_("Why could it not be measured? Give a short reason."),
    "correction_reason": N_("Why is the value corrected? Give a short reason."),
    "return_reason": N_(
        "Why do you return the value? The measurer will see your reason and measure again."
    ),
}


def form_title(header: FormHeader, rc: RenderContext) -> str:
    """The form's heading: ``Measurements: activity, period`` (or the decision's)."""
    t = rc.t
    if header.measurement is not None:
        kind = (
            t.gettext("Correction")
            if header.form == corrections.FORM
            else t.gettext("Returning a value")
        )
        return t.gettext(
            "{kind}: {indicator}, {period}",
            kind=kind,
            indicator=rc.indicator(header.measurement.indicator_id),
            period=fmt_period(header.period, t),
        )
    if header.decision_id is not None:
        return t.gettext(
            "Decision no. {decision}: {activity}, {period}",
            decision=header.decision_id,
            activity=rc.activity(header.activity_id),
            period=fmt_period(header.period, t),
        )
    return t.gettext(
        "Measurements: {activity}, {period}",
        activity=rc.activity(header.activity_id),
        period=fmt_period(header.period, t),
    )


def _cancel(header: FormHeader, rc: RenderContext) -> Choice:
    return Choice(tokens.form_option(header.session_id, "cancel"), rc.t.gettext("Cancel"))


def option_label(f: FieldSpec, option: Option, rc: RenderContext) -> str:
    """A form option's label; a check's option is labelled by the plan (or "Jā"/"Nē")."""
    if f.indicator_id is not None:
        found = rc.plan.indicator(f.indicator_id)[1].option(option.label)
        if found is not None:
            return fmt_option(found, rc.t)
    return rc.t.gettext(option.label) if option.translate else option.label


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _earlier_line(
    indicator_id: str, earlier: Mapping[str, tuple[tuple[str, Decimal], ...]], rc: RenderContext
) -> list[str]:
    values = earlier.get(indicator_id, ())
    if not values:
        return []
    shown = "; ".join(
        f"{rc.value(indicator_id, value)} ({fmt_period(period, rc.t)})" for period, value in values
    )
    return [rc.t.gettext("Earlier: {values}", values=shown)]


def question_lines(
    f: FieldSpec,
    rc: RenderContext,
    answers: Mapping[str, str],
    earlier: Mapping[str, tuple[tuple[str, Decimal], ...]],
) -> list[str]:
    """The question for ``f``: indicator, unit, thresholds, source, earlier values."""
    t = rc.t
    if f.indicator_id is not None:
        _activity, indicator = rc.plan.indicator(f.indicator_id)
        label = indicator.label.get(t.lang)
        lines = [label if label.endswith("?") else f"{label}?"]
        if not indicator.is_choice:
            lines.append(t.gettext("Unit: {unit}", unit=indicator.unit.get(t.lang)))
        lines.append(_capitalised(fmt_thresholds(indicator, t)))
        if indicator.data_source is not None:
            lines.append(
                t.gettext("Data source: {source}", source=indicator.data_source.get(t.lang))
            )
        if indicator.method is not None:
            lines.append(t.gettext("Method: {method}", method=indicator.method.get(t.lang)))
        lines.extend(_earlier_line(f.indicator_id, earlier, rc))
        return lines
    prompt = t.gettext(PROMPTS[f.prompt]) if f.prompt in PROMPTS else f.prompt
    if f.reask_on_no is not None and f.subject is not None:
        params = dict(f.params)
        prompt = t.gettext(
            "This value is far from the earlier ones (they suggest {low} … {high}). "
            "Is it correct?",
            low=rc.value(f.subject, Decimal(params["low"])),
            high=rc.value(f.subject, Decimal(params["high"])),
        )
    if f.subject is not None and answers.get(f.subject) == NOT_MEASURED:
        label = rc.indicator(f.subject)
        return [t.gettext("{indicator}: not measured", indicator=label), prompt]
    if f.subject is not None and f.subject in answers:
        _activity, indicator = rc.plan.indicator(f.subject)
        value = Decimal(answers[f.subject])
        evaluation = evaluate(value, Thresholds.of(indicator))
        entered = t.gettext(
            "{indicator}: {value} — {status}",
            indicator=indicator.label.get(t.lang),
            value=fmt_indicator_value(value, indicator, t),
            status=rc.status(evaluation.status),
        )
        return [entered, prompt]
    return [prompt]


def render_prompt(notice: FormPrompt, rc: RenderContext) -> Message:
    """A question with its number, or the confirmation step with every answer."""
    t = rc.t
    header = notice.header
    title = form_title(header, rc)
    lines: list[str] = []
    if notice.resumed:
        lines.append(t.gettext("Continuing where you left off."))
    step = notice.step
    if isinstance(step, Ask):
        f = step.field
        sid, mark = header.session_id, f.id
        lines.append(t.gettext("Question {n} of {total}", n=step.number, total=step.total))
        lines.extend(question_lines(f, rc, notice.answers, notice.earlier))
        choices: list[Choice] = []
        if f.kind is FieldKind.CHOICE:
            for number, option in enumerate(f.options, 1):
                label = option_label(f, option, rc)
                choices.append(Choice(tokens.form_option(sid, str(number), mark), label))
        elif f.kind is FieldKind.YES_NO and f.reask_on_no is not None:
            yes, no = t.gettext("Yes, it is correct"), t.gettext("No, type it again")
            choices.append(Choice(tokens.form_option(sid, "yes", mark), yes))
            choices.append(Choice(tokens.form_option(sid, "no", mark), no))
        elif f.kind is FieldKind.YES_NO:
            choices.append(Choice(tokens.form_option(sid, "yes", mark), t.gettext("Yes")))
            choices.append(Choice(tokens.form_option(sid, "no", mark), t.gettext("No")))
        else:
            lines.append(input_hint(f, rc))
        if f.not_measured:
            label = t.gettext("Not measured")
            choices.append(Choice(tokens.form_option(sid, NOT_MEASURED, mark), label))
        if not f.required and f.indicator_id is not None:
            choices.append(Choice(tokens.form_option(sid, "-", mark), t.gettext("Skip")))
        if step.number > 1 or f.ask_if is not None:
            choices.append(Choice(tokens.form_option(sid, "back", mark), t.gettext("Back")))
        choices.append(_cancel(header, rc))
        free = not is_choice(f)
        return Message("\n".join(lines), title=title, choices=tuple(choices), free_text=free)
    lines.append(t.gettext("Please check your answers:"))
    lines.extend(_answer_lines(notice, step, rc))
    choices = [
        Choice(tokens.form_option(header.session_id, "submit", CONFIRM_STEP), t.gettext("Submit")),
        Choice(tokens.form_option(header.session_id, "back", CONFIRM_STEP), t.gettext("Back")),
        _cancel(header, rc),
    ]
    return Message("\n".join(lines), title=title, choices=tuple(choices))


def _answer_lines(notice: FormPrompt, step: Confirm, rc: RenderContext) -> list[str]:
    return answer_lines(notice.fields, step.answers, rc)


def answer_lines(
    fields: tuple[FieldSpec, ...], answers: Mapping[str, str], rc: RenderContext
) -> list[str]:
    """The answers for confirmation: each value with its status, comments under them."""
    t = rc.t
    lines: list[str] = []
    for f in fields:
        raw = answers.get(f.id)
        if raw is None:
            continue
        if f.reask_on_no is not None:
            continue  # "are you sure?" was answered yes: nothing to show
        if f.indicator_id is not None and raw == "":
            _activity, indicator = rc.plan.indicator(f.indicator_id)
            lines.append(f"• {indicator.label.get(t.lang)}: " + t.gettext("skipped"))
        elif f.indicator_id is not None and raw == NOT_MEASURED:
            lines.append(f"• {rc.indicator(f.indicator_id)}: " + t.gettext("not measured"))
        elif f.prompt == "not_measured_reason":
            lines.append("  " + t.gettext("Reason: {reason}", reason=raw))
        elif f.id == "correction_reason":
            lines.append("• " + t.gettext("Reason for the correction: {reason}", reason=raw))
        elif f.indicator_id is not None:
            _activity, indicator = rc.plan.indicator(f.indicator_id)
            value = Decimal(raw)
            evaluation = evaluate(value, Thresholds.of(indicator))
            lines.append(
                f"• {indicator.label.get(t.lang)}: {fmt_indicator_value(value, indicator, t)}"
                f" — {rc.status(evaluation.status)}"
            )
        elif f.subject is not None:
            lines.append("  " + t.gettext("Comment: {comment}", comment=raw))
        else:
            lines.append(f"• {_field_name(f, rc)}: {_shown(f, raw, rc)}")
    return lines


def _field_name(f: FieldSpec, rc: RenderContext) -> str:
    names = {
        "action": N_("Action"),
        "owner": N_("Responsible for the action"),
        "due": N_("Due date"),
        "reason": N_("Reason"),
    }
    return rc.t.gettext(names[f.id]) if f.id in names else f.id


def _shown(f: FieldSpec, raw: str, rc: RenderContext) -> str:
    t = rc.t
    if f.kind is FieldKind.DATE:
        return fmt_date(date.fromisoformat(raw), t)
    if f.kind is FieldKind.CHOICE:
        option = next((o for o in f.options if o.value == raw), None)
        if option is not None:
            return t.gettext(option.label) if option.translate else option.label
    if f.kind is FieldKind.YES_NO:
        return t.gettext("Yes") if raw == "yes" else t.gettext("No")
    return raw


def render_refused(notice: AnswerRefused, rc: RenderContext) -> Message:
    """Why an answer was refused; the question follows in its own message."""
    return Message("⚠️ " + answer_error(notice.error, notice.field, rc))


def render_cancelled(notice: FormCancelled, rc: RenderContext) -> Message:
    """The form was cancelled."""
    return Message(rc.t.gettext("Cancelled. Nothing was saved."))


def render_nothing_to_cancel(notice: NothingToCancel, rc: RenderContext) -> Message:
    """``/cancel`` without a form."""
    return Message(rc.t.gettext("There is nothing to cancel."))


def render_expired(notice: FormExpired, rc: RenderContext) -> Message:
    """The form expired; offer a fresh one."""
    t = rc.t
    header = notice.header
    text = t.ngettext(
        "The form was left unanswered for more than {n} minute and has expired. "
        "Your answers were not saved.",
        "The form was left unanswered for more than {n} minutes and has expired. "
        "Your answers were not saved.",
        notice.minutes,
    )
    if notice.draft:
        text = t.ngettext(
            "The form was left unanswered for more than {n} minute and has expired. "
            "Nothing was stored.",
            "The form was left unanswered for more than {n} minutes and has expired. "
            "Nothing was stored.",
            notice.minutes,
        )
    choices: tuple[Choice, ...] = ()
    value = header.measurement
    if value is not None:  # a correction or a return: start that again, not a measurement
        again = (
            tokens.correct_value(value.measurement_id)
            if header.form == corrections.FORM
            else tokens.review_value(value.measurement_id, "return", value.version)
        )
        return Message(
            text, title=form_title(header, rc), choices=(Choice(again, t.gettext("Start again")),)
        )
    if header.round_id is not None:
        choices = (Choice(tokens.start_round(header.round_id), t.gettext("Start again")),)
    if header.round_id is not None and notice.draft:
        text += "\n" + t.gettext(
            "Your answers are kept as a draft: continue where you stopped, or start again."
        )
        draft = Choice(tokens.continue_draft(header.round_id), t.gettext("Continue the draft"))
        choices = (draft, *choices)
    return Message(text, title=form_title(header, rc), choices=choices)
