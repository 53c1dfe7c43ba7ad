"""This module contains the messages for refused answers and failed requests."""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal

from bot.formatting import fmt_date, fmt_number, fmt_option, fmt_period
from bot.i18n import N_
from bot.render.context import RenderContext
from bot.render.hints import date_example, number_example
from workflows.forms.fields import FieldKind, FieldSpec
from workflows.forms.parsing import AnswerError
from workflows.notices import Problem
from workflows.problems import ProblemCode


def _bound(raw: str, f: FieldSpec, rc: RenderContext) -> str:
    value = Decimal(raw)
    decimals = f.decimals if f.decimals is not None else 0
    return fmt_number(value, max(decimals, 0), rc.t)


_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
ECHO_LIMIT = 40
"""Longest piece of a refused answer quoted back to the person, in characters."""


def _echo(text: str) -> str:
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


def answer_error(error: AnswerError, f: FieldSpec, rc: RenderContext) -> str:
    """The translated reason an answer to ``f`` was refused, with what is expected."""
    t = rc.t
    p = {**error.params, "text": _echo(error.params.get("text", ""))}
    example = number_example(f, rc)
    code = error.code
    if code == "empty":
        return t.gettext("The answer is empty. Please type an answer.")
    if code == "malformed" and f.kind in (FieldKind.NUMBER, FieldKind.PERCENT, FieldKind.INTEGER):
        return t.gettext(
            "“{text}” is not a number. Type a number, e.g. {example}.",
            text=p.get("text", ""),
            example=example,
        )
    if code == "ambiguous":
        return t.gettext(
            "“{text}” could mean {a} or {b}. Type it without a thousands separator, "
            "e.g. {example}.",
            text=p.get("text", ""),
            a=p.get("a", ""),
            b=p.get("b", ""),
            example=example,
        )
    if code == "comma_decimal_in_english":
        return t.gettext("Use a decimal point, not a comma, e.g. {example}.", example=example)
    if code == "percent_not_expected":
        return t.gettext("This value is not a percentage. Type the number without “%”.")
    if code == "too_many_decimals":
        n = int(p.get("decimals", "0"))
        if n == 0:
            return t.gettext("Type a whole number, without decimal places.")
        return t.ngettext(
            "Too many decimal places: at most {n} decimal place is used.",
            "Too many decimal places: at most {n} decimal places are used.",
            n,
        )
    if code == "too_large":
        return t.gettext(
            "The number is too large: at most {digits} digits before the decimal separator.",
            digits=p.get("digits", ""),
        )
    if code == "control_characters":
        return t.gettext(
            "The text contains control or direction-changing characters; please type it again."
        )
    if code == "not_integer":
        return t.gettext("Type a whole number, without decimal places.")
    if code == "below_minimum":
        return t.gettext(
            "The value must be at least {minimum}.", minimum=_bound(p["minimum"], f, rc)
        )
    if code == "above_maximum":
        return t.gettext(
            "The value must be at most {maximum}.", maximum=_bound(p["maximum"], f, rc)
        )
    if code == "choice_unknown" and f.indicator_id is not None:
        indicator = rc.plan.indicator(f.indicator_id)[1]
        return t.gettext(
            "Choose one of: {options} (or type its number).",
            options=", ".join(fmt_option(o, t) for o in indicator.options),
        )
    if code == "choice_unknown":
        return t.gettext(
            "Choose one of the options: type its number (1–{count}) or its name.",
            count=p.get("count", ""),
        )
    if code == "yes_no_unknown":
        return t.gettext("Answer yes or no.")
    if code == "date_too_early":
        return t.gettext(
            "The date must be {date} or later.",
            date=fmt_date(date.fromisoformat(p["date"]), t),
        )
    if code == "date_too_late":
        return t.gettext(
            "The date must be {date} or earlier.",
            date=fmt_date(date.fromisoformat(p["date"]), t),
        )
    if code == "too_long":
        n = int(p.get("max", "0"))
        return t.ngettext(
            "The text is too long: at most {n} character.",
            "The text is too long: at most {n} characters.",
            n,
        )
    if code in ("date_invalid", "malformed") and f.kind is FieldKind.DATE:
        return t.gettext(
            "This is not a date. Type it as dd.mm.yyyy, e.g. {example}.",
            example=date_example(rc),
        )
    return t.gettext("This answer cannot be accepted. Please try again.")


PROBLEMS: dict[ProblemCode, str] = {
    "plan_item_gone": N_(
        "This refers to “{item}”, which is no longer in the control plan. Nothing was changed."
    ),
    "no_round_for_period": N_(
        "No control round of #{channel} was opened for {period}, so there is nothing to summarise."
    ),
    "summary_period_not_over": N_(
        "The period “{period}” has not ended yet; its summary can be posted once it has."
    ),
    "unknown_indicator": N_(
        "No indicator fits “{indicator}”. /indicators lists yours with their numbers."
    ),
    "indicator_ambiguous": N_(
        "“{indicator}” fits several of your indicators: type more of the name, or its number "
        "in /indicators."
    ),
    "at_first_question": N_("This is the first question; there is nothing to go back to."),
    "previous_answer": N_("Your earlier answer: {answer}. Type a new one, or the same again."),
    "snooze_while_away": N_("You are away, so no reminders come to you; /away cancel ends it."),
    "away_overlaps": N_("You already have an absence in those days; /away lists them."),
    "away_dates_order": N_(
        "The absence ends before it starts; give the first day, then the last."
    ),
    "away_in_past": N_("That absence is already over; give today or a later day."),
    "away_too_long": N_("An absence can last at most a year."),
    "unknown_activity": N_("There is no activity “{activity}” in the plan. Activities: {known}."),
    "bad_period": N_(
        "“{period}” is not a period. Use 2026-11, 2026-Q4, 2026-W48, 2026-H2 or 2026."
    ),
    "period_too_old": N_("“{period}” is too far in the past; check the year."),
    "period_in_future": N_(
        "The period “{period}” has not begun yet, so there is nothing to summarise."
    ),
    "channel_no_indicators_at_frequency": N_(
        "No activity reporting to #{channel} has indicators measured for a period like {period}."
    ),
    "form_plan_changed": N_(
        "The control plan changed and your form no longer matches it, so it was closed "
        "without saving. /pending shows what to measure now."
    ),
    "no_indicators_at_frequency": N_(
        "“{activity}” has no indicators measured for a period like {period}."
    ),
    "period_not_over": N_(
        "The period “{period}” has not ended yet; its round can be opened once it has."
    ),
    "unknown_round": N_("This control round is not open."),
    "not_a_measurer": N_("You do not measure any indicator of this round."),
    "form_already_started": N_("This form is already open: answer the question above."),
    "decision_form_started": N_(
        "You have already started deciding no. {decision}. Finish that form, or type /cancel "
        "to choose differently."
    ),
    "finish_current_form_first": N_(
        "You have another form in progress. Finish it or type /cancel, then try again."
    ),
    "stale_button": N_("This button belongs to an earlier form. Use the latest message."),
    "unknown_choice": N_("This button is no longer valid."),
    "nobody_above": N_(
        "Decision no. {decision} cannot be proposed upwards: nobody is responsible (A) one "
        "scale up. Please decide it yourself."
    ),
    "text_only": N_("I can read only typed text. Please type your answer."),
    "edit_not_read": N_(
        "Edited messages are not read. To change an answer, type it again (or /back)."
    ),
    "stale_step": N_("This button belongs to an earlier question. Answer the latest one."),
    "unknown_decision": N_("There is no decision no. {decision}. /pending lists yours."),
    "unknown_channel": N_("There is no team channel “{channel}” in the plan. Channels: {known}."),
    "channel_without_activities": N_("No activity's summary is posted to #{channel}."),
    "not_admin": N_("Only the plan's administrators may use /{command}."),
    "unknown_command": N_("Unknown command /{command}. /help lists the commands."),
    "usage": N_("Usage: {usage}"),
    "unknown_action": N_("Decision no. {decision} has no improvement action."),
    "not_action_owner": N_(
        "Only the action's responsible person or the one who decided it may update "
        "the improvement action of decision no. {decision}."
    ),
    "action_owner_moves": N_(
        "Only the action's responsible person, {person}, marks the improvement action of "
        "decision no. {decision} as in progress or done; as the one who decided it, you may "
        "cancel it (/action {decision} cancelled). Nothing was changed."
    ),
    "action_status_same": N_(
        "The improvement action of decision no. {decision} already has that status."
    ),
    "action_status_not_allowed": N_(
        "The improvement action of decision no. {decision} cannot be set to that status now."
    ),
    "unknown_value": N_("That value no longer exists. Nothing was changed."),
    "approval_not_required": N_(
        "The plan no longer asks for this value to be approved. Nothing was changed."
    ),
    "nothing_to_correct": N_(
        "There is no value you can correct now: only the latest value of an indicator you "
        "measure can be corrected, until it is approved."
    ),
    "not_a_measurer_of_value": N_(
        "Only whoever submitted the value or measures the indicator may correct it."
    ),
    "value_returned_measure_again": N_(
        "This value was returned by the approver. Measure it again with “Enter measurements”."
    ),
    "web_off": N_(
        "The web view is off: an administrator turns it on with CONTROLBOT_WEB_BASE_URL."
    ),
    "no_form": N_("There is no form in progress to answer. /pending shows what waits for you."),
    "not_enrolled": N_(
        "You are not enrolled in controlbot. Ask the plan's administrator to add you."
    ),
    "invite_unknown": N_(
        "This invitation link is not valid. Ask the plan's administrator for a new one."
    ),
    "invite_used": N_(
        "This invitation link has already been used. Ask the plan's administrator for a new one."
    ),
    "invite_expired": N_(
        "This invitation link has expired. Ask the plan's administrator for a new one."
    ),
    "not_a_manager": N_(
        "/status is for the responsible (A) of an activity and for the plan's administrators."
    ),
    "bind_in_group": N_(
        "Send /bind CHANNEL in the group that should receive the channel's posts."
    ),
}
"""Problem code → English message id; placeholders come from the problem's params."""


PARAM_LIMIT = 300
"""Longest param shown in a problem message (a list of ids, an echoed argument)."""


def _clip(value: str) -> str:
    return value if len(value) <= PARAM_LIMIT else value[: PARAM_LIMIT - 1] + "…"


def _period(value: str, rc: RenderContext) -> str:
    try:
        return fmt_period(value, rc.t)
    except ValueError:
        return value


USAGE_WORDS = {
    "INDICATOR": N_("INDICATOR"),
    "ACTIVITY": N_("ACTIVITY"),
    "CHANNEL": N_("CHANNEL"),
    "PERIOD": N_("PERIOD"),
    "DD.MM.YYYY": N_("DD.MM.YYYY"),
}
"""Placeholders of usage lines (``/history INDICATOR [N]``), shown in the reader's language."""
_USAGE_WORD = re.compile("|".join(re.escape(word) for word in USAGE_WORDS))


def _usage(text: str, rc: RenderContext) -> str:
    return _USAGE_WORD.sub(lambda m: rc.t.gettext(USAGE_WORDS[m.group(0)]), text)


def problem_text(notice: Problem, rc: RenderContext) -> str:
    """The translated text of a :class:`~workflows.notices.Problem`.

    Unknown codes (and ``internal_error``) give a generic "something went wrong"; a missing
    param shows as empty rather than failing.
    """
    t = rc.t
    if notice.code == "confirm_choice":
        return t.gettext(
            "Choose “{submit}”, “{back}” or “{cancel}”.",
            submit=t.gettext("Submit"),
            back=t.gettext("Back"),
            cancel=t.gettext("Cancel"),
        )
    msgid = PROBLEMS.get(notice.code)
    if msgid is None:
        return t.gettext("Something went wrong. Nothing was changed; please try again later.")
    params = {key: _clip(value) for key, value in notice.param_dict().items()}
    number = params.pop("number", "") == "yes"  # the answer is a number field's value
    if (
        notice.code == "previous_answer"
        and number
        and _DECIMAL.fullmatch(params.get("answer", ""))
    ):
        raw = params["answer"]  # a stored number: shown as the person types it ("0,9")
        places = len(raw.partition(".")[2])
        params["answer"] = fmt_number(Decimal(raw), places, t)
    if "person" in params:  # a person id: shown by name
        params["person"] = rc.person(params["person"])
    if "period" in params:
        params["period"] = _period(params["period"], rc)
    if notice.code == "usage":
        params["usage"] = _usage(params.get("usage", ""), rc)
    fields = {name for _lit, name, _spec, _conv in string.Formatter().parse(msgid) if name}
    return t.gettext(msgid, **{name: params.get(name, "") for name in fields})
