"""This module contains a sweep's plan: what is due now, for whom, and its batches.

A catch-up after downtime finds thousands of sends due at once (about 10,000 for a national
plan). Deciding and queueing them in one transaction held SQLite's write lock for ~20 s, so a
person answering a form waited past the busy timeout (issue 16). A sweep reads what is due in
short reading steps (:func:`workflows.schedule.sweep_read.read_due`); :func:`plan_sweep` routes
it, and :class:`Batches` hands it out in batches, each decided and queued in a short
transaction of its own (:func:`workflows.schedule.sweep.queue_batch`). Everything for one
person in one sweep stays in one batch (one message), and a batch is all or nothing: a crash
between batches leaves the rest open in the ledger for the next sweep, and nothing is queued
twice (the ledger's keys are read again in each batch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date

from workflows.context import Context
from workflows.people.absences import AwayByDay, deputy_for
from workflows.plan.model import UnknownPlanItem
from workflows.schedule.planned import ACTION_KINDS, PlannedSend, SendKind
from workflows.schedule.sweep_read import Due, DueNow, Snoozed, snooze_prefix

BATCH_WEIGHT = 100
"""Work in one batch's transaction, counted as reminders (each ~0.4 ms of CPU on SQLite
here, so a batch stays well under the 200 ms the issue allows on a loaded machine)."""
_WEIGHTS = {"skip": 0.25, "single": 2.0, "snooze": 2.0, "send": 1.0}
"""What a batch item costs, in reminders (measured with ``bench/bench_catch_up.py``): a skip is
one row of a bulk insert (1,000 of them took 290 ms the first time). A channel summary is
decided in a transaction of its own: it reads one statement and builds a notice of every
activity under the channel (~70 ms for the national plan's roll-up of 1,000 activities)."""


@dataclass
class PersonSends:
    """Everything for one person in one sweep: one message (a digest when several)."""

    recipient: str
    snoozes: list[Snoozed] = field(default_factory=list)
    sends: list[tuple[PlannedSend, Due]] = field(default_factory=list)


@dataclass(frozen=True)
class Batch:
    """What one transaction decides: skips to record, single sends, people's messages."""

    skips: tuple[tuple[PlannedSend, str], ...] = ()
    singles: tuple[PlannedSend, ...] = ()
    people: tuple[PersonSends, ...] = ()

    @property
    def summaries(self) -> tuple[PlannedSend, ...]:
        """The channel summaries among :attr:`singles`."""
        return tuple(s for s in self.singles if s.kind is SendKind.SUMMARY)

    @property
    def keys(self) -> list[str]:
        """The ledger keys the batch decides (snoozes are ledger rows already)."""
        return (
            [s.key for s, _note in self.skips]
            + [s.key for s in self.singles]
            + [s.key for p in self.people for s, _due in p.sends]
        )


@dataclass(frozen=True)
class Sweep:
    """A sweep's work as one batch, and the absences read for it (days of its sends, today).

    The scheduler hands ``whole`` out in smaller batches (:class:`Batches`); ``prepare`` decides
    it in one transaction.
    """

    away: AwayByDay
    whole: Batch


def latest_steps(sends: list[PlannedSend]) -> tuple[list[PlannedSend], list[PlannedSend]]:
    """Of several ladder steps missed for one recipient, activity and period, keep the last.

    Returns:
        ``(kept, superseded)``, each in the order of ``sends``.
    """
    latest: dict[tuple[str, str, str], PlannedSend] = {}
    for send in sends:
        if send.kind is SendKind.SUMMARY or send.kind in ACTION_KINDS:
            continue
        group = (send.recipient, send.subject, send.period)
        if group not in latest or send.step > latest[group].step:
            latest[group] = send
    kept: list[PlannedSend] = []
    superseded: list[PlannedSend] = []
    for send in sends:
        if (
            send.kind is SendKind.SUMMARY
            or send.kind in ACTION_KINDS
            or latest[(send.recipient, send.subject, send.period)] is send
        ):
            kept.append(send)
        else:
            superseded.append(send)
    return kept, superseded


def route_away(ctx: Context, away: AwayByDay, due: Due, day: date) -> Due | None:
    """Send to the deputy of a recipient who is away that day; ``None``: nobody to send to."""
    gone = away.on(day)
    if due.recipient not in gone:
        return due
    try:
        deputy = deputy_for(ctx, ctx.plan.activity(due.subject), due.recipient, gone)
    except UnknownPlanItem:
        return None
    return None if deputy is None else replace(due, recipient=deputy)


def _from_send(ctx: Context, send: PlannedSend) -> Due:
    return Due(
        subject=send.subject,
        period=send.period,
        recipient=send.recipient,
        kind=send.kind.value,
        target=ctx.plan.plan.schedule.ladder[send.step].to,
        at=send.at,
        local_day=send.local.date().isoformat(),
    )


def plan_sweep(ctx: Context, due_now: DueNow) -> Sweep:
    """What is due, routed (deputies for those away), in the order it is decided; no database.

    Skips first, then action follow-ups and channel summaries, then each person's sends.
    """
    kept, superseded = latest_steps(due_now.fresh)
    skips = [(s, "too_old") for s in due_now.too_old] + [(s, "superseded") for s in superseded]
    away, until = due_now.away, due_now.until
    people: dict[str, PersonSends] = {}
    for snoozed in due_now.snoozes:
        people.setdefault(snoozed.due.recipient, PersonSends(snoozed.due.recipient))
        people[snoozed.due.recipient].snoozes.append(snoozed)
    singles: list[PlannedSend] = []
    for send in kept:
        if send.kind in ACTION_KINDS or send.kind is SendKind.SUMMARY:
            singles.append(send)
            continue
        due = route_away(ctx, away, _from_send(ctx, send), send.local.date())
        if due is None:
            skips.append((send, "away"))
            continue
        ends = until.get(snooze_prefix(send.subject, send.period, due.recipient))
        if ends is not None and ends > send.at and send.kind is not SendKind.ESCALATION:
            skips.append((send, "snoozed"))
            continue
        people.setdefault(due.recipient, PersonSends(due.recipient)).sends.append((send, due))
    return Sweep(away, Batch(tuple(skips), tuple(singles), tuple(people.values())))


class Batches:
    """A sweep's work, handed out one batch at a time, each as heavy as asked for then.

    The scheduler asks for lighter batches once they run slow (a plan whose reminders cost
    more than the weights say), so it takes the next batch from what is left rather than
    cutting everything up front. Order is kept (skips, singles, people); a
    person's sends are never split, and a channel summary is always alone.

    Args:
        whole: The sweep's work (:attr:`Sweep.whole`).
    """

    def __init__(self, whole: Batch) -> None:
        self._whole = whole
        self._skip = self._single = self._person = 0

    def __bool__(self) -> bool:
        """Whether anything is left."""
        whole = self._whole
        taken = (self._skip, self._single, self._person)
        return taken != (len(whole.skips), len(whole.singles), len(whole.people))

    def take(self, most: float | None = None) -> Batch:
        """The next batch, of about ``most`` (:data:`BATCH_WEIGHT`) reminders' work.

        A batch of one item may weigh more than ``most``; an empty batch when nothing is left.
        """
        limit = BATCH_WEIGHT if most is None else most
        whole, weight = self._whole, 0.0
        skips = list(whole.skips[self._skip : self._skip + math.ceil(limit / _WEIGHTS["skip"])])
        self._skip += len(skips)
        weight += _WEIGHTS["skip"] * len(skips)
        singles: list[PlannedSend] = []
        while weight < limit and self._single < len(whole.singles):
            send = whole.singles[self._single]
            alone = send.kind is SendKind.SUMMARY
            if alone and (skips or singles):
                return Batch(tuple(skips), tuple(singles))
            singles.append(send)
            self._single += 1
            weight += math.inf if alone else _WEIGHTS["single"]
        people: list[PersonSends] = []
        while weight < limit and self._person < len(whole.people):
            person = whole.people[self._person]
            people.append(person)
            self._person += 1
            weight += _WEIGHTS["send"] * len(person.sends)
            weight += _WEIGHTS["snooze"] * len(person.snoozes)
        return Batch(tuple(skips), tuple(singles), tuple(people))
