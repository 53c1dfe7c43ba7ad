"""This module contains the texts of refused imports: one line per refused row or file."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from bot.formatting import fmt_period
from bot.i18n import N_
from bot.render.context import RenderContext
from bot.render.errors import answer_error
from workflows.exchange import RowError
from workflows.forms.fields import FieldKind, FieldSpec
from workflows.forms.parsing import AnswerError
from workflows.numbers import format_decimal
from workflows.rounds.measuring import COMMENT_MAX_LENGTH

_COMMENT = FieldSpec(id="comment", kind=FieldKind.TEXT, max_length=COMMENT_MAX_LENGTH)

_FREQUENCY = {
    "monthly": N_("monthly (2026-10)"),
    "quarterly": N_("quarterly (2026-Q3)"),
    "weekly": N_("weekly (2026-W44)"),
    "half_yearly": N_("half-yearly (2026-H1)"),
    "yearly": N_("yearly (2025)"),
}

_FILE_PROBLEMS = {
    "no_rows": N_("There are no rows to import."),
    "too_many_rows": N_("Too many rows: at most {max} can be imported at once."),
    "missing_columns": N_("The header row lacks the column(s) {columns}."),
    "empty_file": N_("The file is empty."),
    "spreadsheet_file": N_(
        "This is a spreadsheet workbook, not a CSV file: save it as CSV (UTF-8) and import that."
    ),
    "changed_meanwhile": N_(
        "Values of the same indicators were stored by someone else during the import, so "
        "nothing was imported. Import again: rows already stored will be named."
    ),
}


def file_problem_text(code: str, params: dict[str, str], rc: RenderContext) -> str:
    """The translated reason a whole file or request was refused (no header, no rows…)."""
    msgid = _FILE_PROBLEMS.get(code)
    if msgid is None:
        return rc.t.gettext("This answer cannot be accepted. Please try again.")
    if "max" in params:  # a count, in the reader's number format
        params = {**params, "max": format_decimal(Decimal(params["max"]), 0, rc.t.lang)}
    return rc.t.gettext(msgid, **params)


def row_error_text(error: RowError, rc: RenderContext) -> str:
    """The translated reason ``error``'s row was refused (without the row number).

    Value and comment errors read exactly like the chat's answers to a form.
    """
    t = rc.t
    p = dict(error.params)
    code = error.code
    if code == "comma_decimal_in_english" and error.field is not None:
        return t.gettext(
            "In a file separated by commas (or a request) the decimal separator is a point, "
            "e.g. {example}; a file separated by “;” takes a decimal comma.",
            example=_point_example(error.field, rc),
        )
    if error.column == "value" and error.field is not None and code != "conflict":
        return answer_error(AnswerError(code, p), error.field, rc)
    if error.column == "comment":
        return t.gettext(
            "Comment: {reason}", reason=answer_error(AnswerError(code, p), _COMMENT, rc)
        )
    if code in _FILE_PROBLEMS:
        return file_problem_text(code, p, rc)
    if code == "bad_source":
        return t.gettext(
            "“{source}” is not a source name: use 1–64 letters, digits, “.”, “_”, “:” or “-”.",
            source=p.get("source", ""),
        )
    if code == "reserved_source":
        return t.gettext("The source “chat” is kept for values entered in chat; name the system.")
    if code == "unknown_indicator":
        return t.gettext(
            "There is no indicator “{indicator}” in the plan.", indicator=p.get("indicator", "")
        )
    if code == "wrong_activity":
        return t.gettext(
            "The indicator {indicator} belongs to {expected}, not to {activity}.",
            indicator=p.get("indicator", ""),
            expected=p.get("expected", ""),
            activity=p.get("activity", ""),
        )
    if code == "bad_period":
        return t.gettext(
            "“{period}” is not a period. Use 2026-11, 2026-Q4, 2026-W48, 2026-H2 or 2026.",
            period=p.get("period", ""),
        )
    if code == "wrong_frequency":
        frequency = _FREQUENCY.get(p.get("frequency", ""), "")
        return t.gettext(
            "{indicator} is measured {frequency}; “{period}” is not such a period.",
            indicator=rc.indicator(p.get("indicator", "")),
            frequency=t.gettext(frequency) if frequency else p.get("frequency", ""),
            period=p.get("period", ""),
        )
    if code == "period_not_over":
        return t.gettext(
            "The period {period} has not ended yet; its values can be imported once it has.",
            period=_period(p.get("period", ""), rc),
        )
    if code == "period_too_old":
        return t.gettext("“{period}” is too far in the past; check the year.", period=p["period"])
    if code == "duplicate_row":
        return t.gettext(
            "Row {first} already gives this indicator for this period.", first=p.get("first", "")
        )
    if code == "conflict":
        return t.gettext(
            "{source} already gave {stored} for this indicator and period; a different value "
            "is not taken over it.",
            source=p.get("source", ""),
            stored=_plain(p.get("stored", ""), error, rc),
        )
    if code == "already_answered":
        return t.gettext(
            "A value was already stored for this indicator and period ({value}, from {source}, "
            "by {person}); the first one counts.",
            value=_plain(p.get("value", ""), error, rc),
            source=p.get("source", ""),
            person=rc.person(p.get("by", "")),
        )
    return t.gettext("This answer cannot be accepted. Please try again.")


def _plain(raw: str, error: RowError, rc: RenderContext) -> str:
    """A stored value in its indicator's unit and decimals, in the reader's number format."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return raw
    return rc.value(error.params.get("indicator", ""), value)


def _point_example(field: FieldSpec, rc: RenderContext) -> str:
    """The field's target written with a decimal point, as such a file needs it."""
    decimals = field.decimals if field.decimals is not None else 1
    target = rc.plan.indicator(field.indicator_id)[1].target if field.indicator_id else None
    return format_decimal(target if target is not None else Decimal("12.5"), decimals, "en")


def _period(text: str, rc: RenderContext) -> str:
    try:
        return fmt_period(text, rc.t)
    except ValueError:
        return text
