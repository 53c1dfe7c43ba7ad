"""This module contains the replacing of a stored value by a new version.

A measurement is replaced when its measurer corrects it before it is approved (a
correction, with a reason) or measures again after the approver returned it. The version
it replaces is kept in ``measurement_revision`` with who replaced it, when and why, so
nothing submitted is ever lost (PU3-3 step 4, data quality).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from storage.db import rows_touched
from storage.models import Measurement, MeasurementRevision
from workflows.context import Context

REPLACED_FIELDS = (
    "value",
    "target",
    "warning",
    "critical",
    "direction",
    "unit",
    "status",
    "target_met",
    "comment",
    "submitted_by",
    "source",
    "choice",
)
"""The columns a new version brings (the thresholds in force now, too). ``submitted_at``
stays the first submission's instant: a value given on time and corrected later was not
late (the revision keeps when it was replaced)."""


def replace(
    session: Session,
    ctx: Context,
    row: Measurement,
    new: Measurement,
    person_id: str,
    reason: str,
    correction_reason: str | None,
    approvals: frozenset[str],
) -> bool:
    """Make ``new`` (an unsaved, evaluated row) the next version of stored ``row``.

    The old version goes to ``measurement_revision``; the row is updated only if it is
    still at the version read (one conditional UPDATE), so of two simultaneous changes only
    one wins. The caller then settles the approval of the new version.

    Args:
        session: The open session.
        ctx: Clock.
        row: The stored measurement.
        new: The new version's values (from :func:`workflows.rounds.measuring.new_measurement`).
        person_id: Who replaces it.
        reason: Why the old version was replaced (kept with it).
        correction_reason: Shown with the new version (a correction's reason), or ``None``.
        approvals: The approval states the row may be in (checked in the same UPDATE, so
            a value approved a moment ago is not overwritten).

    Returns:
        Whether this change won; ``False`` leaves everything as it was.
    """
    if row.id is None:  # pragma: no cover - stored rows have ids
        raise ValueError("measurement has no id yet")
    old_version = row.version
    with session.begin_nested() as nested:
        session.add(
            MeasurementRevision(
                measurement_id=row.id,
                version=old_version,
                value=row.value,
                status=row.status,
                target_met=row.target_met,
                comment=row.comment,
                submitted_by=row.submitted_by,
                submitted_at=row.submitted_at,
                approval=row.approval,
                approval_reason=row.approval_reason,
                choice=row.choice,
                replaced_by=person_id,
                replaced_at=ctx.now(),
                reason=reason[:500],
            )
        )
        values = {name: getattr(new, name) for name in REPLACED_FIELDS}
        result = session.execute(
            update(Measurement)
            .where(
                col(Measurement.id) == row.id,
                col(Measurement.version) == old_version,
                col(Measurement.approval).in_(sorted(approvals)),
            )
            .values(
                **values,
                version=old_version + 1,
                correction_reason=correction_reason,
                approval="none",
                approval_by=None,
                approval_at=None,
                approval_reason=None,
            )
            .execution_options(synchronize_session=False)
        )
        if not rows_touched(result):
            nested.rollback()
            return False
    session.refresh(row)
    return True
