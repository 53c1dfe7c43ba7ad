"""This module contains the one place where an imported measurement is created.

Every value that arrives from a file (``controlbot import``) or a monitoring system
(``POST /api/measurements``) is stored by :func:`record_imported`: evaluated like a chat value
with the thresholds in force, marked with its source, audited, and checked for an improvement
decision; when the plan asks for approval (``requires_approval``) the indicator's approver
is asked in chat whoever the accountable actor is (an import is never approved by itself);
a "not measured" report of the same round is replaced; done improvement actions of the
indicator are verified. No import path can skip any of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from storage.bulk import insert_many
from storage.models import AuditEntry, ControlRound, ImprovementDecision, Measurement, NotMeasured
from workflows import audit
from workflows.context import Context
from workflows.decisions import actions, maybe_open_decision
from workflows.decisions.actions import has_done_actions
from workflows.notices import Outgoing
from workflows.rounds import approval, revisions
from workflows.rounds.evaluation import Evaluation, Status, Thresholds, evaluate
from workflows.rounds.measuring import drop_not_measured, new_measurement
from workflows.rounds.open_many import RoundRow
from workflows.rounds.opening import reported_not_measured


@dataclass(frozen=True)
class KnownState:
    """What an import reads once for all its rows instead of twice per row (issue 16).

    Attributes:
        gaps: "Not measured" reports of the import's rounds, by (round id, indicator id).
            No row of the import adds one; each is dropped by the one row of its indicator.
        done_actions: Indicators with a done improvement action before the import. An
            import never marks an action done, so this can only hold more indicators than
            the database does later in the import; for those, judging the done actions
            finds none and does nothing (the same outcome as not asking).
    """

    gaps: Mapping[tuple[int, str], NotMeasured]
    done_actions: frozenset[str]


def known_state(session: Session, round_ids: Sequence[int]) -> KnownState:
    """Read :class:`KnownState` for an import into ``round_ids``: two statements per 500."""
    gaps: dict[tuple[int, str], NotMeasured] = {}
    for start in range(0, len(round_ids), 500):
        chunk = list(round_ids[start : start + 500])
        for row in session.exec(select(NotMeasured).where(col(NotMeasured.round_id).in_(chunk))):
            gaps[(row.round_id, row.indicator_id)] = row
    done = session.exec(
        select(ImprovementDecision.indicator_id).where(
            col(ImprovementDecision.action_status) == actions.DONE
        )
    ).all()
    return KnownState(gaps, frozenset(done))


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """The model's field defaults (what an ORM insert of a new object sends), without ``id``."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "id":
            continue
        if info.default_factory is not None:
            out[name] = info.default_factory()  # type: ignore[call-arg]
        elif not info.is_required():
            out[name] = info.default
    return out


_MEASUREMENT_DEFAULTS = _defaults(Measurement)
_AUDIT_DEFAULTS = _defaults(AuditEntry)


@dataclass
class BulkRows:
    """Imported values that need nothing but storing and auditing, written together.

    An import's plain rows — no approval asked, on target and OK (so no decision), no
    "not measured" report to replace, no done action to judge, or quiet history — are
    collected here as column values and inserted with one statement per table instead of
    one ORM object each (issue 16: the objects were most of an import's time). The import
    writes them before any other row, so later rows see them (a decision counts the
    warnings before it).
    """

    values: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    _fixed: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)
    """Each indicator's columns that are the same on every row (the plan's), made once."""

    def add(
        self,
        ctx: Context,
        control_round: RoundRow,
        indicator_id: str,
        value: Decimal,
        comment: str | None,
        source: str,
        actor: str,
        *,
        quiet: bool,
        evaluation: Evaluation | None = None,
    ) -> tuple[str, bool]:
        """Queue one value (the columns :func:`record_imported` would store).

        ``evaluation``: the value's against the indicator's thresholds, if made already.

        Returns:
            Its status and whether its target is met.
        """
        activity, indicator = ctx.plan.indicator(indicator_id)
        if evaluation is None:
            evaluation = evaluate(value, Thresholds.of(indicator))
        option = indicator.option_at(value)
        fixed = self._fixed.get(indicator_id)
        if fixed is None:
            fixed = self._fixed[indicator_id] = {
                **_MEASUREMENT_DEFAULTS,
                "activity_id": activity.id,
                "indicator_id": indicator_id,
                "unit": indicator.unit.code,
                "direction": indicator.direction.value,
                "target": indicator.target,
                "warning": indicator.warning,
                "critical": indicator.critical,
            }
        self.values.append(
            {
                **fixed,
                "round_id": control_round.id,
                "period": control_round.period,
                "value": value,
                "status": evaluation.status.value,
                "target_met": evaluation.target_met,
                "comment": comment,
                "submitted_by": actor,
                "submitted_at": ctx.now(),
                "source": source,
                "choice": option.id if option is not None else None,
            }
        )
        details = _imported(value, evaluation.status.value, evaluation.target_met, source, quiet)
        subject = f"round:{control_round.id}/{indicator_id}"
        self._audit(ctx, actor, "measurement.imported", subject, details)  # JSON scalars only
        return evaluation.status.value, evaluation.target_met

    def note(self, ctx: Context, actor: str, verb: str, subject: str, **details: object) -> None:
        """Queue an audit entry (what :func:`workflows.audit.record` would add)."""
        self._audit(ctx, actor, verb, subject, audit.safe_details(details))

    def _audit(
        self, ctx: Context, actor: str, verb: str, subject: str, details: dict[str, object]
    ) -> None:
        self.audit.append(
            {
                **_AUDIT_DEFAULTS,
                "at": ctx.now(),
                "actor": actor,
                "action": verb,
                "subject": subject,
                "details": details,
            }
        )

    def write(self, session: Session) -> None:
        """Insert what is queued (one executemany per table) and empty the queue.

        Whatever the session holds unwritten goes first, so rows keep the order in which
        they were stored.
        """
        if self.values or self.audit:
            session.flush()
            connection = session.connection()
            if self.values:
                insert_many(connection, Measurement, self.values)
            if self.audit:
                insert_many(connection, AuditEntry, self.audit)
        self.values, self.audit = [], []


def plain(
    ctx: Context,
    control_round: RoundRow,
    indicator_id: str,
    value: Decimal,
    known: KnownState,
    *,
    quiet: bool,
    evaluation: Evaluation | None = None,
) -> bool:
    """Whether storing this value needs nothing but the row and its audit entry.

    ``evaluation``: the value's against the indicator's thresholds, if made already.
    """
    if (control_round.id, indicator_id) in known.gaps:
        return False
    if quiet:
        return True
    _activity, indicator = ctx.plan.indicator(indicator_id)
    if evaluation is None:
        evaluation = evaluate(value, Thresholds.of(indicator))
    return (
        not indicator.requires_approval
        and evaluation.status is Status.OK
        and indicator_id not in known.done_actions
    )


def _imported(
    value: Decimal, status: str, target_met: bool, source: str, quiet: bool
) -> dict[str, object]:
    """The details of a ``measurement.imported`` audit entry."""
    return {
        "value": str(value),
        "status": status,
        "target_met": target_met,
        "source": source,
        **({"history": True} if quiet else {}),
    }


def record_imported(
    session: Session,
    ctx: Context,
    control_round: ControlRound,
    indicator_id: str,
    value: Decimal,
    comment: str | None,
    source: str,
    actor: str,
    *,
    quiet: bool = False,
    known: KnownState | None = None,
) -> tuple[Measurement, list[Outgoing]]:
    """Store one imported value in ``control_round`` and evaluate it.

    The caller has validated the value (bounds, decimals, period) and checked that the round
    has no value of the indicator yet.

    Args:
        session: The open session (the import's one transaction).
        ctx: Plan and clock.
        control_round: The round of the indicator's activity and period (opened if needed).
        indicator_id: The indicator.
        value: The validated value.
        comment: The comment, or ``None``.
        source: The import source's name (never ``chat``).
        actor: The person accountable for the import (``submitted_by``).
        quiet: History (``controlbot import --history-before``): stored, evaluated and
            audited, but no approval is asked, no decision opened and no action verified,
            so nothing is sent about a period long closed.
        known: What a bulk import read once for all its rows (see :class:`KnownState`);
            ``None`` reads it for this row.

    Returns:
        The stored measurement, and the notices to deliver after the commit: the approval
        request, any improvement decision it opened (see
        :func:`workflows.decisions.maybe_open_decision`) and action verifications.

    Raises:
        sqlalchemy.exc.IntegrityError: At this or a later flush, if the round got a value of
            the indicator meanwhile (another process); the transaction is then unusable and
            must be rolled back. Rows are written in batches at the session's flushes, so
            ten thousand values do not cost ten thousand round trips.
    """
    row = new_measurement(ctx, control_round, indicator_id, value, comment, actor)
    row.source = source
    session.add(row)
    audit.record(
        session,
        ctx,
        actor,
        "measurement.imported",
        f"round:{control_round.id}/{indicator_id}",
        **_imported(value, row.status, row.target_met, source, quiet),
    )
    follow_up: list[Outgoing] = []
    if known is None:
        gap = reported_not_measured(session, control_round.id or 0).get(indicator_id)
    else:
        gap = known.gaps.get((control_round.id or 0, indicator_id))
    if gap is not None:  # the data arrived after all: the value replaces the report
        drop_not_measured(session, ctx, gap, actor, source=source)
    if quiet:
        return row, follow_up
    if approval.approver_of(ctx, row) is not None:
        session.flush()  # a conflict surfaces here, before the approver is asked
        follow_up += approval.settle(session, ctx, row, always_ask=True)
    if row.status != Status.OK:
        session.flush()  # a conflict surfaces here, not inside the decision's savepoint
        follow_up += maybe_open_decision(session, ctx, row)
    if (
        has_done_actions(session, indicator_id)
        if known is None
        else indicator_id in known.done_actions
    ):
        session.flush()
        follow_up += actions.verify_after(session, ctx, row)
    return row, follow_up


def replace_returned(
    session: Session,
    ctx: Context,
    earlier: Measurement,
    value: Decimal,
    comment: str | None,
    source: str,
    actor: str,
) -> tuple[Measurement, list[Outgoing]] | None:
    """Store an imported value as the next version of one the approver returned.

    A returned value no longer counts (:mod:`workflows.rounds.approval`): the new one takes its
    place and is asked for approval again, as a measurement after a return in chat is.

    Returns:
        The measurement and the notices to deliver, or ``None`` if it changed meanwhile.
    """
    control_round = session.get(ControlRound, earlier.round_id)
    if control_round is None:  # pragma: no cover - rounds are never deleted
        raise LookupError(f"round {earlier.round_id} is gone")
    new = new_measurement(ctx, control_round, earlier.indicator_id, value, comment, actor)
    new.source = source
    reason = earlier.approval_reason or ""
    returned = frozenset({approval.REJECTED})
    if not revisions.replace(session, ctx, earlier, new, actor, reason, None, returned):
        return None
    audit.record(
        session,
        ctx,
        actor,
        "measurement.imported",
        f"round:{earlier.round_id}/{earlier.indicator_id}",
        value=str(value),
        status=earlier.status,
        target_met=earlier.target_met,
        source=source,
        version=earlier.version,
    )
    follow_up = approval.settle(session, ctx, earlier, always_ask=True)
    follow_up += maybe_open_decision(session, ctx, earlier)
    follow_up += actions.verify_after(session, ctx, earlier)
    return earlier, follow_up
