"""This module contains erasure: a leaver's personal data removed, their history kept.

``controlbot person erase PERSON_ID`` replaces the person's id everywhere by a pseudonym
(``erased-`` and ten hex digits of a SHA-256), removes their name, contact address, language and
zone choices, chat accounts and invite codes, and rewrites the audit log's mentions of them to the
pseudonym — the one sanctioned change to the append-only log, itself recorded. Measurements,
decisions and the audit trail keep their shape, so summaries and history stay intact.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.messages import InboxEvent, OutboxMessage
from storage.models import (
    Absence,
    AuditEntry,
    ChannelBinding,
    ControlRound,
    Delivery,
    FormSession,
    ImprovementDecision,
    Invite,
    Measurement,
    MeasurementRevision,
    NotMeasured,
    Person,
    PlanSnapshot,
    PostedMessage,
    RoleAssignment,
)
from workflows import audit
from workflows.context import Context
from workflows.people import accounts as person_accounts
from workflows.people import web_access
from workflows.plan import accounts

PSEUDONYM_PREFIX = "erased-"


class StillInPlan(Exception):
    """Only people who left the plan can be erased."""


class UnknownPerson(LookupError):
    """No person with this id is stored."""


@dataclass(frozen=True)
class Erased:
    """What an erasure changed: chat accounts and invites removed, records rewritten."""

    person_id: str
    pseudonym: str
    removed: int
    rewritten: int


def pseudonym(person_id: str) -> str:
    """The stable pseudonym of ``person_id``."""
    return PSEUDONYM_PREFIX + hashlib.sha256(person_id.encode()).hexdigest()[:10]


def _whole(person_id: str) -> re.Pattern[str]:
    """``person_id`` as a whole id (not inside a longer one)."""
    return re.compile(rf"(?<![\w-]){re.escape(person_id)}(?![\w-])")


def _swap(value: Any, pattern: re.Pattern[str], new: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(new, value)
    if isinstance(value, list):
        return [_swap(v, pattern, new) for v in value]
    if isinstance(value, dict):
        return {k: _swap(v, pattern, new) for k, v in value.items()}
    return value


def erase_person(session: Session, ctx: Context, person_id: str, by: str) -> Erased:
    """Erase ``person_id``'s personal data and keep their history under a pseudonym.

    Raises:
        UnknownPerson: If no such person is stored.
        StillInPlan: If the person is still in the plan (remove them from it first).
    """
    person = session.get(Person, person_id)
    if person is None:
        raise UnknownPerson(person_id)
    if person.active or ctx.plan.has_person(person_id):
        raise StillInPlan(person_id)
    new = pseudonym(person_id)
    if session.get(Person, new) is None:  # erased before, came back, left again: same name
        session.add(Person(id=new, display_name=new, active=False, synced_at=ctx.now()))
        session.flush()
    linked = person_accounts.remove_all(session, person_id)
    removed = len(linked)
    removed += rows_touched(
        session.execute(delete(Invite).where(col(Invite.person_id) == person_id))
    )
    removed += web_access.forget(session, person_id)
    for _platform, external in linked:  # messages remembered in their private chat
        removed += rows_touched(
            session.execute(delete(PostedMessage).where(col(PostedMessage.target) == external))
        )
    removed += _erase_messages(session, person, [e for _p, e in linked], new)
    rewritten = 0
    for model, column in _REFERENCES:
        statement = (
            update(model)
            .where(getattr(model, column) == person_id)
            .values({column: new})
            .execution_options(synchronize_session=False)
        )
        rewritten += rows_touched(session.execute(statement))
    rewritten += _rekey_deliveries(session, person_id, new)
    rewritten += _pseudonymise_audit(session, person_id, new)
    for platform, external in linked:  # chat account ids are personal data too
        rewritten += _pseudonymise_audit(session, f"{platform}:{external}", f"{platform}:{new}")
    if len(person.display_name.split()) >= 2:  # a one-word name is too ambiguous to redact
        name = re.compile(rf"(?<!\w){re.escape(person.display_name)}(?!\w)", re.IGNORECASE)
        rewritten += _redact_texts(session, name, new)
    rewritten += _redact_snapshots(session, person, new)
    session.execute(delete(Person).where(col(Person.id) == person_id))
    audit.record(session, ctx, by, "person.erased", f"person:{new}")
    return Erased(person_id, new, removed, rewritten)


_REFERENCES: tuple[tuple[type[Any], str], ...] = (
    (RoleAssignment, "person_id"),
    (FormSession, "person_id"),
    (Measurement, "submitted_by"),
    (Measurement, "approval_by"),
    (MeasurementRevision, "submitted_by"),
    (MeasurementRevision, "replaced_by"),
    (NotMeasured, "reported_by"),
    (ImprovementDecision, "approver_id"),
    (ImprovementDecision, "owner_id"),
    (ImprovementDecision, "decided_by"),
    (ImprovementDecision, "proposed_by"),
    (Absence, "person_id"),
    (Absence, "created_by"),
    (Delivery, "recipient"),
    (ControlRound, "opened_by"),
    (ChannelBinding, "bound_by"),
)
"""Every column that holds a person id (besides the audit log and the ledger's keys)."""


def _redact_snapshots(session: Session, person: Person, new: str) -> int:
    """Applied plans keep people's names and addresses: replace them by the pseudonym."""
    patterns = [_whole(person.id)] + [
        re.compile(rf"(?<![\w.@-]){re.escape(text)}(?![\w.@-])")
        for text in (person.display_name, accounts.stored_address(person) or "")
        if text
    ]
    changed = 0
    for snapshot in session.exec(select(PlanSnapshot)):
        content: Any = snapshot.content
        for pattern in patterns:
            content = _swap(content, pattern, new)
        if content != snapshot.content:
            snapshot.content = content
            session.add(snapshot)
            changed += 1
    return changed


def _erase_messages(session: Session, person: Person, accounts: list[str], new: str) -> int:
    """What they typed (the inbox) goes; the outbox keeps its record under the pseudonym.

    Returns:
        How many inbox events were deleted and outbox rows rewritten.
    """
    inbox = delete(InboxEvent).where(
        (col(InboxEvent.person_id) == person.id) | col(InboxEvent.sender).in_(accounts)
    )
    changed = rows_touched(session.execute(inbox))
    patterns = [_whole(person.id)] + [
        re.compile(rf"(?<!\w){re.escape(text)}(?!\w)") for text in (person.display_name,) if text
    ]
    for row in session.exec(select(OutboxMessage)):
        before = (row.recipient, row.origin, row.payload, row.address)
        for pattern in patterns:
            row.recipient = pattern.sub(new, row.recipient)
            row.origin = pattern.sub(new, row.origin) if row.origin else row.origin
            row.payload = pattern.sub(new, row.payload)
        if row.address and any(account in row.address for account in accounts):
            row.address = row.address.split(":", 1)[0]  # the platform, not the account
        if (row.recipient, row.origin, row.payload, row.address) != before:
            session.add(row)
            changed += 1
    return changed


def _rekey_deliveries(session: Session, person_id: str, new: str) -> int:
    """The delivery ledger's keys name the recipient: rewrite them to the pseudonym."""
    pattern = _whole(person_id)
    changed = 0
    for row in session.exec(select(Delivery).where(col(Delivery.key).contains(person_id))):
        if pattern.search(row.key):
            row.key = pattern.sub(new, row.key)
            session.add(row)
            changed += 1
    return changed


_TEXTS: tuple[tuple[type[Any], tuple[str, ...]], ...] = (
    (Measurement, ("comment", "approval_reason", "correction_reason")),
    (MeasurementRevision, ("comment", "approval_reason", "reason")),
    (NotMeasured, ("reason",)),
    (ImprovementDecision, ("action", "rejection_reason")),
)
"""Every free-text column people type into (comments, reasons, actions)."""


def _redact_texts(session: Session, name: re.Pattern[str], new: str) -> int:
    """Replace the person's name in free texts (comments, actions, reasons) by ``new``."""
    changed = 0
    for model, columns in _TEXTS:
        for row in session.exec(select(model)):
            texts = {c: getattr(row, c) for c in columns if getattr(row, c)}
            hits = {c: name.sub(new, t) for c, t in texts.items() if name.search(t)}
            if hits:
                for column, text in hits.items():
                    setattr(row, column, text)
                session.add(row)
                changed += 1
    for form in session.exec(select(FormSession)):  # drafts keep typed comments
        answers = _swap(form.answers, name, new)
        if answers != form.answers:
            form.answers = answers
            session.add(form)
            changed += 1
    return changed


def _pseudonymise_audit(session: Session, person_id: str, new: str) -> int:
    """Rewrite the audit log's mentions of ``person_id``.

    Core statements on the connection: the ORM guard against changing audit entries stays
    in force everywhere else.
    """
    pattern = _whole(person_id)
    connection = session.connection()
    table = AuditEntry.__table__  # type: ignore[attr-defined]
    rows = connection.execute(select(table.c.id, table.c.actor, table.c.subject, table.c.details))
    changed = 0
    for entry_id, actor, subject, details in rows.all():
        text = json.dumps(details, ensure_ascii=False)
        if not (pattern.search(actor) or pattern.search(subject) or pattern.search(text)):
            continue
        connection.execute(
            table.update()
            .where(table.c.id == entry_id)
            .values(
                actor=pattern.sub(new, actor),
                subject=pattern.sub(new, subject),
                details=_swap(details, pattern, new),
            )
        )
        changed += 1
    return changed
