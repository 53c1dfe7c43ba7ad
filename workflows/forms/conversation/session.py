"""This module contains a person's form session: the stored row, rebuilding it, its expiry.

A person has at most one form in progress. Its state lives in the ``form_session`` table
(``"<form>:<step>"`` plus the answers so far), so a restart in the middle of a form continues
at the same step, and expiry is computed from stored instants, so it still applies after a
restart (field case C01).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    ControlRound,
    FormSession,
    ImprovementDecision,
    Measurement,
)
from workflows import audit, decisions
from workflows.context import Context
from workflows.forms import engine
from workflows.forms.conversation import memo
from workflows.forms.engine import (
    Ask,
    Cancelled,
    Completed,
    Confirm,
    FormState,
)
from workflows.forms.fields import FormSpec
from workflows.notices import (
    FormCancelled,
    FormExpired,
    FormHeader,
    FormPrompt,
    Outgoing,
    ToPerson,
    problem,
)
from workflows.periods import Period
from workflows.plan.model import UnknownPlanItem
from workflows.rounds import approval, corrections, measuring
from workflows.rounds.opening import earlier_values

Finisher = Callable[[Session, Context, FormSession, Mapping[str, str]], list[Outgoing]]

_FINISHERS: dict[str, Finisher] = {
    measuring.FORM: measuring.submit_measurements,
    decisions.FORM: decisions.record_decision,
    corrections.FORM: corrections.record_correction,
    approval.FORM: approval.record_return,
}
_VALUE_FORMS = frozenset({corrections.FORM, approval.FORM})
"""Forms about one stored measurement (their subject is the measurement's id)."""


@dataclass(frozen=True)
class OpenForm:
    """A form session with its rebuilt spec and header."""

    row: FormSession
    spec: FormSpec
    header: FormHeader
    earlier: Mapping[str, tuple[tuple[str, Decimal], ...]] = field(default_factory=dict)


def active_form(session: Session, person_id: str) -> FormSession | None:
    """The person's form in progress, if any (expired or not)."""
    return session.exec(
        select(FormSession)
        .where(col(FormSession.person_id) == person_id, col(FormSession.status) == "active")
        .order_by(col(FormSession.id).desc())
    ).first()


def form_header(session: Session, row: FormSession) -> FormHeader:
    """What a stored form is about; needs only the database, not the plan."""
    if row.form == measuring.FORM:
        control_round = session.get(ControlRound, row.subject_id)
        if control_round is None:  # pragma: no cover - rounds are never deleted
            raise LookupError(f"round {row.subject_id} is gone")
        return FormHeader(
            row.form,
            _sid(row),
            control_round.activity_id,
            control_round.period,
            round_id=row.subject_id,
        )
    if row.form in _VALUE_FORMS:
        measurement = session.get(Measurement, row.subject_id)
        if measurement is None:  # pragma: no cover - measurements are never deleted
            raise LookupError(f"measurement {row.subject_id} is gone")
        return FormHeader(
            row.form,
            _sid(row),
            measurement.activity_id,
            measurement.period,
            round_id=measurement.round_id,
            measurement=approval.brief(measurement),
        )
    decision = session.get(ImprovementDecision, row.subject_id)
    if decision is None:  # pragma: no cover - decisions are never deleted
        raise LookupError(f"decision {row.subject_id} is gone")
    brief = decisions.load_brief(session, decision)
    return FormHeader(row.form, _sid(row), brief.activity_id, brief.period, _sid(decision))


def rebuild(session: Session, ctx: Context, row: FormSession) -> OpenForm:
    """Rebuild the spec and header of a stored form session.

    Raises:
        UnknownPlanItem: If the plan no longer has what the form asks about.
    """
    if row.form == measuring.FORM:
        known = memo.recall(session, ctx, row)
        if known is not None:
            return OpenForm(row, known.spec, known.header, known.earlier)
    header = form_header(session, row)
    if row.form == measuring.FORM:
        plausible = {
            key: (Decimal(low), Decimal(high))
            for key, (low, high) in row.context.get("plausible", {}).items()
        }
        spec = measuring.measurement_spec(ctx, tuple(row.context.get("indicators", ())), plausible)
        earlier = earlier_values(session, header.activity_id, Period.parse(header.period))
        memo.remember(session, ctx, row, memo.Rebuilt(ctx.plan, spec, header, earlier))
        return OpenForm(row, spec, header, earlier)
    if row.form == corrections.FORM and header.measurement is not None:
        bounds = row.context.get("plausible")
        usual = (Decimal(bounds[0]), Decimal(bounds[1])) if bounds else None
        spec = corrections.correction_spec(ctx, header.measurement.indicator_id, usual)
        return OpenForm(row, spec, header)
    if row.form == approval.FORM:
        return OpenForm(row, approval.return_spec(), header)
    decision = session.get(ImprovementDecision, row.subject_id)
    if decision is None:  # pragma: no cover - checked by form_header
        raise LookupError(f"decision {row.subject_id} is gone")
    spec = decisions.decision_spec(ctx, decision, str(row.context.get("outcome")))
    return OpenForm(row, spec, header)


def _retire(session: Session, ctx: Context, row: FormSession, verb: str) -> None:
    row.status = "expired"
    row.updated_at = ctx.now()
    session.add(row)
    audit.record(session, ctx, "system", verb, f"form:{row.id}", form=row.form)


def open_or_retire(session: Session, ctx: Context, row: FormSession) -> OpenForm | list[Outgoing]:
    """Rebuild ``row``; if the plan changed under it, close it and say why.

    A form whose indicator (or approver's activity) left the plan cannot go on; it is
    closed instead of failing on every message, and nothing partial is stored.
    """
    try:
        return rebuild(session, ctx, row)
    except UnknownPlanItem:
        _retire(session, ctx, row, "form.retired")
        return [Outgoing(ToPerson(row.person_id), problem("form_plan_changed"))]


def live(session: Session, ctx: Context, row: FormSession) -> OpenForm | list[Outgoing]:
    """The form ready to continue, or the notices saying it expired or no longer fits."""
    expired = expire_if_stale(session, ctx, row)
    return expired if expired else open_or_retire(session, ctx, row)


def expire_if_stale(session: Session, ctx: Context, row: FormSession) -> list[Outgoing]:
    """Expire ``row`` when its answer is overdue; return the notice, or nothing.

    The partial answers are not stored as measurements (field case C01). Works even when
    the plan no longer has the form's indicators.
    """
    if row.expires_at > ctx.now():
        return []
    header = form_header(session, row)
    _retire(session, ctx, row, "form.expired")
    minutes = int(ctx.form_timeout().total_seconds() // 60)
    draft = row.form == measuring.FORM and bool(row.answers)
    return [Outgoing(ToPerson(row.person_id), FormExpired(header, minutes, draft))]


def prompt_for(
    opened: OpenForm, step: Ask | Confirm, answers: Mapping[str, str], resumed: bool = False
) -> Outgoing:
    """The prompt of ``step`` of an open form, to its person."""
    return Outgoing(
        ToPerson(opened.row.person_id),
        FormPrompt(
            opened.header,
            step,
            opened.spec.fields,
            resumed=resumed,
            answers=answers,
            earlier=opened.earlier,
        ),
    )


def begin(
    session: Session,
    ctx: Context,
    person_id: str,
    form: str,
    subject_id: int,
    context: dict[str, Any],
    draft: Mapping[str, str] | None = None,
) -> list[Outgoing]:
    """Store a new form session and ask its first question (or resume a draft)."""
    now = ctx.now()
    row = FormSession(
        person_id=person_id,
        form=form,
        subject_id=subject_id,
        state="",
        answers={},
        context=context,
        started_at=now,
        updated_at=now,
        expires_at=now + ctx.form_timeout(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process started a form for this person just now
        resumed = resume_existing(session, ctx, person_id, form, subject_id)
        return resumed if resumed is not None else []
    opened = open_or_retire(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return opened
    state, outcome = engine.resume(opened.spec, draft) if draft else engine.start(opened.spec)
    row.state = state.encode(opened.spec)
    row.answers = dict(state.answers)
    session.add(row)
    audit.record(
        session,
        ctx,
        person_id,
        "form.started",
        f"form:{row.id}",
        form=form,
        from_draft=bool(draft),
    )
    if isinstance(outcome, Ask | Confirm):
        return [prompt_for(opened, outcome, state.answers)]
    return finish(session, ctx, opened, outcome)  # pragma: no cover - forms have fields


def expire_stale(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    """Expire the person's form in progress if its answer is overdue; the notice, or nothing."""
    row = active_form(session, person_id)
    if row is None:
        return []
    notices = expire_if_stale(session, ctx, row)
    if notices:
        session.flush()
    return notices


DOUBLE_TAP = timedelta(seconds=5)
"""A start of the form in progress this soon after its last step is the same press again."""


def resume_existing(
    session: Session, ctx: Context, person_id: str, form: str, subject_id: int
) -> list[Outgoing] | None:
    """Re-ask the form in progress; ``None`` when there is none (or it no longer fits).

    Callers expire a stale form first (:func:`expire_stale`).
    """
    row = active_form(session, person_id)
    if row is None:
        return None
    opened = open_or_retire(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return None
    current = engine.current(opened.spec, FormState(FormState.decode(row.state), row.answers))
    out: list[Outgoing] = []
    same = (row.form, row.subject_id) == (form, subject_id)
    if same and ctx.now() - row.updated_at < DOUBLE_TAP:  # the same button pressed twice
        return [Outgoing(ToPerson(person_id), problem("form_already_started"))]
    if not same:
        out.append(Outgoing(ToPerson(person_id), problem("finish_current_form_first")))
    if isinstance(current, Ask | Confirm):
        out.append(prompt_for(opened, current, row.answers, resumed=True))
    return out


def latest_draft(session: Session, person_id: str, round_id: int) -> dict[str, str]:
    """The answers of the person's last expired measurement form for the round (a draft)."""
    row = session.exec(
        select(FormSession)
        .where(
            col(FormSession.person_id) == person_id,
            col(FormSession.form) == measuring.FORM,
            col(FormSession.subject_id) == round_id,
            col(FormSession.status) == "expired",
        )
        .order_by(col(FormSession.id).desc())
        .limit(1)
    ).first()
    return dict(row.answers) if row is not None else {}


def finish(
    session: Session, ctx: Context, opened: OpenForm, outcome: Completed | Cancelled
) -> list[Outgoing]:
    """Close a form that was completed (its finisher stores it) or cancelled."""
    row = opened.row
    if isinstance(outcome, Cancelled):
        row.status = "cancelled"
        session.add(row)
        audit.record(session, ctx, row.person_id, "form.cancelled", f"form:{row.id}")
        return [Outgoing(ToPerson(row.person_id), FormCancelled(row.form))]
    row.status = "completed"
    session.add(row)
    session.flush()
    return _FINISHERS[row.form](session, ctx, row, outcome.answers)


def _sid(row: FormSession | ImprovementDecision) -> int:
    if row.id is None:  # pragma: no cover
        raise ValueError("row has no id yet")
    return row.id
