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

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage import collector
from storage.models import ControlRound, Measurement
from workflows.context import Context
from workflows.exchange.record import (
    BulkRows,
    known_state,
    plain,
    record_imported,
    replace_returned,
)
from workflows.exchange.rows import (
    MAX_ROWS,
    ImportRefused,
    ImportResult,
    IncomingRow,
    RowError,
    RowOutcome,
    Valid,
    against_stored,
    check_row,
    row_outcome,
)
from workflows.forms.fields import FieldSpec
from workflows.notices import Outgoing
from workflows.periods import Period
from workflows.rounds.evaluation import Evaluation, Thresholds, evaluate
from workflows.rounds.open_many import RoundRow, open_rounds, opened_audit


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
    with collector.paused():  # its objects live until it ends: collections find nothing
        return _import(session, ctx, rows, lang, actor, dry_run, history_before)


def _import(
    session: Session,
    ctx: Context,
    rows: Sequence[IncomingRow],
    lang: Literal["lv", "en"],
    actor: str,
    dry_run: bool,
    history_before: Period | None,
) -> ImportResult:
    if not rows:
        raise ImportRefused(ImportResult(errors=(RowError(0, "row", "no_rows"),)))
    if len(rows) > MAX_ROWS:
        error = RowError(0, "row", "too_many_rows", {"max": str(MAX_ROWS)})
        raise ImportRefused(ImportResult(errors=(error,)))
    errors: list[RowError] = []
    valid: list[Valid] = []
    seen: dict[tuple[str, str], int] = {}
    fields: dict[str, FieldSpec] = {}  # each indicator's value field, built once
    periods: dict[tuple[str, str], Period] = {}  # periods that passed, checked once
    for row in rows:
        checked = check_row(ctx, row, lang, fields, periods)
        if isinstance(checked, RowError):
            errors.append(checked)
            continue
        key = (checked.indicator.id, checked.period_text)
        if key in seen:
            errors.append(RowError(row.row, "row", "duplicate_row", {"first": str(seen[key])}))
            continue
        seen[key] = row.row
        valid.append(checked)
    stored = _stored(session, valid)
    outcomes: list[RowOutcome] = []
    new: list[Valid] = []
    returned: list[tuple[Valid, Measurement]] = []
    for item in valid:
        earlier = stored.get((item.activity.id, item.period_text, item.indicator.id))
        if earlier is None:
            new.append(item)
            continue
        if earlier.approval == "rejected":  # returned by the approver: measured anew
            returned.append((item, earlier))
            continue
        problem = against_stored(item, earlier)
        if problem is not None:
            errors.append(problem)
        else:
            outcomes.append(row_outcome(item, earlier.status, earlier.target_met, "unchanged"))
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
                row_outcome(item, evaluation.status.value, evaluation.target_met, "valid")
            )
        outcomes.sort(key=lambda o: o.row)
        return ImportResult(rows=tuple(outcomes), would_notify=tuple(would), history=history)
    outcomes.extend(_store(session, ctx, new, actor, notices, history_before))
    outcomes.extend(_store_returned(session, ctx, returned, actor, notices))
    outcomes.sort(key=lambda o: o.row)
    return ImportResult(rows=tuple(outcomes), notices=tuple(notices), history=history)


def _is_history(item: Valid, history_before: Period | None) -> bool:
    return history_before is not None and item.period.end < history_before.start


def _store(
    session: Session,
    ctx: Context,
    new: list[Valid],
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
        bulk = BulkRows()
        rounds = _rounds(session, ctx, ordered, actor, bulk)
        known = known_state(session, sorted({r.id for r in rounds.values()}))
        thresholds: dict[str, Thresholds] = {}  # each indicator's, made once
        steps: list[tuple[Valid, RoundRow, bool, Evaluation, bool]] = []
        for item in ordered:
            control_round = rounds[(item.activity.id, item.period_text)]
            quiet = _is_history(item, history_before)
            limits = thresholds.get(item.indicator.id)
            if limits is None:
                limits = thresholds[item.indicator.id] = Thresholds.of(item.indicator)
            evaluation = evaluate(item.value, limits)
            alone = plain(
                ctx,
                control_round,
                item.indicator.id,
                item.value,
                known,
                quiet=quiet,
                evaluation=evaluation,
            )
            steps.append((item, control_round, quiet, evaluation, alone))
        objects = _round_objects(session, sorted({r.id for _i, r, _q, _e, a in steps if not a}))
        for item, control_round, quiet, evaluation, alone in steps:
            if alone:
                status, target_met = bulk.add(
                    ctx,
                    control_round,
                    item.indicator.id,
                    item.value,
                    item.comment,
                    item.source,
                    actor,
                    quiet=quiet,
                    evaluation=evaluation,
                )
                out.append(row_outcome(item, status, target_met, "stored"))
                continue
            bulk.write(session)  # earlier values first: a decision counts them
            measurement, follow_up = record_imported(
                session,
                ctx,
                objects[control_round.id],
                item.indicator.id,
                item.value,
                item.comment,
                item.source,
                actor,
                quiet=quiet,
                known=known,
            )
            notices.extend(follow_up)
            out.append(row_outcome(item, measurement.status, measurement.target_met, "stored"))
        bulk.write(session)
        session.flush()
    except IntegrityError:
        error = RowError(0, "row", "changed_meanwhile")
        raise ImportRefused(ImportResult(errors=(error,))) from None
    return out


def _store_returned(
    session: Session,
    ctx: Context,
    returned: list[tuple[Valid, Measurement]],
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
        out.append(row_outcome(item, measurement.status, measurement.target_met, "stored"))
    return out


def _rounds(
    session: Session, ctx: Context, rows: Sequence[Valid], actor: str, bulk: BulkRows
) -> dict[tuple[str, str], RoundRow]:
    """The rounds of the rows: (activity id, period) → round; those not open yet are opened.

    New rounds are inserted together (:func:`~workflows.rounds.open_many.open_rounds`), their
    audit entries queued in ``bulk`` (before any value's). A round another process (the
    scheduler's reminders, a chat user) opened meanwhile is skipped by the insert and read.
    """
    wanted = dict.fromkeys((v.activity.id, v.period) for v in rows)
    out = _existing_rounds(session, sorted({str(p) for _a, p in wanted}))
    missing = [(a, p) for a, p in wanted if (a, str(p)) not in out]
    if not missing:
        return out
    opened = open_rounds(session, ctx, missing, actor)
    bulk.audit.extend(opened_audit(ctx, actor, opened, by="import"))
    out.update(((r.activity_id, r.period), r) for r in opened)
    if len(opened) < len(missing):  # someone opened some of them just now
        taken = sorted({str(p) for a, p in missing if (a, str(p)) not in out})
        _existing_rounds(session, taken, out)
    return out


def _existing_rounds(
    session: Session, periods: list[str], out: dict[tuple[str, str], RoundRow] | None = None
) -> dict[tuple[str, str], RoundRow]:
    """Rounds of ``periods`` by (activity id, period), added to ``out`` (plain columns)."""
    out = {} if out is None else out
    table = ControlRound.__table__  # type: ignore[attr-defined]
    columns = [table.c[name] for name in ("id", "activity_id", "frequency", "period", "due_date")]
    for start in range(0, len(periods), 200):
        chunk = periods[start : start + 200]
        for found in session.connection().execute(
            sa_select(*columns).where(table.c.period.in_(chunk))
        ):
            out[(found.activity_id, found.period)] = RoundRow(*found)
    return out


def _round_objects(session: Session, ids: list[int]) -> dict[int, ControlRound]:
    """The rounds of ``ids`` as ORM objects (for values stored one by one)."""
    out: dict[int, ControlRound] = {}
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        for found in session.exec(select(ControlRound).where(col(ControlRound.id).in_(chunk))):
            out[found.id or 0] = found
    return out


def _stored(session: Session, valid: Sequence[Valid]) -> dict[tuple[str, str, str], Measurement]:
    """Stored values of the rows' rounds: (activity id, period, indicator id) → measurement."""
    periods = sorted({v.period_text for v in valid})
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
