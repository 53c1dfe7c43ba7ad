"""This module contains the validation and storing of imported values, all or nothing.

Each incoming row names an indicator (and optionally its activity), a period, a value, an
optional comment and its source. A row is checked like a chat answer — the value through the
same parser (bounds, decimal places, percent range, the decimal separator of the file's
language), the comment like a typed comment (line breaks allowed) — and against the plan and
the database:

* the indicator exists (and belongs to the activity, when one is given);
* the period is one of the indicator's frequency, has ended, and is not implausibly old;
* no other row of the same import gives the same indicator and period;
* idempotency on (indicator, period, source): the same value again is ``unchanged``; a
  different value from the same source is refused (``conflict``); a value that came from
  elsewhere — chat or another source — is refused too (``already_answered``), unless the
  approver returned it (then the imported value is its next version); the first
  submission counts, as in chat.

If any row is refused, nothing is stored: :func:`import_rows` raises :class:`ImportRefused`
with every refused row, so the caller's transaction rolls back. If another process stores a
value of the same round and indicator between the check and the write, the whole import is
refused as ``changed_meanwhile`` (try again: the rows then show as ``already_answered``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import SOURCE_CHAT, ControlRound, Measurement
from workflows import audit
from workflows.context import Context
from workflows.evaluation import Thresholds, evaluate, stored_value
from workflows.exchange.record import record_imported, replace_returned
from workflows.forms.fields import FieldSpec
from workflows.forms.parsing import AnswerError, clean_text, parse_answer
from workflows.measuring import COMMENT_MAX_LENGTH, measurement_spec
from workflows.notices import Outgoing
from workflows.periods import Period, PeriodError
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Indicator
from workflows.rounds import ensure_round, implausibly_old, new_round

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
class _Valid:
    row: IncomingRow
    activity: Activity
    indicator: Indicator
    period: Period
    value: Decimal
    comment: str | None
    source: str


def import_rows(
    session: Session,
    ctx: Context,
    rows: Sequence[IncomingRow],
    *,
    lang: Literal["lv", "en"],
    actor: str,
    dry_run: bool = False,
    history_before: Period | None = None,
) -> ImportResult:
    """Validate ``rows`` and store them in ``session``, all or nothing.

    Rounds that are not open yet are opened (audited, like ``/remind`` without reminders).
    Values are stored in period order, so decisions after several warnings in a row count
    them as in chat. Values of periods that ended before ``history_before`` starts are
    history: stored, evaluated and audited, but they open no improvement decision, ask no
    approval and send nothing. A dry run stores everything in a savepoint it rolls back, so
    it can tell exactly what storing would send (``would_notify``).

    Args:
        session: The open session; commit it only when this returns.
        ctx: Plan, clock and calendar.
        rows: The rows, in file order.
        lang: How text values are read: ``lv`` (decimal comma, a point too) or ``en``.
        actor: The person accountable for the import (a plan admin by default).
        dry_run: Validate only; nothing is stored and accepted rows are ``valid``.
        history_before: The cut-off of quiet history (see above); ``None``: no history.

    Returns:
        The accepted rows (``stored`` or ``unchanged``) and the notices to deliver.

    Raises:
        ImportRefused: If there are no rows, too many, or any row is refused; the caller's
            transaction must then be rolled back (nothing was stored).
    """
    if not rows:
        raise ImportRefused(ImportResult(errors=(RowError(0, "row", "no_rows"),)))
    if len(rows) > MAX_ROWS:
        error = RowError(0, "row", "too_many_rows", {"max": str(MAX_ROWS)})
        raise ImportRefused(ImportResult(errors=(error,)))
    errors: list[RowError] = []
    valid: list[_Valid] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        checked = _check_row(ctx, row, lang)
        if isinstance(checked, RowError):
            errors.append(checked)
            continue
        key = (checked.indicator.id, str(checked.period))
        if key in seen:
            errors.append(RowError(row.row, "row", "duplicate_row", {"first": str(seen[key])}))
            continue
        seen[key] = row.row
        valid.append(checked)
    stored = _stored(session, valid)
    outcomes: list[RowOutcome] = []
    new: list[_Valid] = []
    returned: list[tuple[_Valid, Measurement]] = []
    for item in valid:
        earlier = stored.get((item.activity.id, str(item.period), item.indicator.id))
        if earlier is None:
            new.append(item)
            continue
        if earlier.approval == "rejected":  # returned by the approver: measured anew
            returned.append((item, earlier))
            continue
        problem = _against_stored(item, earlier)
        if problem is not None:
            errors.append(problem)
        else:
            outcomes.append(_outcome(item, earlier.status, earlier.target_met, "unchanged"))
    if errors:
        raise ImportRefused(ImportResult(errors=tuple(sorted(errors, key=lambda e: e.row))))
    notices: list[Outgoing] = []
    history = sum(_is_history(item, history_before) for item in new)
    if dry_run:
        would: list[Outgoing] = []
        rehearsal = session.begin_nested()
        try:
            _store(session, ctx, new, actor, would, history_before)
            _store_returned(session, ctx, returned, actor, would)
        finally:
            rehearsal.rollback()
        for item in [*new, *(item for item, _earlier in returned)]:
            evaluation = evaluate(item.value, Thresholds.of(item.indicator))
            outcomes.append(
                _outcome(item, evaluation.status.value, evaluation.target_met, "valid")
            )
        outcomes.sort(key=lambda o: o.row)
        return ImportResult(rows=tuple(outcomes), would_notify=tuple(would), history=history)
    outcomes.extend(_store(session, ctx, new, actor, notices, history_before))
    outcomes.extend(_store_returned(session, ctx, returned, actor, notices))
    outcomes.sort(key=lambda o: o.row)
    return ImportResult(rows=tuple(outcomes), notices=tuple(notices), history=history)


def _is_history(item: _Valid, history_before: Period | None) -> bool:
    return history_before is not None and item.period.end < history_before.start


def _store(
    session: Session,
    ctx: Context,
    new: list[_Valid],
    actor: str,
    notices: list[Outgoing],
    history_before: Period | None = None,
) -> list[RowOutcome]:
    """Store the new rows in period order; rounds not open yet are opened.

    Raises:
        ImportRefused: ``changed_meanwhile`` if another process stored a value of the same
            round and indicator since the check (the transaction must be rolled back).
    """
    ordered = sorted(new, key=lambda v: (v.period.start, v.row.row))
    out: list[RowOutcome] = []
    try:
        rounds = _rounds(session, ctx, ordered, actor)
        for item in ordered:
            measurement, follow_up = record_imported(
                session,
                ctx,
                rounds[(item.activity.id, str(item.period))],
                item.indicator.id,
                item.value,
                item.comment,
                item.source,
                actor,
                quiet=_is_history(item, history_before),
            )
            notices.extend(follow_up)
            out.append(_outcome(item, measurement.status, measurement.target_met, "stored"))
        session.flush()
    except IntegrityError:
        error = RowError(0, "row", "changed_meanwhile")
        raise ImportRefused(ImportResult(errors=(error,))) from None
    return out


def _store_returned(
    session: Session,
    ctx: Context,
    returned: list[tuple[_Valid, Measurement]],
    actor: str,
    notices: list[Outgoing],
) -> list[RowOutcome]:
    """Store rows whose stored value the approver returned: each becomes its next version.

    Raises:
        ImportRefused: ``changed_meanwhile`` if one of them changed since the check.
    """
    out: list[RowOutcome] = []
    for item, earlier in returned:
        done = replace_returned(
            session, ctx, earlier, item.value, item.comment, item.source, actor
        )
        if done is None:
            error = RowError(item.row.row, "row", "changed_meanwhile")
            raise ImportRefused(ImportResult(errors=(error,)))
        measurement, follow_up = done
        notices.extend(follow_up)
        out.append(_outcome(item, measurement.status, measurement.target_met, "stored"))
    return out


def _rounds(
    session: Session, ctx: Context, rows: Sequence[_Valid], actor: str
) -> dict[tuple[str, str], ControlRound]:
    """The rounds of the rows: (activity id, period) → round; those not open yet are opened.

    New rounds are written together in one savepoint (audited, no reminders). If another
    process (the scheduler's reminders, a chat user) opened one of them meanwhile, they are
    opened one by one instead, each taking the round that exists.
    """
    wanted = dict.fromkeys((v.activity.id, v.period) for v in rows)
    periods = sorted({str(p) for _a, p in wanted})
    out: dict[tuple[str, str], ControlRound] = {}
    for start in range(0, len(periods), 200):
        chunk = periods[start : start + 200]
        for found in session.exec(select(ControlRound).where(col(ControlRound.period).in_(chunk))):
            out[(found.activity_id, found.period)] = found
    missing = [(a, p) for a, p in wanted if (a, str(p)) not in out]
    opened = [new_round(ctx, activity_id, period, actor) for activity_id, period in missing]
    try:
        with session.begin_nested():
            session.add_all(opened)
            session.flush()
    except IntegrityError:  # someone opened one of them just now
        opened = []  # ensure_round audits what it opens
        for activity_id, period in missing:
            control_round, _created = ensure_round(
                session, ctx, ctx.plan.activity(activity_id), period, actor
            )
            out[(activity_id, str(period))] = control_round
    for control_round in opened:
        audit.record(
            session,
            ctx,
            actor,
            "round.opened",
            f"round:{control_round.id}",
            activity=control_round.activity_id,
            period=control_round.period,
            due=control_round.due_date.isoformat(),
            by="import",
        )
        out[(control_round.activity_id, control_round.period)] = control_round
    return out


def _outcome(item: _Valid, status: str, target_met: bool, outcome: Outcome) -> RowOutcome:
    return RowOutcome(
        row=item.row.row,
        activity_id=item.activity.id,
        indicator_id=item.indicator.id,
        period=str(item.period),
        value=item.value,
        status=status,
        target_met=target_met,
        source=item.source,
        outcome=outcome,
        choice=option.id if (option := item.indicator.option_at(item.value)) else None,
    )


def _taken(item: _Valid, earlier: Measurement) -> RowError:
    params = {
        "source": earlier.source,
        "by": earlier.submitted_by,
        "value": str(stored_value(item.indicator, earlier.value, earlier.choice)),
        "indicator": earlier.indicator_id,
    }
    return RowError(item.row.row, "row", "already_answered", params)


def _against_stored(item: _Valid, earlier: Measurement) -> RowError | None:
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


def _stored(session: Session, valid: Sequence[_Valid]) -> dict[tuple[str, str, str], Measurement]:
    """Stored values of the rows' rounds: (activity id, period, indicator id) → measurement."""
    periods = sorted({str(v.period) for v in valid})
    out: dict[tuple[str, str, str], Measurement] = {}
    for start in range(0, len(periods), 200):
        chunk = periods[start : start + 200]
        query = (
            select(Measurement)
            .join(ControlRound, col(ControlRound.id) == col(Measurement.round_id))
            .where(col(ControlRound.period).in_(chunk))
        )
        for m in session.exec(query).all():
            out[(m.activity_id, m.period, m.indicator_id)] = m
    return out


def _check_row(ctx: Context, row: IncomingRow, lang: Literal["lv", "en"]) -> _Valid | RowError:
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
    period = _check_period(ctx, row, indicator)
    if isinstance(period, RowError):
        return period
    value_field = measurement_spec(ctx, (indicator.id,)).fields[0]
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
    return _Valid(row, activity, indicator, period, Decimal(value), comment, source)


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
