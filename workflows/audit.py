"""This module contains the audit log writer (append-only ``audit_entry`` rows)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from storage.models import AuditEntry
from workflows.context import Context


def record(
    session: Session, ctx: Context, actor: str, verb: str, subject: str, **details: object
) -> None:
    """Append one audit entry in ``session`` (committed with the caller's work).

    Args:
        session: The open session.
        ctx: Gives the current instant.
        actor: A person id, or ``system``.
        verb: Dotted verb, e.g. ``measurement.submitted`` (the entry's ``action``).
        subject: What it concerns, e.g. ``round:3/dd-within-sla``.
        **details: JSON-serialisable facts; non-JSON values are stored as text.
    """
    session.add(
        AuditEntry(
            at=ctx.now(), actor=actor, action=verb, subject=subject, details=safe_details(details)
        )
    )


def safe_details(details: Mapping[str, object]) -> dict[str, object]:
    """``details`` as stored: JSON scalars kept, anything else as its text."""
    return {k: v if isinstance(v, _JSON_SCALARS) else str(v) for k, v in details.items()}


_JSON_SCALARS = (str, int, float, bool, type(None))
"""What :func:`safe_details` keeps as it is (a tuple: a union type is built at each use)."""
