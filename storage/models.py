"""This module contains the SQLModel tables.

Every datetime column is :class:`~storage.types.UTCDateTime` (aware, UTC) and every measured
value :class:`~storage.types.ExactDecimal`. Plan items (people, activities, indicators,
channels) are referred to by their plan ids, which are stable ASCII strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import ExactDecimal, UTCDateTime

SOURCE_CHAT = "chat"
"""The :attr:`Measurement.source` of values entered in a chat form."""


def _utc(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


class Person(SQLModel, table=True):
    """A person of the plan, as last synchronised, plus what they chose in chat."""

    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=64)
    display_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    plan_language: str | None = Field(default=None, max_length=8)
    chosen_language: str | None = Field(default=None, max_length=8)
    chosen_platform: str | None = Field(default=None, max_length=16)
    """Where DMs go when several chat accounts are linked (``/platform``); else the last used."""
    timezone: str | None = Field(default=None, max_length=64)
    active: bool = True
    synced_at: datetime = _utc()


class PlatformIdentity(SQLModel, table=True):
    """A chat account linked to a person (``console``, ``telegram`` or ``slack``)."""

    __tablename__ = "platform_identity"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", index=True, max_length=64)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    client_language: str | None = Field(default=None, max_length=35)
    linked_at: datetime = _utc()
    last_seen_at: datetime | None = _utc(nullable=True)
    unreachable_since: datetime | None = _utc(nullable=True)
    """Set when the platform refused a DM (the user blocked the bot, field case C03); cleared
    when the user writes again. An unreachable identity is skipped when choosing a route."""


class RoleAssignment(SQLModel, table=True):
    """One role a person holds for an activity at a scale, with its A/L mark."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("person_id", "activity_id", "scale", "role", "mark"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", index=True, max_length=64)
    activity_id: str = Field(max_length=64, index=True)
    scale: str = Field(max_length=32)
    role: str = Field(max_length=64)
    mark: str = Field(max_length=1)


class ControlRound(SQLModel, table=True):
    """A control round: one activity, one frequency, one period (PU3-3 step 4)."""

    __tablename__ = "control_round"
    __table_args__ = (UniqueConstraint("activity_id", "frequency", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(max_length=64, index=True)
    frequency: str = Field(max_length=16)
    period: str = Field(max_length=16)
    due_date: date
    status: str = Field(default="open", max_length=16)
    opened_by: str = Field(max_length=64)
    opened_at: datetime = _utc()


class FormSession(SQLModel, table=True):
    """A conversational form; ``state`` is ``"<form>:<step>"``.

    A person has at most one ``active`` form, enforced by a partial unique index so that two
    processes cannot both start one.
    """

    __tablename__ = "form_session"
    __table_args__ = (
        Index(
            "uq_form_session_one_active",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", index=True, max_length=64)
    form: str = Field(max_length=32)
    subject_id: int
    state: str = Field(max_length=160)
    answers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="active", max_length=16, index=True)
    started_at: datetime = _utc()
    updated_at: datetime = _utc()
    expires_at: datetime = _utc()


class Measurement(SQLModel, table=True):
    """One recorded value of an indicator for a round's period.

    The target, thresholds and direction in force are stored with the value, so a past
    status never changes when the plan does. One value per (round, indicator): the first
    submission counts.
    """

    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("round_id", "indicator_id"),
        Index("ix_measurement_indicator_period", "indicator_id", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="control_round.id", index=True)
    activity_id: str = Field(max_length=64)
    indicator_id: str = Field(max_length=64, index=True)
    period: str = Field(max_length=16)
    value: Decimal = Field(sa_column=Column(ExactDecimal(), nullable=False))
    unit: str = Field(max_length=32)
    direction: str = Field(max_length=20)
    target: Decimal = Field(sa_column=Column(ExactDecimal(), nullable=False))
    warning: Decimal = Field(sa_column=Column(ExactDecimal(), nullable=False))
    critical: Decimal = Field(sa_column=Column(ExactDecimal(), nullable=False))
    status: str = Field(max_length=16)
    target_met: bool
    comment: str | None = None
    submitted_by: str = Field(foreign_key="person.id", max_length=64)
    submitted_at: datetime = _utc()
    version: int = 1
    """1 for the first submission; each correction or resubmission adds one (the replaced
    versions are kept in ``measurement_revision``)."""
    approval: str = Field(default="none", max_length=16)
    """``none`` (the plan asks for no approval), ``submitted`` (waiting for the indicator's
    approver), ``approved`` or ``rejected`` (returned to the measurer, who is asked again)."""
    approval_by: str | None = Field(default=None, max_length=64)
    approval_at: datetime | None = _utc(nullable=True)
    approval_reason: str | None = None
    """Why the approver returned the value (``rejected``)."""
    correction_reason: str | None = None
    """Why the current version replaced the previous one (``version`` > 1)."""
    source: str = Field(
        default=SOURCE_CHAT, max_length=64, sa_column_kwargs={"server_default": SOURCE_CHAT}
    )
    """Where the value came from: ``chat`` (a form), or the name of an import source (a
    monitoring system, ``controlbot import --source``). Imports are idempotent on
    (indicator, period, source)."""
    choice: str | None = Field(default=None, max_length=64)
    """For a yes/no or choice indicator: the chosen option's id (``value`` is its number in
    the plan's options, 1-based); ``None`` for a numeric value."""


class MeasurementRevision(SQLModel, table=True):
    """A replaced version of a measurement, kept when it is corrected or resubmitted.

    The row holds what the measurement said before the change, and who changed it, when
    and why, so a corrected value's history stays readable (PU3-3 step 4, data quality).
    """

    __tablename__ = "measurement_revision"
    __table_args__ = (UniqueConstraint("measurement_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    measurement_id: int = Field(foreign_key="measurement.id", index=True)
    version: int
    value: Decimal = Field(sa_column=Column(ExactDecimal(), nullable=False))
    status: str = Field(max_length=16)
    target_met: bool
    comment: str | None = None
    submitted_by: str = Field(max_length=64)
    submitted_at: datetime = _utc()
    approval: str = Field(max_length=16)
    approval_reason: str | None = None
    choice: str | None = Field(default=None, max_length=64)
    """The chosen option's id of a yes/no or choice indicator (as in ``measurement``)."""
    replaced_by: str = Field(max_length=64)
    replaced_at: datetime = _utc()
    reason: str = Field(max_length=500)
    """Why it was replaced: the correction's reason, or the approver's reason for returning it."""


class NotMeasured(SQLModel, table=True):
    """An indicator that was not measured in a round, with the measurer's reason.

    It answers the round's question (no more reminders for it); a value submitted later
    replaces it.
    """

    __tablename__ = "not_measured"
    __table_args__ = (UniqueConstraint("round_id", "indicator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="control_round.id", index=True)
    activity_id: str = Field(max_length=64)
    indicator_id: str = Field(max_length=64)
    period: str = Field(max_length=16)
    reason: str = Field(max_length=500)
    reported_by: str = Field(foreign_key="person.id", max_length=64)
    reported_at: datetime = _utc()


class ImprovementDecision(SQLModel, table=True):
    """An improvement decision (PU3-3 step 5) opened by an off-target value.

    At most one decision per indicator is open at a time (a partial unique index), even when
    two processes store off-target values at once.
    """

    __tablename__ = "improvement_decision"
    __table_args__ = (
        Index(
            "uq_improvement_decision_one_open",
            "activity_id",
            "indicator_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(max_length=64, index=True)
    indicator_id: str = Field(max_length=64)
    round_id: int = Field(foreign_key="control_round.id")
    measurement_id: int = Field(foreign_key="measurement.id")
    trigger: str = Field(max_length=16)
    approver_id: str = Field(foreign_key="person.id", max_length=64)
    status: str = Field(default="open", max_length=16, index=True)
    decide_by: date
    opened_at: datetime = _utc()
    action: str | None = None
    owner_id: str | None = Field(default=None, max_length=64)
    proposed_by: str | None = Field(default=None, max_length=64)
    """Who proposed the decision upwards (PU3-3: "ierosina"); the approver is then the one
    above them, whatever the plan's ``approved_by`` says."""
    action_due: date | None = None
    rejection_reason: str | None = None
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = _utc(nullable=True)
    action_status: str | None = Field(default=None, max_length=16)
    """The improvement action's state (PU3-3 step 5): ``planned`` → ``in_progress`` →
    ``done`` → ``verified`` / ``not_verified`` by the indicator's next value; or
    ``cancelled``. ``None`` while no action was decided."""
    action_status_at: datetime | None = _utc(nullable=True)
    verified_by: int | None = Field(default=None, foreign_key="measurement.id")
    """The measurement that verified (or did not verify) a done action."""


class AuditEntry(SQLModel, table=True):
    """An append-only record of who did what and when. Rows are never updated or deleted."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64, index=True)
    subject: str = Field(max_length=128)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Delivery(SQLModel, table=True):
    """The delivery ledger: one row per planned send, keyed by its idempotency key.

    ``status``: ``sending`` is written (and committed) before the platform call and ``sent``
    after it; ``skipped`` records a send that was not made (superseded by a later step,
    measured meanwhile, too old to catch up) with the reason in ``note``. A key marked
    ``sent`` or ``skipped`` is never sent again, across restarts.
    """

    __tablename__ = "delivery"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    kind: str = Field(max_length=16)
    subject: str = Field(max_length=64, index=True)
    period: str = Field(max_length=16)
    recipient: str = Field(max_length=80)
    step: int
    planned_at: datetime = _utc()
    status: str = Field(max_length=16, index=True)
    attempted_at: datetime = _utc()
    done_at: datetime | None = _utc(nullable=True)
    late_seconds: int = 0
    note: str | None = Field(default=None, max_length=200)
    outbox_id: int | None = Field(default=None)
    """The outbox row that carries this send (``queued``): its delivery state is there."""


class Absence(SQLModel, table=True):
    """A person away from ``starts`` to ``ends`` (local dates, inclusive), via ``/away``.

    While away they get no reminders, and their measuring passes to their deputy.
    """

    __tablename__ = "absence"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", index=True, max_length=64)
    starts: date
    ends: date
    created_by: str = Field(max_length=64)
    created_at: datetime = _utc()
    cancelled_at: datetime | None = _utc(nullable=True)


class Invite(SQLModel, table=True):
    """A one-time enrolment code for linking a chat account to a person (``/start <code>``).

    Only a SHA-256 digest of the code is stored, so a leaked database does not leak codes.
    """

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    code_digest: str = Field(max_length=64, unique=True)
    person_id: str = Field(foreign_key="person.id", index=True, max_length=64)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()
    used_at: datetime | None = _utc(nullable=True)
    used_by: str | None = Field(default=None, max_length=160)


class ChannelBinding(SQLModel, table=True):
    """A team channel of the plan bound to a chat on one platform (``/bind`` or migration).

    The plan may name the chat itself (``telegram_chat_id``); a binding made in chat wins.
    """

    __tablename__ = "channel_binding"
    __table_args__ = (UniqueConstraint("channel_id", "platform"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(max_length=64)
    platform: str = Field(max_length=16)
    target: str = Field(max_length=128)
    bound_by: str = Field(max_length=64)
    bound_at: datetime = _utc()
    unreachable_since: datetime | None = _utc(nullable=True)
    """Set when the platform refused a post (the bot was removed, field case C04); posts skip
    the chat until it is bound again."""


class PostedMessage(SQLModel, table=True):
    """A message a channel posted about something that may change later (``Message.ref``).

    Lets a later message with ``replaces`` edit it in place (a decision shown as taken).
    """

    __tablename__ = "posted_message"

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    ref: str = Field(max_length=64, index=True)
    target: str = Field(max_length=128)
    message_id: str = Field(max_length=64)
    posted_at: datetime = _utc()


class PlanSnapshot(SQLModel, table=True):
    """The control plan as applied (``controlbot plan apply``), in its validated JSON form.

    The latest row is the plan in force; the next apply is compared with it.
    """

    __tablename__ = "plan_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    applied_at: datetime = _utc()
    applied_by: str = Field(max_length=64)
    digest: str = Field(max_length=64)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# the outbox, inbox and web view tables live apart; importing them registers them here too
from storage.messages import InboxEvent, OutboxMessage  # noqa: E402, F401
from storage.web import WebSession, WebSignIn  # noqa: E402, F401
