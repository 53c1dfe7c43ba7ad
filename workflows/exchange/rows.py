"""This module contains imported rows: their types, and each row's checks on its own.

A row is checked like a chat answer — the value through the same parser (bounds, decimal
places, percent range, the decimal separator of the file's language), the comment like a
typed comment (line breaks allowed) — and against the plan: the indicator exists (and
belongs to the activity, when one is given); the period is one of the indicator's frequency,
has ended, and is not implausibly old. Checks against the database and the storing are in
:mod:`workflows.exchange.incoming`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from storage.models import SOURCE_CHAT, Measurement
from workflows.context import Context
from workflows.forms.fields import FieldSpec
from workflows.forms.parsing import AnswerError, clean_text, parse_answer
from workflows.notices import Outgoing
from workflows.periods import Period, PeriodError
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Indicator
from workflows.rounds.evaluation import stored_value
from workflows.rounds.measuring import COMMENT_MAX_LENGTH, measurement_spec
from workflows.rounds.opening import implausibly_old

MAX_ROWS = 100_000
"""Most rows one import may hold (``too_many_rows`` beyond)."""

SOURCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
"""A source name: 1–64 ASCII letters, digits, ``.``, ``_``, ``:`` or ``-``, not ``chat``."""

CONFLICT_CODES = frozenset({"conflict", "already_answered", "changed_meanwhile"})
"""Refusals caused by what is stored already (HTTP 409), rather than by the row (422)."""

Outcome = Literal["stored", "unchanged", "valid"]
Column = Literal["row", "activity", "indicator", "period", "value", "comment", "source"]


@dataclass(frozen=True)
class IncomingRow:
    """One value to import, as read from a file or a request.

    Attributes:
        row: Its number for messages: the spreadsheet row (the header is row 1) or the
            position in the request (from 1).
        indicator: Indicator id.
        period: Period text (``2026-10``).
        value: The value as written (parsed in the import's language), or an exact number
            (from JSON).
        activity: The activity id, or ``""`` (then the indicator's own).
        comment: A comment, or ``""``.
        source: The source's name (a monitoring system, a file); ``chat`` is reserved.
    """

    row: int
    indicator: str
    period: str
    value: str | Decimal
    activity: str = ""
    comment: str = ""
    source: str = ""


@dataclass(frozen=True)
class RowError:
    """Why a row was refused.

    Attributes:
        row: The row's number (see :attr:`IncomingRow.row`).
        column: The column at fault (``row`` for the row as a whole).
        code: A stable code the transports translate (see the module docstring and
            ``docs/export-format.md``); value and comment errors use the chat answer codes.
        params: Values for the message, as text.
        field: The value field (bounds, decimals) for value errors, rendered like chat.
    """

    row: int
    column: Column
    code: str
    params: Mapping[str, str] = field(default_factory=dict)
    field: FieldSpec | None = None


@dataclass(frozen=True)
class RowOutcome:
    """A row accepted: its evaluation and what happened to it.

    Attributes:
        row: The row's number.
        activity_id: The activity.
        indicator_id: The indicator.
        period: Canonical period text.
        value: The value, exact.
        status: ``ok``, ``warning`` or ``critical``.
        target_met: Whether the target is met.
        source: The source.
        outcome: ``stored``, ``unchanged`` (the same value from the same source was already
            stored), or ``valid`` (a dry run: it would be stored).
        choice: For a yes/no or choice indicator, the option's id (``value`` is its number).
    """

    row: int
    activity_id: str
    indicator_id: str
    period: str
    value: Decimal
    status: str
    target_met: bool
    source: str
    outcome: Outcome
    choice: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, refused, why not).

    Attributes:
        rows: The accepted rows, in row order.
        errors: Every refused row (empty unless refused).
        notices: Improvement decisions the stored values opened, to deliver after commit.
        would_notify: In a dry run, the notices storing would have sent (never delivered).
        history: How many stored (or, in a dry run, valid) rows were loaded as history.
    """

    rows: tuple[RowOutcome, ...] = ()
    errors: tuple[RowError, ...] = ()
    notices: tuple[Outgoing, ...] = ()
    would_notify: tuple[Outgoing, ...] = ()
    history: int = 0

    def count(self, outcome: Outcome) -> int:
        """How many rows had ``outcome``."""
        return sum(r.outcome == outcome for r in self.rows)

    @property
    def conflict_only(self) -> bool:
        """Whether every refusal is about what is stored already (not about the rows)."""
        return bool(self.errors) and all(e.code in CONFLICT_CODES for e in self.errors)


class ImportRefused(Exception):
    """An import refused as a whole; nothing was stored.

    Attributes:
        result: The refused rows in ``errors`` (sorted by row).
    """

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{len(result.errors)} row(s) refused")
        self.result = result


@dataclass(frozen=True)
class Valid:
    """A row that passed its own checks, with what it names resolved in the plan."""

    row: IncomingRow
    activity: Activity
    indicator: Indicator
    period: Period
    value: Decimal
    comment: str | None
    source: str
    period_text: str
    """``str(period)``, made once (an import needed it seven times a row)."""


def row_outcome(item: Valid, status: str, target_met: bool, outcome: Outcome) -> RowOutcome:
    """What the import reports for an accepted row."""
    return RowOutcome(
        row=item.row.row,
        activity_id=item.activity.id,
        indicator_id=item.indicator.id,
        period=item.period_text,
        value=item.value,
        status=status,
        target_met=target_met,
        source=item.source,
        outcome=outcome,
        choice=option.id if (option := item.indicator.option_at(item.value)) else None,
    )


def _taken(item: Valid, earlier: Measurement) -> RowError:
    params = {
        "source": earlier.source,
        "by": earlier.submitted_by,
        "value": str(stored_value(item.indicator, earlier.value, earlier.choice)),
        "indicator": earlier.indicator_id,
    }
    return RowError(item.row.row, "row", "already_answered", params)


def against_stored(item: Valid, earlier: Measurement) -> RowError | None:
    """Why ``item`` may not be stored over ``earlier`` (same source and value: ``None``)."""
    if earlier.source != item.source:
        return _taken(item, earlier)
    stored = stored_value(item.indicator, earlier.value, earlier.choice)  # a check: by its id
    if stored != item.value:
        return RowError(
            item.row.row,
            "value",
            "conflict",
            {"stored": str(stored), "source": item.source, "indicator": item.indicator.id},
        )
    return None


def check_row(
    ctx: Context,
    row: IncomingRow,
    lang: Literal["lv", "en"],
    fields: dict[str, FieldSpec],
    periods: dict[tuple[str, str], Period] | None = None,
) -> Valid | RowError:
    """``row`` checked on its own and against the plan.

    ``fields``: each indicator's value field, built once; ``periods``: the periods that
    passed, by (period text, frequency), so a file's thousand rows of one month check it
    once.
    """
    source = row.source.strip()
    if not SOURCE_PATTERN.fullmatch(source):
        return RowError(row.row, "source", "bad_source", {"source": source})
    if source.casefold() == SOURCE_CHAT:
        return RowError(row.row, "source", "reserved_source", {"source": source})
    indicator_id = row.indicator.strip()
    try:
        activity, indicator = ctx.plan.indicator(indicator_id)
    except UnknownPlanItem:
        return RowError(row.row, "indicator", "unknown_indicator", {"indicator": indicator_id})
    activity_id = row.activity.strip()
    if activity_id and activity_id != activity.id:
        params = {"activity": activity_id, "indicator": indicator.id, "expected": activity.id}
        return RowError(row.row, "activity", "wrong_activity", params)
    memo_key = (row.period, indicator.frequency.value)
    known = None if periods is None else periods.get(memo_key)
    if known is not None:
        period = known
    else:
        checked = _check_period(ctx, row, indicator)
        if isinstance(checked, RowError):
            return checked
        period = checked
        if periods is not None:
            periods[memo_key] = period
    value_field = fields.get(indicator.id)
    if value_field is None:
        value_field = fields[indicator.id] = measurement_spec(ctx, (indicator.id,)).fields[0]
    text = format(row.value, "f") if isinstance(row.value, Decimal) else row.value
    try:
        value = parse_answer(value_field, text, "en" if isinstance(row.value, Decimal) else lang)
        if value == "":  # "-" skips in chat; an import has nothing to skip
            raise AnswerError("empty")
    except AnswerError as exc:
        return RowError(row.row, "value", exc.code, exc.params, value_field)
    try:
        comment = clean_comment(row.comment)
    except AnswerError as exc:
        return RowError(row.row, "comment", exc.code, exc.params)
    return Valid(row, activity, indicator, period, Decimal(value), comment, source, str(period))


def _check_period(ctx: Context, row: IncomingRow, indicator: Indicator) -> Period | RowError:
    text = row.period.strip()
    try:
        period = Period.parse(text)
    except PeriodError:
        return RowError(row.row, "period", "bad_period", {"period": text})
    if period.frequency != indicator.frequency:
        params = {"period": text, "indicator": indicator.id, "frequency": indicator.frequency}
        return RowError(row.row, "period", "wrong_frequency", params)
    if period.end >= ctx.today():
        return RowError(row.row, "period", "period_not_over", {"period": str(period)})
    if implausibly_old(ctx, period):
        return RowError(row.row, "period", "period_too_old", {"period": str(period)})
    return period


def clean_comment(raw: str) -> str | None:
    r"""An imported comment, checked line by line like a typed one; ``None`` when empty.

    Files may carry line breaks inside a comment (``\r\n`` and ``\r`` become ``\n``);
    blank lines are dropped; every other control character is refused, as in chat.

    Raises:
        workflows.forms.parsing.AnswerError: ``control_characters``, ``empty`` (a line of
            invisible characters only) or ``too_long`` (over the chat comment's limit).
    """
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [clean_text(line, COMMENT_MAX_LENGTH) for line in lines if line.strip()]
    text = "\n".join(kept)
    if len(text) > COMMENT_MAX_LENGTH:
        raise AnswerError("too_long", {"max": str(COMMENT_MAX_LENGTH)})
    return text or None
